"""Storage on SQLite and on a real PostgreSQL server: concurrency, interruption, Dask."""
from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from veille import ingest
from veille.article import Article
from veille.store import Store

from .conftest import DEV, SHARED

CORPUS = SHARED / "corpus" / "news.jsonl.gz"


def snapshot(store):
    return sorted((e.event_id, tuple(e.doc_ids), e.event_date, e.sub_event_type) for e in store.events())


def run_ingest(db, *inputs, wait=True, extra=()):
    cmd = [sys.executable, "-m", "veille.cli", "ingest", *map(str, inputs), "--db", db, "--published", "2023-01-01",
           *extra]
    if wait:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def feed(tmp_path_factory):
    """The dev articles and 200 conflict-heavy corpus articles as one JSON Lines file."""
    if not CORPUS.exists():
        pytest.skip("../shared/corpus is not beside the checkout")
    path = tmp_path_factory.mktemp("feed") / "feed.jsonl"
    with path.open("w", encoding="utf-8") as out:
        out.write(DEV.read_text(encoding="utf-8"))
        with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
            n = 0
            for line in f:
                d = json.loads(line)
                if d["source"].startswith("yrf1") or d["source"].startswith("eventdata"):
                    out.write(json.dumps({"doc_id": d["id"], "text": d["text"], "title": d.get("title"),
                                          "language": d["language"]}) + "\n")
                    n += 1
                    if n >= 200:
                        break
    return path


def test_backends_schema_and_round_trip(db_url, pipeline, dev_articles):
    store = Store(db_url)
    ingest(dev_articles, store, pipeline)
    before = snapshot(store)
    ingest(reversed(dev_articles), store, pipeline)
    assert snapshot(store) == before and store.counts()["articles"] == 5
    assert Store(db_url).counts() == store.counts()  # re-opening migrates nothing and loses nothing


def test_backends_same_events_on_sqlite_and_postgresql(tmp_path, pipeline, dev_articles):
    """Needs PostgreSQL: skipped without VEILLE_TEST_PG, and a failure in CI (see conftest)."""
    from .conftest import _postgres_database

    gen = _postgres_database()
    snaps = []
    for url in (str(tmp_path / "a.db"), next(gen)):
        store = Store(url)
        ingest(dev_articles, store, pipeline)
        snaps.append(snapshot(store))
        store.engine.dispose()
    next(gen, None)
    assert snaps[0] == snaps[1] and len(snaps[0]) > 10


def test_backends_two_concurrent_ingests_lose_and_duplicate_nothing(db_url, feed):
    Store(db_url).engine.dispose()  # create the schema first
    a, b = run_ingest(db_url, feed, wait=False), run_ingest(db_url, feed, wait=False)
    assert a.wait(timeout=900) in (0, 1) and b.wait(timeout=900) in (0, 1), a.stderr.read() + b.stderr.read()
    store = Store(db_url)
    n_articles = sum(1 for line in Path(feed).read_text().splitlines() if line.strip())
    counts = store.counts()
    assert counts["articles"] == n_articles
    events = store.events()
    mention_ids = [f"{d}:{e.event_id}" for e in events for d in e.doc_ids]
    assert len(set(e.event_id for e in events)) == len(events)
    assert counts["events"] == len(events) and len(mention_ids) == len(set(mention_ids))


def test_backends_killed_ingest_resumes_without_loss_or_duplicates(db_url, feed, tmp_path):
    proc = run_ingest(db_url, feed, wait=False)
    store = Store(db_url)
    deadline = time.time() + 300
    while store.counts()["articles"] < 40 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.2)
    assert proc.poll() is None, "the ingest finished before it could be killed: give it more articles"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = store.counts()["articles"]
    assert 0 < partial
    done = run_ingest(db_url, feed)
    assert done.returncode in (0, 1), done.stderr
    assert f"{partial} already there" in done.stderr
    clean = Store(str(tmp_path / "clean.db"))
    subprocess.run([sys.executable, "-m", "veille.cli", "ingest", str(feed), "--db", str(tmp_path / "clean.db"),
                    "--published", "2023-01-01"], capture_output=True, timeout=900)
    assert store.counts() == clean.counts()
    assert snapshot(store) == snapshot(clean)


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting to be reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the worker processes")
def test_backends_killed_pooled_ingest_leaves_no_workers_and_resumes(feed, tmp_path):
    db = str(tmp_path / "pooled.db")
    proc = run_ingest(db, feed, wait=False, extra=("--processes", "2"))
    store = Store(db)
    deadline = time.time() + 300
    workers: list[int] = []
    while time.time() < deadline and proc.poll() is None:
        workers = _children(proc.pid)
        if store.counts()["articles"] >= 10 and len(workers) >= 2:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the ingest finished before it could be killed: give it more articles"
    assert len(workers) >= 2
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.time() + 20
    while any(_alive(w) for w in workers) and time.time() < deadline:
        time.sleep(0.2)
    alive = [w for w in workers if _alive(w)]
    assert not alive, "worker processes outlived their killed parent"
    partial = store.counts()["articles"]
    done = run_ingest(db, feed, extra=("--processes", "2"))
    assert done.returncode in (0, 1), done.stderr
    assert f"{partial} already there" in done.stderr
    clean = str(tmp_path / "clean.db")
    assert run_ingest(clean, feed).returncode in (0, 1)
    assert store.counts() == Store(clean).counts()
    assert snapshot(store) == snapshot(Store(clean))


