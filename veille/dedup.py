"""One real event, many reports: which stored event a new report belongs to, and what the event says.

This is the one deduplication algorithm; the store runs it for every new
report (veille/store/writer.py), taking the reports of a batch in a canonical
order (their mention keys):

1. `probes(report)` names the index keys under which a stored event that
   could be the same event is filed: its event type, a place cell, a date
   window (`cell`, `area`, `landmark`). The store reads those events only, so
   the cost of a report does not grow with the size of the store.
2. `same_event(report, event)` compares the report with the event's
   consolidated values: same type and sub-type; the same landmark when both
   have one; otherwise dates compatible with their precision
   (`DAY_TOLERANCE`), places compatible with theirs (`PLACE_LIMIT_KM`), and no
   conflicting named actors. A report that names no place only joins an event
   that names none either: at scale, "anywhere" would match any event of
   that type and day.
3. `best_match` picks, among the compatible events that the report's article
   does not already report, the nearest in date, then the smallest event id.
4. `Summary.add(report)` updates the event's aggregates in constant time:
   the member with the most precise place gives the event's place (and the
   base of its record), the one with the most precise date its date;
   fatalities follow ACLED's rule (the smallest figure reported); figures that
   differ are kept as disagreements with one article per value. Members are
   never read again: the event page reads them when asked.

Why this one: comparing a report with each event's consolidated record costs
one comparison per candidate event however many reports the event has, and a
content-derived, set-based summary makes the event's values and its id
(the smallest hash of its members' keys) independent of the order in which
the same reports arrived.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Iterable, Protocol

from .geo import EARTH_RADIUS_KM, distance_km
from .records import EventRecord

DAY_TOLERANCE = {1: 1, 2: 7, 3: 31}  # days between two dates of this precision that can name one day
PLACE_LIMIT_KM = {1: 25.0, 2: 60.0, 3: 250.0}  # by the worse geo_precision of the two
SAME_CITY_KM = 6.0  # two named sites of one city (the airport, the Green Zone) are two places
GENERIC = ("Unidentified", "Rioters", "Protesters", "Civilians", "Police Forces")
FINE_DEG, COARSE_DEG = 1.0, 5.0  # index cells: precise places, province-level places
MAX_SOURCES = 64  # reported_by of an event: the first sources by member key
FIGURES = (("fatalities", "min"), ("injured", "min"), ("munitions", "mode"), ("intercepted", "mode"),
           ("claimed_by", "first"))


class Comparable(Protocol):
    """What `same_event` reads: an EventRecord, or a stored event's indexed columns (`EventKey`)."""

    event_type: str
    sub_event_type: str
    landmark: str | None
    event_date: str
    time_precision: int
    iso: str | None
    admin1: str | None
    location: str | None
    latitude: float | None
    longitude: float | None
    geo_precision: int
    actor1: str | None
    actor2: str | None


@dataclass(frozen=True)
class EventKey:
    """A stored event as `same_event` and `best_match` see it (its consolidated values)."""

    ref: int  # the store's row number for the event
    event_id: str
    event_type: str
    sub_event_type: str
    landmark: str | None
    event_date: str
    time_precision: int
    iso: str | None
    admin1: str | None
    location: str | None
    latitude: float | None
    longitude: float | None
    geo_precision: int
    actor1: str | None
    actor2: str | None


# -- the comparison ---------------------------------------------------------------------
def _tolerance(precision: int | None) -> int:
    return DAY_TOLERANCE.get(precision or 1, 1)


def _has_place(a: Comparable) -> bool:
    return a.latitude is not None and a.longitude is not None


def dates_compatible(a: Comparable, b: Comparable) -> bool:
    days = abs((date.fromisoformat(a.event_date) - date.fromisoformat(b.event_date)).days)
    return days <= max(_tolerance(a.time_precision), _tolerance(b.time_precision))


