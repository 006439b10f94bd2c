"""Actors: the data files that name them, and finding them in folded text.

Five files (docs/data-files.md) describe who can act or be acted upon:

- `countries.tsv`: every country's names and demonyms. Each sovereign country gets three
  generated state actors, "Military Forces of X", "Police Forces of X" and "Government of X",
  named in text by a role noun and a demonym or country name ("armee malienne", "Malian
  troops", "Mali's army", "army of Mali") or by the acronyms the row lists (FAMa, Tsahal).
- `targets.tsv`: role nouns (soldiers, police, villagers, pupils, gunmen, a convoy) in French
  and English, each mapped to an ACLED-style actor whose country is read from the words or
  inferred at coding time.
- `communities.tsv`: ethnic and religious communities ("Fulani militants" -> the Fulani
  militia; "Christian villagers" -> civilians with the Christian group associated).
- `armed_groups.tsv` and `actors.tsv`: named groups and forces with their aliases.

Every word is found by one Aho-Corasick automaton (`Vocabulary`); a demonym, country name
or role noun is then extended with the agreeing noun or demonym by dictionary look-ups, so
the thousands of generated phrases never exist as strings (`Scan`). An alias marked `?`
counts only when the context confirms it, and an alias shared by several actors goes to the
one whose country the context names (`resolve`).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

import ahocorasick

from .errors import DataFileError
from .text import fold

# ACLED's names for the actors of a role, filled with a country's name
ROLE_NAMES = {"military": "Military Forces of {the}", "police": "Police Forces of {the}",
              "government": "Government of {the}", "civilians": "Civilians ({name})",
              "protesters": "Protesters ({name})", "rioters": "Rioters ({name})",
              "armed": "Unidentified Armed Group ({name})"}
STATE_ROLES = ("military", "police", "government")
# the coarse `kind` the coding step uses for each role and for each inter code of a named group
ROLE_KIND = {"military": "military", "police": "military", "government": "government"}
INTER_KIND = {1: "military", 2: "rebel", 3: "militia", 4: "militia", 8: "militia"}
# the crowds find_actors has always reported, with no country: (name, inter)
CROWDS = {"civilians": ("Civilians", 7), "protesters": ("Protesters", 6), "rioters": ("Rioters", 5)}
FR_NUMBERS = ("m", "f", "mp", "fp")
ARMED_ROLES = ("military", "police", "armed")


@dataclass(frozen=True)
class Actor:
    name: str
    inter: int
    iso: str
    kind: str                      # military, government, legislature, rebel, militia, civilians, protesters, rioters
    aliases: tuple[str, ...]
    countries: tuple[str, ...] = ()
    category: str = ""             # armed_groups.tsv kind: jihadist, separatist, cartel...
    parent: str = ""
    role: str = ""                 # military, police, government for the generated state actors
    per_country: bool = False      # the name takes " (<country>)": "Fulani Ethnic Militia (Mali)"
    context: str = ""              # what confirms a ?-alias (armed_groups.tsv `context`)
    notes: str = ""


@dataclass(frozen=True)
class Country:
    iso: str
    name: str                      # ACLED's, with "the" where ACLED writes "Military Forces of the ..."
    state: str                     # ISO code of the state whose forces act here; "" when none

    @property
    def short(self) -> str:
        return self.name[4:] if self.name.startswith("the ") else self.name


@dataclass(frozen=True)
class Community:
    name: str
    kind: str
    countries: tuple[str, ...]
    group: str                     # associated-actor label: "Fulani Ethnic Group"
    militia: Actor | None


@dataclass(frozen=True)
class Noun:
    lang: str
    role: str
    number: str                    # French gender and number (m, f, mp, fp); "-" in English
    assoc: str
    need_owner: bool               # counts only with a demonym or a named owner ("a convoy")


@dataclass(frozen=True)
class Modifier:
    """A word that says whose: a demonym, a country name, a community adjective, a people noun.

    `lang` is en or fr for adjectives and people nouns; for names, en ("Mali army", "army of
    Mali"), fr ("armee du Mali": the name with its preposition) or ctx (a name alone, context only).
    """
    lang: str
    owner: Country | Community
    numbers: frozenset[str]        # the French forms the word can be (m, f, mp, fp); {"-"} otherwise
    ambiguous: bool

    @property
    def iso(self) -> str:
        return self.owner.iso if isinstance(self.owner, Country) else ""

    @property
    def countries(self) -> tuple[str, ...]:
        return (self.owner.iso,) if isinstance(self.owner, Country) else self.owner.countries


@dataclass
class Senses:
    """Everything one folded word can be."""
    aliases: list[tuple[Actor, bool]] = field(default_factory=list)   # (actor, needs context)
    nouns: list[Noun] = field(default_factory=list)
    mods: list[Modifier] = field(default_factory=list)                # adjectives
    names: list[Modifier] = field(default_factory=list)               # country names
    people: list[Modifier] = field(default_factory=list)              # "Malians", "les Peuls"
    places: list[Country] = field(default_factory=list)               # capitals and context words
    # computed once by `settle`, for the scanning loop
    sure: tuple[Actor, ...] = ()          # the actors this word names without doubt
    country: str = ""                     # the one country it names without doubt
    armed: bool = False                   # it names armed men, soldiers or police, or an armed group
    en_owner: bool = False                # it can say whose an English noun is ("Malian", "Mali")

    def settle(self) -> None:
        self.sure = tuple(dict.fromkeys(a for a, amb in self.aliases if not amb))
        isos = {c.iso for c in self.places} | {m.iso for m in self.names + self.mods + self.people if not m.ambiguous}
        if len(self.sure) == 1 and len(self.sure[0].countries) == 1:
            isos.add(self.sure[0].countries[0])
        isos.discard("")
        self.country = isos.pop() if len(isos) == 1 else ""
        self.armed = any(n.role in ARMED_ROLES and not n.need_owner for n in self.nouns) \
            or any(a.kind in ("military", "rebel", "militia") for a in self.sure)
        self.en_owner = any(m.lang == "en" for m in self.mods + self.names)


@dataclass
class ActorMention:
    """A named or generated actor in the text (find_actors), or a target (find_targets).

    `actor` is None for a generic target whose country the words do not say ("soldiers",
    "villageois"): `role` then tells which actor to code, with the event's country.
    """
    start: int
    end: int
    actor: Actor | None
    role: str = ""                 # military, police, government, civilians, protesters, rioters, armed; "named"
    iso: str | None = None         # the country the words name
    assoc: tuple[str, ...] = ()    # associated-actor labels without country: ("Students",)
    need_owner: bool = False


# ---------------------------------------------------------------------------- loading

def split_words(cell: str) -> list[str]:
    return [w.strip() for w in cell.split("|") if w.strip()]


def variants(alias: str) -> list[str]:
    """An alias and its spellings with spaces for hyphens and without inner apostrophes."""
    a = fold(alias).strip()
    out = [a]
    if "-" in a:
        out.append(a.replace("-", " "))
    if re.search(r"\w\w'\w", a):
        out += [re.sub(r"(?<=\w\w)'(?=\w)", "", x) for x in list(out)]
    return list(dict.fromkeys(out))


def load(lex, read_rows) -> None:
    """Fill `lex.actors`, `lex.countries`, `lex.communities` and `lex.target_nouns` from the data files."""
    lex.countries = {}
    lex.actor_rows = {"countries.tsv": [], "communities.tsv": []}
    state: list[Actor] = []
    for n, cols in read_rows("countries.tsv", 8, optional=5):
        lex.actor_rows["countries.tsv"].append(cols)
        iso, name, sov, en, fr, en_adj, en_people, fr_adj, ctx, mil, pol, gov, notes = cols
        if not re.fullmatch(r"[A-Z]{2}", iso) or (sov not in ("", "-") and not re.fullmatch(r"[A-Z]{2}", sov)):
            raise DataFileError(f"countries.tsv, line {n}: {iso!r}/{sov!r} is not an ISO 3166 alpha-2 code")
        _fr_forms("countries.tsv", n, fr_adj)
        lex.countries[iso] = Country(iso, name, iso if sov == "" else ("" if sov == "-" else sov))
        if sov == "":
            for role, extra in zip(STATE_ROLES, (mil, pol, gov)):
                state.append(_state_actor(lex.countries[iso], role, extra))
    lex.communities = []
    militias: list[Actor] = []
    for n, cols in read_rows("communities.tsv", 7, optional=3):
        lex.actor_rows["communities.tsv"].append(cols)
        name, kind, isos, en_adj, en_people, fr_adj, group, militia, m_aliases, notes = cols
        _fr_forms("communities.tsv", n, fr_adj)
        actor = None
        if militia:
            actor = Actor(militia, 4, "", "militia", tuple(split_words(m_aliases)), tuple(split_words(isos)),
                          "communal", per_country=True, notes=notes)
            militias.append(actor)
        lex.communities.append(Community(name, kind, tuple(split_words(isos)), group, actor))
    lex.target_nouns = {}
    for n, (lang, role, number, assoc, need, words) in read_rows("targets.tsv", 6):
        if role not in ROLE_NAMES or lang not in ("en", "fr") or need not in ("", "country") \
                or number not in (FR_NUMBERS if lang == "fr" else ("-",)):
            raise DataFileError(f"targets.tsv, line {n}: expected lang en|fr, role {'|'.join(ROLE_NAMES)}, "
                                f"number m|f|mp|fp (French) or - (English), need empty|country")
        noun = Noun(lang, role, number, assoc, need == "country")
        for w in split_words(words):
            lex.target_nouns.setdefault(fold(w), []).append(noun)
    hand = [_hand_actor(n, cols) for n, cols in read_rows("actors.tsv", 5, optional=1)]
    groups = [_group_actor(n, cols, lex.countries) for n, cols in read_rows("armed_groups.tsv", 6, optional=2)]
    crowds = [Actor(name, inter, "", role, ()) for role, (name, inter) in CROWDS.items()]
    lex.actors = _merge(state + hand + groups + militias + crowds)
    names = {a.name for a in lex.actors}
    for a in lex.actors:
        if a.parent and a.parent not in names:
            raise DataFileError(f"armed_groups.tsv: {a.name!r} has parent {a.parent!r}, which no row names")


def _fr_forms(name: str, n: int, cell: str) -> None:
    for group in cell.split(";"):
        if group.strip() and len(group.split("|")) != 4:
            raise DataFileError(f"{name}, line {n}: French forms must be masculine|feminine|masculine plural|"
                                f"feminine plural, sets separated by ';'; found {group.strip()!r}")


def _state_actor(country: Country, role: str, extra: str) -> Actor:
    name = ROLE_NAMES[role].format(the=country.name, name=country.short)
    return Actor(name, 1, country.iso, ROLE_KIND[role], tuple(split_words(extra)), (country.iso,), role=role)


def _hand_actor(n: int, cols: list[str]) -> Actor:
    name, inter, iso, kind, aliases, notes = cols
    if kind not in ("military", "government", "legislature") or not inter.isdigit():
        raise DataFileError(f"actors.tsv, line {n}: kind must be military, government or legislature, "
                            f"inter a number; found {kind!r}, {inter!r}")
    role = next((r for r in STATE_ROLES if name.startswith(ROLE_NAMES[r].split("{")[0])), "")
    return Actor(name, int(inter), iso, kind, tuple(split_words(aliases)), (iso,) if iso else (), role=role, notes=notes)


def _group_actor(n: int, cols: list[str], countries: dict[str, Country]) -> Actor:
    name, inter, isos, kind, parent, aliases, context, notes = cols
    if not inter.isdigit() or int(inter) not in INTER_KIND:
        raise DataFileError(f"armed_groups.tsv, line {n}: inter must be one of {sorted(INTER_KIND)}, found {inter!r}")
    codes = tuple(split_words(isos))
    unknown = [c for c in codes if c not in countries]
    if unknown:
        raise DataFileError(f"armed_groups.tsv, line {n}: unknown country code(s) {unknown}; add them to countries.tsv")
    return Actor(name, int(inter), codes[0] if codes else "", INTER_KIND[int(inter)], tuple(split_words(aliases)),
                 codes, kind, parent, context=context, notes=notes)


def _merge(actors: list[Actor]) -> list[Actor]:
    """One actor per name: a later row with a generated actor's name adds its aliases."""
    out: dict[str, Actor] = {}
    for a in actors:
        if a.name in out:
            first = out[a.name]
            out[a.name] = Actor(**{**first.__dict__, "aliases": first.aliases + a.aliases,
                                   "notes": first.notes or a.notes})
        else:
            out[a.name] = a
    return list(out.values())


# ---------------------------------------------------------------------------- the index

class ActorIndex:
    """Word senses and compiled patterns; built once per process, on first use."""

    def __init__(self, lex) -> None:
        self.senses: dict[str, Senses] = {}
        self.state: dict[tuple[str, str], Actor] = {}
        for a in lex.actors:  # the generated actors come first: a hand-written "Military Forces of Puntland" is no state's
            if a.role and a.iso:
                self.state.setdefault((a.iso, a.role), a)
        self.by_name = {a.name: a for a in lex.actors}
        self.branches: dict[str, list[Actor]] = {}
        for a in lex.actors:
            if a.parent and a.parent in a.name:
                self.branches.setdefault(a.parent, []).append(a)
        self.cues: dict[str, list[tuple[Actor, bool]]] = {}   # context word -> (actor, is a veto)
        for a in lex.actors:
            self._add_actor(a)
        for cols in lex.actor_rows["countries.tsv"]:
            self._add_country(lex.countries[cols[0]], cols)
        for com, cols in zip(lex.communities, lex.actor_rows["communities.tsv"]):
            self._add_modifiers(com, cols[3], cols[4], cols[5])
        for w, nouns in lex.target_nouns.items():
            self._sense(w).nouns.extend(nouns)
        for senses in self.senses.values():
            senses.settle()

    def _sense(self, word: str) -> Senses:
        return self.senses.setdefault(word, Senses())

    def _add_actor(self, a: Actor) -> None:
        for alias in a.aliases:
            for v in variants(alias.lstrip("?")):
                self._sense(v).aliases.append((a, alias.startswith("?")))
        for token in split_words(a.context):
            if not token.startswith("@"):
                self.cues.setdefault(fold(token.lstrip("!")), []).append((a, token.startswith("!")))

    def _add_country(self, c: Country, cols: list[str]) -> None:
        en, fr, en_adj, en_people, fr_adj, ctx = cols[3:9]
        for w in split_words(en):
            self._sense(fold(w.lstrip("?"))).names.append(Modifier("en", c, _ANY, w.startswith("?")))
        for w in split_words(fr):  # "du mali" names Mali after a noun; "mali" alone is context
            w, amb = fold(w.lstrip("?")), w.startswith("?")
            self._sense(w).names.append(Modifier("fr", c, _ANY, amb))
            self._sense(re.sub(r"^(?:du |de la |de l'|des |d'|de )", "", w)).names.append(Modifier("ctx", c, _ANY, amb))
        for w in split_words(ctx):
            self._sense(fold(w)).places.append(c)
        self._add_modifiers(c, en_adj, en_people, fr_adj)

    def _add_modifiers(self, owner: Country | Community, en_adj: str, en_people: str, fr_adj: str) -> None:
        for w in split_words(en_adj):
            if w.startswith("!"):  # "!latin american": a longer phrase that is not about the country
                self._sense(fold(w[1:]))
                continue
            self._sense(fold(w.lstrip("?"))).mods.append(Modifier("en", owner, _ANY, w.startswith("?")))
        for w in split_words(en_people):
            self._sense(fold(w.lstrip("?"))).people.append(Modifier("en", owner, _ANY, w.startswith("?")))
        forms: dict[tuple[str, bool], set[str]] = {}
        for group in fr_adj.split(";"):
            for number, w in zip(FR_NUMBERS, group.split("|")):
                if w.strip():
                    forms.setdefault((fold(w.strip().lstrip("?")), w.strip().startswith("?")), set()).add(number)
        for (w, amb), numbers in forms.items():
            mod = Modifier("fr", owner, frozenset(numbers), amb)
            self._sense(w).mods.append(mod)
            if numbers & {"mp", "fp"}:  # "les Maliens", "des Peuls"
                self._sense(w).people.append(mod)

    # -- vocabularies
    @cached_property
    def words(self) -> "Vocabulary":
        """Every word that can start a mention or give context, and the phrases that only block
        a shorter word ("latin american"); not 'du mali', which only follows a noun."""
        return Vocabulary(w for w, s in self.senses.items()
                          if not s.names or s.aliases or s.nouns or s.mods or s.people or s.places
                          or any(n.lang != "fr" for n in s.names))

    @cached_property
    def en_nouns(self) -> "Vocabulary":
        return Vocabulary(w for w, s in self.senses.items() if any(n.lang == "en" for n in s.nouns))

    @cached_property
    def fr_mods(self) -> "Vocabulary":
        return Vocabulary(w for w, s in self.senses.items() if any(m.lang == "fr" for m in s.mods))

    @cached_property
    def fr_names(self) -> "Vocabulary":
        return Vocabulary(w for w, s in self.senses.items() if any(m.lang == "fr" for m in s.names))

    @cached_property
    def en_names(self) -> "Vocabulary":
        return Vocabulary(w for w, s in self.senses.items() if any(m.lang == "en" for m in s.names))

    @cached_property
    def cue_words(self) -> "Vocabulary":
        return Vocabulary(self.cues)


_ANY = frozenset("-")
_RUN = re.compile(r"[^\W_]+")


class Vocabulary:
    """Finds the words of a fixed list in folded text, at word boundaries, longest first.

    A regular expression of thousands of words takes half a second to compile and a third
    of a millisecond per article to run; an Aho-Corasick automaton (pyahocorasick) is built
    in a few hundredths of a second and scans an article in C. Short words are keyed with
    the characters that can stand before a word, so that "us" inside "campus" is never
    reported; long words are keyed bare and checked.
    """

    BEFORE = (" ", "\n", "\t", "'", "(", '"', "/", "[")
    SHORT = 5

    def __init__(self, words) -> None:
        self.words = frozenset(words)
        self.by_first: dict[str, list[str]] = {}   # first letter run -> words, longest first
        for w in self.words:
            m = _RUN.match(w)
            if m is not None:
                self.by_first.setdefault(m.group(0), []).append(w)
        for lst in self.by_first.values():
            lst.sort(key=len, reverse=True)

    @cached_property
    def automaton(self) -> ahocorasick.Automaton:
        auto = ahocorasick.Automaton()
        for w in self.words:
            if len(w) < self.SHORT:
                for c in self.BEFORE:
                    auto.add_word(c + w, (w, True))
            else:
                auto.add_word(w, (w, False))
        auto.make_automaton()
        return auto

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, word) of the words in `text`: leftmost first, longest at each place, no overlap."""
        if not self.words:
            return []
        found = []
        padded = " " + text  # so that a short word can start the text
        for last, (word, keyed) in self.automaton.iter(padded):
            end = last  # `last` is the index of the word's last character in `padded`
            start = end - len(word)
            if (keyed or _free_before(text, start)) and _free_after(text, end):
                found.append((start, end, word))
        found.sort(key=lambda f: (f[0], f[0] - f[1]))
        out, stop = [], 0
        for f in found:
            if f[0] >= stop:
                out.append(f)
                stop = f[1]
        return out

    def at(self, text: str, pos: int) -> str | None:
        """The longest word that starts exactly at `pos`."""
        m = _RUN.match(text, pos)
        if m is None:
            return None
        for word in self.by_first.get(m.group(0), ()):
            if text.startswith(word, pos) and _free_after(text, pos + len(word)):
                return word
        return None


def _free_before(text: str, start: int) -> bool:
    """No letter, digit, _ or - just before `start` (the regular expressions' (?<![\\w-]))."""
    return start == 0 or not (text[start - 1].isalnum() or text[start - 1] in "_-")


def _free_after(text: str, end: int) -> bool:
    return end >= len(text) or not (text[end].isalnum() or text[end] in "_-")



# ---------------------------------------------------------------------------- one text

@dataclass
class _Raw:
    """A matched word, or a phrase: a noun with the modifiers that may say whose it is."""
    start: int
    end: int
    senses: Senses
    noun: Noun | None = None
    owners: list[Modifier] = field(default_factory=list)


class Scan:
    """The words and phrases of one folded text, and the context they give (countries, names)."""

    def __init__(self, index: ActorIndex, folded: str, raws: list[_Raw] | None = None) -> None:
        self.index, self.text = index, folded
        self.raws: list[_Raw] = [] if raws is None else raws
        end = 0
        for start, stop, word in index.words.find(folded) if raws is None else ():
            if start >= end:
                raw = self._extend(start, stop, index.senses[word])
                self.raws.append(raw)
                end = raw.end
        self.countries: Counter[str] = Counter()
        self.conflict = False
        self.named: set[str] = set()
        for raw in self.raws:
            self._count(raw)

    def window(self, start: int, text: str) -> "Scan | None":
        """The scan of `text`, found at `start` in this text (a sentence of a scanned article);
        None when a word of this text crosses its edges (then `text` must be scanned itself)."""
        end = start + len(text)
        if not (_free_before(self.text, start) and _free_after(self.text, end)) \
                or any(r.start < start < r.end or r.start < end < r.end for r in self.raws):
            return None
        raws = [_Raw(r.start - start, r.end - start, r.senses, r.noun, r.owners) for r in self.raws
                if start <= r.start and r.end <= end]
        return Scan(self.index, text, raws)

    def _extend(self, start: int, end: int, s: Senses) -> _Raw:
        """The longest phrase this word starts: demonym + noun, name + noun, noun + demonym or name."""
        best = _Raw(start, end, s)
        idx, text = self.index, self.text
        if s.en_owner and text.startswith((" ", "'s ", "' "), end):
            possessive = text[end] == "'"
            pos = end + (1 if not possessive else 3 if text[end + 1] == "s" else 2)
            word = idx.en_nouns.at(text, pos)
            if word:
                owners = [x for x in s.names if x.lang == "en"]
                if not possessive:
                    owners = [x for x in s.mods if x.lang == "en"] + owners
                nouns = [n for n in idx.senses[word].nouns if n.lang == "en"]
                if owners and nouns:
                    best = _Raw(start, pos + len(word), s, nouns[0], owners)
        if s.nouns and text.startswith(" ", end):
            noun, owners, stop = _owner_after(idx, s.nouns, text, end + 1)
            if noun is not None and stop > best.end:
                best = _Raw(start, stop, s, noun, owners)
        return best

    def _count(self, raw: _Raw) -> None:
        """Count the countries named, the armed actors, the actors named without doubt."""
        if raw.noun is not None:
            self.conflict |= raw.noun.role in ARMED_ROLES
            isos = {o.iso for o in raw.owners if not o.ambiguous}
            if len(isos) == 1 and "" not in isos:
                self.countries[isos.pop()] += 1
            return
        s = raw.senses
        self.conflict |= s.armed
        for a in s.sure:
            self.named.add(a.name)
        if s.country:
            self.countries[s.country] += 1

    def confirmed(self, actor: Actor) -> bool:
        """Whether this text confirms `actor`'s ?-aliases (armed_groups.tsv `context`)."""
        hits = [veto for a, veto in self._cue_hits if a is actor]
        if any(hits):
            return False
        default = ["@name", "@conflict"] if actor.category else ["@name", "@country"]
        for token in split_words(actor.context) or default:
            if token == "@name" and (actor.name in self.named or self._state_named(actor)):
                return True
            if token == "@country" and any(self.countries[c] for c in actor.countries):
                return True
            if token == "@conflict" and self.conflict:
                return True
        return bool(hits)

    def _state_named(self, actor: Actor) -> bool:
        return bool(actor.role) and any(r.noun is not None and r.noun.role == actor.role and any(
            o.iso == actor.iso and not o.ambiguous for o in r.owners) for r in self.raws)

    @cached_property
    def _cue_hits(self) -> list[tuple[Actor, bool]]:
        idx = self.index
        return [hit for _, _, w in idx.cue_words.find(self.text) for hit in idx.cues[w]]


def _owner_after(idx: ActorIndex, nouns: list[Noun], text: str, pos: int) -> tuple[Noun | None, list[Modifier], int]:
    """What says whose right after a noun: a French adjective that agrees with it ('armee
    malienne'), a French name with its preposition ('armee du Mali'), 'of (the) Mali'."""
    best: tuple[Noun | None, list[Modifier], int] = (None, [], 0)
    word = idx.fr_mods.at(text, pos)
    if word:
        mods = [x for x in idx.senses[word].mods if x.lang == "fr"]
        for n in nouns:
            agreeing = [x for x in mods if n.lang == "fr" and n.number in x.numbers]
            if agreeing:
                best = (n, agreeing, pos + len(word))
                break
    for lang, vocab, skip in (("fr", idx.fr_names, ""), ("en", idx.en_names, "of the "), ("en", idx.en_names, "of ")):
        if not text.startswith(skip, pos):
            continue
        word = vocab.at(text, pos + len(skip))
        noun = next((n for n in nouns if n.lang == lang), None)
        if word and noun is not None and pos + len(skip) + len(word) > best[2]:
            best = (noun, [x for x in idx.senses[word].names if x.lang == lang], pos + len(skip) + len(word))
    return best


# ---------------------------------------------------------------------------- deciding

def resolve(index: ActorIndex, scan: Scan, ctx: Scan, weights: dict[str, float] | None = None,
            lang: str | None = None) -> list[ActorMention]:
    """Every actor and target mention of `scan`, decided with the context `ctx` (often `scan` itself).

    `weights` are countries the caller knows the article is about (places' context);
    `lang` keeps the nouns of one language.
    """
    def score(isos) -> float:
        w = weights or {}
        return sum(ctx.countries[c] + w.get(c, 0.0) for c in isos)

    out: list[ActorMention] = []
    for raw in scan.raws:
        mention = _named(index, raw, ctx, score) if raw.senses.aliases else None  # "FDS kurdes": the SDF
        if mention is None and raw.noun is not None:
            mention = _phrase(index, raw, ctx, score)
        if mention is None:
            mention = _word(index, raw, ctx, score, lang)
        if mention is not None:
            out.append(mention)
    return _merge_owned(scan.text, out)


def _choose(candidates: list, isos_of, score):
    """The candidate whose countries the context names most; the first one on a tie."""
    best = max(candidates, key=lambda c: score(isos_of(c)))
    return best if score(isos_of(best)) > 0 else candidates[0]


def _phrase(index: ActorIndex, raw: _Raw, ctx: Scan, score) -> ActorMention | None:
    owners = [o for o in raw.owners if not o.ambiguous or ctx.countries[o.iso]]
    if not owners:
        return None
    owner = _choose(owners, lambda o: o.countries, score)
    noun, obj = raw.noun, owner.owner
    if isinstance(obj, Community):
        assoc = tuple(x for x in (obj.group, noun.assoc) if x)
        actor = obj.militia if noun.role == "armed" else None
        return ActorMention(raw.start, raw.end, actor, noun.role, None, assoc, noun.need_owner)
    actor = index.state.get((obj.state, noun.role)) if noun.role in STATE_ROLES else None
    if noun.role in CROWDS:
        actor = index.by_name[CROWDS[noun.role][0]]
    return ActorMention(raw.start, raw.end, actor, noun.role, obj.iso, (noun.assoc,) if noun.assoc else (),
                        noun.need_owner)


def _named(index: ActorIndex, raw: _Raw, ctx: Scan, score) -> ActorMention | None:
    """A dictionary actor: confirmed if ?-marked, chosen by country if shared, a branch if a parent."""
    named = list(dict.fromkeys(a for a, amb in raw.senses.aliases if not amb or ctx.confirmed(a)))
    if not named:
        return None
    actor = _choose(named, lambda a: a.countries, score)
    branches = index.branches.get(actor.name, [])
    if branches and max(score(b.countries) for b in branches) > 0:
        actor = max(branches, key=lambda b: score(b.countries))
    return ActorMention(raw.start, raw.end, actor, "named")


def _word(index: ActorIndex, raw: _Raw, ctx: Scan, score, lang: str | None) -> ActorMention | None:
    """A role noun alone ("soldiers", "villageois"), or a people ("Malians", "les Peuls")."""
    s = raw.senses
    nouns = [n for n in s.nouns if lang is None or n.lang == lang]
    if nouns:
        n = nouns[0]
        crowd = n.role in CROWDS and all(x.role == n.role for x in nouns)
        return ActorMention(raw.start, raw.end, index.by_name[CROWDS[n.role][0]] if crowd else None, n.role,
                            None, (n.assoc,) if n.assoc else (), n.need_owner)
    people = [p for p in s.people if not p.ambiguous or ctx.countries[p.iso]]
    if people:
        p = _choose(people, lambda p: p.countries, score)
        if isinstance(p.owner, Community):
            return ActorMention(raw.start, raw.end, None, "civilians", None, (p.owner.group,))
        return ActorMention(raw.start, raw.end, None, "civilians", p.iso)
    return None


_OF = re.compile(r" (?:de la |de l'|du |des |d'|de |of the |of )")


def _merge_owned(text: str, mentions: list[ActorMention]) -> list[ActorMention]:
    """'soldats de l'armee malienne', 'a convoy of MINUSMA', 'MINUSMA convoy': the noun takes its owner."""
    out: list[ActorMention] = []
    i = 0
    while i < len(mentions):
        m, nxt = mentions[i], mentions[i + 1] if i + 1 < len(mentions) else None
        if nxt is not None and _owns(m, nxt) and _OF.fullmatch(text, m.end, nxt.start):
            out.append(ActorMention(m.start, nxt.end, nxt.actor, nxt.role, nxt.iso, m.assoc or nxt.assoc))
            i += 2
        elif nxt is not None and m.role == "named" and _owns(nxt, m) and nxt.need_owner \
                and text[m.end:nxt.start] == " ":
            out.append(ActorMention(m.start, nxt.end, m.actor, "named", None, nxt.assoc))
            i += 2
        else:
            out.append(m)
            i += 1
    return out


def _owns(noun: ActorMention, owner: ActorMention) -> bool:
    """Whether `owner` (a named or national force) can own the bare `noun` (a convoy, soldiers)."""
    if noun.iso is not None or noun.actor is not None or owner.actor is None:
        return False
    return noun.need_owner or (noun.role in ARMED_ROLES and owner.actor.kind in ("military", "rebel", "militia"))