def test_backends_dask_local_cluster_gives_the_same_events(tmp_path, feed):
    single, dask = str(tmp_path / "single.db"), str(tmp_path / "dask.db")
    assert run_ingest(single, DEV).returncode == 0
    res = subprocess.run([sys.executable, "-m", "veille.cli", "ingest", str(DEV), "--db", dask, "--workers", "2"],
                         capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, res.stderr
    assert snapshot(Store(dask)) == snapshot(Store(single))


def test_backends_a_database_of_the_first_schema_is_migrated_with_its_events(db_url):
    """Revision 0001 grouped mentions by a hash id; after 0002 the same groups are events with summaries."""
    from datetime import date, datetime

    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config
    from importlib import resources

    from veille.dedup import consolidate
    from veille.records import EventRecord, Evidence
    from veille.store import normalise_url

    engine = sa.create_engine(normalise_url(db_url))
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("veille.store") / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")

    def rec(doc: str, n: int, killed: int) -> EventRecord:
        return EventRecord(event_date="2021-05-24", time_precision=1, disorder_type="Political violence",
                           event_type="Battles", sub_event_type="Armed clash", actor1="Islamic State",
                           assoc_actor_1=None, inter1=2, actor2=None, assoc_actor_2=None, inter2=0, country="Iraq",
                           iso="IQ", admin1="Diyala", location="Baqubah", latitude=33.75 + n / 100, longitude=44.6,
                           geo_precision=1, fatalities=killed, evidence=[Evidence(doc, 0, 5)], doc_ids=[doc],
                           event_id=f"r{n}")

    groups = {"old-a": [rec("d1", 1, 4), rec("d2", 2, 3)], "old-b": [rec("d3", 3, 0)]}
    meta = sa.MetaData()
    meta.reflect(engine)
    with engine.begin() as conn:
        for doc in ("d1", "d2", "d3"):
            conn.execute(meta.tables["articles"].insert(), {"doc_id": doc, "text": "words", "n_events": 1,
                                                           "ingested_at": datetime(2021, 6, 1)})
        for old_id, members in groups.items():
            ev = consolidate(members)
            conn.execute(meta.tables["events"].insert(), {
                "event_id": old_id, "event_date": date(2021, 5, 24), "event_type": ev.event_type,
                "sub_event_type": ev.sub_event_type, "n_articles": len(members), "record": ev.to_dict()})
            conn.execute(meta.tables["mentions"].insert(), [
                {"mention_id": f"{m.doc_ids[0]}:{m.event_id}", "doc_id": m.doc_ids[0], "event_id": old_id,
                 "event_type": m.event_type, "event_date": date(2021, 5, 24), "record": m.to_dict()}
                for m in members])
    engine.dispose()
    store = Store(db_url)
    events = sorted(store.events(), key=lambda e: e.doc_ids)
    assert [e.doc_ids for e in events] == [["d1", "d2"], ["d3"]]
    assert events[0].fatalities == 3 and events[0].disagreements["fatalities"] == {"d1": 4, "d2": 3}
    assert [e.event_id for e in events] == [consolidate(groups["old-a"]).event_id, consolidate(groups["old-b"]).event_id]
    # and the migrated store goes on: a new report of the first event joins it
    store.add(Article(text="more words", doc_id="d4", published=date(2021, 5, 25)), [rec("d4", 4, 3)])
    assert sorted(len(e.doc_ids) for e in store.events()) == [1, 3]
    store.engine.dispose()