def places_compatible(a: Comparable, b: Comparable) -> bool:
    if a.iso and b.iso and a.iso != b.iso:
        return False
    if not (_has_place(a) and _has_place(b)):
        return not (_has_place(a) or _has_place(b))  # two reports without a place, or one of each: not
    d = distance_km(a.latitude, a.longitude, b.latitude, b.longitude)  # type: ignore[arg-type]
    worst = max(a.geo_precision or 1, b.geo_precision or 1)
    limit = PLACE_LIMIT_KM.get(worst, PLACE_LIMIT_KM[3])
    if worst == 1 and a.location and b.location and a.location != b.location:
        limit = SAME_CITY_KM
    if worst == 3 and a.admin1 and b.admin1 and min(a.geo_precision or 1, b.geo_precision or 1) < 3:
        return (a.iso is not None and a.iso == b.iso and a.admin1 == b.admin1) or d <= limit
    return d <= limit


def _named(actor: str | None) -> str | None:
    return None if not actor or actor.startswith(GENERIC) else actor


def actors_compatible(a: Comparable, b: Comparable) -> bool:
    for x, y in ((a.actor1, b.actor1), (a.actor2, b.actor2)):
        nx, ny = _named(x), _named(y)
        if nx and ny and nx != ny:
            return False
    return True


def same_event(a: Comparable, b: Comparable) -> bool:
    """Whether two reports (or a report and an event) can be the same real event. Symmetric."""
    if a.event_type != b.event_type or a.sub_event_type != b.sub_event_type:
        return False
    if a.landmark and b.landmark:
        return a.landmark == b.landmark
    return dates_compatible(a, b) and places_compatible(a, b) and actors_compatible(a, b)


def best_match(report: EventRecord, candidates: Iterable[EventKey], exclude: set[int] = frozenset()
               ) -> EventKey | None:
    """The event the report joins: compatible, not in `exclude`, nearest in date, then smallest id."""
    d = date.fromisoformat(report.event_date)
    best: tuple[tuple[int, str], EventKey] | None = None
    for ev in candidates:
        if ev.ref in exclude or not same_event(report, ev):
            continue
        rank = (abs((date.fromisoformat(ev.event_date) - d).days), ev.event_id)
        if best is None or rank < best[0]:
            best = (rank, ev)
    return best[1] if best else None


# -- the index --------------------------------------------------------------------------
@dataclass(frozen=True)
class Probe:
    """Stored events whose `column` is one of `keys`, dated within `tolerance` days of `day` or within
    their own precision's tolerance (DAY_TOLERANCE), whichever is wider; any date when `day` is None."""

    column: str  # "cell", "area", "province" or "landmark"
    keys: tuple[str, ...]
    day: date | None = None
    tolerance: int = 0

    def accepts(self, event_date: date, time_precision: int | None) -> bool:
        if self.day is None:
            return True
        return abs((event_date - self.day).days) <= max(self.tolerance, _tolerance(time_precision))


def cell(ev: Comparable) -> str:
    """The index cell of an event: the grid cell of its place.

    Precise places (geo_precision 1-2) are filed in a 1-degree grid, province-level
    ones in a 5-degree grid, events without a place under "n".
    """
    if not _has_place(ev):
        return "n"
    fine = (ev.geo_precision or 1) <= 2
    size = FINE_DEG if fine else COARSE_DEG
    return f"{'f' if fine else 'c'}{_grid(ev.latitude, size)}:{_grid(_wrap(ev.longitude), size)}"  # type: ignore


def area(ev: Comparable) -> str | None:
    """A province-level event is also filed by its province: a precise report in that province matches it
    at any distance. (A province-level report finds the precise events of its province by `province`.)"""
    return province(ev) if (ev.geo_precision or 1) >= 3 else None


def province(ev: Comparable) -> str | None:
    if not (_has_place(ev) and ev.iso and ev.admin1):
        return None
    return f"{ev.iso}|{ev.admin1}"


def probes(report: Comparable) -> list[Probe]:
    """Where the events `same_event` could accept for this report are filed (a superset, never fewer)."""
    d, w = date.fromisoformat(report.event_date), _tolerance(report.time_precision)
    out = [Probe("landmark", (report.landmark,))] if report.landmark else []
    if not _has_place(report):
        return out + [Probe("cell", ("n",), d, w)]
    lat, lon = report.latitude, report.longitude
    fine_km = PLACE_LIMIT_KM[max(report.geo_precision or 1, 2)]
    cells = ([f"f{k}" for k in _cells_within(lat, lon, fine_km, FINE_DEG)]  # type: ignore[arg-type]
             + [f"c{k}" for k in _cells_within(lat, lon, PLACE_LIMIT_KM[3], COARSE_DEG)])  # type: ignore[arg-type]
    out.append(Probe("cell", tuple(cells), d, w))
    if province(report):
        column = "province" if (report.geo_precision or 1) >= 3 else "area"
        out.append(Probe(column, (province(report),), d, w))  # type: ignore[arg-type]
    return out


