"""Event mentions: one per cluster of triggers in a sentence, with its arguments.

A sentence holds an event mention when trigger weights near each other add up
to 1.0 (triggers.tsv, weapons.tsv); irrealis and habitual clauses hold none
(cues.tsv). Several clusters far apart in one sentence are several mentions
("struck X to avenge the rocket raid on Y"). Dates and places are given to the
nearest cluster of their sentence.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta

from .arguments import ActorMention, casualties, count_before, find_actors, find_sources
from .dates import DateFinder, DateRef
from .lexicon import Lexicon, read_rows
from .patterns import prefix_guard, split_alternatives
from .places import Gazetteer, PlaceMention

GAP = 70  # characters between triggers of one cluster
STRONG_ORDER = ["SUICIDE", "CHEM", "GRENADE", "IED", "SHELL", "AIR", "INTERCEPT", "TAKEOVER", "REGAIN",
                "CLASH", "ABDUCT", "VAC", "SEXVIOL", "RIOT", "MOB", "PROTEST", "ARREST", "AGREE", "BASE",
                "LOOT", "TRANSFER", "OTHER", "CHANGE"]
_IMPACT = re.compile(r"\b(?:atteint|touche|frappe|s'etant (?:\w+ )?abattus?|s'est abattue?|ont atterri|sont tombe\w*|"
                     r"hit|struck|landed|impacted|slammed)\b")
_PERSON_OBJ = re.compile(r"^(?:\W+\w+){0,3}?\W+(?:\d+|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|plusieurs|des|"
                         r"membres?|personnes?|suspects?|militants?|combattants?|hommes|individus|jihadistes|manifestants|"
                         r"people|men|members?|suspects?|militants?|fighters?|protesters)\b")
_COUNTED_TARGET = re.compile(r"(?<![\w-])(?P<n>deux|trois|quatre|cinq|six|sept|huit|neuf|dix|two|three|four|five|six|seven|eight|nine|ten|[2-9]|10)"
                             r"(?: \w+)? (?:convois|patrouilles|attaques|convoys|patrols|attacks|bases)\b")
_ANOTHER = re.compile(r"\b(?:une? autre|d'autres|une nouvelle|un nouvel|another|a new|a second|une seconde)\b")
_CLAUSE_BREAK = re.compile(r",\s*(?:qui|dont|ou|lequel|laquelle|lesquels|which|who|where|whose)\b|;")
_WEAPON_RANK = {"explosive": 1, "firearm": 2, "aircraft": 1}  # generic words yield to specific ones
_NUMS = {"deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9, "dix": 10,
         "two": 2, "three": 3, "four": 4, "five": 5, "seven": 7, "eight": 8, "nine": 9, "ten": 10}


@dataclass(frozen=True)
class Landmark:
    key: str
    date: date
    code: str
    place: str
    iso: str
    admin1: str
    actor1: str
    actor2: str
    window: int
    groups: tuple[re.Pattern[str], ...]


def overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether any of the sorted, short (< 400 characters) `spans` overlaps [start, end)."""
    i = bisect_right(spans, (end, -1)) - 1  # the last span starting before `end`
    while i >= 0 and spans[i][0] > start - 400:
        if spans[i][1] > start:
            return True
        i -= 1
    return False


def load_landmarks() -> list[Landmark]:
    out = []
    for _, (k, d, code, place, iso, admin1, a1, a2, window, sig) in read_rows("landmarks.tsv", 10):
        groups = tuple(re.compile(r"(?:" + g.strip() + r")") for g in sig.split(" & "))
        out.append(Landmark(k, date.fromisoformat(d), code, place, iso, admin1, a1, a2, int(window), groups))
    return out


@dataclass
class Hit:
    start: int
    end: int
    code: str
    weight: float
    weapon: str | None = None
    countable: bool = False


