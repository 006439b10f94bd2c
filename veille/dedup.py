"""One real event, many reports: clustering per-article records across articles.

Two records are the same event when they have the same event type and
sub-type, dates compatible with their precision, places compatible with
their precision, and no conflicting named actors (`same_event`). The store
joins each new report to the nearest such stored event (veille.store);
`cluster` groups a batch of records the same way, in a canonical order.
A cluster is consolidated into one record: per-article values stay in the
mentions; the event shows the consolidated value and flags disagreements.
"""
from __future__ import annotations

import hashlib
import math
from collections import Counter
from datetime import date

from .records import EventRecord

DAY_TOLERANCE = {1: 1, 2: 7, 3: 31}
GENERIC = ("Unidentified", "Rioters", "Protesters", "Civilians", "Police Forces")


def _km(a: EventRecord, b: EventRecord) -> float | None:
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    la1, lo1, la2, lo2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(h)))


def dates_compatible(a: EventRecord, b: EventRecord) -> bool:
    da, db = date.fromisoformat(a.event_date), date.fromisoformat(b.event_date)
    tol = max(DAY_TOLERANCE.get(a.time_precision, 1), DAY_TOLERANCE.get(b.time_precision, 1))
    if a.time_precision == 1 and b.time_precision == 1:
        tol = 1
    return abs((da - db).days) <= tol


def places_compatible(a: EventRecord, b: EventRecord) -> bool:
    if a.iso and b.iso and a.iso != b.iso:
        return False
    d = _km(a, b)
    if d is None:
        return True
    worst = max(a.geo_precision or 1, b.geo_precision or 1)
    limit = {1: 25.0, 2: 60.0}.get(worst, 250.0)
    if worst == 1 and a.location and b.location and a.location != b.location:
        limit = 6.0  # two named sites of one city (the airport, the Green Zone) are two places
    if worst == 3 and a.admin1 and b.admin1 and min(a.geo_precision, b.geo_precision) < 3:
        return a.admin1 == b.admin1 or d <= limit
    return d <= limit


def actors_compatible(a: EventRecord, b: EventRecord) -> bool:
    def named(x: str | None) -> str | None:
        return None if not x or x.startswith(GENERIC) else x
    for x, y in ((a.actor1, b.actor1), (a.actor2, b.actor2)):
        nx, ny = named(x), named(y)
        if nx and ny and nx != ny:
            return False
    return True


def same_event(a: EventRecord, b: EventRecord) -> bool:
    if a.event_type != b.event_type or a.sub_event_type != b.sub_event_type:
        return False
    if a.landmark and b.landmark:
        return a.landmark == b.landmark
    if a.doc_ids == b.doc_ids:
        return False  # two events of one article were already told apart by the extractor
    return dates_compatible(a, b) and places_compatible(a, b) and actors_compatible(a, b)


def mention_key(r: EventRecord) -> str:
    return f"{r.doc_ids[0]}:{r.event_id}"


def cluster(records: list[EventRecord]) -> list[list[EventRecord]]:
    """Group reports of the same event; the result does not depend on the input order.

    Records are taken in a canonical order (their content keys) and each joins
    the first group whose every member is the same event as it and comes from
    another article (complete linkage, so that one vague report cannot chain
    two distinct events together).
    """
    groups: list[list[EventRecord]] = []
    for r in sorted(records, key=mention_key):
        docs = set(r.doc_ids)
        for g in groups:
            if all(same_event(r, x) and not docs & set(x.doc_ids) for x in g):
                g.append(r)
                break
        else:
            groups.append([r])
    return sorted(groups, key=lambda g: mention_key(g[0]))


def consolidate(group: list[EventRecord]) -> EventRecord:
    """One record for a cluster of per-article records; the order of the group does not matter."""
    group = sorted(group, key=mention_key)
    if len(group) == 1:
        r = group[0].copy()
        r.event_id = event_id(group)
        return r
    best_date = min(group, key=lambda r: (r.time_precision, -len(r.evidence), r.event_date))
    best_place = min(group, key=lambda r: (r.geo_precision or 3, r.location is None))  # ties: first key
    base = best_place.copy()
    base.event_date, base.time_precision = best_date.event_date, best_date.time_precision
    base.provenance = dict(base.provenance)
    base.provenance["event_date"] = f"from {best_date.doc_ids[0]}: {best_date.provenance.get('event_date', '')}"
    base.doc_ids = sorted({d for r in group for d in r.doc_ids})
    base.evidence = [e for r in group for e in r.evidence]
    base.reported_by = list(dict.fromkeys(s for r in group for s in r.reported_by))
    base.background = all(r.background for r in group)
    base.disagreements = {}
    for fld, rule in (("fatalities", "min"), ("injured", "min"), ("munitions", "mode"),
                      ("intercepted", "mode"), ("claimed_by", "first")):
        per_doc = {r.doc_ids[0]: getattr(r, fld) for r in group if getattr(r, fld) not in (None, 0, "")}
        values = set(map(str, per_doc.values()))
        if len(values) > 1:
            base.disagreements[fld] = per_doc
        if not per_doc:
            setattr(base, fld, 0 if fld == "fatalities" else None)
        elif rule == "min":
            setattr(base, fld, min(per_doc.values()))  # ACLED: the most conservative figure
        elif rule == "mode":
            setattr(base, fld, Counter(per_doc.values()).most_common(1)[0][0])
        else:
            setattr(base, fld, per_doc[sorted(per_doc)[0]])
    for fld in ("actor1", "actor2"):
        named = [getattr(r, fld) for r in group if getattr(r, fld) and not getattr(r, fld).startswith(GENERIC)]
        if named and (getattr(base, fld) or "").startswith(GENERIC):
            setattr(base, fld, named[0])
    base.event_id = event_id(group)
    base.notes = base.notes + (" Reports disagree: " + "; ".join(
        f"{fld} " + ", ".join(f"{v} per {d}" for d, v in per.items()) for fld, per in base.disagreements.items())
        if base.disagreements else "")
    return base


def event_id(group: list[EventRecord]) -> str:
    """Content-derived: the same reports always give the same id."""
    keys = sorted(mention_key(r) for r in group)
    return hashlib.sha256("|".join(keys).encode()).hexdigest()[:16]
