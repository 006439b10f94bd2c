"""The deduplication algorithm the store runs (veille.dedup), tested directly and through the real store.

- the index never misses: every event `same_event` accepts is found by the report's probes,
  in Python (`covers`) and in SQL on SQLite and PostgreSQL (`Writer.candidates`);
- an event's summary depends on the set of its reports, not their order, and stays small;
- adding a report to a big event reads none of its members.
"""
from __future__ import annotations

import dataclasses
import json
import math
import random
from datetime import date, timedelta

import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from veille.article import Article
from veille.dedup import Summary, consolidate, covers, probes, same_event
from veille.records import EventRecord, Evidence
from veille.store import Store
from veille.store.writer import Writer

TYPES = [("Explosions/Remote violence", "Air/drone strike"), ("Battles", "Armed clash")]
# places near each other, on both sides of a cell border, far north, across the antimeridian, and none
SITES = [(33.31, 44.36, "IQ", "Baghdad", "Baghdad"), (33.99, 44.05, "IQ", "Baghdad", "Taji"),
         (34.02, 43.99, "IQ", "Salah ad Din", "Balad"), (36.19, 44.01, "IQ", "Erbil", "Erbil"),
         (33.42, 43.30, "IQ", "Anbar", "Ramadi"), (31.5, 46.0, "IQ", None, None),
         (69.7, 18.9, "NO", "Troms", "Tromso"), (-16.5, 179.9, "FJ", "Northern", "Labasa"),
         (-16.6, -179.95, "FJ", "Eastern", "Lau"), (None, None, None, None, None)]
LANDMARKS = [None, None, None, "2020-01-03-soleimani-killing", "2021-05-24-other"]
ACTORS = ["Unidentified Armed Group (Iraq)", "Military Forces of Iraq", "Islamic State", None]


def report(doc: str, n: int, type_i: int, site_i: int, day: int, tp: int, gp: int, jitter: float,
           landmark: str | None, actor: str | None, killed: int = 0, sources: tuple[str, ...] = ()) -> EventRecord:
    lat, lon, iso, admin1, loc = SITES[site_i]
    if lat is not None:
        lat, lon = lat + jitter, (lon + jitter + 180) % 360 - 180
    et, sub = TYPES[type_i]
    return EventRecord(
        event_date=(date(2021, 5, 1) + timedelta(days=day)).isoformat(), time_precision=tp,
        disorder_type="Political violence", event_type=et, sub_event_type=sub, actor1=actor or "", assoc_actor_1=None,
        inter1=0, actor2=None, assoc_actor_2=None, inter2=0, country=None, iso=iso, admin1=admin1, location=loc,
        latitude=lat, longitude=lon, geo_precision=gp if lat is not None else 3, fatalities=killed,
        reported_by=list(sources), landmark=landmark, evidence=[Evidence(doc, n, n + 10)], doc_ids=[doc],
        event_id=f"e{n}")


reports = st.builds(
    report, doc=st.sampled_from(["a", "b", "c", "d"]), n=st.integers(0, 50), type_i=st.integers(0, 1),
    site_i=st.integers(0, len(SITES) - 1), day=st.integers(0, 70), tp=st.integers(1, 3), gp=st.integers(1, 3),
    jitter=st.floats(-2.5, 2.5), landmark=st.sampled_from(LANDMARKS), actor=st.sampled_from(ACTORS),
    killed=st.integers(0, 4), sources=st.lists(st.sampled_from(["AFP", "Reuters", "the army", "a monitor"]),
                                               max_size=2, unique=True).map(tuple))


@st.composite
def near(draw, a: EventRecord) -> EventRecord:
    """Another report of a's type, up to 300 km and 40 days away (most of the pairs `same_event` weighs)."""
    b = draw(reports)
    if a.latitude is None or draw(st.booleans()):
        return b
    km, bearing = draw(st.floats(0, 300)), math.radians(draw(st.floats(0, 360)))
    lat = max(-89.9, min(89.9, a.latitude + km / 111.2 * math.cos(bearing)))
    lon = a.longitude + km / (111.2 * max(0.05, math.cos(math.radians(lat)))) * math.sin(bearing)
    return dataclasses.replace(b, event_type=a.event_type, sub_event_type=a.sub_event_type, latitude=lat,
                               longitude=(lon + 180) % 360 - 180,
                               event_date=(date.fromisoformat(a.event_date)
                                           + timedelta(days=draw(st.integers(-40, 40)))).isoformat(),
                               iso=draw(st.sampled_from([a.iso, b.iso])), admin1=draw(st.sampled_from([a.admin1, b.admin1])))


