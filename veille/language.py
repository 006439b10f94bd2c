"""Languages: which one an article is in, and whether veille reads it.

Stage "language": needs the article; gives its language (lingua detects it
when the article does not say), or a failure when the article cannot be read:
no text, a language veille does not read, no plausible publication date.
"""
from __future__ import annotations

from datetime import date

from .article import Article, Failure

SUPPORTED = ("fr", "en")


class LanguageDetector:
    """lingua over the languages a news feed is likely to mix (loaded on first use)."""

    def __init__(self) -> None:
        from lingua import Language, LanguageDetectorBuilder

        self._langs = [Language.FRENCH, Language.ENGLISH, Language.ARABIC, Language.GERMAN,
                       Language.SPANISH, Language.ITALIAN, Language.PORTUGUESE, Language.RUSSIAN]
        self._detector = LanguageDetectorBuilder.from_languages(*self._langs).build()

    def __call__(self, text: str) -> str | None:
        lang = self._detector.detect_language_of(text[:4000])
        return lang.iso_code_639_1.name.lower() if lang else None


def check(art: Article, detect) -> Failure | None:
    """Why the article cannot be read (None when it can); sets its language when missing."""
    where = art.source or art.doc_id
    if not art.text or not art.text.strip():
        return Failure(where, "the article has no text.", "Give a non-empty text.", art.doc_id)
    if art.language is None:
        art.language = detect(art.text)
    if art.language not in SUPPORTED:
        return Failure(where, f"language {art.language or 'unknown'!s} is not supported (veille reads "
                       f"{', '.join(SUPPORTED)}).", "Set the language explicitly if detection was wrong.", art.doc_id)
    if art.published is None:
        return Failure(where, "no publication date: relative dates ('hier', 'on Monday') cannot be resolved.",
                       "Give one with --published YYYY-MM-DD or a 'published' field.", art.doc_id)
    if art.published < date(1900, 1, 1) or art.published > date.today().replace(year=date.today().year + 1):
        return Failure(where, f"publication date {art.published} is not plausible.", "Check the date field.",
                       art.doc_id)
    return None


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
