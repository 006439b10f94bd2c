"""Ingest cost and API latency as the store grows to a million events, on SQLite and PostgreSQL.

    nice python benchmarks/growth.py --db /tmp/growth.db --events 1000000 --json benchmarks/growth-sqlite.json
    nice python benchmarks/growth.py --db postgresql://veille:veille@127.0.0.1/veille_growth \\
        --events 1000000 --json benchmarks/growth-postgresql.json

A synthetic but realistic news stream is written through the real store, with
`veille.ingest` (extraction replaced by the stream's own records):

- publication dates move forward about 500 new events a day, roughly the
  world's rate in ACLED, over 3,600 places in 24 countries (a few places get
  most of the events, as cities do);
- each article reports one to three events: new ones, or more reports of the
  last days' events, with dates, places and figures that differ a little from
  one report to the next, as they do between outlets;
- a third of the articles also cite a past event as background: one event in
  250 becomes notable, with a fame drawn from a Pareto distribution, and
  citations go to notable events in proportion to their fame (a long tail;
  the most famous, like a leader's killing, gather thousands of reports); a
  fifth of them have a landmark key, the others only their date and place,
  often vague (month, province).

At each decade of the event count (1k, 10k, 100k, 1M) the script times the
ingest of the next `--window` articles (per-report cost, wall clock, the
database server included) and measures, in-process through the HTTP API
(FastAPI's TestClient), the main page query (`/api/events`, unfiltered and
one month of one country), event pages (random events, and the most reported
one) and a filtered export (one country, one quarter, as ACLED CSV), then
the size on disk. The stream is deterministic, so the script resumes after an
interruption: it skips what the store already holds (`--json` keeps the
figures measured so far).
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import os
import random
import statistics
import sys
import time
import warnings
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Iterable, Iterator

import sqlalchemy as sa

import veille
from veille.article import Article
from veille.export import write_acled_csv
from veille.pipeline import Result
from veille.records import EventRecord, Evidence
from veille.store import ContentCache, EventFilter, Store

TYPES = [  # (event_type, sub_event_type, disorder_type, weight)
    ("Explosions/Remote violence", "Air/drone strike", "Political violence", 14),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack", "Political violence", 16),
    ("Explosions/Remote violence", "Remote explosive/landmine/IED", "Political violence", 6),
    ("Battles", "Armed clash", "Political violence", 22),
    ("Violence against civilians", "Attack", "Political violence", 10),
    ("Violence against civilians", "Abduction/forced disappearance", "Political violence", 3),
    ("Protests", "Peaceful protest", "Demonstrations", 15),
    ("Riots", "Violent demonstration", "Demonstrations", 4),
    ("Strategic developments", "Arrests", "Strategic developments", 5),
    ("Strategic developments", "Disrupted weapons use", "Strategic developments", 3),
    ("Strategic developments", "Agreement", "Strategic developments", 2),
]
COUNTRIES = [  # (iso, centre latitude, centre longitude, spread in degrees): approximate, for realism only
    ("IQ", 33.2, 43.7, 2.5), ("SY", 35.0, 38.5, 1.8), ("YE", 15.5, 47.5, 2.2), ("AF", 34.0, 66.0, 3.0),
    ("UA", 48.5, 32.0, 3.5), ("SD", 14.0, 30.0, 4.0), ("ML", 16.0, -2.0, 3.5), ("BF", 12.3, -1.5, 1.8),
    ("NG", 9.5, 8.0, 3.5), ("SO", 5.0, 46.0, 3.0), ("CD", -2.5, 23.0, 5.0), ("ET", 9.0, 39.5, 3.5),
    ("LY", 27.0, 17.0, 4.0), ("MM", 20.0, 96.0, 3.5), ("PK", 30.0, 70.0, 3.5), ("LB", 33.9, 35.9, 0.5),
    ("IL", 31.5, 34.9, 0.7), ("PS", 31.9, 35.2, 0.4), ("CO", 4.5, -74.0, 3.0), ("MX", 23.0, -102.0, 5.0),
    ("MZ", -18.0, 35.0, 4.0), ("CM", 6.0, 12.5, 2.5), ("NE", 16.0, 8.0, 4.0), ("HT", 18.9, -72.5, 0.6),
]
ACTORS = ["Military Forces of {c}", "Police Forces of {c}", "Islamic State", "Unidentified Armed Group ({c})",
          "Rebel Forces ({c})", "Protesters ({c})", "Civilians ({c})", "Militia ({c})"]
SOURCES = ["AFP", "Reuters", "AP", "the army", "local officials", "a war monitor", "state media", "witnesses",
           "the ministry of defence", "a hospital", "the UN", "residents"]
NEW_EVENTS_PER_DAY = 500
START = date(2016, 1, 1)
DECADES = [1_000, 10_000, 100_000, 1_000_000, 10_000_000]


@dataclass
class Site:
    iso: str
    admin1: str
    name: str
    lat: float
    lon: float


@dataclass
class Happening:
    """A real event of the synthetic world, which articles report and cite."""

    n: int
    day: date
    type_i: int
    site: Site
    actor1: str
    actor2: str | None
    killed: int
    landmark: str | None = None


class World:
    """A deterministic stream of (article, records): the same seed gives the same stream."""

    def __init__(self, seed: int = 7) -> None:
        self.rnd = random.Random(seed)
        self.sites: list[Site] = []
        for iso, clat, clon, spread in COUNTRIES:
            for k in range(150):
                self.sites.append(Site(iso, f"Province {iso}-{k % 12}", f"Town {iso}-{k}",
                                       round(clat + self.rnd.gauss(0, spread / 2), 4),
                                       round(clon + self.rnd.gauss(0, spread / 2), 4)))
        self.site_weights = list(_cumulative([1 / (1 + (i % 150)) ** 0.9 for i in range(len(self.sites))]))
        self.type_weights = list(_cumulative([t[3] for t in TYPES]))
        self.recent: list[Happening] = []  # the news of the last days
        self.notable: list[Happening] = []  # the past events articles cite as background
        self.fame: list[float] = []  # their cumulative fame: Pareto-distributed, a few very famous
        self.n_happenings = 0
        self.n_articles = 0

    @property
    def today(self) -> date:
        return START + timedelta(days=int(self.n_happenings / NEW_EVENTS_PER_DAY))

    def articles(self) -> Iterator[tuple[Article, list[EventRecord]]]:
        while True:
            yield self.article()

    def article(self) -> tuple[Article, list[EventRecord]]:
        rnd = self.rnd
        self.n_articles += 1
        doc = hashlib.sha1(f"article {self.n_articles}".encode()).hexdigest()[:16]
        reported = [self.news() for _ in range(rnd.choice((1, 1, 1, 2, 2, 3)))]
        cites = [self.citation()] if rnd.random() < 0.33 else []
        sentences, spans = [f"Report {self.n_articles} from our correspondents."], []
        pos = len(sentences[0]) + 1
        for h in reported + cites:
            s = _sentence(h, h in cites)
            sentences.append(s)
            spans.append((pos, pos + len(s)))
            pos += len(s) + 1
        sentences.append("Filler words about the context, the weather and the market follow here. " * 8)
        text = " ".join(sentences)
        pub = self.today
        art = Article(text=text, title=f"Report {self.n_articles}", outlet=f"Outlet {self.n_articles % 40}",
                      published=pub, language="en", doc_id=doc, source="growth")
        records = [self.record(h, doc, span, background=(h in cites), pub=pub)
                   for h, span in zip(reported + cites, spans)]
        return art, records

    def news(self) -> Happening:
        rnd = self.rnd
        if self.recent and rnd.random() < 0.3:
            return rnd.choice(self.recent[-1500:])  # another outlet's report of the last days' news
        self.n_happenings += 1
        site = self.sites[_pick(self.site_weights, rnd)]
        type_i = _pick(self.type_weights, rnd)
        actors = [a.format(c=site.iso) for a in rnd.sample(ACTORS, 2)]
        h = Happening(self.n_happenings, self.today - timedelta(days=rnd.choice((0, 0, 1, 1, 2))), type_i, site,
                      actors[0], actors[1] if rnd.random() < 0.7 else None,
                      rnd.choice((0, 0, 0, 1, 2, 3, 5, 8, 12, 30)))
        self.recent.append(h)
        if len(self.recent) > 3000:
            del self.recent[:1500]
        if rnd.random() < 0.004:
            self.notable.append(h)
            self.fame.append((self.fame[-1] if self.fame else 0.0) + rnd.paretovariate(1.1))
            if rnd.random() < 0.2:
                h.landmark = f"landmark-{h.n}"
        return h

    def citation(self) -> Happening:
        if not self.notable:
            return self.news()
        return self.notable[_pick(self.fame, self.rnd)]  # in proportion to its fame

    def record(self, h: Happening, doc: str, span: tuple[int, int], background: bool, pub: date) -> EventRecord:
        rnd = self.rnd
        et, sub, disorder, _ = TYPES[h.type_i]
        tp, gp, day = 1, rnd.choice((1, 1, 1, 2)), h.day
        lat, lon = h.site.lat + rnd.gauss(0, 0.01), h.site.lon + rnd.gauss(0, 0.01)
        location: str | None = h.site.name
        if background and not h.landmark and rnd.random() < 0.5:  # an old event remembered vaguely
            tp, day = 3, h.day.replace(day=1)
        if rnd.random() < (0.25 if background else 0.05):  # only the province is named
            gp, location = 3, None
            lat, lon = h.site.lat + rnd.gauss(0, 0.3), h.site.lon + rnd.gauss(0, 0.3)
        killed = max(0, h.killed + rnd.choice((0, 0, 0, -1, 1, 2))) if h.killed else 0
        return EventRecord(
            event_date=day.isoformat(), time_precision=tp, disorder_type=disorder, event_type=et, sub_event_type=sub,
            actor1=h.actor1, assoc_actor_1=None, inter1=1, actor2=h.actor2, assoc_actor_2=None,
            inter2=2 if h.actor2 else 0, country=h.site.iso, iso=h.site.iso, admin1=h.site.admin1,
            location=location, latitude=round(lat, 4), longitude=round(lon, 4), geo_precision=gp,
            fatalities=killed, munitions=rnd.choice((None, None, 3, 5)) if h.type_i < 3 else None,
            reported_by=rnd.sample(SOURCES, rnd.randint(0, 2)), background=background,
            notes=f"{sub} at {location or h.site.admin1} on {day}.", evidence=[Evidence(doc, *span)],
            doc_ids=[doc], provenance={"event_date": f"stated, published {pub}"},
            landmark=h.landmark if background else None)


def _sentence(h: Happening, background: bool) -> str:
    what = TYPES[h.type_i][1].lower()
    when = f"back in {h.day:%B %Y}" if background else f"on {h.day:%A}"
    return f"An event coded as {what} involving {h.actor1} took place near {h.site.name} {when}, sources said."


def _cumulative(weights: list[float]) -> Iterator[float]:
    total = 0.0
    for w in weights:
        total += w
        yield total


def _pick(cumulative: list[float], rnd: random.Random) -> int:
    from bisect import bisect_left

    return min(len(cumulative) - 1, bisect_left(cumulative, rnd.random() * cumulative[-1]))


class Replay:
    """Extraction replaced by the stream's records: `run` like `Pipeline.run`, for `veille.ingest`."""

    def __init__(self) -> None:
        self.records: dict[str, list[EventRecord]] = {}

    def run(self, articles: Iterable[Article], progress=None) -> Iterator[Result]:
        for art in articles:
            yield Result(art, self.records.pop(art.doc_id))