pairs = reports.flatmap(lambda a: st.tuples(st.just(a), near(a)))


@given(pairs)
@settings(max_examples=4000, deadline=None)
def test_dedup_same_event_is_symmetric_and_the_index_finds_every_match(pair):
    a, b = pair
    assert same_event(a, b) == same_event(b, a)
    if same_event(a, b):
        assert covers(probes(a), b), (probes(a), b)


@given(st.lists(reports, min_size=1, max_size=8, unique_by=lambda r: (r.doc_ids[0], r.event_id)), st.randoms())
@settings(max_examples=300, deadline=None)
def test_dedup_summary_depends_on_the_reports_not_their_order(group, rnd):
    shuffled = list(group)
    rnd.shuffle(shuffled)
    one, two = Summary.of(group), Summary.of(shuffled)
    assert one.record() == two.record()
    assert consolidate(group) == consolidate(shuffled)


def test_dedup_summary_of_ten_thousand_reports_stays_small():
    rnd = random.Random(5)
    sources = [f"source {i}" for i in range(500)]
    many = [report(f"doc{i:05d}", i, 0, 0, 3, 1, 1, 0.0, "2020-01-03-soleimani-killing", ACTORS[i % 3],
                   killed=rnd.choice([0, 1, 2, 3, 10]), sources=(rnd.choice(sources),)) for i in range(10_000)]
    summary = Summary.of(many[:10])
    small = len(json.dumps(summary.state))
    for r in many[10:]:
        summary.add(r)
    assert summary.size == 10_000
    assert len(json.dumps(summary.state)) < 4 * small + 4000  # 64 sources and 5 figure values at most
    rec = summary.record()
    assert rec.fatalities == 1 and set(rec.disagreements["fatalities"].values()) == {1, 2, 3, 10}


def _store_events(store: Store, recs: list[EventRecord]) -> None:
    by_doc: dict[str, list[EventRecord]] = {}
    for r in recs:
        by_doc.setdefault(r.doc_ids[0], []).append(r)
    store.add_many([(Article(text="x" * 80, doc_id=d, published=date(2021, 6, 1)), rs) for d, rs in by_doc.items()])


def test_dedup_index_query_finds_every_compatible_stored_event(db_url):
    """On each back end: what the SQL probes return holds every stored event the report is the same as."""
    rnd = random.Random(11)

    def rand_report(doc: str, n: int) -> EventRecord:
        return report(doc, n, rnd.randint(0, 1), rnd.randrange(len(SITES)), rnd.randint(0, 70), rnd.randint(1, 3),
                      rnd.randint(1, 3), rnd.uniform(-2.5, 2.5), rnd.choice(LANDMARKS), rnd.choice(ACTORS))

    store = Store(db_url)
    _store_events(store, [rand_report(f"s{i:03d}", i) for i in range(600)])
    stored = store.events()
    assert len(stored) > 100
    with store.engine.begin() as conn:
        writer = Writer(conn)
        for i in range(300):
            r = rand_report(f"new{i}", 1000 + i)
            found = {c.event_id for c in writer.candidates(r)}
            expected = {e.event_id for e in stored if same_event(r, e)}
            assert expected <= found, (r, expected - found)
    store.engine.dispose()


def test_dedup_adding_a_report_to_a_big_event_reads_none_of_its_members(tmp_path):
    store = Store(str(tmp_path / "big.db"))
    reports_ = [report(f"d{i:04d}", i, 0, 0, 3, 1, 1, 0.0, "2020-01-03-soleimani-killing", None) for i in range(1500)]
    for i in range(0, 1500, 100):
        _store_events(store, reports_[i:i + 100])
    assert [len(e.doc_ids) for e in store.events()] == [1500]
    seen: list[str] = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    _store_events(store, [report("late", 9999, 0, 0, 3, 1, 1, 0.0, "2020-01-03-soleimani-killing", None)])
    reads = [q for q in seen if q.lstrip().upper().startswith("SELECT")]
    assert reads and not any("FROM mentions" in q for q in reads)
    assert len(seen) < 12
    (event,) = store.events()
    assert len(event.doc_ids) == 1501
