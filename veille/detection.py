"""Rule detection: event mentions from trigger words, weapons, cues and landmarks.

A sentence holds a rule mention when trigger weights near each other add up
to 1.0 (triggers.tsv, weapons.tsv); irrealis and habitual clauses hold none
(cues.tsv). Several clusters far apart in one sentence are several mentions
("struck X to avenge the rocket raid on Y"). The rules also describe every
sentence for the learned classifier (`rule_features`), which has the last
word on whether and what a sentence reports (veille.classify).

Stage "detection": needs the article's sentences and hotspots; gives, for each
candidate sentence, its rule mentions, dates and features (`Detection`).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta

from .arguments import ActorMention, casualties, count_before, find_actors
from .dates import DateFinder, DateRef
from .lexicon import Lexicon, read_rows
from .nlp import SentenceInfo
from .places import PlaceMention

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
_CUES = ("irrealis", "habitual", "claim", "self_claim", "announce", "intercept_none")
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


def _first_within(spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """The first of the sorted `spans` that overlaps [start, end), relative to `start`."""
    i = max(0, bisect_right(spans, (start, -1)) - 1)
    while i < len(spans) and spans[i][1] <= start:
        i += 1
    if i < len(spans) and spans[i][0] < end:
        return max(0, spans[i][0] - start), min(end, spans[i][1]) - start
    return 0, end - start


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
    confirmed: bool = False  # the classifier says its sentence reports an event of this type
    typed_by_rules: bool = False  # a weapon word or a strong trigger gave its type, not the model alone
    p_background: float | None = None  # the classifier's probability that its sentence recalls a past event
    probability: float = 0.0  # the classifier's probability for its type
    strength: float = 0.0  # the weight of its strongest typed trigger
    anchor: DateRef | None = None  # "deux jours après l'assassinat": dated from the other event of the sentence


@dataclass
class Sentence:
    """One candidate sentence: its rule mentions, and what filling in their arguments needs."""

    start: int
    end: int
    para: int
    folded: str
    lang: str
    mentions: list[Mention]
    self_claim: bool
    dates: list[DateRef]
    actor_spans: list[tuple[int, int]]
    counted: tuple[int | None, int | None]
    hits: list[Hit]
    rule_features: list[str]
    cue: tuple[int, int] | None = None  # the first trigger or candidate word, relative to the sentence
    label: str | None = None  # what the classifier says it reports (a sub-event type, or "none")
    probability: float = 0.0  # of that label
    p_event: float = 0.0  # the classifier's probability that the sentence reports an event


@dataclass
class Detection:
    """What `RuleDetector.detect` found in one article, and the classifier decided."""

    sentences: list[Sentence] = field(default_factory=list)  # the candidate sentences, in order
    n_sentences: int = 0  # all the article's sentences, candidates or not

    @property
    def pending(self) -> list[Sentence]:
        """The sentences that hold a mention: only their entities and arguments matter."""
        return [x for x in self.sentences if x.mentions]

    @property
    def spans(self) -> list[tuple[int, int]]:
        return [(x.start, x.end) for x in self.pending]


class RuleDetector:
    """Finds rule mentions in an article's sentences; holds the compiled rules of both languages."""

    def __init__(self, lex: Lexicon) -> None:
        self.lex = lex
        self.dates = DateFinder(lex.calendar)
        self.landmarks = load_landmarks()

    def detect(self, doc_id: str, folded: str, lang: str, published: date, infos: list[SentenceInfo],
               hot: list[tuple[int, int]], candidates: list[tuple[int, int]]) -> Detection:
        """The candidate sentences of an article and their rule mentions, before places and actors.

        A sentence is a candidate when it overlaps a hotspot or a candidate word (see
        veille.gate); only hotspot sentences can hold rule mentions. Whether a sentence
        holds an event does not depend on named entities, so this needs no parser.
        """
        actors = find_actors(self.lex, folded)
        found = Detection(n_sentences=len(infos))
        para_dates: dict[int, list[DateRef]] = {}
        for info in infos:
            if info.skipped:
                continue
            s, e = info.start, info.end
            is_hot = overlaps(hot, s, e)
            if not is_hot and not overlaps(candidates, s, e):
                continue
            actor_spans = [(a.start, a.end) for a in actors if s <= a.start and a.end <= e]
            if is_hot:
                dates = self.sentence_dates(folded[s:e], published)
                found.sentences.append(self._sentence(doc_id, folded, s, e, info.para, lang, published, dates,
                                                      para_dates.get(info.para, []), actor_spans))
                para_dates.setdefault(info.para, []).extend(d for d in dates if d.date)
            else:
                found.sentences.append(self._quiet_sentence(folded, s, e, info.para, lang, actor_spans))
            found.sentences[-1].cue = _first_within(hot if is_hot else candidates, s, e)
        return found

    def sentence_dates(self, f: str, published: date) -> list[DateRef]:
        """The date expressions of a folded sentence that can date an event of the past."""
        return [d for d in self.dates.find(f, published) if d.kind not in ("future", "year")]

    def describe(self, f: str, lang: str) -> list[str]:
        """The rule features of a folded sentence on its own, as `detect` computes them (for training)."""
        hits = self._hits(f, lang) if self._screen_hit(f, lang) else []
        cues = {c for c in _CUES if any(p.search(f) for p in self.lex.cue(lang, c))}
        actor_spans = [(a.start, a.end) for a in find_actors(self.lex, f)]
        return self._features(f, hits, cues, casualties(f, lang), actor_spans)

    def _screen_hit(self, f: str, lang: str) -> bool:
        return any(t.regex.search(f) for t in self.lex.for_lang(self.lex.triggers, lang)
                   if t.code not in ("TARGET", "TOPIC")) or \
            any(w.regex.search(f) for w in self.lex.for_lang(self.lex.weapons, lang))

    def _quiet_sentence(self, folded: str, s: int, e: int, para: int, lang: str,
                        actor_spans: list[tuple[int, int]]) -> Sentence:
        """A candidate sentence without trigger words: no rule mention, its features only."""
        f = folded[s:e]
        counted = casualties(f, lang)
        cues = {c for c in _CUES if any(p.search(f) for p in self.lex.cue(lang, c))}
        return Sentence(s, e, para, f, lang, [], "self_claim" in cues, [], actor_spans, counted, [],
                        self._features(f, [], cues, counted, actor_spans))

    def _features(self, f: str, hits: list[Hit], cues: set[str], counted: tuple[int | None, int | None],
                  actor_spans: list[tuple[int, int]]) -> list[str]:
        """What the rules see in a folded sentence, as features for the learned classifier."""
        out = {f"t:{h.code}" for h in hits if h.code != "WEAPON"}
        out.update(f"T:{h.code}" for h in hits if h.weight >= 1.0 and h.code != "WEAPON")
        out.update(f"wpn:{h.weapon}" for h in hits if h.code == "WEAPON")
        out.update(f"cue:{c}" for c in cues)
        if counted[0] is not None:
            out.add("killed")
        if counted[1] is not None:
            out.add("injured")
        if f.rstrip().endswith("?"):
            out.add("question")
        if actor_spans:
            out.add("actor")
        return sorted(out)

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
                  actor_spans: list[tuple[int, int]]) -> Sentence:
        f = folded[s:e]
        hits = self._hits(f, lang)
        cues = {c for c in _CUES if any(p.search(f) for p in self.lex.cue(lang, c))}
        counted = casualties(f, lang)
        self_claim = "self_claim" in cues
        found = Sentence(s, e, para, f, lang, [], self_claim, dates, actor_spans, counted, hits,
                         self._features(f, hits, cues, counted, actor_spans))
        landmark_mentions = self._landmarks(doc_id, f, s, e, para, published, dates, context_dates)
        if landmark_mentions:
            found.dates = _anniversaries(f, landmark_mentions, dates)
        clusters: list[list[Hit]] = []
        for h in hits:
            last = max(x.end for x in clusters[-1]) if clusters else 0
            if (clusters and h.start - last <= GAP and not _CLAUSE_BREAK.search(f, last, max(last, h.start))
                    and not _other_kind(clusters[-1], h)):
                clusters[-1].append(h)
            else:
                clusters.append([h])
        irrealis = [m.start() for p in self.lex.cue(lang, "irrealis") for m in p.finditer(f)] if "irrealis" in cues else []
        habitual = [m.start() for p in self.lex.cue(lang, "habitual") for m in p.finditer(f)] if "habitual" in cues else []
        question = f.rstrip().endswith("?")
        bonus = 0.3 if self_claim else 0.0
        if "claim" in cues:
            bonus += 0.5
        if counted != (None, None):
            bonus += 0.5
        mentions: list[Mention] = []
        for cl in clusters:
            cs, ce = cl[0].start, max(h.end for h in cl)
            code, weapon = self._classify(cl, f, lang, self_claim, bonus)
            if code is None or question or _in_clause(f, habitual, cs, ce):
                continue
            if any(cs - 90 <= i <= ce and not re.search(r"[.;:!?]", f[i:cs]) for i in irrealis):
                if code not in ("OTHER", "AGREE") or "announce" not in cues:
                    continue
            mentions.append(self.mention(doc_id, found, code, cl, weapon))
        if landmark_mentions:
            mentions = self._absorb(landmark_mentions, mentions)
        found.mentions = mentions
        return found

    def new_mention(self, doc_id: str, x: Sentence, code: str) -> Mention:
        """A mention of type `code` where the rules found none: at the sentence's hits, or its first cue word."""
        weapons = [h for h in x.hits if h.code == "WEAPON"]
        weapon = min(weapons, key=lambda h: (_WEAPON_RANK.get(h.weapon or "", 0), h.start)).weapon if weapons else None
        cluster = x.hits or [Hit(*(x.cue or (0, x.end - x.start)), code, 0.0)]
        return self.mention(doc_id, x, code, cluster, weapon)

    def mention(self, doc_id: str, x: Sentence, code: str, cluster: list[Hit], weapon: str | None) -> Mention:
        """A mention of type `code` at the hits of `cluster` in sentence `x`."""
        f, s = x.folded, x.start
        cs, ce = cluster[0].start, max(h.end for h in cluster)
        m = Mention(doc_id, x.para, (s, x.end), (s + cs, s + ce), code, weapon, folded=f,
                    strength=max((h.weight for h in cluster if h.code == code), default=0.0))
        m.another = bool(_ANOTHER.search(f[max(0, cs - 30):ce]))
        m.target_kind = next((t for h in cluster if h.code == "TARGET"
                              for t in ("convoy", "base", "embassy") if _target_kind(f[h.start:h.end]) == t), None)
        self._counts(m, cluster, f, x.lang)
        return m

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

