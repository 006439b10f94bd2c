"""Regular-expression surgery for speed: splitting, prefixes, tries.

The trigger patterns are written for people (docs/data-files.md); these helpers
turn many of them into one pattern that the engine runs fast, without changing
where it matches (tests/test_scale.py compares the two).
"""
from __future__ import annotations

import re

from re import _constants as _C, _parser as _P  # the parser behind `re`, to find literal prefixes


def split_alternatives(pattern: str) -> list[str]:
    """The top-level `|` alternatives of a regular expression."""
    out, depth, cur, i = [], 0, [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            cur.append(pattern[i:i + 2])
            i += 2
            continue
        if c == "[":  # a class: skip to its closing bracket (a ] right after [ or [^ is literal)
            j = i + 1
            if pattern[j:j + 1] == "^":
                j += 1
            if pattern[j:j + 1] == "]":
                j += 1
            while pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            cur.append(pattern[i:j + 1])
            i = j + 1
            continue
        depth += c == "("
        depth -= c == ")"
        if c == "|" and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    out.append("".join(cur))
    return out


def literal_prefixes(pattern: str, n: int = 3) -> set[str] | None:
    """Strings of at most `n` characters one of which starts every match of `pattern`.

    None when some match could start with anything (a class like \\w, an empty match).
    Zero-width assertions are skipped, which can only make the set larger.
    """
    try:
        out = _walk(list(_P.parse(pattern)), {("", True)}, n)
    except Exception:  # an internal detail of `re` changed: go without prefixes
        return None
    if any(p == "" for p, _ in out):
        return None
    return {p for p, _ in out}


def _walk(items, cur, n):
    """`cur` holds (prefix, open): open prefixes are everything matched so far and can grow."""
    for op, av in items:
        if not any(o for _, o in cur):
            return cur
        if op is _C.LITERAL:
            cur = {(p + chr(av), len(p) + 1 < n) if o else (p, False) for p, o in cur}
        elif op is _C.IN:
            chars = []
            for kind, val in av:
                if kind is _C.LITERAL: chars.append(chr(val))
                elif kind is _C.RANGE and val[1] - val[0] < 10: chars += [chr(x) for x in range(val[0], val[1] + 1)]
                else: chars = None; break
            if chars is None or len(chars) > 10:
                cur = {(p, False) for p, _ in cur}
            else:
                cur = {(p + c, len(p) + 1 < n) if o else (p, False) for p, o in cur for c in chars}
        elif op is _C.SUBPATTERN:
            cur = _walk(list(av[3]), cur, n)
        elif op is _C.BRANCH:
            new = set()
            for sub in av[1]:
                new |= _walk(list(sub), cur, n)
            cur = new
        elif op in (_C.MAX_REPEAT, _C.MIN_REPEAT):
            lo, hi, sub = av
            once = {(p, False) for p, _ in _walk(list(sub), cur, n)} if hi != 0 else set()
            if lo == 0:
                cur = cur | once
            elif lo == 1 and hi == 1:
                cur = _walk(list(sub), cur, n)
            else:
                cur = once
        elif op in (_C.AT, _C.ASSERT, _C.ASSERT_NOT):
            continue
        else:
            cur = {(p, False) for p, _ in cur}
    return cur

def prefix_guard(alternatives: list[str]) -> str:
    """A lookahead on the first letters every alternative starts with, or "" when unknown.

    Put before a long alternation, it lets the engine skip at once the positions
    where no alternative can start.
    """
    firsts = [literal_prefixes(a) for a in alternatives]
    if not alternatives or not all(firsts):
        return ""
    return "(?=" + trie_regex(sorted(set().union(*firsts))) + ")"


def uppercase_literals(pattern: str) -> list[str]:
    """Upper-case letters the pattern matches literally (they never match folded text)."""
    found: list[str] = []

    def walk(items) -> None:
        for op, av in items:
            if op is _C.LITERAL and chr(av).isupper():
                found.append(chr(av))
            elif op is _C.SUBPATTERN:
                walk(av[3])
            elif op is _C.BRANCH:
                for sub in av[1]:
                    walk(sub)
            elif op in (_C.MAX_REPEAT, _C.MIN_REPEAT):
                walk(av[2])
            elif op in (_C.ASSERT, _C.ASSERT_NOT):
                walk(av[1])
    try:
        walk(_P.parse(pattern))
    except Exception:
        return []
    return found


def trie_regex(words: list[str]) -> str:
    """A regular expression matching exactly `words`, longer continuations tried first."""
    if not words:
        return "(?!)"
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:  # a word ends here: the longer words are optional, and tried first
            return body + "?" if len(branches) > 1 else "(?:" + body + ")?"
        return body

    return "(?:" + build(trie) + ")"
