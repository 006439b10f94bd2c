"""Docs that tests keep true: every module is listed, cited files exist, the dedup limits are the code's."""
from __future__ import annotations

import re

import pytest

from veille import dedup

from .conftest import ROOT

PACKAGE = ROOT / "veille"
MODULES = sorted(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")
                 if "migrations" not in p.parts and p.name != "__init__.py")
README = (ROOT / "README.md").read_text(encoding="utf-8")
ARCHITECTURE = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")


def _layout() -> str:
    return README.split("## Layout", 1)[1].split("```")[1]


@pytest.mark.parametrize("module", MODULES)
def test_docs_readme_layout_and_architecture_list_every_module(module):
    assert f"veille/{module}" in _layout() or (
        "/" in module and f"veille/{module.split('/')[0]}/" in _layout() and module.split("/")[1] in _layout()), \
        f"README's layout does not list veille/{module}"
    assert f"`{module}`" in ARCHITECTURE, f"docs/architecture.md does not list {module}"


CITED = re.compile(r"\b((?:docs|benchmarks|scripts|tests|veille)/[\w./-]+\.(?:md|py|tsv|sh|json|csv)|data/[\w.-]+\.tsv)\b")


def test_docs_no_docstring_or_comment_cites_a_file_that_does_not_exist():
    missing = []
    for path in PACKAGE.rglob("*.py"):
        for cited in CITED.findall(path.read_text(encoding="utf-8")):
            target = PACKAGE / cited if cited.startswith("data/") else ROOT / cited
            if not target.exists():
                missing.append(f"{path.relative_to(ROOT)} cites {cited}")
    assert not missing


def test_docs_state_the_dedup_limits_the_code_uses():
    days = dedup.DAY_TOLERANCE
    km = {k: int(v) for k, v in dedup.PLACE_LIMIT_KM.items()}
    assert f"({days[1]}, {days[2]} or {days[3]} days for day, week or month precision)" in ARCHITECTURE
    assert f"({km[1]}, {km[2]} or {km[3]} km; {int(dedup.SAME_CITY_KM)} km between two named sites" in ARCHITECTURE
