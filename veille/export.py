"""Writing events: ACLED-compatible CSV, GeoJSON, JSON Lines."""
from __future__ import annotations

import csv
import json
from typing import Iterable, TextIO

from .records import EventRecord

# ACLED's export columns, in ACLED's order; veille fills those it can.
ACLED_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction",
    "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3", "location",
    "latitude", "longitude", "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
]


def acled_row(r: EventRecord, outlets: dict[str, str] | None = None) -> dict:
    inter = sorted(x for x in (r.inter1, r.inter2) if x)
    sources = list(dict.fromkeys([*(outlets or {}).get(r.event_id, "").split("; "), *r.reported_by]))
    return {
        "event_id_cnty": f"{r.iso or 'XX'}{r.event_id[:8].upper()}", "event_date": r.event_date,
        "year": r.event_date[:4], "time_precision": r.time_precision, "disorder_type": r.disorder_type,
        "event_type": r.event_type, "sub_event_type": r.sub_event_type, "actor1": r.actor1,
        "assoc_actor_1": r.assoc_actor_1 or "", "inter1": r.inter1, "actor2": r.actor2 or "",
        "assoc_actor_2": r.assoc_actor_2 or "", "inter2": r.inter2,
        "interaction": int("".join(map(str, inter))) if inter else 0,
        "civilian_targeting": "Civilian targeting" if r.inter2 == 7 else "", "iso": r.iso or "",
        "region": "", "country": r.country or "", "admin1": r.admin1 or "", "admin2": "", "admin3": "",
        "location": r.location or "", "latitude": r.latitude if r.latitude is not None else "",
        "longitude": r.longitude if r.longitude is not None else "", "geo_precision": r.geo_precision,
        "source": "; ".join(s for s in sources if s), "source_scale": "", "notes": r.notes,
        "fatalities": r.fatalities, "tags": "background" if r.background else "", "timestamp": "",
    }


def write_acled_csv(records: Iterable[EventRecord], out: TextIO) -> int:
    w = csv.DictWriter(out, fieldnames=ACLED_COLUMNS, lineterminator="\n")
    w.writeheader()
    n = 0
    for r in records:
        w.writerow(acled_row(r))
        n += 1
    return n


def geojson(records: Iterable[EventRecord]) -> dict:
    features = []
    for r in records:
        geometry = ({"type": "Point", "coordinates": [r.longitude, r.latitude]}
                    if r.latitude is not None and r.longitude is not None else None)
        props = r.to_dict()
        props.pop("latitude", None)
        props.pop("longitude", None)
        features.append({"type": "Feature", "id": r.event_id, "geometry": geometry, "properties": props})
    return {"type": "FeatureCollection", "features": features}


def write_geojson(records: Iterable[EventRecord], out: TextIO) -> int:
    doc = geojson(records)
    json.dump(doc, out, ensure_ascii=False)
    out.write("\n")
    return len(doc["features"])


def write_jsonl(records: Iterable[EventRecord], out: TextIO) -> int:
    n = 0
    for r in records:
        out.write(r.to_json() + "\n")
        n += 1
    return n


WRITERS = {"acled-csv": write_acled_csv, "geojson": write_geojson, "jsonl": write_jsonl}
