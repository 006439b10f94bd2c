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
from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Iterator, TypeVar

from .article import Article, Failure
from .consolidate import build_records, merge, resolve_dates
from .extract import Detection, Extractor
from .lexicon import Lexicon
from .nlp import LanguagePipeline, sentences
from .places import Gazetteer
from .records import EventRecord
from .text import fold

SUPPORTED = ("fr", "en")
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
    skipped_sentences: int = 0


class LanguageDetector:
    def __init__(self) -> None:
        from lingua import Language, LanguageDetectorBuilder

        self._langs = [Language.FRENCH, Language.ENGLISH, Language.ARABIC, Language.GERMAN,
                       Language.SPANISH, Language.ITALIAN, Language.PORTUGUESE, Language.RUSSIAN]
        self._detector = LanguageDetectorBuilder.from_languages(*self._langs).build()

    def __call__(self, text: str) -> str | None:
        lang = self._detector.detect_language_of(text[:4000])
        return lang.iso_code_639_1.name.lower() if lang else None


class Pipeline:
    """Loads resources once; `run` processes articles in batches."""

    def __init__(self, options: Options | None = None) -> None:
        self.options = options or Options()
        self.lex = Lexicon.load()
        self.gazetteer = Gazetteer(self.options.cache_dir)
        self.extractor = Extractor(self.lex, self.gazetteer)
        self._langs: dict[str, LanguagePipeline] = {}
        self._detector: LanguageDetector | None = None
        self.timings: Counter[str] = Counter()  # seconds spent per stage, for benchmarks

    def language_pipeline(self, lang: str) -> LanguagePipeline:
        if lang not in self._langs:
            self._langs[lang] = LanguagePipeline(lang, self.options.models.get(lang), self.options.use_models)
        return self._langs[lang]

    @property
    def detector(self) -> LanguageDetector:
        if self._detector is None:
            self._detector = LanguageDetector()
        return self._detector

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
        """Check, gate, detect with rules, read entities where events were found, complete.

        Sentences come from rules, and whether a sentence holds an event does not
        depend on named entities; so spaCy reads only the sentences an event was
        found in, all of this batch's at once, and every other sentence costs
        nothing but the rules.
        """
        t0 = time.perf_counter()
        checked: list[Result] = [self._check(a) for a in batch]  # a checked article has a supported language
        t1 = time.perf_counter()
        gated: dict[int, tuple[str, list[tuple[int, int]]]] = {}  # index -> (folded text, hotspots)
        for i, r in enumerate(checked):
            if r.failure is None:
                folded = fold(r.article.text)
                hot = self.extractor.hotspots(folded, r.article.language)
                if hot or not self.options.relevance_gate:
                    gated[i] = (folded, hot)
        t2 = time.perf_counter()
        found: dict[int, tuple[str, Detection]] = {}
        by_lang: dict[str, list[int]] = {}
        for i, (folded, hot) in gated.items():
            art = checked[i].article
            try:
                infos = self.extractor.sentence_infos(art.text, folded, sentences(art.text), art.language,
                                                      line_language)
                found[i] = (folded, self.extractor.detect(art.doc_id, folded, art.language, art.published,
                                                          infos, hot))
                by_lang.setdefault(art.language, []).append(i)
            except Exception as exc:  # one article never stops a batch
                checked[i].failure = _extraction_failure(art, exc)
        t3 = time.perf_counter()
        entities: dict[int, list[tuple[int, int, str]]] = {}
        for lang, idx in by_lang.items():
            spans = [found[i][1].sentences for i in idx] if self.options.relevance_gate else None
            entities.update(zip(idx, self.language_pipeline(lang).entities([checked[i].article.text for i in idx],
                                                                           spans)))
        t4 = time.perf_counter()
        for i, (folded, detection) in found.items():
            r = checked[i]
            try:
                r.records = self.complete(r.article, folded, detection, entities[i])
            except Exception as exc:  # one article never stops a batch
                r.failure = _extraction_failure(r.article, exc)
        t5 = time.perf_counter()
        self.timings["language and checks"] += t1 - t0
        self.timings["relevance gate"] += t2 - t1
        self.timings["extraction (rules, places, dates, merging)"] += (t3 - t2) + (t5 - t4)
        self.timings["spaCy (entities)"] += t4 - t3
        self.timings["articles past the gate"] += len(gated)
        yield from checked

    def _check(self, art: Article) -> Result:
        where = art.source or art.doc_id
        if not art.text or not art.text.strip():
            return Result(art, failure=Failure(where, "the article has no text.", "Give a non-empty text.", art.doc_id))
        if art.language is None:
            art.language = self.detector(art.text)
        if art.language not in SUPPORTED:
            return Result(art, failure=Failure(
                where, f"language {art.language or 'unknown'!s} is not supported (veille reads {', '.join(SUPPORTED)}).",
                "Set the language explicitly if detection was wrong.", art.doc_id))
        if art.published is None:
            return Result(art, failure=Failure(
                where, "no publication date: relative dates ('hier', 'on Monday') cannot be resolved.",
                "Give one with --published YYYY-MM-DD or a 'published' field.", art.doc_id))
        if art.published < date(1900, 1, 1) or art.published > date.today().replace(year=date.today().year + 1):
            return Result(art, failure=Failure(where, f"publication date {art.published} is not plausible.",
                                               "Check the date field.", art.doc_id))
        return Result(art)

    def complete(self, art: Article, folded: str, detection: Detection,
                 entities: list[tuple[int, int, str]]) -> list[EventRecord]:
        """Events of one article from what `Extractor.detect` found and the entities of its sentences."""
        if not detection.pending:
            return []
        text, pub = art.text, art.published
        assert pub is not None
        context = self.gazetteer.context_countries(text, folded)
        mentions, places = self.extractor.complete(detection, text, folded, context, entities)
        events = merge(mentions)
        resolve_dates(events, pub)
        fallback = _main_country(places, context)
        return build_records(self.lex, self.gazetteer, events, art.doc_id, text, context, fallback)


def _extraction_failure(art: Article, exc: Exception) -> Failure:
    return Failure(art.source or art.doc_id, f"extraction failed ({type(exc).__name__}: {exc}).",
                   "Please report it with this article.", art.doc_id)


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


_FUNCTION_WORDS = {
    "fr": frozenset("le la les des du de et est une un dans pour que qui sur au aux par avec ont été il elle ce cette".split()),
    "en": frozenset("the and of to in is with for on that at by from was were has have it this an are".split()),
}


def line_language(line: str) -> str | None:
    """The language of one line by its function words (cheap; lingua is for whole articles)."""
    tokens = [t.strip(".,;:!?()\"'«»").lower() for t in line.split()]
    scores = {lang: sum(t in words for t in tokens) for lang, words in _FUNCTION_WORDS.items()}
    best = max(scores, key=scores.get)
    if scores[best] < 3 or scores[best] < 2 * min(scores.values()):
        return None  # too short or mixed: keep the line
    return best


def _main_country(places, context: dict[str, float]) -> str | None:
    """The country an article is mostly about: named countries and places first."""
    counts: Counter[str] = Counter()
    for pm in places:
        if pm.chosen and pm.chosen.kind != "seat":
            counts[pm.chosen.iso] += 1
    if counts:
        return counts.most_common(1)[0][0]
    return max(context, key=context.get) if context else None
