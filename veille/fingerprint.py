"""Near-duplicate articles: MinHash over word shingles, with LSH bands for lookup.

The same story reaches veille more than once: from an outlet's HTML page and
from a JSON Lines feed, or as a wire story that several outlets publish with
their own headline. Such copies must not count as independent reports.

An article's text is folded (lower case, no accents) and cut into shingles of
SHINGLE consecutive words. Lines of fewer than MIN_LINE_WORDS words
(headlines, bylines, datelines, "share this") are left out when the article
has longer ones: they are what copies of one story change. The MinHash
signature (NUM_PERM values) is split into BANDS bands; two articles that
share a band are candidates. A new article is a copy of a stored one when
at least COPY_CONTAINMENT of its shingles are in the stored one, counted
exactly: it then says nothing the stored article does not (a truncated copy
is one; a longer update that adds paragraphs is not). With 16 bands of 4
rows, a pair at Jaccard 0.8 shares a band with probability 0.9996, at 0.6
with 0.89, at 0.3 with 0.12 (and is then rejected by the exact count).
A text of fewer than MIN_SHINGLES shingles is never taken for a copy.
"""
from __future__ import annotations

import hashlib
import re

import numpy as np

from .text import fold

SHINGLE = 5
NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
COPY_CONTAINMENT = 0.8
MIN_LINE_WORDS = 8
MIN_SHINGLES = 25  # about 30 words: a shorter text is too little to tell a copy from a separate brief
_PRIME = np.uint64((1 << 61) - 1)
_rng = np.random.default_rng(20240601)
_A = _rng.integers(1, 1 << 31, NUM_PERM, dtype=np.uint64)
_B = _rng.integers(0, 1 << 31, NUM_PERM, dtype=np.uint64)
_WORD = re.compile(r"\w+")


def shingles(text: str) -> set[int]:
    """32-bit hashes of the runs of SHINGLE consecutive words of the folded text."""
    lines = [_WORD.findall(line) for line in fold(text).splitlines()]
    long_lines = [w for w in lines if len(w) >= MIN_LINE_WORDS]
    words = [w for line in (long_lines or lines) for w in line]
    if len(words) < SHINGLE:
        words = words or [""]
        grams = [" ".join(words)]
    else:
        grams = [" ".join(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)]
    return {int.from_bytes(hashlib.blake2b(g.encode(), digest_size=4).digest(), "little") for g in grams}


def signature(sh: set[int]) -> np.ndarray:
    """MinHash signature: for each of NUM_PERM hash functions, the smallest value over the shingles."""
    x = np.fromiter(sh, dtype=np.uint64, count=len(sh))
    return (((np.outer(_A, x) + _B[:, None]) % _PRIME) & np.uint64(0xFFFFFFFF)).min(axis=1)


def bands(sh: set[int]) -> list[str]:
    """The LSH band keys of an article (BANDS hex strings); copies share at least one."""
    sig = signature(sh)
    return [hashlib.blake2b(bytes([i]) + sig[i * ROWS:(i + 1) * ROWS].tobytes(), digest_size=8).hexdigest()
            for i in range(BANDS)]


def containment(new: set[int], stored: set[int]) -> float:
    """The share of the new article's shingles that the stored article has."""
    return len(new & stored) / len(new) if new else 1.0


def is_copy(new: set[int], stored: set[int]) -> bool:
    return containment(new, stored) >= COPY_CONTAINMENT


__all__ = ["shingles", "signature", "bands", "containment", "is_copy", "COPY_CONTAINMENT", "MIN_SHINGLES"]
