"""Event arguments read from a sentence: counts, casualties, actors, sources.

Functions take the *folded* sentence (see veille.text.fold) and return values
with the offsets they were read from.
"""
from __future__ import annotations

import re

from text_to_num import text2num

from .actors import ActorMention
from .lexicon import Lexicon

_QUANT = r"(?:plus de |au moins |pas moins de |pres de |environ |quelque |more than |at least |some |about |nearly |over |up to |jusqu'a )?"
_NUMWORD = (r"\d+(?:[  ]\d{3})*|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize|"
            r"vingt(?:[- ](?:et[- ])?(?:un|une|deux|trois|quatre|cinq|six|sept|huit|neuf))?|trente|quarante|cinquante|soixante|cent|"
            r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|twenty(?:-\w+)?|thirty|forty|fifty|hundred|"
            r"dizaine|dizaines|douzaine|douzaines|dozen|dozens|a dozen|tens|centaine|centaines|hundreds")
NUMBER = re.compile(r"(?<![\w-])" + _QUANT + r"(?P<n>" + _NUMWORD + r")(?![\w-])")
_VAGUE = {"dizaine": 10, "dizaines": 10, "douzaine": 12, "douzaines": 12, "dozen": 12, "a dozen": 12,
          "dozens": 12, "tens": 10, "centaine": 100, "centaines": 100, "hundreds": 100}


def to_int(word: str, lang: str) -> int | None:
    w = word.replace(" ", "").replace("\u202f", "").replace("\u00a0", "")
    if w.isdigit():
        return int(w)
    if word in _VAGUE:
        return _VAGUE[word]
    try:
        return int(text2num(word.replace(" ", "-"), "fr" if lang == "fr" else "en"))
    except ValueError:
        try:
            return int(text2num(word, "en" if lang == "fr" else "fr"))
        except ValueError:
            return None


def count_before(folded: str, noun_start: int, lang: str, max_gap: int = 12) -> int | None:
    """A number that ends just before a noun ("trois roquettes", "24 rockets")."""
    window = folded[max(0, noun_start - 40 - max_gap):noun_start]
    best = None
    for m in NUMBER.finditer(window):
        gap = window[m.end():]
        if len(gap) <= max_gap and re.fullmatch(r"[\s\w'-]{0,%d}" % max_gap, gap) and not re.search(r"\d", gap):
            if re.search(r"\b(?:de|d'|of|du|des|a|au|aux)\s*$", window[:m.start()]) and m.group(0).startswith(("un", "une")):
                continue
            best = to_int(m.group("n"), lang)
    return best


_KILLED = re.compile(
    r"(?P<n>" + _NUMWORD + r")(?: \w+){0,2} (?:morts?|tues?|tuees?|killed|dead|fatalities)\b"
    r"|(?:a fait|ont fait|faisant|killing|tuant|left|leaving) (?:au moins |at least )?(?P<n2>" + _NUMWORD + r") (?:morts?|victimes|people|persons|dead|\w+)"
    r"|(?P<n3>" + _NUMWORD + r") (?:personnes?|civils?|soldats?|militaires?|people|civilians?|soldiers?|\w+) (?:\w+ ){0,2}(?:ont|a|were|was|have been|has been|ete|etaient) (?:ete )?(?:tue|tues|tuee|tuees|killed)\b"
    r"|la mort d'(?P<one>un|une)\b")
_INJURED = re.compile(
    r"(?P<n>" + _NUMWORD + r")(?: \w+){0,2} (?:blesses?|blessees?|injured|wounded)\b"
    r"|(?:wounding|injuring|blessant) (?P<n2>" + _NUMWORD + r")"
    r"|(?P<n3>" + _NUMWORD + r") (?:personnes?|civils?|soldats?|people|civilians?|soldiers?|\w+) (?:\w+ ){0,2}(?:ont|a|were|was) (?:ete )?(?:legerement |grievement |gravement )?(?:blesse|blesses|blessee|blessees|injured|wounded)\b")