@dataclass
class Mention:
    doc_id: str
    para: int
    sent: tuple[int, int]
    span: tuple[int, int]
    code: str
    weapon: str | None = None
    date: DateRef | None = None
    place: PlaceMention | None = None
    actors: list[ActorMention] = field(default_factory=list)
    sent_places: list[PlaceMention] = field(default_factory=list)
    claimant: str | None = None
    self_claim: bool = False
    munitions: int | None = None
    intercepted: int | None = None
    killed: int | None = None
    injured: int | None = None
    sources: list[str] = field(default_factory=list)
    count: int = 1
    announce: bool = False
    landmark: Landmark | None = None
    folded: str = ""  # folded sentence
    target_kind: str | None = None  # convoy, base, embassy
    another: bool = False  # "une autre salve", "another rocket attack": not an event told before
    join_only: bool = False  # too little support to be an event of its own; it can add to one
    strength: float = 0.0  # the weight of its strongest typed trigger
    anchor: DateRef | None = None  # "deux jours après l'assassinat": dated from the other event of the sentence


@dataclass
class SentenceInfo:
    start: int
    end: int
    para: int
    skipped: str | None = None  # why the sentence holds no event ("related link", "caption", ...)


@dataclass
class _Pending:
    """A sentence's mentions, with what filling in their arguments needs."""

    start: int
    end: int
    mentions: list[Mention]
    folded: str
    lang: str
    self_claim: bool
    dates: list[DateRef]
    actor_spans: list[tuple[int, int]]
    counted: tuple


@dataclass
class Detection:
    """What `Extractor.detect` found in one article."""

    candidates: list[tuple[int, int]]  # the sentences that may hold an event (they overlap a hotspot)
    pending: list[_Pending] = field(default_factory=list)

    @property
    def sentences(self) -> list[tuple[int, int]]:
        """The sentences that hold a mention: only their entities matter."""
        return [(p.start, p.end) for p in self.pending]