def covers(found: list[Probe], ev: Comparable) -> bool:
    """Whether one of the probes finds this event (what the store's index query does, in Python)."""
    d = date.fromisoformat(ev.event_date)
    values = {"cell": cell(ev), "area": area(ev), "province": province(ev), "landmark": ev.landmark}
    return any(values[p.column] in p.keys and p.accepts(d, ev.time_precision) for p in found)


def _grid(x: float, size: float) -> int:
    return math.floor(x / size)


def _wrap(lon: float) -> float:
    return (lon + 180.0) % 360.0 - 180.0


def _cells_within(lat: float, lon: float, km: float, size: float) -> list[str]:
    """Grid cells that hold every point within `km` of (lat, lon)."""
    r = km / EARTH_RADIUS_KM * 1.001  # angular radius, with a margin for rounding
    lo_lat, hi_lat = max(-90.0, lat - math.degrees(r)), min(90.0, lat + math.degrees(r))
    n_lon = round(360 / size)
    if math.sin(r) >= math.cos(math.radians(lat)) or hi_lat >= 90.0 or lo_lat <= -90.0:
        lon_cells = range(n_lon)  # the circle reaches a pole: every longitude
    else:
        dlon = math.degrees(math.asin(math.sin(r) / math.cos(math.radians(lat))))
        first, last = _grid(lon - dlon + 180.0, size), _grid(lon + dlon + 180.0, size)
        lon_cells = range(first, last + 1)
    lon_keys = sorted({(c % n_lon) - n_lon // 2 for c in lon_cells})
    return [f"{y}:{x}" for y in range(_grid(lo_lat, size), _grid(hi_lat, size) + 1) for x in lon_keys]


# -- the event's summary ----------------------------------------------------------------
def mention_key(r: EventRecord) -> str:
    """A report's identity: its article and its id within the article."""
    return f"{r.doc_ids[0]}:{r.event_id}"


def member_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:16]


class Summary:
    """An event's aggregates over its reports; `add` costs the same for the first report and the ten-thousandth.

    The result depends on the set of reports only, not on their order: every
    choice is a minimum over a content key (ties go to the smaller member key).
    """

    def __init__(self, state: dict[str, Any]) -> None:
        self.state = state
        self._record: EventRecord | None = None

    @classmethod
    def of(cls, reports: Iterable[EventRecord]) -> "Summary":
        it = iter(reports)
        summary = cls.start(next(it))
        for r in it:
            summary.add(r)
        return summary

    @classmethod
    def start(cls, r: EventRecord) -> "Summary":
        s = cls({"n": 0, "id": "~", "base": None, "date": None, "sources": {}, "background": True,
                 "figures": {}, "named": {}})
        s.add(r)
        return s

    def add(self, r: EventRecord) -> None:
        self._record = None
        st, key = self.state, mention_key(r)
        st["n"] += 1
        st["id"] = min(st["id"], member_hash(key))
        place_rank = [r.geo_precision or 3, r.location is None, key]
        if st["base"] is None or place_rank < st["base"]["rank"]:
            base = r.to_dict(with_text=False)
            del base["evidence"], base["doc_ids"]
            st["base"] = {"rank": place_rank, "record": base}
        date_rank = [r.time_precision, -len(r.evidence), r.event_date, key]
        if st["date"] is None or date_rank < st["date"]["rank"]:
            st["date"] = {"rank": date_rank, "doc": r.doc_ids[0], "note": r.provenance.get("event_date", "")}
        for i, name in enumerate(r.reported_by):
            self._source(name, [key, i])
        st["background"] = st["background"] and bool(r.background)
        for fld, _ in FIGURES:
            value = getattr(r, fld)
            if value not in (None, 0, ""):
                seen = st["figures"].setdefault(fld, {}).setdefault(str(value),
                                                                    [value, 0, r.doc_ids[0], key, r.outlet])
                seen[1] += 1
                if r.doc_ids[0] <= seen[2]:  # [4]: the outlet of that first article, for the note
                    seen[2:] = [r.doc_ids[0], min(seen[3], key), r.outlet]
                seen[3] = min(seen[3], key)
        for fld in ("actor1", "actor2"):
            named = _named(getattr(r, fld))
            if named and (fld not in st["named"] or key < st["named"][fld][0]):
                st["named"][fld] = [key, named]

    def _source(self, name: str, rank: list) -> None:
        sources = self.state["sources"]
        if name in sources and sources[name] <= rank:
            return
        sources[name] = rank
        if len(sources) > MAX_SOURCES:
            del sources[max(sources, key=sources.get)]

    @property
    def event_id(self) -> str:
        return self.state["id"]

    @property
    def size(self) -> int:
        return self.state["n"]

    def record(self) -> EventRecord:
        """The consolidated record, without doc_ids and evidence (the store reads those from the members).

        Built once until the next `add`: a caller that changes it owns this summary."""
        if self._record is None:
            self._record = self._consolidated()
        return self._record

    def _consolidated(self) -> EventRecord:
        st = self.state
        rec = EventRecord.from_dict(st["base"]["record"])
        rec.event_id = st["id"]
        rec.outlet = None  # an event is reported by its articles' outlets (see the mentions)
        if st["n"] == 1:
            return rec
        base_notes = rec.notes
        rec.time_precision, _, rec.event_date, _ = st["date"]["rank"]
        rec.provenance["event_date"] = f"from {st['date']['doc']}: {st['date']['note']}"
        rec.reported_by = sorted(st["sources"], key=st["sources"].get)
        rec.background = st["background"]
        rec.disagreements = {}
        said = []
        for fld, rule in FIGURES:
            seen = sorted(st["figures"].get(fld, {}).values(), key=lambda v: v[3])  # by first report
            if len(seen) > 1:
                rec.disagreements[fld] = {v[2]: v[0] for v in seen}
                said.append(f"{fld} " + ", ".join(f"{v[0]} per {_reporter(v, seen)}" +
                                                   (f" and {v[1] - 1} more" if v[1] > 1 else "") for v in seen))
            setattr(rec, fld, _figure(seen, rule, fld))
        for fld in ("actor1", "actor2"):
            if fld in st["named"] and (getattr(rec, fld) or "").startswith(GENERIC):
                setattr(rec, fld, st["named"][fld][1])
        rec.notes = base_notes + (" Reports disagree: " + "; ".join(said) if said else "")
        return rec

    def key(self, ref: int) -> EventKey:
        """How the index and `best_match` see the event."""
        r = self.record()
        return EventKey(ref, r.event_id, r.event_type, r.sub_event_type, r.landmark, r.event_date, r.time_precision,
                        r.iso, r.admin1, r.location, r.latitude, r.longitude, r.geo_precision, r.actor1, r.actor2)


def _reporter(v: list, seen: list[list]) -> str:
    """How a note names a report: its outlet (with the start of the article's id when one outlet gives
    two figures), or the article's id when the outlet is unknown."""
    outlet = v[4] if len(v) > 4 else None
    if not outlet:
        return v[2]
    if sum(1 for w in seen if len(w) > 4 and w[4] == outlet) > 1:
        return f"{outlet} ({v[2][:8]})"
    return outlet


def _figure(seen: list[list], rule: str, fld: str) -> Any:
    if not seen:
        return 0 if fld == "fatalities" else None
    if rule == "min":
        return min(v[0] for v in seen)  # ACLED: the most conservative figure
    if rule == "mode":
        return min(seen, key=lambda v: (-v[1], v[3]))[0]  # the most reported; ties: the first report's
    return min(seen, key=lambda v: v[2])[0]  # the article with the smallest id


def consolidate(reports: Iterable[EventRecord]) -> EventRecord:
    """One record for reports of one event (doc_ids and evidence joined in key order); order does not matter."""
    reports = sorted(reports, key=mention_key)
    rec = Summary.of(reports).record()
    rec.doc_ids = sorted({d for r in reports for d in r.doc_ids})
    rec.evidence = [e for r in reports for e in r.evidence]
    return rec
