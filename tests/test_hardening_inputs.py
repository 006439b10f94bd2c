"""The bad-input catalogue (issue 13), through `veille ingest` as a user runs it, on SQLite and PostgreSQL.

Every bad input is named with its problem on stderr, recorded in the store, and makes the exit
code 1; the good articles around it are stored; running the same command again stores nothing
twice, reports the same inputs and finishes its run.
"""
from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys

import pytest
import sqlalchemy as sa

from veille.store import Store
from veille.store.schema import runs

GOOD = ("Ce lundi, des roquettes ont frappé la base d'Aïn al-Asad, dans l'ouest de l'Irak, "
        "selon des sources sécuritaires irakiennes. Aucune victime n'a été signalée.")


def line(doc_id: str, **kw) -> str:
    return json.dumps({"doc_id": doc_id, "text": f"{GOOD} ({doc_id})", "published": "2021-05-28", **kw})


# (what is in the input, what stderr must say about it); None: the input is normalised and stored
FEED = [
    (line("good-1"), None),
    ('{"text": "x", "extra": ' + "[" * 100_000 + "]" * 100_000 + "}",
     "feed.jsonl, line 2: the JSON is nested more than 64 levels deep."),
    (line("nul-\u0000-id", title="Tit\u0000re", url="https://example.test/\u0000a"), None),
    (line("d" * 100), "feed.jsonl, line 4: the doc_id is 100 characters long, more than 64."),
    (line("surrogate", title="\ud800"), None),
    ('{"text": "a\tb", "published": "2021-05-28"}', "feed.jsonl, line 6: malformed JSON: a control character (U+0009)"),
    (line("bad-date", published="2021-06-28garbage"), "feed.jsonl, line 7: 'published': '2021-06-28garbage' is not a date"),
    (line("good-2"), None),
]
STORED = {"good-1", "nul--id", "surrogate", "good-2", "good-3", "good-4", "utf16"}


@pytest.fixture()
def inputs(tmp_path):
    feed = tmp_path / "in" / "feed.jsonl"
    feed.parent.mkdir()
    feed.write_text("\n".join(text for text, _ in FEED) + "\n", encoding="utf-8", errors="surrogatepass")
    with gzip.open(tmp_path / "in" / "bomb.jsonl.gz", "wb") as f:  # one 24 MB line between two articles
        f.write((line("good-3") + '\n{"text": "').encode() + b"a" * (24 << 20) + ('"}\n' + line("good-4") + "\n").encode())
    os.mkfifo(tmp_path / "in" / "pipe.jsonl")
    (tmp_path / "in" / "utf16.txt").write_bytes(("Titre\n\n" + GOOD).encode("utf-16"))
    (tmp_path / "in" / "red\x1b[31mname.txt").write_bytes(b"")
    return tmp_path / "in"


EXPECTED = [
    *(msg for _, msg in FEED if msg),
    "bomb.jsonl.gz, line 2: the line is 24 MB long, more than the 20 MB an article may have.",
    "pipe.jsonl: is a named pipe (FIFO), not a regular file: skipped",
    "red\\x1b[31mname.txt: the file is empty.",
]


def ingest(db: str, folder) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "veille.cli", "ingest", str(folder), "--db", db, "--rules-only",
                           "--published", "2021-05-28"],
                          capture_output=True, text=True, timeout=900)


def test_bad_input_catalogue_loses_no_good_article_on_either_back_end(db_url, inputs):
    first = ingest(db_url, inputs)
    assert first.returncode == 1, first.stderr
    for message in EXPECTED:
        assert message in first.stderr, f"missing {message!r} in:\n{first.stderr}"
    assert "\x1b" not in first.stderr and "Traceback" not in first.stderr
    assert f"{len(EXPECTED)} inputs skipped" in first.stderr

    store = Store(db_url)
    stored = {a["doc_id"]: a for a in store.articles(limit=100)}
    assert len(stored) == len(STORED) and set(stored) >= STORED - {"utf16"}
    assert [a["title"] for d, a in stored.items() if d not in STORED] == ["Titre"]  # the UTF-16 file
    assert stored["nul--id"]["title"] == "Titre" and stored["surrogate"]["title"] == "\ufffd"
    assert len(store.failures()) == len(EXPECTED)
    listed = subprocess.run([sys.executable, "-m", "veille.cli", "failures", "--db", db_url],
                            capture_output=True, text=True, timeout=300)
    assert "red\\x1b[31mname.txt" in listed.stdout and "\x1b" not in listed.stdout

    again = ingest(db_url, inputs)
    assert again.returncode == 1 and f"{len(STORED)} already there" in again.stderr
    for message in EXPECTED:
        assert message in again.stderr
    assert Store(db_url).counts()["articles"] == len(STORED)
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(runs).where(runs.c.finished_at.is_(None))).scalar() == 0


@pytest.fixture()
def pg_url():
    from .conftest import _postgres_database

    yield from _postgres_database()


def test_ingest_summary_and_run_config_mask_the_database_password(pg_url, tmp_path):
    db_url = pg_url
    (tmp_path / "a.jsonl").write_text(line("good-1") + "\n")
    res = ingest(db_url, tmp_path / "a.jsonl")
    password = sa.engine.make_url(db_url).password
    assert res.returncode == 0, res.stderr
    assert f":{password}@" not in res.stderr and ":***@" in res.stderr
    with Store(db_url).engine.connect() as conn:
        config = conn.execute(sa.select(runs.c.config)).scalar()
    assert f":{password}@" not in json.dumps(config)