class Extractor:
    """Finds event mentions in an article; holds the compiled rules of both languages."""

    def __init__(self, lex: Lexicon, gazetteer: Gazetteer) -> None:
        self.lex = lex
        self.gaz = gazetteer
        self.dates = DateFinder(lex.calendar)
        self.landmarks = load_landmarks()
        self._screens: dict[str, re.Pattern[str]] = {}
        # any landmark's first (most distinctive) group: one pass instead of one per landmark
        names = [a for lm in self.landmarks for a in split_alternatives(lm.groups[0].pattern[3:-1])]  # unwrap (?:...)
        self._landmark_names = re.compile(prefix_guard(names) + "(?:" + ("|".join(names) or "(?!)") + ")")

    # -- sentences -------------------------------------------------------------
    def sentence_infos(self, text: str, folded: str, sentences: list[tuple[int, int]], lang: str,
                       line_lang=None) -> list[SentenceInfo]:
        skip = self.lex.cue(lang, "skip_line")
        caption = self.lex.cue(lang, "caption")
        infos: list[SentenceInfo] = []
        para, last_nl, why = 0, -1, None
        for s, e in sentences:
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

    # -- mentions --------------------------------------------------------------
    def detect(self, doc_id: str, folded: str, lang: str, published: date, infos: list[SentenceInfo],
               hot: list[tuple[int, int]] | None = None) -> "Detection":
        """The event mentions of each sentence, before their places and actors are filled in.

        `hot` are the article's hotspots (computed here when not given). Whether
        a sentence holds an event does not depend on named entities, so this
        needs no parser; `Detection.sentences` are the sentences whose entities
        `complete` will use, and the only ones the pipeline sends to spaCy.
        """
        if hot is None:
            hot = self.hotspots(folded, lang)
        candidates = [(i.start, i.end) for i in infos if not i.skipped and overlaps(hot, i.start, i.end)]
        actors = find_actors(self.lex, folded)
        found = Detection(candidates)
        para_dates: dict[int, list[DateRef]] = {}
        screened = set(candidates)
        for info in infos:
            if info.skipped or (info.start, info.end) not in screened:
                continue
            s, e = info.start, info.end
            actor_spans = [(a.start, a.end) for a in actors if s <= a.start and a.end <= e]
            dates = [d for d in self.dates.find(folded[s:e], published) if d.kind not in ("future", "year")]
            context_dates = para_dates.get(info.para, [])
            pending = self._sentence(doc_id, folded, s, e, info.para, lang, published, dates, context_dates,
                                     actor_spans)
            if pending is not None:
                found.pending.append(pending)
            para_dates.setdefault(info.para, []).extend(d for d in dates if d.date)
        return found

    def complete(self, found: "Detection", text: str, folded: str, context: dict[str, float],
                 entities: list[tuple[int, int, str]]) -> tuple[list[Mention], list[PlaceMention]]:
        """Places, actors, counts and sources of the detected mentions; and the candidate sentences' places."""
        places = self.gaz.find(text, folded, context, entities, found.candidates)
        out: list[Mention] = []
        for p in found.pending:
            sent_places = [pl for pl in places if p.start <= pl.start and pl.end <= p.end and pl.chosen]
            self._arguments(p.mentions, p.folded, p.start, p.lang, sent_places, p.self_claim, p.dates,
                            p.actor_spans, p.counted)
            for m in p.mentions:
                m.join_only = not m.landmark and not _supported(m, bool(p.actor_spans))
            out.extend(p.mentions)
        return out, places

    def screen(self, lang: str) -> re.Pattern[str]:
        """One pattern that matches wherever any trigger or weapon could: a cheap first look.

        The alternatives that start at a word boundary share one leading `\\b` and a
        lookahead on their possible first three letters, so the engine tries the long
        alternation only where a word starts as some trigger does (6 to 8 times faster
        than the plain alternation on news text).
        """
        if lang not in self._screens:
            parts = [t.regex.pattern for t in self.lex.for_lang(self.lex.triggers, lang) if t.code not in ("TARGET", "TOPIC")]
            parts += [w.regex.pattern for w in self.lex.for_lang(self.lex.weapons, lang)]
            alts = [a for p in parts for a in split_alternatives(p)]
            at_word = [a[2:] for a in alts if a.startswith("\\b")]
            others = [a for a in alts if not a.startswith("\\b")]
            pattern = "\\b" + prefix_guard(at_word) + "(?:" + "|".join(f"(?:{a})" for a in at_word) + ")"
            if others:
                pattern += "|" + "|".join(f"(?:{a})" for a in others)
            self._screens[lang] = re.compile(pattern)
        return self._screens[lang]

    def hotspots(self, folded: str, lang: str) -> list[tuple[int, int]]:
        """Sorted spans of the folded text where an event could be mentioned.

        Trigger and weapon matches, plus the matches of every signature group of a
        landmark whose groups all occur somewhere in the text. An article with none
        holds no event; a sentence with none holds no event either.
        """
        spots = [m.span() for m in self.screen(lang).finditer(folded)]
        if not self._landmark_names.search(folded):  # most articles cite no landmark at all
            spots.sort()
            return spots
        for lm in self.landmarks:
            if not lm.groups[0].search(folded) or not all(g.search(folded) for g in lm.groups[1:]):
                continue
            spots.extend(m.span() for g in lm.groups for m in g.finditer(folded))
        spots.sort()
        return spots

    def _hits(self, f: str, lang: str) -> list[Hit]:
        hits = [Hit(m.start(), m.end(), t.code, t.weight)
                for t in self.lex.for_lang(self.lex.triggers, lang) for m in t.regex.finditer(f)]
        hits += [Hit(m.start(), m.end(), "WEAPON", 0.5, w.name, w.countable)
                 for w in self.lex.for_lang(self.lex.weapons, lang) for m in w.regex.finditer(f)]
        for h in hits:  # "arrêté" is an arrest only with people as its object
            if h.code == "ARREST" and h.weight < 1.0:
                h.weight = 1.0 if _PERSON_OBJ.search(f[h.end:h.end + 60]) else 0.0
        hits = [h for h in hits if h.weight > 0]
        hits.sort(key=lambda h: (h.start, -h.end))
        return hits

    def _sentence(self, doc_id: str, folded: str, s: int, e: int, para: int, lang: str,
                  published: date, dates: list[DateRef], context_dates: list[DateRef],
                  actor_spans: list[tuple[int, int]]) -> "_Pending | None":
        f = folded[s:e]
        hits = self._hits(f, lang)
        landmark_mentions = self._landmarks(doc_id, f, s, e, para, published, dates, context_dates)
        if landmark_mentions:
            dates = _anniversaries(f, landmark_mentions, dates)
        if not hits and not landmark_mentions:
            return None
        clusters: list[list[Hit]] = []
        for h in hits:
            last = max(x.end for x in clusters[-1]) if clusters else 0
            if (clusters and h.start - last <= GAP and not _CLAUSE_BREAK.search(f, last, max(last, h.start))
                    and not _other_kind(clusters[-1], h)):
                clusters[-1].append(h)
            else:
                clusters.append([h])
        irrealis = [m.start() for p in self.lex.cue(lang, "irrealis") for m in p.finditer(f)]
        habitual = [m.start() for p in self.lex.cue(lang, "habitual") for m in p.finditer(f)]
        question = f.rstrip().endswith("?")
        self_claim = any(p.search(f) for p in self.lex.cue(lang, "self_claim"))
        bonus = 0.3 if self_claim else 0.0
        if any(p.search(f) for p in self.lex.cue(lang, "claim")):
            bonus += 0.5
        counted = casualties(f, lang)
        if counted != (None, None):
            bonus += 0.5
        mentions: list[Mention] = []
        for cl in clusters:
            cs, ce = cl[0].start, max(h.end for h in cl)
            code, weapon = self._classify(cl, f, lang, self_claim, bonus)
            if code is None or question or _in_clause(f, habitual, cs, ce):
                continue
            if any(cs - 90 <= i <= ce and not re.search(r"[.;:!?]", f[i:cs]) for i in irrealis):
                if code not in ("OTHER", "AGREE") or not any(p.search(f) for p in self.lex.cue(lang, "announce")):
                    continue
            m = Mention(doc_id, para, (s, e), (s + cs, s + ce), code, weapon, folded=f,
                        strength=max((h.weight for h in cl if h.code == code), default=0.0))
            m.another = bool(_ANOTHER.search(f[max(0, cs - 30):ce]))
            m.target_kind = next((t for h in cl if h.code == "TARGET"
                                  for t in ("convoy", "base", "embassy") if _target_kind(f[h.start:h.end]) == t), None)
            self._counts(m, cl, f, lang)
            mentions.append(m)
        if landmark_mentions:
            mentions = self._absorb(landmark_mentions, mentions)
        if not mentions:
            return None
        return _Pending(s, e, mentions, f, lang, self_claim, dates, actor_spans, counted)

    def _classify(self, cl: list[Hit], f: str, lang: str, self_claim: bool,
                  bonus: float) -> tuple[str | None, str | None]:
        spec: dict[str, float] = {}
        attack = target = 0.0
        weapons = [h for h in cl if h.code == "WEAPON"]
        weapon_hit = min(weapons, key=lambda h: (_WEAPON_RANK.get(h.weapon or "", 0), h.start)) if weapons else None
        topic = 0.0
        for h in cl:
            if h.code == "ATTACK":
                if weapon_hit is None or not (h.start < weapon_hit.end and weapon_hit.start < h.end):
                    attack = max(attack, h.weight)
            elif h.code == "TARGET":
                target = max(target, h.weight)
            elif h.code == "TOPIC":
                topic = max(topic, h.weight)
            elif h.code != "WEAPON":
                spec[h.code] = max(spec.get(h.code, 0.0), h.weight)
        weapon = weapon_hit.weapon if weapon_hit else None
        wcode = next((w.code for w in self.lex.weapons if w.name == weapon), None)
        if "INTERCEPT" in spec:
            none = any(p.search(f) for p in self.lex.cue(lang, "intercept_none"))
            if none or (weapon and _IMPACT.search(f)):
                del spec["INTERCEPT"]
                attack = max(attack, 0.5)
        score = attack + target + (0.5 if weapon else 0.0) + max(spec.values(), default=0.0) + bonus
        if spec and not attack:
            score += topic
        if score < 1.0:
            return None, weapon
        if "INTERCEPT" in spec and weapon in ("drone", "missile", "rocket", "mortar", "artillery"):
            return "INTERCEPT", weapon  # "two drones were shot down": the interception is the event
        strong = [c for c in STRONG_ORDER if spec.get(c, 0) >= 1.0]
        if strong:
            code = strong[0]
            if code in ("AIR", "SHELL", "IED") and wcode in ("AIR", "SHELL", "IED") and weapon not in ("explosive",):
                if not (code == "AIR" and weapon in ("missile",)):
                    code = wcode
            return code, weapon
        if wcode and (attack or spec.get("AIR") or target or spec):
            if weapon == "explosive" and spec.get("AIR", 0) >= 0.5 and not target:
                return "AIR", None
            return wcode, weapon
        if spec.get("AIR"):
            if target and not self_claim and re.search(r"\bbases?\b|\bambassade|\bembass", f):
                return "SHELL", weapon
            return "AIR", weapon
        rest = [c for c in STRONG_ORDER if c in spec]
        if rest:
            return rest[0], weapon
        if attack and target:
            kinds = {_target_kind(f[h.start:h.end]) for h in cl if h.code == "TARGET"}
            if "convoy" in kinds:
                return "IED", weapon
            return "SHELL", weapon
        if attack or bonus >= 0.5:
            return "ATTACK", weapon  # an attack of unknown kind: it can only join an event
        return None, weapon

    def _counts(self, m: Mention, cl: list[Hit], f: str, lang: str) -> None:
        for h in cl:
            if h.code == "WEAPON" and h.countable and m.munitions is None:
                n = count_before(f, h.start, lang)
                if n is not None and 0 < n < 1000:
                    m.munitions = n
        if any(p.search(f) for p in self.lex.cue(lang, "intercept_none")):
            m.intercepted = 0
        mt = _COUNTED_TARGET.search(f)
        if mt and m.code in ("IED", "SHELL", "AIR"):
            n = mt.group("n")
            m.count = int(n) if n.isdigit() else _NUMS.get(n, 1)

    def _landmarks(self, doc_id: str, f: str, s: int, e: int, para: int, published: date,
                   dates: list[DateRef], context_dates: list[DateRef]) -> list[Mention]:
        out = []
        for lm in self.landmarks:
            if lm.date > published:
                continue
            found = [g.search(f) for g in lm.groups]
            if not all(found):
                continue
            span = (min(x.start() for x in found if x), max(x.end() for x in found if x))
            own = [d for d in dates if d.kind in ("absolute", "deictic") and d.date
                   and min(abs(d.start - span[1]), abs(span[0] - d.end)) < 60]
            if own:
                if not any(_compatible(d, lm.date) for d in own):
                    continue
            elif context_dates:
                if not _compatible(context_dates[-1], lm.date) and (published - lm.date).days > lm.window:
                    continue
            elif (published - lm.date).days > lm.window:
                continue
            start = min(x.start() for x in found if x)
            m = Mention(doc_id, para, (s, e), (s + start, s + max(x.end() for x in found if x)), lm.code,
                        landmark=lm, folded=f)
            out.append(m)
        return out

    @staticmethod
    def _absorb(landmarks: list[Mention], mentions: list[Mention]) -> list[Mention]:
        """Regular mentions of the landmark's kind in its sentence are the landmark."""
        keep = []
        for m in mentions:
            lm = next((x for x in landmarks if x.code == m.code or m.code == "ATTACK"), None)
            if lm is None:
                keep.append(m)
                continue
            lm.weapon = lm.weapon or m.weapon
            lm.munitions = lm.munitions or m.munitions
        return sorted(landmarks + keep, key=lambda x: x.span)

    def _arguments(self, mentions: list[Mention], f: str, offset: int, lang: str,
                   sent_places: list[PlaceMention], self_claim: bool, dates: list[DateRef],
                   actor_spans: list[tuple[int, int]], counted: tuple[int | None, int | None]) -> None:
        receivers = [m for m in mentions if not m.landmark] or mentions
        for d in dates:
            if d.kind == "anchor":  # it dates the event named right after it
                after = [m for m in receivers if m.span[0] >= d.end + offset]
                if after:
                    m = min(after, key=lambda x: x.span[0])
                    m.anchor = d
                continue
            # an anniversary dates the other event of its sentence; other dates go to the nearest mention
            m = nearest(receivers if d.kind == "anniversary" else mentions, d.start + offset, d.end + offset)
            between = f[min(d.end, m.span[0] - offset):max(d.start, m.span[1] - offset)]
            if ";" in between or distance(m, d.start + offset, d.end + offset) > 160:
                continue
            m.date = m.date or d
        by_cluster: dict[int, list[PlaceMention]] = {}
        for p in sent_places:
            m = nearest(receivers, p.start, p.end)
            lo, hi = sorted((p.start - offset, m.span[0] - offset))
            if ";" in f[lo:hi] or distance(m, p.start, p.end) > 200:
                continue
            by_cluster.setdefault(id(m), []).append(p)
        actors = find_actors(self.lex, f)
        sources = [name for _, name in find_sources(self.lex, f)]
        killed, injured = counted
        claim = [m.start() for p in self.lex.cue(lang, "claim") for m in p.finditer(f)]
        announce = any(p.search(f) for p in self.lex.cue(lang, "announce"))
        for m in mentions:
            m.sent_places = sent_places
            cands = by_cluster.get(id(m), [])
            if m.code != "OTHER" or not announce:
                cands = [p for p in cands if p.chosen and p.chosen.kind != "seat"]
            free = [p for p in cands if p.chosen.kind != "country"
                    or not any(p.start < b and a < p.end for a, b in actor_spans)]
            cands = free or cands
            if cands:
                m.place = max(cands, key=lambda p: (p.chosen.specificity, -_place_distance(m, p)))
            m.actors = actors
            m.sources = sources
            m.killed, m.injured = killed, injured
            m.announce = announce
            m.self_claim = self_claim
            if claim:
                armed = [a for a in actors if a.actor.kind in ("militia", "rebel")]
                if armed:
                    c = min(claim)
                    m.claimant = min(armed, key=lambda a: abs(a.start - c)).actor.name


