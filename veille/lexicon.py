"""Loading the data files of `veille/data/` (format: docs/data-files.md).

Every file is UTF-8, tab-separated, `#` starts a comment line. Patterns are
regular expressions over folded text (`veille.text.fold`). A malformed row is
an error naming the file and line: data files are edited by hand.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

from . import actors as _actors
from .actors import Actor, ActorIndex, ActorMention, Community, Country, Noun, Scan, resolve
from .errors import DataFileError
from .patterns import trie_regex, uppercase_literals
from .text import fold

DATA = resources.files("veille") / "data"


def read_rows(name: str, ncols: int, path: Path | None = None, optional: int = 0) -> list[tuple[int, list[str]]]:
    """Rows of a data file as (line number, columns).

    `ncols` columns are required; `optional` more may follow, and are "" when a row
    leaves them out (an editor may strip trailing tabs).
    """
    source = path if path is not None else DATA / name
    rows = []
    for lineno, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < ncols:
            raise DataFileError(f"{name}, line {lineno}: expected {ncols} tab-separated columns, "
                                f"found {len(cols)}. Check that the columns are separated by tabs.")
        cols = [c.strip() for c in cols[:ncols + optional]]
        rows.append((lineno, cols + [""] * (ncols + optional - len(cols))))
    return rows


def compile_pattern(name: str, lineno: int, pattern: str) -> re.Pattern[str]:
    """A rule pattern; it is matched against folded text, so upper-case letters are a mistake."""
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise DataFileError(f"{name}, line {lineno}: bad regular expression {pattern!r}: {exc}") from exc
    upper = uppercase_literals(pattern)
    if upper:
        raise DataFileError(f"{name}, line {lineno}: the pattern {pattern!r} has upper-case letters "
                            f"({''.join(upper)}) but is matched against lower-cased, unaccented text. "
                            "Write it in lower case without accents.")
    return compiled


def alias_regex(aliases: list[str]) -> str:
    """One pattern matching any alias at word boundaries, the longest where several fit.

    The aliases are laid out as a trie ("ka(?:taeb|taib)") rather than a flat
    alternation: the engine then follows one branch per character instead of
    trying every alias at every position (3 to 4 times faster on news text).
    """
    words = sorted({fold(a).strip() for a in aliases if a.strip()})
    return r"(?<![\w-])" + trie_regex(words) + r"(?![\w-])"


@lru_cache(maxsize=1)
def demonym_words() -> dict[str, str]:
    """Folded words that show which country an article is about -> ISO code.

    From countries.tsv: adjectives (English, and French in all their forms), names of
    peoples, capitals and the other context words. A ?-marked word, or one that several
    countries share (congolais), is left out.
    """
    seen: dict[str, set[str]] = {}
    for _, cols in read_rows("countries.tsv", 8, optional=5):
        cells = [cols[5], cols[6], cols[8]] + cols[7].split(";")
        for cell in cells:
            for w in cell.split("|"):
                w = w.strip()
                if w and not w.startswith(("?", "!")):
                    seen.setdefault(fold(w), set()).add(cols[0])
    return {w: isos.pop() for w, isos in seen.items() if len(isos) == 1}


@dataclass(frozen=True)
class Taxon:
    code: str
    disorder_type: str
    event_type: str
    sub_event_type: str


@dataclass(frozen=True)
class Trigger:
    lang: str
    code: str
    weight: float
    regex: re.Pattern[str]


@dataclass(frozen=True)
class Weapon:
    lang: str
    name: str
    code: str
    countable: bool
    regex: re.Pattern[str]


@dataclass
class Lexicon:
    """All rule data, loaded once per process."""

    taxonomy: dict[str, Taxon] = field(default_factory=dict)
    triggers: list[Trigger] = field(default_factory=list)
    weapons: list[Weapon] = field(default_factory=list)
    cues: dict[tuple[str, str], re.Pattern[str]] = field(default_factory=dict)
    actors: list[Actor] = field(default_factory=list)
    countries: dict[str, Country] = field(default_factory=dict)      # countries.tsv, by ISO code
    communities: list[Community] = field(default_factory=list)
    target_nouns: dict[str, list[Noun]] = field(default_factory=dict)
    actor_rows: dict[str, list[list[str]]] = field(default_factory=dict, repr=False)
    sources: dict[str, str] = field(default_factory=dict)  # folded alias -> canonical
    calendar: dict[str, dict[str, int]] = field(default_factory=dict)
    _cue_cache: dict = field(default_factory=dict, repr=False)
    _lang_cache: dict = field(default_factory=dict, repr=False)
    _scans: dict = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls) -> "Lexicon":
        lex = cls()
        for _, (code, dis, et, sub) in read_rows("taxonomy.tsv", 4):
            lex.taxonomy[code] = Taxon(code, dis, et, sub)
        for n, (lang, code, weight, pattern) in read_rows("triggers.tsv", 4):
            if code not in lex.taxonomy and code not in ("ATTACK", "TARGET", "TOPIC"):
                raise DataFileError(f"triggers.tsv, line {n}: unknown code {code!r}; "
                                    f"valid: ATTACK, TARGET, TOPIC, {', '.join(lex.taxonomy)}")
            lex.triggers.append(Trigger(lang, code, float(weight), compile_pattern("triggers.tsv", n, pattern)))
        for n, (lang, name, code, countable, pattern) in read_rows("weapons.tsv", 5):
            lex.weapons.append(Weapon(lang, name, code, countable == "yes",
                                      compile_pattern("weapons.tsv", n, pattern)))
        grouped: dict[tuple[str, str], list[str]] = {}
        for _, (lang, cue, pattern) in read_rows("cues.tsv", 3):
            grouped.setdefault((lang, cue), []).append(pattern)
        for k, pats in grouped.items():
            lex.cues[k] = compile_pattern("cues.tsv", 0, "|".join(f"(?:{p})" for p in pats))
        _actors.load(lex, read_rows)
        for _, (canonical, aliases) in read_rows("sources.tsv", 2):
            for a in aliases.split("|"):
                lex.sources[fold(a)] = canonical
        for _, (kind, value, words) in read_rows("calendar.tsv", 3):
            for w in words.split("|"):
                lex.calendar.setdefault(kind, {})[w] = int(value)
        return lex

    def cue(self, lang: str, name: str) -> list[re.Pattern[str]]:
        """The patterns of one cue for a language (computed once)."""
        k = (lang, name)
        if k not in self._cue_cache:
            self._cue_cache[k] = [p for (lg, c), p in self.cues.items() if c == name and lg in (lang, "*")]
        return self._cue_cache[k]

    def for_lang(self, items, lang: str):
        """The triggers or weapons of a language (computed once per list)."""
        k = (id(items), lang)
        if k not in self._lang_cache:
            self._lang_cache[k] = [x for x in items if x.lang in (lang, "*")]
        return self._lang_cache[k]

    # -- actors (veille/actors.py)
    @cached_property
    def actor_by_name(self) -> dict[str, Actor]:
        return {a.name: a for a in self.actors}

    @cached_property
    def actor_index(self) -> ActorIndex:
        """The actor patterns, compiled on first use (not at load: most commands never need them)."""
        return ActorIndex(self)

    def scan(self, folded: str) -> Scan:
        """The actor words of a folded text. The last few scans are kept, and a sentence of a
        kept article is cut from the article's scan rather than scanned again."""
        found = self._scans.get(folded)
        if found is None:
            found = next((w for sc in self._scans.values() if len(sc.text) > len(folded)
                          for at in [sc.text.find(folded)] if at >= 0 for w in [sc.window(at, folded)] if w), None)
            found = found or Scan(self.actor_index, folded)
            if len(self._scans) >= 4:
                self._scans.pop(next(iter(self._scans)))
            self._scans[folded] = found
        return found

    def mentions(self, folded: str, context: str | None = None, countries: dict[str, float] | None = None,
                 lang: str | None = None) -> list[ActorMention]:
        """Actor and target mentions of `folded`; ?-aliases and shared names are decided with
        `context` (the article, when `folded` is one of its sentences) and `countries`."""
        scan = self.scan(folded)
        ctx = scan if context is None or context == folded else self.scan(context)
        return resolve(self.actor_index, scan, ctx, countries, lang)

    def country_name(self, iso: str) -> str:
        """ACLED's name of a country ("Democratic Republic of Congo"); the code when unknown."""
        c = self.countries.get(iso)
        return c.short if c else iso

    def actor_name(self, actor: Actor, iso: str | None) -> str:
        """An actor's name as coded in an event of country `iso`: a community militia takes the country."""
        if actor.per_country and iso:
            return f"{actor.name} ({self.country_name(iso)})"
        return actor.name

    def role_name(self, role: str, iso: str | None) -> str | None:
        """ACLED's actor for a role in a country: ("military", "ML") -> "Military Forces of Mali"."""
        c = self.countries.get(iso or "")
        if c is None or role not in _actors.ROLE_NAMES:
            return None
        if role in _actors.STATE_ROLES:
            state = self.countries.get(c.state)
            return _actors.ROLE_NAMES[role].format(the=state.name, name=state.short) if state else None
        return _actors.ROLE_NAMES[role].format(the=c.name, name=c.short)

    def target_names(self, m: ActorMention, iso: str | None) -> tuple[str | None, str | None]:
        """(actor, associated actor) for a target, with `iso` the event's country when the words
        do not name one: "des eleves" in Nigeria -> ("Civilians (Nigeria)", "Students (Nigeria)")."""
        where = m.iso or iso
        if m.actor is not None and (m.role == "named" or m.actor.per_country or m.actor.role):
            name = self.actor_name(m.actor, where)
        else:
            name = self.role_name(m.role, where)
        country = self.country_name(where) if where else None
        assoc = "; ".join(f"{a} ({country})" if country else a for a in m.assoc) or None
        return name, assoc

    @cached_property
    def source_regex(self) -> re.Pattern[str]:
        return re.compile(alias_regex(list(self.sources)))
