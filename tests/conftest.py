"""Shared fixtures: the pipelines and the gazetteer are loaded once per test run."""
from __future__ import annotations

import importlib.util
import json
import os
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("VEILLE_SHARED") or ROOT.parent / "shared")
DEV = SHARED / "eval" / "dev.jsonl"
# fixtures that read ../shared; a test that reads it another way carries @pytest.mark.shared
SHARED_FIXTURES = {"dev_articles", "dev_gold", "score_module", "feed"}
NO_SHARED = "needs ../shared (the evaluation data beside the checkout), which is missing"


def pytest_configure(config):
    config.addinivalue_line("markers", "shared: the test reads ../shared (evaluation data, corpus)")


def pytest_collection_modifyitems(config, items):
    """Without ../shared, the tests that need it are skipped with one reason; the others run."""
    if DEV.exists():
        return
    for item in items:
        if item.get_closest_marker("shared") or SHARED_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.skip(reason=NO_SHARED))


def pytest_terminal_summary(terminalreporter):
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if NO_SHARED in str(r.longrepr)]
    if skipped:
        terminalreporter.write_line(f"{len(skipped)} tests skipped: they need ../shared (the evaluation data), "
                                    f"which is not beside this checkout ({SHARED}); the other tests ran.")


def pytest_addoption(parser):
    parser.addoption("--accept-lower-scores", action="store_true",
                     help="let the evaluation gate rewrite its baseline with lower scores (explicit and reviewed)")


@pytest.fixture(scope="session")
def pipeline():
    from veille.pipeline import Pipeline

    return Pipeline()


@pytest.fixture(scope="session")
def lexicon(pipeline):
    return pipeline.lex


@pytest.fixture(scope="session")
def gazetteer(pipeline):
    return pipeline.gazetteer


@pytest.fixture(scope="session")
def dev_articles():
    from veille.readers import Defaults, read_jsonl

    if not DEV.exists():
        pytest.skip(NO_SHARED)
    with DEV.open("rb") as f:
        return list(read_jsonl(f, str(DEV), Defaults()))


@pytest.fixture(scope="session")
def sample_articles():
    """The sample articles bundled with veille (veille/samples/): tests that use them run in any clone."""
    from veille.readers import Defaults, read_jsonl

    path = ROOT / "veille" / "samples" / "articles.jsonl"
    with path.open("rb") as f:
        return list(read_jsonl(f, str(path), Defaults()))


@pytest.fixture(scope="session")
def score_module():
    spec = importlib.util.spec_from_file_location("veille_score", SHARED / "eval" / "score.py")
    if spec is None or not (SHARED / "eval" / "score.py").exists():
        pytest.skip(NO_SHARED)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="session")
def dev_gold():
    return [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]


def article(text: str, published: str = "2021-05-28", language: str = "fr", doc_id: str = ""):
    from veille.article import Article

    return Article(text=text, published=date.fromisoformat(published), language=language, doc_id=doc_id)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A fresh, empty database of each kind: a SQLite file, and a new PostgreSQL database."""
    if request.param == "sqlite":
        yield str(tmp_path / "test.db")
        return
    yield from _postgres_database()


def _postgres_database():
    import os
    import uuid

    admin = os.environ.get("VEILLE_TEST_PG")
    if not admin:
        if os.environ.get("CI"):
            pytest.fail("VEILLE_TEST_PG is not set: scripts/services.sh should have started PostgreSQL")
        pytest.skip("no PostgreSQL server (set VEILLE_TEST_PG, see scripts/services.sh)")
    import psycopg

    name = "veille_test_" + uuid.uuid4().hex[:10]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = admin.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