FORCE_CODES = {"SHELL", "AIR", "IED", "SUICIDE", "GRENADE", "CHEM", "INTERCEPT"}


def _supported(m: Mention, has_actor: bool) -> bool:
    """Enough concrete detail for a mention to be an event of its own.

    Weapon events need one anchor (a place, a named actor or a date); other
    events (protests, arrests, agreements, clashes...) need a place and one
    more anchor, so that "the fight against inflation" or "many were arrested"
    in general news do not become events.
    """
    has_place = any(p.chosen and p.chosen.kind != "seat" for p in m.sent_places)
    has_date = m.date is not None
    has_force = m.weapon is not None or m.killed is not None or m.injured is not None or m.munitions is not None
    if m.code in FORCE_CODES:
        return has_place or has_actor or has_date
    if m.code in ("OTHER", "BASE") and m.strength >= 1.0:
        return has_place  # "des batteries Patriot ont été déployées à Harir"
    return has_place and (has_actor or has_date or has_force)


def distance(m: Mention, start: int, end: int) -> int:
    if m.span[0] <= start < m.span[1]:
        return 0
    return min(abs(start - m.span[1]), abs(m.span[0] - end))


def nearest(mentions: list[Mention], start: int, end: int) -> Mention:
    return min(mentions, key=lambda m: distance(m, start, end))


