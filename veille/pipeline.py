"""Articles in, event records out: the library entry point.

    from veille.pipeline import Pipeline
    pipe = Pipeline()
    for result in pipe.run(articles):
        result.records  # list[EventRecord]; result.failure says why an article was skipped

Per article the work is a pure function of (article, resources), so it runs
the same in one process, in batches, or on Dask workers (veille.distributed).
"""
from __future__ import annotations

import os
import signal
import sys
import time
from collections import Counter, deque
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator, TypeVar

from .article import Article, Failure
from .classify import Classifier, EventModel, Policy
from .consolidate import build_records, merge, resolve_dates
from .detection import RuleDetector
from .extract import Arguments
from .gate import Gate
from .language import SUPPORTED, LanguageDetector, check, line_language
from .lexicon import Lexicon
from .nlp import LanguagePipeline, sentence_infos
from .places import Gazetteer
from .records import EventRecord
from .stages import Doc, Stage, check as check_stages
from .text import fold

__all__ = ["Options", "Pipeline", "Result", "SUPPORTED", "chunks", "line_language"]
T = TypeVar("T")


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "veille"


@dataclass
class Options:
    """Settings of a run; checked once when built."""

    cache_dir: Path | None = field(default_factory=default_cache_dir)
    models: dict[str, str] = field(default_factory=dict)  # language -> spaCy pipeline name
    use_models: bool = True  # False: rules only (no spaCy), for every language
    batch_size: int = 32
    relevance_gate: bool = True
    classifier: bool = True  # False: the rules alone decide which sentences report events (an ablation)
    n_process: int = 1  # worker processes for extraction; 2 pays on a 2-core machine for long runs

    def __post_init__(self) -> None:
        for lang in self.models:
            if lang not in SUPPORTED:
                raise ValueError(f"no pipeline for language {lang!r}; supported: {', '.join(SUPPORTED)}")
        if self.batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if self.n_process < 1:
            raise ValueError("n_process must be at least 1")


@dataclass
class Result:
    article: Article
    records: list[EventRecord] = field(default_factory=list)
    failure: Failure | None = None


