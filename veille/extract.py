"""Stage "arguments": the places, actors, counts, sources and dates of detected mentions.

Needs the classified sentences of an article (veille.detection, veille.classify)
and the named entities of the sentences that hold a mention; gives mentions
with their arguments, and the places found in the candidate sentences. Dates
and places go to the nearest mention of their sentence.
"""
from __future__ import annotations

from .arguments import find_actors, find_sources
from .dates import DateRef
from .detection import Detection, Mention
from .lexicon import Lexicon
from .places import Gazetteer, PlaceMention


class Arguments:
    """Fills in the arguments of mentions; holds the lexicon and the gazetteer."""

    def __init__(self, lex: Lexicon, gazetteer: Gazetteer) -> None:
        self.lex = lex
        self.gaz = gazetteer

    def complete(self, found: Detection, text: str, folded: str, context: dict[str, float],
                 entities: list[tuple[int, int, str]]) -> tuple[list[Mention], list[PlaceMention]]:
        """Places, actors, counts and sources of the detected mentions; and the candidate sentences' places."""
        spans = [(x.start, x.end) for x in found.sentences if x.hits or x.mentions]
        places = self.gaz.find(text, folded, context, entities, spans)
        out: list[Mention] = []
        for p in found.pending:
            sent_places = [pl for pl in places if p.start <= pl.start and pl.end <= p.end and pl.chosen]
            self._arguments(p.mentions, p.folded, p.start, p.lang, sent_places, p.self_claim, p.dates,
                            p.actor_spans, p.counted)
            for m in p.mentions:
                m.join_only = m.join_only or not (m.confirmed or m.landmark or _supported(m, bool(p.actor_spans)))
            out.extend(p.mentions)
        return out, places

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