def _place_distance(m: Mention, p: PlaceMention) -> float:
    """Places after the trigger (its object side) count as nearer than places before it."""
    d = distance(m, p.start, p.end)
    return d * 1.5 if p.end <= m.span[0] else d


_CLAUSE_EDGE = re.compile(r",? alors que\b|,? tandis que\b|;|,? while\b|,? whereas\b|,? as \w+ (?:were|was)\b")


def _in_clause(f: str, positions: list[int], cs: int, ce: int) -> bool:
    """A cue at one of `positions` governs the cluster [cs, ce) unless a clause edge lies between."""
    for i in positions:
        lo, hi = (i, cs) if i < cs else (ce, i)
        if i < cs - 120 or i > ce + 120:
            continue
        if cs <= i < ce or not _CLAUSE_EDGE.search(f, lo, max(lo, hi)):
            return True
    return False


def _other_kind(cluster: list[Hit], h: Hit) -> bool:
    """A strong trigger of another kind starts another mention ("arrested ... ended the truce")."""
    if h.weight < 1.0 or h.code in ("ATTACK", "TARGET", "TOPIC", "WEAPON"):
        return False
    kinds = {_family(x.code) for x in cluster if x.weight >= 1.0 and x.code not in ("ATTACK", "TARGET", "TOPIC", "WEAPON")}
    if any(x.code == "WEAPON" and x.weapon not in ("firearm",) for x in cluster):
        kinds.add("ERV")  # a weapon word makes the cluster an attack
    return bool(kinds) and _family(h.code) not in kinds