def casualties(folded: str, lang: str) -> tuple[int | None, int | None]:
    """(killed, injured) stated in the sentence, None when not stated."""
    killed = injured = None
    for m in _KILLED.finditer(folded):
        word = m.group("n") or m.group("n2") or m.group("n3") or m.group("one")
        n = to_int(word, lang) if word else None
        if n is not None and n < 100_000:
            killed = max(killed or 0, n)
    for m in _INJURED.finditer(folded):
        word = m.group("n") or m.group("n2") or m.group("n3")
        n = to_int(word, lang) if word else None
        if n is not None and n < 100_000:
            injured = max(injured or 0, n)
    return killed, injured


def find_actors(lex: Lexicon, folded: str, context: str | None = None,
                countries: dict[str, float] | None = None) -> list[ActorMention]:
    """The actors a folded text names: armed groups, state forces ("l'armee malienne", "Kenyan
    police", "FAMa"), international forces, community militias ("Fulani militants") and crowds.

    `context` is the text that confirms ambiguous aliases and chooses between homonyms (pass
    the article when `folded` is one of its sentences; default: `folded` itself); `countries`
    are the countries the caller knows the article is about, with weights.
    """
    return [m for m in lex.mentions(folded, context, countries) if m.actor is not None]


def find_targets(lex: Lexicon, folded: str, lang: str | None = None, context: str | None = None,
                 countries: dict[str, float] | None = None) -> list[ActorMention]:
    """Who or what the text says was hit, with what each mention can be coded as.

    Every mention has a `role` (military, police, government, civilians, protesters, rioters,
    armed; "named" for a dictionary actor) and, when the words say it, a country (`iso`:
    "soldats maliens") or an actor (`actor`: "a MINUSMA convoy"). `lex.target_names(m, iso)`
    gives the ACLED actor and associated actor, with `iso` the event's country for the rest.
    Words that need an owner ("forces", "a base") are left out when they have none.
    """
    return [m for m in lex.mentions(folded, context, countries, lang)
            if not (m.need_owner and m.iso is None and m.actor is None)]


_GENERIC_SOURCE = re.compile(
    r"\b(?:des |de |les |selon des |selon les )?(?P<what>sources?|responsables?|presse|medias?|temoins?|officials?|witnesses|residents|press|media)"
    r" (?P<adj>\w+)?(?: (?P<adj2>\w+))?")
_SOURCE_ADJ = {"irakiennes": "Iraqi", "irakienne": "Iraqi", "irakiens": "Iraqi", "iraqi": "Iraqi",
               "securitaires": "security", "securitaire": "security", "security": "security",
               "locales": "local", "locaux": "local", "local": "local", "americains": "US", "americaines": "US",
               "militaires": "military", "military": "military", "syriennes": "Syrian", "syrian": "Syrian",
               "iraniens": "Iranian", "iraniennes": "Iranian", "iranian": "Iranian", "kurdes": "Kurdish",
               "medicales": "medical", "medical": "medical", "policieres": "police", "police": "police"}
_SOURCE_NOUN = {"source": "sources", "sources": "sources", "responsable": "officials", "responsables": "officials",
                "presse": "press", "press": "press", "media": "media", "medias": "media", "temoin": "witnesses",
                "temoins": "witnesses", "officials": "officials", "witnesses": "witnesses", "residents": "residents"}


def find_sources(lex: Lexicon, folded: str) -> list[tuple[int, str]]:
    """Who the sentence says reports it: (offset, name)."""
    out = [(m.start(), lex.sources[m.group(0)]) for m in lex.source_regex.finditer(folded)]
    named = {n for _, n in out}
    if "Telegram channel" in named and len(named) > 1:
        out = [(o, n) for o, n in out if n != "Telegram channel"]
    for m in _GENERIC_SOURCE.finditer(folded):
        adj = _SOURCE_ADJ.get(m.group("adj") or "") or _SOURCE_ADJ.get(m.group("adj2") or "")
        if adj is None:
            continue
        out.append((m.start(), f"{adj} {_SOURCE_NOUN[m.group('what')]}"))
    return out
