"""Article: the unit of input, and the record of one that could not be used."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from .errors import printable

MAX_ID_CHARS = 64  # a doc_id longer than this is refused (the store's key column holds 64)
_TEXT_FIELDS = ("text", "title", "outlet", "url", "language", "doc_id", "source")


@dataclass
class Article:
    text: str
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: date | None = None
    language: str | None = None
    doc_id: str = ""
    source: str = ""  # file (and line) it came from, for messages

    def __post_init__(self) -> None:
        for name in _TEXT_FIELDS:  # every back end stores the same characters
            value = getattr(self, name)
            if isinstance(value, str):
                setattr(self, name, clean_text(value))
        if not self.doc_id:
            self.doc_id = content_id(self.text)


def clean_text(text: str) -> str:
    """`text` as every database stores it: NUL characters removed, lone surrogates replaced by U+FFFD.

    PostgreSQL refuses both, SQLite keeps them: normalising them before extraction gives the same
    article, offsets and events on both.
    """
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def content_id(text: str) -> str:
    """Identity from content: the same text always gets the same id."""
    norm = " ".join(text.split())
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()[:16]


@dataclass
class Failure:
    """An input that was skipped, with the reason and what to do."""

    source: str
    problem: str
    fix: str = ""
    doc_id: str | None = None

    def message(self) -> str:
        """One line for a terminal (control characters in a file name or a field are escaped)."""
        return printable(f"{self.source}: {self.problem}" + (f" {self.fix}" if self.fix else ""))