def _target_kind(word: str) -> str | None:
    if word.startswith(("convoi", "convoy", "patrouille", "patrol")):
        return "convoy"
    if word.startswith(("ambassade", "embass")):
        return "embassy"
    if word.startswith(("base", "caserne", "barrack", "position", "outpost", "checkpoint", "poste")):
        return "base"
    return None


def _family(code: str) -> str:
    return {"SHELL": "ERV", "AIR": "ERV", "IED": "ERV", "SUICIDE": "ERV", "GRENADE": "ERV", "CHEM": "ERV",
            "ATTACK": "ERV", "RIOT": "RIOT", "MOB": "RIOT", "PROTEST": "RIOT"}.get(code, code)


_ANNIVERSARY = re.compile(
    r"(?P<eve>(?:a )?la veille d[ue] |(?:a )?l'avant-veille d[ue] |on the eve of the )?(?:l'|the )?"
    r"(?P<n>1er|premier|deuxieme|second|troisieme|quatrieme|cinquieme|dixieme|first|third|fourth|fifth|tenth|\d+(?:e|eme|st|nd|rd|th))"
    r" (?:anniversaire|anniversary)\b")
_ORDINAL = {"1er": 1, "premier": 1, "first": 1, "deuxieme": 2, "second": 2, "troisieme": 3, "third": 3,
            "quatrieme": 4, "fourth": 4, "cinquieme": 5, "fifth": 5, "dixieme": 10, "tenth": 10}


