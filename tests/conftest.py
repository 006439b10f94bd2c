"""Shared fixtures: the pipelines and the gazetteer are loaded once per test run."""
from __future__ import annotations

import importlib.util
import json
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
DEV = SHARED / "eval" / "dev.jsonl"


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
        pytest.skip("../shared/eval/dev.jsonl is not beside the checkout")
    with DEV.open("rb") as f:
        return list(read_jsonl(f, str(DEV), Defaults()))


@pytest.fixture(scope="session")
def score_module():
    spec = importlib.util.spec_from_file_location("veille_score", SHARED / "eval" / "score.py")
    if spec is None or not (SHARED / "eval" / "score.py").exists():
        pytest.skip("score.py is not beside the checkout")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="session")
def dev_gold():
    return [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]


def article(text: str, published: str = "2021-05-28", language: str = "fr", doc_id: str = ""):
    from veille.article import Article

    return Article(text=text, published=date.fromisoformat(published), language=language, doc_id=doc_id)
