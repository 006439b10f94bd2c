"""The public API: what `import veille` offers, and the one ingest path behind the CLI."""
from __future__ import annotations

import subprocess
import sys

import veille
from veille.article import Failure

from .conftest import article

PUBLIC = ["Article", "Defaults", "EventFilter", "EventRecord", "Evidence", "Failure", "IngestCounts", "Options",
          "Pipeline", "Result", "Store", "VeilleError", "__version__", "ingest", "read_file", "read_inputs"]


def test_library_public_api_is_pinned_and_every_name_resolves():
    assert sorted(veille.__all__) == sorted(PUBLIC)
    for name in PUBLIC:
        assert getattr(veille, name) is not None, name


def test_library_import_is_cheap():
    code = "import sys, veille; print('spacy' in sys.modules, 'sqlalchemy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_library_ingest_counts_stores_and_records_failures(tmp_path, pipeline):
    good = article("Ce lundi, cinq roquettes ont frappé la base d'Aïn al-Asad, dans l'ouest de l'Irak.",
                   doc_id="good")
    empty = article(" ", doc_id="empty")
    unreadable = Failure("feed.jsonl, line 3", "malformed JSON.", "Fix the line.")
    seen: list[Failure] = []
    store = veille.Store(str(tmp_path / "lib.db"))
    counts = veille.ingest([good, empty, unreadable], store, pipeline, on_failure=seen.append,
                           config={"by": "test"})
    assert (counts.articles, counts.already_stored, counts.skipped) == (1, 0, 2)
    assert counts.events == len(store.events()) >= 1
    assert {f.source for f in seen} == {"feed.jsonl, line 3", "empty"}
    assert [f["source"] for f in store.failures()] == [f.source for f in seen]
    again = veille.ingest([good], store, pipeline)
    assert (again.articles, again.already_stored) == (0, 1)