def _anniversaries(f: str, landmarks: list[Mention], dates: list[DateRef]) -> list[DateRef]:
    """"À la veille du 1er anniversaire de l'assassinat de X": a date from the landmark's date."""
    out = list(dates)
    for m in _ANNIVERSARY.finditer(f):
        n = m.group("n")
        years = _ORDINAL.get(n) or int(re.sub(r"\D", "", n) or 0)
        lm = min(landmarks, key=lambda x: abs(x.span[0] - m.end())).landmark
        if not years or lm is None:
            continue
        try:
            d = lm.date.replace(year=lm.date.year + years)
        except ValueError:  # 29 February
            d = lm.date.replace(year=lm.date.year + years, day=28)
        if m.group("eve"):
            d -= timedelta(days=2 if "avant" in m.group("eve") else 1)
        out = [r for r in out if not (r.start < m.end() and m.start() < r.end)]
        out.append(DateRef(m.start(), m.end(), "anniversary", d, 1))
    return sorted(out, key=lambda r: r.start)


def _compatible(ref: DateRef, d: date) -> bool:
    if ref.date is None:
        return True
    if ref.kind == "deictic" and ref.precision == 3:
        return abs((ref.date - d).days) <= 45
    if ref.precision == 3:
        return (ref.date.year, ref.date.month) == (d.year, d.month)
    if ref.precision == 2:
        return abs((ref.date - d).days) <= 7
    return abs((ref.date - d).days) <= 1

