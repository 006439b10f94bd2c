"""Extraction on a Dask cluster; storing stays with `veille.ingest` in the calling process (one writer).

    veille ingest articles/ --workers 2                       # a local cluster
    veille ingest articles/ --scheduler tcp://10.0.0.5:8786   # an existing one

    with DaskPipeline(Options(), workers=2) as dask:
        veille.ingest(articles, store, dask)

Each worker loads the pipelines once (a module-level cache keyed by the
options) and turns batches of articles into records with the same code as a
single-process run: `Pipeline.run` is a pure function of articles and resources.
Results come back in input order, like `Pipeline.run`'s.
"""
from __future__ import annotations

from collections import deque
from dataclasses import asdict, replace
from typing import Callable, Iterable, Iterator

from .article import Article, Failure
from .pipeline import Options, Pipeline, Result, chunks
from .records import EventRecord

BATCH = 16
IN_FLIGHT = 8  # batches submitted ahead of the writer

_PIPELINES: dict[str, Pipeline] = {}


def _pipeline(options: Options) -> Pipeline:
    key = repr(options)
    if key not in _PIPELINES:
        _PIPELINES[key] = Pipeline(options)
    return _PIPELINES[key]


def extract_batch(articles: list[dict], options: Options) -> list[dict]:
    """Runs on a worker: article dicts in, plain dicts out (records or the failure)."""
    out = []
    for res in _pipeline(options).run([Article(**a) for a in articles]):
        out.append({"article": asdict(res.article),
                    "records": [r.to_dict(with_text=False) for r in res.records],
                    "failure": asdict(res.failure) if res.failure else None})
    return out


def _result(d: dict) -> Result:
    failure = Failure(**d["failure"]) if d["failure"] else None
    return Result(Article(**d["article"]), [EventRecord.from_dict(r) for r in d["records"]], failure)


class DaskPipeline:
    """`run(articles)` like `Pipeline.run`, on a Dask cluster: the scheduler's, or a local one of `workers`."""

    def __init__(self, options: Options | None = None, scheduler: str | None = None, workers: int = 0) -> None:
        from dask.distributed import Client, LocalCluster

        self.options = replace(options or Options(), n_process=1)
        self.cluster = None
        if scheduler:
            self.client = Client(scheduler)
        else:
            self.cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                                        dashboard_address=None)
            self.client = Client(self.cluster)

    def run(self, articles: Iterable[Article], progress: Callable[[int], None] | None = None) -> Iterator[Result]:
        pending: deque = deque()
        for batch in chunks((asdict(a) for a in articles), BATCH):
            pending.append((len(batch), self.client.submit(extract_batch, batch, self.options, pure=False)))
            if len(pending) >= IN_FLIGHT:
                yield from self._collect(pending.popleft(), progress)
        while pending:
            yield from self._collect(pending.popleft(), progress)

    @staticmethod
    def _collect(item, progress: Callable[[int], None] | None) -> Iterator[Result]:
        n, future = item
        yield from map(_result, future.result())
        if progress:
            progress(n)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def __enter__(self) -> "DaskPipeline":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


__all__ = ["DaskPipeline", "extract_batch"]
