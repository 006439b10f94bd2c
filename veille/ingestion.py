"""The one ingest path: articles in, events stored.

    import veille
    store = veille.Store("veille.db")
    counts = veille.ingest(veille.read_inputs(["articles/"]), store)

`ingest` skips the articles the store already holds, runs extraction on the
others, and stores the results in batches (one transaction each). The
`veille ingest` command, the process pool (`Options(n_process=2)`) and the
Dask runner (`veille.distributed.DaskPipeline`) all go through it: they only
differ in the object that turns articles into results, anything with
`run(articles, progress) -> Iterator[Result]` in input order.

An interrupted ingest resumes when it is run again: a batch is stored
entirely or not at all, and articles already stored are skipped.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Callable, Iterable, Iterator, Protocol

from .article import Article, Failure
from .pipeline import Options, Pipeline, Result, chunks
from .store import Store

STORE_BATCH = 32  # articles per write transaction
FRESH_CHUNK = 16  # articles whose presence in the store is asked at once


class Extraction(Protocol):
    """What `ingest` needs from a pipeline: results in input order."""

    def run(self, articles: Iterable[Article],
            progress: Callable[[int], None] | None = None) -> Iterator[Result]: ...


@dataclass
class IngestCounts:
    articles: int = 0  # articles stored by this run
    already_stored: int = 0  # skipped: the store held them already
    events: int = 0  # event reports (per-article records) stored
    skipped: int = 0  # inputs that could not be used (see Store.failures)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def ingest(articles: Iterable[Article | Failure], store: Store | str,
           pipeline: Extraction | Options | None = None, *, progress: Callable[[int], None] | None = None,
           on_failure: Callable[[Failure], None] | None = None, config: dict | None = None,
           batch_size: int = STORE_BATCH) -> IngestCounts:
    """Extract events from `articles` and store them; returns what was done.

    `articles` may hold Failures (as `read_inputs` yields them for unreadable
    inputs): each failure, and each article extraction rejects, is recorded in
    the store (`Store.failures`) and passed to `on_failure`. `progress` is
    called with the number of articles done. `config`, when given, is recorded
    with the run's counts (`runs` table).
    """
    if isinstance(store, str):
        store = Store(store)
    if pipeline is None or isinstance(pipeline, Options):
        pipeline = Pipeline(pipeline)
    counts = IngestCounts()
    run_id = store.start_run(config) if config is not None else None

    def failed(f: Failure, recorded: bool = False) -> None:
        counts.skipped += 1
        if not recorded:
            store.add_failure(f)
        if on_failure:
            on_failure(f)

    def stored(results: list[Result]) -> None:
        for res, outcome in zip(results, store.add_many([(r.article, r.records) for r in results])):
            if isinstance(outcome, Failure):  # this article could not be stored; the store recorded why
                failed(outcome, recorded=True)
            elif outcome:
                counts.articles += 1
                counts.events += len(res.records)
            else:  # another writer stored it since `fresh` looked
                counts.already_stored += 1

    def extracted() -> Iterator[Result]:
        for res in pipeline.run(fresh(articles, store, counts, failed, progress), progress=progress):
            if res.failure:
                failed(res.failure)
            else:
                yield res

    finished = False
    try:
        for batch in chunks(extracted(), batch_size):
            stored(batch)
        finished = True
    finally:  # a stopped run is marked finished too, with what it did
        if run_id is not None:
            store.finish_run(run_id, dict(counts.as_dict(), **({} if finished else {"interrupted": True})))
    return counts


def fresh(articles: Iterable[Article | Failure], store: Store, counts: IngestCounts,
          failed: Callable[[Failure], None], progress: Callable[[int], None] | None) -> Iterator[Article]:
    """The articles the store does not hold yet (asked in chunks); failures are recorded on the way."""
    for chunk in chunks(articles, FRESH_CHUNK):
        held = store.stored([a.doc_id for a in chunk if not isinstance(a, Failure)])
        for item in chunk:
            if isinstance(item, Failure):
                failed(item)
            elif item.doc_id in held:
                counts.already_stored += 1
                if progress:
                    progress(1)
            else:
                yield item


__all__ = ["ingest", "IngestCounts", "Extraction", "STORE_BATCH"]
