"""Hardening of the store (issue 13): readers never wait on writers, filters are literal,
secrets never shown, a bad database file or a bad article is a message, not a traceback."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import date

import pytest
import sqlalchemy as sa

from veille.article import Article, Failure
from veille.errors import StoreError
from veille.records import EventRecord, Evidence
from veille.store import EventFilter, Store


def record(doc: str, **kw) -> EventRecord:
    base = dict(event_date="2021-05-24", time_precision=1, disorder_type="Political violence",
                event_type="Explosions/Remote violence", sub_event_type="Shelling/artillery/missile attack",
                actor1="Unidentified Armed Group (Iraq)", assoc_actor_1=None, inter1=3, actor2=None,
                assoc_actor_2=None, inter2=0, country="Iraq", iso="IQ", admin1="Anbar", location="Hit",
                latitude=33.64, longitude=42.83, geo_precision=1, evidence=[Evidence(doc, 0, 5)], doc_ids=[doc])
    base.update(kw)
    return EventRecord(**base)


def stored(store: Store, doc_id: str, text: str, **kw) -> None:
    art = Article(text=text, doc_id=doc_id, published=date(2021, 5, 28), language="en")
    assert store.add(art, [record(doc_id, **kw)])


# -- item 7: readers never take the write lock -------------------------------------------------
def test_store_sqlite_reader_does_not_wait_for_a_writer(tmp_path):
    store = Store(str(tmp_path / "v.db"))
    stored(store, "a", "Rockets hit Hit.")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    holding, release = threading.Event(), threading.Event()

    def writer():
        with store.writer.begin() as conn:  # BEGIN IMMEDIATE: the write lock, held until release
            conn.execute(sa.text("UPDATE articles SET n_events = n_events"))
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(10)
        t0 = time.perf_counter()
        assert len(store.events()) == 1 and store.count_events() == 1 and store.has_article("a")
        assert store.articles() and store.outlets() is not None
        Store(store.url.removeprefix("sqlite:///"))  # opening an up-to-date store writes nothing
        elapsed = time.perf_counter() - t0
    finally:
        release.set()
        thread.join()
    assert elapsed < 1.0, f"a reader waited {elapsed:.1f} s for a writer"


def test_store_list_queries_use_indexes(tmp_path):
    store = Store(str(tmp_path / "v.db"))
    with store.engine.connect() as conn:
        plans = {
            "events": "SELECT summary FROM events ORDER BY event_date, event_id LIMIT 100",
            "articles": "SELECT doc_id FROM articles ORDER BY published, doc_id LIMIT 100",
            "outlets": "SELECT outlet, count(*) FROM articles GROUP BY outlet ORDER BY outlet",
        }
        for name, query in plans.items():
            plan = " ".join(row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + query))
            assert "TEMP B-TREE" not in plan, f"{name} sorts the whole table: {plan}"


# -- item 9: % and _ are literal in text filters ----------------------------------------------
def test_store_text_and_actor_filters_take_percent_and_underscore_literally(db_url):
    store = Store(db_url)
    stored(store, "pct", "Prices rose 100% after the strike on Hit.", location="Hit")
    stored(store, "und", "The file a_b.txt was found near Ramadi.", location="Ramadi", latitude=33.42,
           longitude=43.3, actor1="Group_X")
    stored(store, "plain", "A 100 rockets and axb were reported in Falluja.", location="Falluja", latitude=33.35,
           longitude=43.78, actor1="GroupYX")

    def docs(**kw):
        return sorted(d for e in store.events(EventFilter(**kw)) for d in e.doc_ids)

    assert docs(text="100%") == ["pct"]
    assert docs(text="a_b") == ["und"]
    assert docs(text="%") == ["pct"]
    assert docs(actor="Group_X") == ["und"]
    assert docs(actor="p_X") == ["und"]  # a literal underscore, not "any character"
    assert docs(text="\\") == []


# -- item 9: a file that is not a database -----------------------------------------------------
def test_store_non_database_file_is_a_clear_message(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("these are my notes, not a database\n" * 200)
    with pytest.raises(StoreError, match="not a database") as exc:
        Store(str(path))
    assert str(path) in str(exc.value) and "--db" in str(exc.value)
    res = subprocess.run([sys.executable, "-m", "veille.cli", "events", "--db", str(path)],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "not a database" in res.stderr and len(res.stderr.splitlines()) <= 2


# -- item 8: secrets masked --------------------------------------------------------------------
def test_store_wrong_postgresql_password_is_not_shown():
    admin = os.environ.get("VEILLE_TEST_PG")
    if not admin:
        pytest.skip("no PostgreSQL server (set VEILLE_TEST_PG, see scripts/services.sh)")
    url = sa.engine.make_url(admin).set(password="Wr0ng-S3cret-pw")
    url_text = url.render_as_string(hide_password=False)
    with pytest.raises(StoreError) as exc:
        Store(url_text)
    message = str(exc.value)
    assert "Wr0ng-S3cret-pw" not in message and "***" in message and "password" in message
    res = subprocess.run([sys.executable, "-m", "veille.cli", "events", "--db", url_text],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 2 and "Wr0ng-S3cret-pw" not in res.stdout + res.stderr


# -- item 1 (storing side): no article the store refuses stops a batch --------------------------
def test_store_nul_characters_are_normalised_the_same_on_every_back_end(db_url):
    store = Store(db_url)
    art = Article(text="Rockets\x00 hit Hit.", title="T\x00itle", outlet="Out\x00let", url="https://x.test/\x00a",
                  doc_id="n\x00ul", published=date(2021, 5, 28), language="en")
    assert art.text == "Rockets hit Hit." and art.doc_id == "nul"
    assert store.add(art, [record("nul")])
    assert store.articles()[0]["title"] == "Title"


def test_store_over_long_doc_id_is_a_recorded_failure_on_every_back_end(db_url):
    store = Store(db_url)
    long_id = "x" * 65
    art = Article(text="Rockets hit Hit.", doc_id=long_id, published=date(2021, 5, 28), language="en",
                  source="feed.jsonl, line 7")
    out = store.add_guarded(art, [record(long_id)])
    assert isinstance(out, Failure) and "65 characters" in out.problem and "feed.jsonl, line 7" == out.source
    stored(store, "good", "Rockets hit Hit.")
    assert store.counts()["articles"] == 1
    assert [f["source"] for f in store.failures()] == ["feed.jsonl, line 7"]


def test_store_guard_turns_a_database_error_into_a_failure_naming_the_article(db_url):
    store = Store(db_url)
    art = Article(text="Rockets hit Hit.", doc_id="big", published=date(2021, 5, 28), language="en",
                  source="feed.jsonl, line 3")
    out = store.add_guarded(art, [record("big", fatalities=10**30)])  # too big for any integer column
    assert isinstance(out, Failure) and out.source == "feed.jsonl, line 3"
    assert out.problem.startswith("storing the article failed") and "INSERT" not in out.problem and out.fix
    assert store.counts()["articles"] == 0 and store.counts()["failures"] == 1
    assert store.add_guarded(Article(text="Rockets hit Ramadi.", doc_id="ok", published=date(2021, 5, 28),
                                     language="en"), [record("ok")]) is True


def test_cli_events_table_escapes_control_characters_of_stored_strings(tmp_path):
    db = str(tmp_path / "v.db")
    store = Store(db)
    stored(store, "esc", "Rockets hit Hit.", location="Hit\x1b]8;;https://evil.test\x07click\x1b[2J",
           actor1="[bold red]Group[/]")
    res = subprocess.run([sys.executable, "-m", "veille.cli", "events", "--db", db],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and "\x1b" not in res.stdout and "\x07" not in res.stdout
    assert "\\x1b" in res.stdout and "[bold red]Group[/]" in res.stdout  # shown, not obeyed
