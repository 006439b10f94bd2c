"""Extraction on a Dask cluster; storing stays in the calling process (one writer).

    veille ingest articles/ --workers 2                       # a local cluster
    veille ingest articles/ --scheduler tcp://10.0.0.5:8786   # an existing one

Each worker loads the pipelines once (a module-level cache keyed by the
options) and turns batches of articles into records with the same code as a
single-process run: `Pipeline.run` is a pure function of articles and resources.
"""
from __future__ import annotations

from dataclasses import asdict
from typing import Callable, Iterable, Iterator

from .article import Article, Failure
from .records import EventRecord

BATCH = 16
IN_FLIGHT = 8  # batches submitted ahead of the writer

_PIPELINES: dict[tuple, object] = {}


def _pipeline(models: tuple, rules_only: bool):
    key = (models, rules_only)
    if key not in _PIPELINES:
        from .pipeline import Options, Pipeline

        _PIPELINES[key] = Pipeline(Options(models=dict(models), use_models=not rules_only))
    return _PIPELINES[key]


def extract_batch(articles: list[dict], models: tuple, rules_only: bool) -> list[dict]:
    """Runs on a worker: article dicts in, plain dicts out (records or the failure)."""
    pipe = _pipeline(models, rules_only)
    out = []
    for res in pipe.run([Article(**a) for a in articles]):
        out.append({"article": asdict(res.article),
                    "records": [r.to_dict(with_text=False) for r in res.records],
                    "failure": asdict(res.failure) if res.failure else None})
    return out


def _batches(articles: Iterable[Article], size: int) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for a in articles:
        batch.append(asdict(a))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def ingest_distributed(store, articles: Iterable[Article], failures: list[Failure], scheduler: str | None = None,
                       workers: int = 0, models: dict | None = None, rules_only: bool = False,
                       progress: Callable[[int], None] | None = None) -> dict[str, int]:
    from dask.distributed import Client, LocalCluster, as_completed

    models_key = tuple(sorted((k, v) for k, v in (models or {}).items() if v))
    counts = {"articles": 0, "already_stored": 0, "events": 0, "skipped": 0}
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        def fresh() -> Iterator[Article]:
            for art in articles:
                if store.has_article(art.doc_id):
                    counts["already_stored"] += 1
                    if progress:
                        progress(1)
                    continue
                yield art

        batches = _batches(fresh(), BATCH)
        pending = as_completed()
        for batch in batches:
            pending.add(client.submit(extract_batch, batch, models_key, rules_only, pure=False))
            if pending.count() >= IN_FLIGHT:
                _write(store, next(pending).result(), counts, failures, progress)
        for fut in pending:
            _write(store, fut.result(), counts, failures, progress)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return counts


def _write(store, results: list[dict], counts: dict[str, int], failures: list[Failure],
           progress: Callable[[int], None] | None) -> None:
    for res in results:
        art = Article(**res["article"])
        if res["failure"]:
            f = Failure(**res["failure"])
            failures.append(f)
            store.add_failure(f)
            counts["skipped"] += 1
        else:
            stored = store.add_guarded(art, [EventRecord.from_dict(r) for r in res["records"]])
            if isinstance(stored, Failure):
                failures.append(stored)
                counts["skipped"] += 1
            elif stored:
                counts["articles"] += 1
                counts["events"] += len(res["records"])
        if progress:
            progress(1)
