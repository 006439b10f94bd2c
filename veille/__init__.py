"""veille: conflict events from news articles, geocoded, dated, deduplicated, with evidence.

    import veille

    store = veille.Store("veille.db")                 # or "postgresql://user:pass@host/db"
    veille.ingest(veille.read_inputs(["articles/"]), store)
    for event in store.events(veille.EventFilter(country="IQ")):
        print(event.event_date, event.sub_event_type, event.location)

    pipe = veille.Pipeline(veille.Options(n_process=2))   # extraction alone, no database
    for result in pipe.run(articles):
        result.records

The names below are the public API; they are imported when first used, so
that `import veille` stays cheap.
"""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Article": "article", "Failure": "article",
    "Options": "pipeline", "Pipeline": "pipeline", "Result": "pipeline",
    "Defaults": "readers", "read_inputs": "readers", "read_file": "readers",
    "EventRecord": "records", "Evidence": "records",
    "ingest": "ingestion", "IngestCounts": "ingestion",
    "Store": "store", "EventFilter": "store",
    "VeilleError": "errors",
}
__all__ = sorted(_EXPORTS) + ["__version__"]

if TYPE_CHECKING:
    from .article import Article, Failure
    from .errors import VeilleError
    from .ingestion import IngestCounts, ingest
    from .pipeline import Options, Pipeline, Result
    from .readers import Defaults, read_file, read_inputs
    from .records import EventRecord, Evidence
    from .store import EventFilter, Store


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'veille' has no attribute {name!r}")
    value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
