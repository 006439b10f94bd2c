"""Exceptions raised by veille.

    VeilleError                 base of everything veille raises on purpose
    ├── InputError              an input file or article cannot be read (names file and line)
    ├── DataFileError           a data file of veille/data or a user data file is malformed
    ├── ModelError              a spaCy pipeline named in the configuration is not installed
    └── StoreError              the database cannot be opened or written

Messages say what happened, where, and what to do.
"""
from __future__ import annotations


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
