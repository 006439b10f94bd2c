"""Exceptions raised by veille, and the helpers that make messages safe to show.

    VeilleError                 base of everything veille raises on purpose
    ├── InputError              an input file or article cannot be read (names file and line)
    ├── DataFileError           a data file of veille/data or a user data file is malformed
    ├── ModelError              a spaCy pipeline named in the configuration is not installed
    └── StoreError              the database cannot be opened or written

Messages say what happened, where, and what to do. Before a message is shown,
`mask_secrets` hides passwords in URLs, and `printable` escapes the control
characters a file name or a stored string may hold (a terminal would obey them).
"""
from __future__ import annotations

import re


class VeilleError(Exception):
    """Base class for veille's errors."""


class InputError(VeilleError):
    """An input file, line or article cannot be used."""

    def __init__(self, source: str, problem: str, fix: str = "") -> None:
        self.source = source
        self.problem = problem
        self.fix = fix
        super().__init__(f"{source}: {problem}" + (f" {fix}" if fix else ""))


class DataFileError(VeilleError):
    """A data file is malformed."""


class ModelError(VeilleError):
    """A language pipeline is missing."""


class StoreError(VeilleError):
    """The event store cannot be used."""


# scheme://user:password@  ->  scheme://user:***@   (also key=value connection strings)
_URL_PASSWORD = re.compile(r"(?i)(\b[a-z][a-z0-9+.\-]*://[^:/?#@\s]*:)\S*@")
_KV_PASSWORD = re.compile(r"(?i)\b(password\s*=\s*)('[^']*'|\S+)")


def mask_secrets(text: str) -> str:
    """`text` with the passwords of the URLs (and password=... settings) in it replaced by ***."""
    return _KV_PASSWORD.sub(r"\1***", _URL_PASSWORD.sub(r"\1***@", text))


# C0 and C1 controls, DEL, and the invisible characters that reorder or hide text on a terminal
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def printable(text: str) -> str:
    """`text` safe for one line of a terminal: control characters shown as escapes (ESC as \\x1b, newline as \\n)."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
