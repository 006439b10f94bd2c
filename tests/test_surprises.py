"""No silent surprises: what a reading command, a filter or an input does wrong is said, with the fix."""
from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from veille.cli import main
from veille.ingestion import ingest
from veille.store import Store


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory, pipeline, sample_articles):
    db = str(tmp_path_factory.mktemp("surprises") / "samples.db")
    ingest(sample_articles, Store(db), pipeline)
    return db


@pytest.fixture()
def runner():
    return CliRunner()


@pytest.mark.parametrize("command", [["events"], ["export", "--format", "acled-csv"], ["failures"], ["serve"]])
def test_reading_commands_refuse_a_database_that_does_not_exist(runner, tmp_path, command):
    missing = tmp_path / "typo.db"
    res = runner.invoke(main, [*command, "--db", str(missing)])
    assert res.exit_code == 2
    assert str(missing) in res.output and "veille ingest" in res.output
    assert not missing.exists()


@pytest.mark.parametrize("country", ["Iraq", "Irak", "iq", "IRQ"])
def test_events_accept_a_country_name_or_code(runner, sample_db, country):
    by_code = runner.invoke(main, ["export", "--db", sample_db, "--country", "IQ"])
    res = runner.invoke(main, ["export", "--db", sample_db, "--country", country])
    assert res.exit_code == 0, res.output
    assert res.stdout == by_code.stdout and res.stdout.count("\n") >= 5


@pytest.mark.parametrize("option, value, valid", [
    ("--country", "Narnia", "ISO 3166"),
    ("--country", "Iraqq", "Iraq"),
    ("--type", "Bombing", "Air/drone strike"),
    ("--type", "Strategic", "Strategic developments"),
])
def test_unknown_filter_values_are_refused_with_the_valid_ones(runner, sample_db, option, value, valid):
    res = runner.invoke(main, ["events", "--db", sample_db, option, value])
    assert res.exit_code == 2 and value in res.output and valid in res.output


def test_a_sub_event_type_filters_like_a_type(runner, sample_db):
    res = runner.invoke(main, ["export", "--db", sample_db, "--type", "air/drone strike"])
    assert res.exit_code == 0
    rows = res.stdout.splitlines()
    assert rows and all('"sub_event_type": "Air/drone strike"' in r for r in rows)


@pytest.mark.parametrize("make", ["empty.jsonl", "blank.jsonl", "folder"])
def test_an_input_without_articles_says_so_and_exits_non_zero(runner, tmp_path, make):
    target = tmp_path / make
    if make == "folder":
        target.mkdir()
    else:
        target.write_text("" if make == "empty.jsonl" else "\n\n")
    res = runner.invoke(main, ["extract", str(target), "--rules-only"])
    assert res.exit_code == 1
    assert str(target) in res.output and "no article" in res.output


def test_failures_are_recorded_once_per_input_and_content(runner, tmp_path):
    db, bad = str(tmp_path / "f.db"), tmp_path / "bad.txt"
    bad.write_text("")
    for _ in range(2):
        assert runner.invoke(main, ["ingest", str(bad), "--db", db, "--rules-only"]).exit_code == 1
    assert len(Store(db).failures()) == 1
    bad.write_bytes(b"\x00\x01 not text")  # the same input with another content fails anew
    runner.invoke(main, ["ingest", str(bad), "--db", db, "--rules-only"])
    runner.invoke(main, ["ingest", str(bad), "--db", db, "--rules-only"])
    assert [f["problem"] for f in Store(db).failures()] == ["the file is empty.", "this is a binary file, not text."]
    assert "2 failures" in runner.invoke(main, ["failures", "--db", db]).output


def test_a_wrong_database_password_never_appears_in_messages(runner):
    admin = os.environ.get("VEILLE_TEST_PG")
    if not admin:
        pytest.skip("no PostgreSQL server (set VEILLE_TEST_PG, see scripts/services.sh)")
    user_host = admin.split("://", 1)[1].split("@", 1)[1]
    url = f"postgresql://veille:Wr0ng-S3cret@{user_host}"
    for command in (["events"], ["failures"], ["export"]):
        res = runner.invoke(main, [*command, "--db", url])
        assert res.exit_code != 0
        assert "Wr0ng-S3cret" not in res.output and "Wr0ng-S3cret" not in str(res.exception or "")
