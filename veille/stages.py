"""Named stages with declared inputs and outputs, as spaCy's components declare theirs.

An article moves through the stages of `veille.pipeline.Pipeline` as a `Doc`:
each stage reads the fields it `requires` and fills the ones it `assigns`.
The order is checked when the pipeline is built (`check`), each stage is
timed alone, and an exception in one stage for one article becomes that
article's recorded failure, naming the stage; the other articles go on.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .article import Article, Failure
from .errors import VeilleError

Spans = list[tuple[int, int]]


@dataclass
class Doc:
    """One article on its way through the stages."""

    article: Article
    failure: Failure | None = None
    done: bool = False  # nothing left to do: failed, or nothing to find
    folded: str = ""
    hotspots: Spans = field(default_factory=list)
    candidates: Spans = field(default_factory=list)
    sentences: list = field(default_factory=list)  # veille.nlp.SentenceInfo
    detection: object = None  # veille.detection.Detection, with the classifier's labels
    entities: list = field(default_factory=list)  # (start, end, label)
    mentions: list = field(default_factory=list)  # veille.detection.Mention, with arguments
    places: list = field(default_factory=list)  # veille.places.PlaceMention
    context: dict = field(default_factory=dict)  # country -> weight: the countries the article names
    events: list = field(default_factory=list)  # veille.consolidate.Event
    records: list = field(default_factory=list)  # veille.records.EventRecord


@dataclass(frozen=True)
class Stage:
    """A named step: `run(doc)` for one article, or `run_batch(docs)` for several at once."""

    name: str
    requires: tuple[str, ...]
    assigns: tuple[str, ...]
    run: Callable[[Doc], None] | None = None
    run_batch: Callable[[list[Doc]], None] | None = None

    def __call__(self, docs: list[Doc]) -> None:
        live = [d for d in docs if not d.done]
        if self.run_batch is not None:
            try:
                self.run_batch(live)
                return
            except Exception:  # find the article that breaks the batch: one at a time
                for d in live:
                    self._guarded(lambda x: self.run_batch([x]), d)
                return
        for d in live:
            self._guarded(self.run, d)

    def _guarded(self, fn, d: Doc) -> None:
        try:
            fn(d)
        except Exception as exc:  # one article never stops a batch
            art = d.article
            d.failure = Failure(art.source or art.doc_id, f"stage {self.name!r} failed ({type(exc).__name__}: "
                                f"{str(exc)[:300]}).", "Please report it with this article; the others were read.",
                                art.doc_id)
            d.done = True


class StageOrderError(VeilleError):
    pass


def check(stages: list[Stage]) -> None:
    """Every field a stage requires is the article itself or assigned by an earlier stage."""
    known = {"article"}
    names = set()
    for st in stages:
        if st.name in names:
            raise StageOrderError(f"two stages are named {st.name!r}")
        names.add(st.name)
        missing = [r for r in st.requires if r not in known]
        if missing:
            raise StageOrderError(f"stage {st.name!r} requires {', '.join(missing)}, which no earlier stage "
                                  f"assigns (order: {', '.join(s.name for s in stages)})")
        known.update(st.assigns)