class Pipeline:
    """Loads resources once; `run` processes articles in batches."""

    def __init__(self, options: Options | None = None, model: EventModel | None = None) -> None:
        self.options = options or Options()
        self.lex = Lexicon.load()
        self.gazetteer = Gazetteer(self.options.cache_dir)
        self.rules = RuleDetector(self.lex)
        self.gate = Gate(self.lex, self.rules.landmarks)
        self.arguments = Arguments(self.lex, self.gazetteer)
        if model is None and self.options.classifier:
            model = EventModel.load()
        self.classifier = Classifier(model, self.rules, self.lex.taxonomy,
                                     Policy(use_model=self.options.classifier and model is not None))
        self._langs: dict[str, LanguagePipeline] = {}
        self._detector: LanguageDetector | None = None
        self.timings: Counter[str] = Counter()  # seconds spent per stage, for benchmarks
        self.stages = self.build_stages()
        check_stages(self.stages)

    def build_stages(self) -> list[Stage]:
        """The stages in order, each with what it needs and what it gives (veille.stages)."""
        return [
            Stage("language", ("article",), ("language",), run=self._language),
            Stage("gate", ("language",), ("folded", "hotspots", "candidates"), run=self._gate),
            Stage("sentences", ("folded",), ("sentences",), run=self._sentences),
            Stage("detection", ("sentences", "hotspots", "candidates"), ("detection",), run=self._detect),
            Stage("classification", ("detection",), ("labels",), run=self._classify),
            Stage("entities", ("labels",), ("entities",), run_batch=self._entities),
            Stage("arguments", ("labels", "entities"), ("mentions", "places"), run=self._arguments),
            Stage("merging", ("mentions",), ("events",), run=self._merge),
            Stage("dates", ("events",), ("event dates", "background"), run=self._dates),
            Stage("coding", ("event dates", "places"), ("records",), run=self._code),
        ]

    def language_pipeline(self, lang: str) -> LanguagePipeline:
        if lang not in self._langs:
            self._langs[lang] = LanguagePipeline(lang, self.options.models.get(lang), self.options.use_models)
        return self._langs[lang]

    # -- running -----------------------------------------------------------------
    def run(self, articles: Iterable[Article], progress: Callable[[int], None] | None = None) -> Iterator[Result]:
        """Results in input order; with n_process > 1, batches run in worker processes."""
        batches = chunks(articles, self.options.batch_size)
        if self.options.n_process > 1:
            yield from self._run_pool(batches, progress)
            return
        for batch in batches:
            yield from self._batch(batch)
            if progress:
                progress(len(batch))

    def _run_pool(self, batches: Iterator[list[Article]], progress: Callable[[int], None] | None) -> Iterator[Result]:
        """A pool of processes that live for the whole run.

        With fork (Linux) the workers share this process's loaded pipelines and
        gazetteer; elsewhere each worker builds its own once. The input is read
        here, a few batches ahead of the results, so memory stays flat on any
        input size and the caller (one writer) can store while workers extract.
        """
        import multiprocessing as mp

        global _POOL_PIPELINE
        method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
        if method == "fork":
            for lang in SUPPORTED:  # load before forking so that the workers share them
                self.language_pipeline(lang)
            _POOL_PIPELINE = self
        ctx = mp.get_context(method)
        pool = ctx.Pool(self.options.n_process, initializer=_pool_init, initargs=(self.options,))
        pending: deque = deque()
        try:
            for batch in batches:
                pending.append((len(batch), pool.apply_async(_pool_batch, (batch,))))
                if len(pending) >= 3 * self.options.n_process:
                    yield from self._collect(pending.popleft(), progress)
            while pending:
                yield from self._collect(pending.popleft(), progress)
            pool.close()
        finally:
            pool.terminate()
            pool.join()
            _POOL_PIPELINE = None

    def _collect(self, item, progress) -> Iterator[Result]:
        n, future = item
        results, timings = future.get()
        self.timings.update(timings)
        yield from results
        if progress:
            progress(n)

    def extract(self, article: Article) -> list[EventRecord]:
        """Events of one article (raises nothing for bad articles: see Result.failure in `run`)."""
        return next(self._batch([article])).records

    def _batch(self, batch: list[Article]) -> Iterator[Result]:
        """Every stage in turn over the batch; an article that fails or has nothing left to find drops out.

        Sentences come from rules, and whether a sentence holds an event does not
        depend on named entities; so spaCy reads only the sentences an event was
        found in, all of this batch's at once.
        """
        docs = [Doc(a) for a in batch]
        for stage in self.stages:
            t0 = time.perf_counter()
            stage(docs)
            self.timings[stage.name] += time.perf_counter() - t0
        self.timings["articles past the gate"] += sum(1 for d in docs if d.sentences)
        for d in docs:
            yield Result(d.article, d.records, d.failure)

    # -- the stages, one article at a time (entities: the batch) -------------------------------
    def _language(self, d: Doc) -> None:
        d.failure = check(d.article, self.detect_language)
        d.done = d.failure is not None

    def detect_language(self, text: str) -> str | None:
        """lingua, loaded on first use (most inputs say their language)."""
        if self._detector is None:
            self._detector = LanguageDetector()
        return self._detector(text)

    def _gate(self, d: Doc) -> None:
        art = d.article
        d.folded = fold(art.text)
        d.hotspots = self.gate.hotspots(d.folded, art.language)
        if not self.options.relevance_gate:
            d.candidates = [(0, len(art.text))]
        elif self.options.classifier:
            d.candidates = self.gate.candidates(d.folded, art.language)
        d.done = not d.hotspots and not d.candidates

    def _sentences(self, d: Doc) -> None:
        lang = d.article.language
        d.sentences = sentence_infos(d.article.text, d.folded, lang, self.lex.cue(lang, "skip_line"),
                                     self.lex.cue(lang, "caption"), line_language)

    def _detect(self, d: Doc) -> None:
        art = d.article
        d.detection = self.rules.detect(art.doc_id, d.folded, art.language, art.published, d.sentences,
                                           d.hotspots, d.candidates)

    def _classify(self, d: Doc) -> None:
        self.classifier(d.article.doc_id, d.detection, d.article.published)
        d.done = not d.detection.pending

    def _entities(self, docs: list[Doc]) -> None:
        by_lang: dict[str, list[Doc]] = {}
        for d in docs:
            by_lang.setdefault(d.article.language, []).append(d)
        for lang, group in by_lang.items():
            spans = [d.detection.spans for d in group] if self.options.relevance_gate else None
            found = self.language_pipeline(lang).entities([d.article.text for d in group], spans)
            for d, ents in zip(group, found):
                d.entities = ents

    def _arguments(self, d: Doc) -> None:
        context = self.gazetteer.context_countries(d.article.text, d.folded)
        d.mentions, d.places = self.arguments.complete(d.detection, d.article.text, d.folded, context, d.entities)
        d.context = context

    def _merge(self, d: Doc) -> None:
        d.events = merge(d.mentions)

    def _dates(self, d: Doc) -> None:
        resolve_dates(d.events, d.article.published)

    def _code(self, d: Doc) -> None:
        fallback = _main_country(d.places, d.context)
        d.records = build_records(self.lex, self.gazetteer, d.events, d.article.doc_id, d.article.text,
                                  d.context, fallback)


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of `size` items (the last may be shorter)."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


_POOL_PIPELINE: Pipeline | None = None  # set in the parent just before forking the workers


def _pool_init(options: Options) -> None:
    global _POOL_PIPELINE
    if _POOL_PIPELINE is None:  # spawned, not forked: build this worker's own pipeline
        _POOL_PIPELINE = Pipeline(replace(options, n_process=1))
    else:
        _POOL_PIPELINE.options = replace(options, n_process=1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _die_with_parent()


def _die_with_parent() -> None:
    """On Linux, ask the kernel to end this worker when its parent dies (even by kill -9)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent died before the call
            os._exit(1)
    except (OSError, AttributeError):
        pass


def _pool_batch(batch: list[Article]) -> tuple[list[Result], Counter]:
    pipe = _POOL_PIPELINE
    assert pipe is not None
    pipe.timings.clear()
    results = list(pipe._batch(batch))
    return results, Counter(pipe.timings)


def _main_country(places, context: dict[str, float]) -> str | None:
    """The country an article is mostly about: named countries and places first."""
    counts: Counter[str] = Counter()
    for pm in places:
        if pm.chosen and pm.chosen.kind != "seat":
            counts[pm.chosen.iso] += 1
    if counts:
        return counts.most_common(1)[0][0]
    return max(context, key=context.get) if context else None