# -- measuring ----------------------------------------------------------------------------
def ingest_window(store: Store, world: World, n_articles: int, parts: int = 10) -> dict:
    """Per-report cost over the next `n_articles`, in `parts` timed chunks: wall clock, and CPU time of
    this process plus the database server's processes for it (PostgreSQL), which a busy shared
    machine inflates less than the wall clock."""
    walls, cpus, reports, stored = [], [], 0, 0
    for _ in range(parts):
        replay = Replay()
        batch = []
        for _ in range(n_articles // parts):
            art, recs = world.article()
            replay.records[art.doc_id] = recs
            batch.append(art)
        n = sum(len(r) for r in replay.records.values())
        cpu0, t = cpu_seconds(store), time.perf_counter()
        stored += veille.ingest(batch, store, replay).articles
        walls.append((time.perf_counter() - t) / n)
        cpus.append((cpu_seconds(store) - cpu0) / n)
        reports += n
    return {"articles": stored, "reports": reports,
            "ms_per_report": round(1000 * statistics.mean(walls), 4),
            "ms_per_report_median_part": round(1000 * statistics.median(walls), 4),
            "cpu_ms_per_report": round(1000 * statistics.mean(cpus), 4)}


def cpu_seconds(store: Store) -> float:
    """CPU seconds used so far by this process and, on PostgreSQL, by the server backends of this database."""
    total = time.process_time()
    if store.dialect == "postgresql":
        with store.engine.connect() as conn:
            pids = conn.execute(sa.text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"))\
                .scalars().all()
        tick = os.sysconf("SC_CLK_TCK")
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
            except OSError:
                pass
    return total


def percentiles(samples: list[float]) -> dict:
    s = sorted(samples)
    return {"p50_ms": round(1000 * statistics.median(s), 1),
            "p99_ms": round(1000 * s[min(len(s) - 1, math.ceil(0.99 * len(s)) - 1)], 1),
            "max_ms": round(1000 * s[-1], 1), "n": len(s)}


def api_latency(store: Store, rnd: random.Random, rounds: int) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

        from veille.api import create_app

        client = TestClient(create_app(store))
    with store.engine.connect() as conn:
        lo, hi = conn.execute(sa.select(sa.func.min(store_events().c.event_date),
                                        sa.func.max(store_events().c.event_date))).one()
        n = conn.execute(sa.select(sa.func.max(store_events().c.id))).scalar_one()
        top = conn.execute(sa.select(store_events().c.event_id).order_by(store_events().c.n_articles.desc())
                           .limit(1)).scalar_one()

    def timed(url: str, params: dict | None = None) -> float:
        store._dicts = ContentCache()  # cold: every request builds its records (a repeated page is cached)
        t = time.perf_counter()
        res = client.get(url, params=params)
        took = time.perf_counter() - t
        assert res.status_code == 200, (url, res.status_code, res.text[:300])
        return took

    def month() -> dict:
        start = lo + timedelta(days=rnd.randrange(max(1, (hi - lo).days - 30)))
        return {"since": start.isoformat(), "until": (start + timedelta(days=30)).isoformat(),
                "country": rnd.choice(COUNTRIES)[0]}

    def random_event() -> str:
        with store.engine.connect() as conn:
            while True:
                eid = conn.execute(sa.select(store_events().c.event_id)
                                   .where(store_events().c.id == rnd.randint(1, n))).scalar()
                if eid:
                    return eid

    timed("/api/events")  # warm up
    out = {
        "main page, unfiltered (first 100 events)": percentiles([timed("/api/events") for _ in range(rounds)]),
        "main page, one month of one country": percentiles([timed("/api/events", month()) for _ in range(rounds)]),
        "event page, random event": percentiles([timed(f"/api/events/{random_event()}") for _ in range(rounds)]),
        "event page, the most reported event": percentiles([timed(f"/api/events/{top}") for _ in range(5)]),
    }
    exports = []
    for _ in range(max(5, rounds // 5)):
        f = month()
        since = date.fromisoformat(f["since"])
        flt = EventFilter(since=since, until=since + timedelta(days=91), country=f["country"])
        t = time.perf_counter()
        write_acled_csv(store.iter_events(flt), io.StringIO())
        exports.append(time.perf_counter() - t)
    out["filtered export (one country, one quarter, ACLED CSV)"] = percentiles(exports)
    return out


def store_events():
    from veille.store.schema import events

    return events


def size_on_disk(store: Store) -> int:
    if store.dialect == "postgresql":
        with store.engine.connect() as conn:
            return conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar_one()
    raw = store.engine.raw_connection()  # outside a transaction: fold the write-ahead log into the file
    try:
        raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
    path = Path(store.engine.url.database or "")
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


def top_event_size(store: Store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.max(store_events().c.n_articles))).scalar_one() or 0


def create_database(url: str) -> None:
    """Create the PostgreSQL database of `url` when it does not exist (through the server's `postgres` one)."""
    u = sa.engine.make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    engine = sa.create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": u.database}).first():
            conn.execute(sa.text(f'CREATE DATABASE "{u.database}"'))
    engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", required=True, help="SQLite file or postgresql:// URL (created if missing)")
    ap.add_argument("--events", type=int, default=1_000_000, help="stop after the decade that reaches this count")
    ap.add_argument("--window", type=int, default=5000, help="articles timed at each decade")
    ap.add_argument("--rounds", type=int, default=100, help="requests per API measure")
    ap.add_argument("--chunk", type=int, default=2000, help="articles between two counts of the events")
    ap.add_argument("--json", type=Path, help="figures so far (read on resume, written after each decade)")
    args = ap.parse_args()

    doc = json.loads(args.json.read_text()) if args.json and args.json.exists() else {"decades": {}}
    if args.db.startswith("postgresql://"):
        create_database(args.db)
    store = Store(args.db)
    doc["backend"] = store.dialect
    world = World()
    held = store.counts()["articles"]
    if held:
        print(f"resuming: replaying the stream past the {held} articles already stored", file=sys.stderr)
        for _ in range(held):
            world.article()
    t0 = time.perf_counter()
    for decade in (d for d in DECADES if d <= args.events):
        while (count := store.count_events()) < decade:
            replay = Replay()
            arts = []
            for _ in range(max(50, min(args.chunk, int((decade - count) / 1.2)))):  # ~1.3 new events an article
                art, recs = world.article()
                replay.records[art.doc_id] = recs
                arts.append(art)
            veille.ingest(arts, store, replay)
            print(f"  {store.count_events():>9} events, {world.n_articles} articles, "
                  f"{time.perf_counter() - t0:.0f} s", file=sys.stderr)
        if str(decade) in doc["decades"]:
            continue
        row = {"events": store.count_events(), "articles": world.n_articles}
        row["ingest"] = ingest_window(store, world, args.window)
        row["events_after_window"] = store.count_events()
        row["most_reported_event"] = top_event_size(store)
        row["size_bytes"] = size_on_disk(store)
        row["api"] = api_latency(store, random.Random(decade), args.rounds)
        doc["decades"][str(decade)] = row
        print(json.dumps({decade: row}, indent=1), file=sys.stderr)
        if args.json:
            args.json.write_text(json.dumps(doc, indent=2))
    base = doc["decades"].get("10000")
    for k, row in doc["decades"].items():
        ing = row["ingest"]
        ratio = ing["ms_per_report"] / base["ingest"]["ms_per_report"] if base else float("nan")
        cpu_ratio = ing["cpu_ms_per_report"] / base["ingest"]["cpu_ms_per_report"] if base else float("nan")
        print(f"{int(k):>9} events: {ing['ms_per_report']:.3f} ms/report ({ratio:.2f}x 10k), CPU "
              f"{ing['cpu_ms_per_report']:.3f} ms ({cpu_ratio:.2f}x), {row['size_bytes'] / 1e6:.0f} MB, main page p99 "
              f"{row['api']['main page, unfiltered (first 100 events)']['p99_ms']} ms", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(doc, indent=2))


if __name__ == "__main__":
    main()
