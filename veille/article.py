"""Article: the unit of input, and the record of one that could not be used."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date


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
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.doc_id:
            self.doc_id = content_id(self.text)


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
        return f"{self.source}: {self.problem}" + (f" {self.fix}" if self.fix else "")
