"""The `veille` command, run as a user runs it."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from veille.cli import main
from veille.export import ACLED_COLUMNS

from .conftest import DEV, ROOT

COMMANDS = sorted(main.commands)


@pytest.fixture()
def runner():
    return CliRunner()


@pytest.mark.parametrize("command", COMMANDS)
def test_cli_every_command_has_help_with_an_example(runner, command):
    res = runner.invoke(main, [command, "--help"])
    assert res.exit_code == 0 and "Example" in res.output


def test_cli_reference_documents_every_command():
    doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for command in COMMANDS:
        help_text = CliRunner().invoke(main, [command, "--help"], terminal_width=100).output
        assert f"## veille {command}" in doc, f"docs/cli.md lacks `veille {command}`"
        assert help_text.strip() in doc, f"docs/cli.md is out of date for {command}: run python docs/cli_reference.py"


@pytest.mark.shared
def test_cli_extract_writes_one_event_per_line_with_doc_ids(tmp_path):
    out = tmp_path / "pred.jsonl"
    res = subprocess.run([sys.executable, "-m", "veille.cli", "extract", str(DEV), "-o", str(out)],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) >= 20 and all(r["doc_ids"] and r["evidence"] for r in rows)


def test_cli_extract_skips_bad_inputs_keeps_the_rest_and_says_so(tmp_path):
    (tmp_path / "good.txt").write_text("Roquettes sur Aïn al-Asad\n\nCe lundi, dix roquettes ont frappé la base "
                                       "d'Aïn al-Asad, dans l'ouest de l'Irak, selon des sources irakiennes.\n")
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01binary")
    (tmp_path / "undated.jsonl").write_text(json.dumps({"text": "Des roquettes ont frappé Bagdad hier soir."}) + "\n")
    res = subprocess.run([sys.executable, "-m", "veille.cli", "extract", str(tmp_path / "good.txt"),
                          str(tmp_path / "bad.txt"), str(tmp_path / "undated.jsonl"), "--published", "2021-05-28"],
                         capture_output=True, text=True)
    assert res.returncode == 1
    assert "bad.txt: this is a binary file" in res.stderr
    events = [json.loads(line) for line in res.stdout.splitlines()]
    assert any(e["location"] == "Ain al-Asad Air Base" and e["event_date"] == "2021-05-24" for e in events)


def test_cli_extract_without_a_date_explains_the_fix(tmp_path):
    (tmp_path / "a.txt").write_text("Titre\n\nDes roquettes ont frappé Bagdad hier soir, selon la police.\n")
    res = subprocess.run([sys.executable, "-m", "veille.cli", "extract", str(tmp_path / "a.txt")],
                         capture_output=True, text=True)
    assert res.returncode == 1 and "no publication date" in res.stderr and "--published" in res.stderr


def test_cli_extract_reads_stdin(tmp_path):
    text = "Rockets hit Ain al-Asad air base in Iraq on Monday, security sources said."
    res = subprocess.run([sys.executable, "-m", "veille.cli", "extract", "-", "--published", "2021-05-28"],
                         input=text, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    ev = json.loads(res.stdout.splitlines()[0])
    assert ev["event_date"] == "2021-05-24" and ev["sub_event_type"] == "Shelling/artillery/missile attack"


@pytest.mark.shared
def test_cli_ingest_twice_changes_nothing_then_events_and_exports(tmp_path, runner):
    db = str(tmp_path / "v.db")
    first = runner.invoke(main, ["ingest", str(DEV), "--db", db])
    assert first.exit_code == 0, first.output
    before = runner.invoke(main, ["export", "--db", db, "--format", "jsonl"]).stdout
    again = runner.invoke(main, ["ingest", str(DEV), "--db", db])
    assert "0 articles stored, 5 already there" in again.output
    assert runner.invoke(main, ["export", "--db", db, "--format", "jsonl"]).stdout == before

    table = runner.invoke(main, ["events", "--db", db, "--country", "SY"]).output
    assert "Albu Kamal" in table and "Ain al-Asad" not in table

    acled = runner.invoke(main, ["export", "--db", db, "--format", "acled-csv"]).stdout
    rows = list(csv.DictReader(io.StringIO(acled)))
    assert list(rows[0].keys()) == ACLED_COLUMNS and len(rows) == len(before.splitlines())

    geo = json.loads(runner.invoke(main, ["export", "--db", db, "--format", "geojson"]).stdout)
    assert geo["type"] == "FeatureCollection"
    for f in geo["features"]:
        lon, lat = f["geometry"]["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90 and f["properties"]["event_date"]

    since = runner.invoke(main, ["export", "--db", db, "--since", "2021-01-01", "--type", "Strategic developments"]).stdout
    assert all(json.loads(line)["event_date"] >= "2021-01-01" for line in since.splitlines())


def test_cli_failures_lists_what_ingest_skipped(tmp_path, runner):
    db = str(tmp_path / "v.db")
    (tmp_path / "empty.txt").write_text("")
    res = runner.invoke(main, ["ingest", str(tmp_path / "empty.txt"), "--db", db])
    assert res.exit_code == 1
    assert "empty.txt" in runner.invoke(main, ["failures", "--db", db]).output


def test_cli_demo_runs_on_bundled_samples(tmp_path, runner):
    res = runner.invoke(main, ["demo", "--db", str(tmp_path / "demo.db")])
    assert res.exit_code == 0, res.output
    assert "sample articles stored" in res.output and "Ain al-Asad Air Base" in res.output


def test_cli_bad_date_option_is_a_usage_error(runner):
    res = runner.invoke(main, ["events", "--since", "yesterday"])
    assert res.exit_code == 2 and "2021-05-28" in res.output
