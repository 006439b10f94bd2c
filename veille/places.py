"""Places: find the place names of a text and decide which place each one is.

Candidates come from the world index (`placeindex`: GeoNames towns down to 500 inhabitants,
first- and second-level divisions, countries, with their alternate names) and from veille's
curated sites (`data/places.tsv`: bases, airports, embassies, districts, exonyms). Names are
compared through `text.key`, which folds French and English transliterations together.

Among homonyms the choice uses the evidence a reader uses (`Context`, built once per
article by `context_countries`):
    - the countries the article names (names, adjectives, capitals) and their neighbours;
    - the divisions it names ("in Borno State", "région de Mopti", "province du Nord-Kivu");
    - what encloses the name in its sentence ("Kuriga, Kaduna State", "X village in Y Township",
      "à X, dans la région de Y", "X (Y)"): a candidate outside it is not chosen;
    - nearness to the other places the article names;
    - population and kind (a division, a city, a village).
A homonym on another continent than every country the article names is never chosen unless
it is a world city written with its own name. Small places need a cue that the word is a
place (a preposition, an attack verb, a division word, an enclosing place), so that people
and common words do not become places.

A name that matches nothing but stands where a place stands ("the village of X", "X
village", "à X, dans la région de Y", "in X, Y State") is kept as written and placed at
what encloses it (a district, a division or the country) with the matching geo_precision.
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .lexicon import alias_regex, demonym_words, read_rows
from .placeindex import (ADMIN1, ADMIN2, COUNTRY, GEO_PRECISION, SPECIFICITY, GazetteerIndex, Place,  # noqa: F401
                         load_index)
from .text import fold, key, words

DEMONYM_ISO: dict[str, str] = demonym_words()

_CAPS = re.compile(
    r"(?<![\w-])(?:(?:al|el|as|ad|an|ar|at|az|ash|ach)[-‐ ])?[A-ZÀ-Ý][\w'’-]*[\w]"
    r"(?:(?:[ -](?:(?:al|el|as|ad|an|ar|at|az|ash|de|del|du|ez|es|bin|ibn|abu|abou|umm|um|of|the|d')[ -]?)?)"
    r"[A-ZÀ-Ý][\w'’-]*[\w]){0,3}")
_NEAR = re.compile(r"(?:pres d[e']|pres du|non loin d[e']|aux abords d[e']|a proximite d[e']|au (?:nord|sud)(?:-(?:est|ouest))? d[e']|"
                   r"a l'(?:est|ouest) d[e']|au (?:nord|sud|large) du|region d[e']|environs d[e']|peripherie d[e']|"
                   r"a \d+ km d[e']|near|outside|north of|south of|east of|west of|on the outskirts of|close to|\d+ ?km from)\s*(?:l'|la |le |les )?$")
_STOP = {key(w) for w in (
    "le la les un une des de du lire voir ce cette ces il elle ils nous vous on mais et ou donc or ni car "
    "the a an this that these those he she they we it in on at of for and but or lundi mardi mercredi jeudi "
    "vendredi samedi dimanche monday tuesday wednesday thursday friday saturday sunday selon according "
    "source sources photo tv bref pourtant ensuite comme depuis alors apres avant lors plus moins tout "
    "partager article president general commandant ministre secretaire porte parole resistance armee "
    "forces etat etats occident ouest est nord sud centre hier mars mai juin aout janvier fevrier avril juillet "
    "septembre octobre novembre decembre january february march april may june july august september october "
    "november december christmas noel police army village town city state region province district "
    "government governor minister islamic muslim christian catholic church mosque school university "
    "some several many all most both each every other another such no not as if when while after before "
    "since during there here where what who why how also however meanwhile yesterday today tomorrow "
    "said says told added his her their our your its mr mrs ms dr sir madam leur leurs son sa ses notre nos votre "
    "vos mon ma mes cet quel quelle dont ainsi aussi encore deja toujours jamais mayor maire").split()}
_COMPASS = (r"(?:(?:north|south)(?:-?(?:east|west))?(?:ern)?|east(?:ern)?|west(?:ern)?|central|"
            r"nord|sud|est|ouest|centre|(?:nord|sud)-(?:est|ouest))")
_LOCATIVE = re.compile(r"(?:\b(?:a|au|aux|dans|pres de|pres d'|vers|sur|in|near|at|to|from|outside|into|on|onto|over|"
                       rf"en|entre|between|across|around|toward|towards|through)\s*(?:la |le |l'|the )?(?:{_COMPASS} )?)$")
# verbs whose object is a place in conflict news: "fighters overran X", "les jihadistes ont attaqué X"
_VERB = re.compile(r"\b(?:attack(?:ed|ing|s)?|storm(?:ed|ing|s)?|bomb(?:ed|ing|s)?|shell(?:ed|ing|s)?|captur(?:ed|ing|es?)|"
                   r"seiz(?:ed|ing|es?)|overr(?:an|un|unning)|raid(?:ed|ing|s)?|struck|strik(?:es?|ing)|hit|"
                   r"besieg(?:ed|ing|es?)|recaptur(?:ed|ing|es?)|retook|retak(?:en|ing|es?)|loot(?:ed|ing|s)?|"
                   r"invad(?:ed|ing|es?)|torch(?:ed|ing|es)?|burn(?:ed|t)|ambush(?:ed|ing|es)?|target(?:ed|ing|s)?|"
                   r"attaque(?:nt|r)?|vise(?:nt|r)?|frappe(?:nt|r)?|bombarde(?:nt|r)?|pris|repris|envahi|pille|"
                   r"incendie|assiege|investi|occupe|cible)\s+(?:the |la |le |l'|les )?$")
# "de", "du", "of" before a name: a place only if it is one of the article's countries ("le Dôme de fer")
_GENITIVE = re.compile(r"\b(?:de|d'|du|des|of)\s*(?:la |le |l'|the )?$")
# words that make a capitalised phrase the name of an outlet or an organisation, not of a place
_ORG_TAIL = {"post", "times", "news", "tribune", "journal", "herald", "daily", "gazette", "observer", "telegraph",
             "express", "mail", "guardian", "agency", "press", "radio", "tv", "television", "monitor", "standard",
             "chronicle", "review", "magazine", "insider", "today", "fc", "united", "party", "front", "movement"}

# division and settlement words: after a name in English ("Kaduna State", "Pale Township",
# "Kuriga village"), before it in both languages ("the village of", "la région de")
_SETTLEMENT = r"village|villages|town|city|locality|hamlet|community|settlement|neighbou?rhood|suburb|camp|ville|localite|hameau|bourgade|quartier|cite|agglomeration|douar"
_ADMIN2 = r"township|district|commune|municipality|county|sub-?district|local government area|lga|territory|territoire|cercle|arrondissement|tehsil|chefferie|groupement|secteur|department|departement|prefecture|sous-prefecture|raion|rayon"
_ADMIN1 = r"region|province|state|governorate|gouvernorat|oblast|wilaya|etat|regional state"
# the words after which an unknown name is still a place, kept as written
_WRITTEN = re.compile(r"villages?|town|hamlet|locality|township|district|lga|local government area|commune|cercle|county|"
                      r"sub-?district|tehsil|municipality|neighbou?rhood|suburb|ville|localite|hameau|quartier|"
                      r"arrondissement|chefferie|groupement|secteur|territoire|departement|douar")
# English puts the division word after the name ("Kaduna State"); French before it ("l'État de Kaduna")
_AFTER_WORDS = (r"villages?|town|city|locality|hamlet|community|settlement|neighbou?rhood|suburb|camp|township|district|"
                r"commune|municipality|county|sub-?district|local government area|lga|territory|tehsil|department|"
                r"prefecture|raion|rayon|region|province|state|governorate|oblast")
_TYPE_AFTER = re.compile(rf"(?:[ ]+|, (?:a |the |another |small )*)({_AFTER_WORDS})\b|"
                         rf", (?:un |une |le |la |petit |petite )+({_SETTLEMENT}|{_ADMIN2}|{_ADMIN1})\b")
_TYPE_BEFORE = re.compile(rf"\b(?:the |le |la |l'|les )?({_SETTLEMENT}|{_ADMIN2}|{_ADMIN1}|etat) (?:of |de la |de l'|du |des |de |d')$")
_TITLE = re.compile(r"\b(?:president|presidente?|governor|gov|general|gen|minister|ministre|mr|mrs|ms|dr|sheikh|cheikh|colonel|col|"
                    r"captain|capitaine|lt|sergeant|sgt|commander|commandant|chief|king|roi|prince|senator|sen|rep|mayor|maire|"
                    r"spokesman|spokeswoman|spokesperson|porte-parole|imam|pastor|father|pere|bishop|eveque|judge|juge|"
                    r"gouverneur|m|mme|abbe|chef|emir|sultan|pope|pape|lawmaker|depute|leader|dirigeant|agency|agence|"
                    r"newspaper|journal|quotidien|daily|channel|chaine|broadcaster|outlet|radio|television)\.? $")
_SPEECH_BEFORE = re.compile(r"\b(?:said|says|told|added|according to|a declare|a dit|a affirme|a indique|a explique|"
                            r"a ajoute|a precise|a assure|a annonce|a souligne|selon|explique|ajoute|precise|estime|"
                            r"affirme|declare|raconte|temoigne)\s*$")
_SPEECH = re.compile(r"(?:,[^,]{0,60},)? (?:said|says|told|added|explained|noted|stated|asked|urged|claimed|insisted|wrote|"
                     r"a dit|a declare|a affirme|a indique|a explique|a ajoute|a precise|a assure|a annonce|a souligne|estime|"
                     r"who|qui)\b")
# the text between a name and what encloses it: "X, Kaduna State", "X village in Y", "à X, dans la région de Y"
_ENCLOSE_GAP = re.compile(
    rf"[ ]*(?:[,(]|\b(?:in|dans|en|au|aux|near|pres d[eu']|within)\b)[ ]*"
    rf"(?:(?:in|dans|en|au|aux|a|the|of|de|du|des|d'|la|le|l'|les|near|pres|northern|southern|eastern|western|central|"
    rf"north|south|east|west|nord|sud|est|ouest|centre|north-east|north-west|south-east|south-west|nord-est|nord-ouest|"
    rf"sud-est|sud-ouest|{_ADMIN1}|{_ADMIN2})\b[ ']*)*")
_PARTIAL_OK = re.compile(rf"^(?:{_SETTLEMENT}|{_ADMIN2}|{_ADMIN1}|north|south|east|west|northern|southern|eastern|"
                         r"western|central|upper|lower|greater|airport|air|base|camp|university|college|school|market|"
                         r"bridge|road|highway|hospital|mosque|church|cathedral|prison|border|river|valley|lake|strait|"
                         r"gulf|junction|toll|gate|bus|station|square|stadium|barracks|checkpoint|police|military|army|international|"
                         r"axis|front|corridor|sector|mines?|port|dam|forest|hills?|mountains?|island|islands|"
                         r"head|people|residents?|government|house|office|palace|headquarters|secretariat|council|"
                         r"assembly|parliament|court|hall|buildings?|compound|park|hotel|"
                         r"nord|sud|est|ouest|de|du|des|la|le|d|of|the|s)$")
_LEAD = set("au aux en in the le la les a dans de du des from at on to for by and et ou or with avec pour par sur "
            "since depuis after apres before avant when quand as while near pres but mais if si".split())
WORLD_CITY = 1_000_000
_ADJECTIVE = re.compile(r"[A-Z][a-z]+(?:ian|ean|ese|ish)$")  # Canadian, Burmese, Kurdish (English adjectives)
_GROUP_WORDS = {"cartel", "cartels", "gang", "gangs", "clan", "clans", "militia", "militias", "faction", "network"}
_GROUP_NEXT = re.compile(r" (?:cartels?|gangs?|operatives|members|fighters|militias?|militiamen|clans?|factions?|"
                         r"networks?|bosses|kingpins?|organi[sz]ations?|brigades?)\b")
_NOUN_NEXT = re.compile(r" (?:and [A-Z]|et [A-Z]|[a-z]{3,})")
_LEVEL = {"country": 0, "province": 1, "region": 1, "admin2": 2}
_TOKEN = re.compile(r"\S+")
_POSSESSIVE = re.compile(r"['’]s$")
_LEAD_WORD = re.compile(r"\S+ ")
_OWN_TYPE = re.compile(rf" ({_SETTLEMENT}|{_ADMIN2}|{_ADMIN1})$")
_TYPE_TAIL = re.compile(rf"[ ]+(?:{_SETTLEMENT}|{_ADMIN2}|{_ADMIN1})$", re.I)
_GAP_TYPE = re.compile(rf"^[ ]+(?:{_SETTLEMENT}|{_ADMIN2}|{_ADMIN1})\b")
_GAP_SAID = re.compile(rf"\b(?:in|dans|near|pres|within|{_ADMIN1}|{_ADMIN2})\b|\(")
_APPOSITION = re.compile(r"[ ]*[,(]")
_COMPASS_ONLY = re.compile(_COMPASS)
_SETTLEMENT_WORD = re.compile(_SETTLEMENT)
_ADMIN1_WORD = re.compile(_ADMIN1 + "|etat")
_COUNTRY_ARTICLE = re.compile(r"^(?:l|d|le|la|les|the|du|des) ")


class Context(dict):
    """What an article says about where it is: country weights (the dict itself), with the
    first-level divisions it names (`admin1`, GeoNames code -> weight) and the places it
    names without doubt (`anchors`), used to choose among homonyms."""

    def __init__(self, countries: dict[str, float] | None = None) -> None:
        super().__init__(countries or {})
        self.admin1: dict[str, float] = defaultdict(float)
        self.anchors: list[Place] = []
        self._continents: set[str] | None = None
        self._top: float | None = None

    def continents(self, index: GazetteerIndex) -> set[str]:
        """The continents the article is about: those holding at least a quarter of the weight of
        the first (an article about Mozambique that names Portugal once is not about Europe)."""
        if self._continents is None:
            weights: dict[str, float] = defaultdict(float)
            for iso, w in self.items():
                weights[index.continent.get(iso, "")] += w
            top = max(weights.values(), default=0.0)
            self._continents = {c for c, w in weights.items() if w > 0 and w >= 0.25 * top}
        return self._continents

    def top(self) -> float:
        """The weight of the country the article is most about."""
        if self._top is None:
            self._top = max(self.values(), default=0.0)
        return self._top

    def __setitem__(self, iso: str, weight: float) -> None:
        self._continents = self._top = None
        super().__setitem__(iso, weight)


@dataclass
class PlaceMention:
    start: int
    end: int
    text: str
    candidates: list[Place]
    near: bool = False  # "près de", "au nord de", "near": the event is near, not at, the place
    chosen: Place | None = None
    slot: str = ""  # "settlement", "admin2", "admin1" when a division or settlement word goes with it
    slot_word: str = ""  # that word ("village", "township")
    cue: bool = False  # a preposition, an attack verb or a division word says it is a place
    weak_cue: bool = False  # only "de", "du", "of" before it, or a location entity label
    written_name: str = ""  # the name with its division word ("Pale Township"), for a place kept as written


def _km(a: Place, b: Place) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(h)))


def _slot_word(word: str) -> str:
    if _SETTLEMENT_WORD.fullmatch(word):
        return "settlement"
    if _ADMIN1_WORD.fullmatch(word):
        return "admin1"
    return "admin2"


def _same_word(phrase: str, country: Place, index: GazetteerIndex) -> bool:
    """Country names match on their folded spelling, not the lossy key ("Libby" is not Libya)."""
    w = _COUNTRY_ARTICLE.sub("", words(phrase))
    return len(w) <= 3 or w in _country_words(index).get(country.iso, ())


def _country_words(index: GazetteerIndex) -> dict[str, set[str]]:
    cached = getattr(index, "_country_words", None)
    if cached is None:
        cached = defaultdict(set)
        for n, p in index.country_names.items():
            cached[p.iso].add(words(n))
        index._country_words = cached
    return cached


class Gazetteer:
    """Finds place names in a text and resolves them to coordinates."""

    def __init__(self, cache_dir: Path | None = None, index: GazetteerIndex | None = None) -> None:
        self.index = index if index is not None else load_index(cache_dir)
        self.curated: dict[str, list[Place]] = defaultdict(list)
        for _, (name, kind, lat, lon, iso, admin1, context, aliases) in read_rows("places.tsv", 8):
            place = Place(name, kind, float(lat), float(lon), iso, admin1 or None, 0,
                          tuple(c for c in context.split(",") if c), curated=True)
            for a in aliases.split("|"):
                if a:
                    self.curated[fold(a)].append(place)
        self.curated_regex = re.compile(alias_regex(list(self.curated)))
        self.demonyms: dict[str, str] = dict(DEMONYM_ISO)
        self.demonym_regex = re.compile(alias_regex(list(self.demonyms)))

    # -- context -------------------------------------------------------------
    def context_countries(self, text: str, folded: str) -> Context:
        """Countries an article is about, weighted by mentions, with the divisions and places it names."""
        ctx = Context()
        for m in self.demonym_regex.finditer(folded):
            ctx[self.demonyms[m.group(0)]] = ctx.get(self.demonyms[m.group(0)], 0) + 1.0
        phrases, shared = [], []
        for m in _CAPS.finditer(text):
            name, s, e = _head(m.group(0), *m.span(), keep_type=True)
            place = self.index.countries.get(key(name))
            if place and _same_word(name, place, self.index):
                if self._twins(name, place):
                    shared.append((name, place))  # "Georgia": counted once the rest is known
                else:
                    ctx[place.iso] = ctx.get(place.iso, 0) + 2.0
            else:
                phrases.append((name, s, e))
        for name, place in shared:
            twin = max(self._twins(name, place), key=lambda p: ctx.get(p.iso, 0))
            iso = twin.iso if ctx.get(twin.iso, 0) > ctx.get(place.iso, 0) else place.iso
            ctx[iso] = ctx.get(iso, 0) + 2.0
        for m in self.curated_regex.finditer(folded):
            for p in self.curated[m.group(0)]:
                if not p.context and p.kind != "seat":
                    ctx[p.iso] = ctx.get(p.iso, 0) + 1.0
        self._division_evidence(text, folded, phrases, ctx)
        return ctx

    def _division_evidence(self, text: str, folded: str, phrases: list, ctx: Context) -> None:
        """Divisions named with their division word ("Borno State", "région de Mopti") count for
        their country and division; bare division names and big towns of the article's countries
        count for their division and become anchors."""
        typed: list[Place] = []
        for phrase, s0, e0 in phrases:
            name, s, e = _head(phrase, s0, e0)
            slot = self._slot(folded, s, e)[0]
            k = key(name)
            if len(k) < 3 or k in _STOP:
                continue
            divisions = self.index.lookup(k, (ADMIN1, ADMIN2)) if slot in ("admin1", "admin2") else []
            if divisions:
                best = self.choose(divisions, ctx, slot=slot)
                if best:
                    typed.append(best)
                    ctx.admin1[best.admin1_code] += 2.0
                    ctx[best.iso] = ctx.get(best.iso, 0) + 1.5
            elif ctx:
                inside = [p for p in self.index.lookup(k, isos=ctx) if p.kind != "country"]
                big = [p for p in inside if p.kind == "province" or p.population >= 100_000]
                if big and (self.index.is_exact(name, big[0]) or len(inside) == 1):
                    ctx.admin1[big[0].admin1_code] += 1.0
                    if big[0].kind != "province":
                        ctx.anchors.append(big[0])
        ctx.anchors.extend(p for p in typed if p.kind == "admin2")

    def _twins(self, name: str, country: Place) -> list[Place]:
        """Divisions on another continent named like a country: Georgia (US) for Georgia."""
        cont = self.index.continent.get(country.iso)
        return [p for p in self.index.lookup(key(name)) if p.kind == "province"
                and self.index.continent.get(p.iso) != cont and self.index.is_exact(name, p, alternates=False)]

    # -- mentions ------------------------------------------------------------
    def find(self, text: str, folded: str, context: dict[str, float],
             entities: list[tuple[int, int, str]] | None = None,
             spans: list[tuple[int, int]] | None = None) -> list[PlaceMention]:
        """Place mentions in `text` (with `folded` its fold), resolved with `context`.

        `spans` limits the search to those ranges (the sentences that may hold an event).
        """
        ctx = context if isinstance(context, Context) else Context(context)
        out: list[PlaceMention] = []
        seen: dict[str, Place] = {}  # one sense per article: a name placed once is placed the same later
        for s, e in spans if spans is not None else [(0, len(text))]:
            out.extend(self._find(text, folded, ctx, entities, s, e, seen))
        return out

    def _find(self, text: str, folded: str, ctx: Context, entities: list[tuple[int, int, str]] | None,
              lo: int, hi: int, seen: dict[str, Place]) -> list[PlaceMention]:
        out: list[PlaceMention] = []
        taken: list[tuple[int, int]] = []

        def free(s: int, e: int) -> bool:
            return not any(s < b and a < e for a, b in taken)

        for m in self.curated_regex.finditer(folded, lo, hi):
            cands = [p for p in self.curated[m.group(0)]
                     if not p.context or any(ctx.get(c, 0) > 0 for c in p.context)]
            if cands:
                out.append(PlaceMention(m.start(), m.end(), text[m.start():m.end()], cands, cue=True))
                taken.append(m.span())
        ent_kinds = {(s, e): lab for s, e, lab in entities or ()}
        non_place = [(s, e) for s, e, lab in entities or () if lab in ("PER", "PERSON", "ORG", "NORP")]
        for m in _CAPS.finditer(text, lo, hi):
            s, e = m.span()
            if not free(s, e):
                continue
            mention = self._lookup_span(text, folded, s, e, ent_kinds, non_place, ctx)
            if mention:
                out.append(mention)
                taken.append((mention.start, mention.end))
        out.sort(key=lambda p: p.start)
        for pm in out:
            before = folded[max(0, pm.start - 40):pm.start]
            pm.near = bool(_NEAR.search(before))
        # what encloses a name comes after it: resolve from the last mention back
        for n in range(len(out) - 1, -1, -1):
            pm = out[n]
            enclosing = self._enclosing(folded, pm, out[n + 1] if n + 1 < len(out) else None)
            pm.chosen = self._resolve(folded, pm, ctx, enclosing, out[n + 1:])
            k = key(pm.text)
            if enclosing is None and k in seen and (pm.cue or pm.slot) and (pm.chosen is None or pm.chosen.written):
                pm.chosen = seen[k]
        for pm in out:
            if pm.chosen is not None and pm.chosen.kind != "country":
                seen.setdefault(key(pm.text), pm.chosen)
        return [pm for pm in out if pm.chosen is not None]

    def _slot(self, folded: str, s: int, e: int) -> tuple[str, str]:
        """("settlement" | "admin2" | "admin1" | "", the word) from the division word next to a name."""
        m = _TYPE_AFTER.match(folded, e, min(len(folded), e + 40)) or _TYPE_BEFORE.search(folded, max(0, s - 40), s)
        word = m and (m.group(1) or m.group(2))
        return (_slot_word(word), word) if word else ("", "")

    def _lookup_span(self, text: str, folded: str, s: int, e: int, ent_kinds: dict[tuple[int, int], str],
                     non_place: list[tuple[int, int]], ctx: dict[str, float] | None = None) -> PlaceMention | None:
        ws = list(_TOKEN.finditer(text[s:e]))
        fallback = None
        # longest sub-span first, anchored at the start, then shorter tails
        for i in range(len(ws)):
            for j in range(len(ws), i, -1):
                ss, ee = s + ws[i].start(), s + ws[j - 1].end()
                phrase = _POSSESSIVE.sub("", text[ss:ee].strip(".,;:'’\""))  # Baghdad's
                k = key(phrase)
                if not k or k in _STOP or len(k) < 3:
                    continue
                ee = ss + len(phrase)
                label = ent_kinds.get((ss, ee))
                if any(ss < b and a < ee for a, b in non_place) and label not in ("LOC", "GPE", "PER", "PERSON"):
                    continue
                partial = (i, j) != (0, len(ws))
                country = self.index.countries.get(k)
                rows = self.index.rows(k)
                if not country and not rows and (fallback is not None or partial):
                    continue  # nothing under this key, and an unknown part of a name is no place
                head = " ".join(words(w.group(0)) for w in ws[:i]).split()
                if all(w in _LEAD or key(w) in _STOP for w in head) or i and _POSSESSIVE.search(ws[i - 1].group(0)):
                    head = []  # "In Paris", "Reinhart's Medellin": the name starts here
                rest = head + " ".join(words(w.group(0)) for w in ws[j:]).split()
                if _ORG_TAIL.intersection(rest):
                    continue  # "The Washington Post", "New York Times"
                loose = partial and not all(_PARTIAL_OK.match(r) for r in rest)
                slot, slot_word = self._slot(folded, ss, ee)
                own = _OWN_TYPE.search(folded, ss, ee)
                if own and not slot:  # "Kaduna State"
                    slot, slot_word = _slot_word(own.group(1)), own.group(1)
                after = bool(own) or bool(_TYPE_AFTER.match(folded, ee, min(len(folded), ee + 40)))
                if country is not None and not (after and slot in ("admin1", "admin2")) and _same_word(phrase, country, self.index):
                    return PlaceMention(ss, ee, phrase, [country, *self._twins(phrase, country)], cue=True)
                if loose and (head or _COMPASS_ONLY.fullmatch(words(phrase))):
                    continue  # "Llyod Austin", "Bobi Wine", "North Belfast": not Austin, Wine, North
                cands = [self.index.place(r) for r in self._possible(rows, ctx)]
                if words(phrase) in DEMONYM_ISO:  # "Russian" is not Rosian; "Bagdad" is Baghdad
                    cands = [p for p in cands if self.index.is_exact(phrase, p)]
                if _ADJECTIVE.match(phrase) and _NOUN_NEXT.match(text, ee) and not slot:
                    continue  # "the Canadian and British demonstrations", "Burmese junta"
                if _GROUP_NEXT.match(folded, ee) or rest and rest[-1] in _GROUP_WORDS:
                    continue  # "Sinaloa operatives", "the Gulf Cartel": a group's name, not its place
                if loose:  # "Uba Sani": a tail of a longer name is a place only if it is a big one, by its own name
                    cands = [p for p in cands if (p.kind == "province" or p.population >= 100_000)
                             and self.index.is_exact(phrase, p, alternates=False)]
                pm = PlaceMention(ss, ee, phrase, cands, slot=slot, slot_word=slot_word)
                typed = _TYPE_AFTER.match(folded, ee, min(len(folded), ee + 40))
                if typed and typed.group(1) and slot != "settlement":
                    pm.written_name = text[ss:typed.end()]  # "Pale Township"
                pm.cue = (bool(slot) or bool(_LOCATIVE.search(folded, max(0, ss - 30), ss))
                          or bool(_VERB.search(folded, max(0, ss - 20), ss)))
                pm.weak_cue = not pm.cue and (label in ("LOC", "GPE") or bool(_GENITIVE.search(folded, max(0, ss - 12), ss)))
                person = (_TITLE.search(folded, max(0, ss - 14), ss) or label in ("PER", "PERSON")
                          or _SPEECH_BEFORE.search(folded, max(0, ss - 16), ss)
                          or _SPEECH.match(folded, ee, min(len(folded), ee + 80)))
                if person and not slot:
                    pm.candidates = [p for p in cands if p.kind == "province" and self.index.is_exact(phrase, p, alternates=False)]
                    if not pm.candidates:
                        return None
                if pm.candidates:
                    return pm
                if slot and not loose and fallback is None:
                    fallback = pm  # a name with a division word, unknown: kept unless a part of it is known
        if fallback is not None:
            return fallback
        # a name after a preposition: kept, even unknown, in case what encloses it follows ("in X, Kaduna State")
        whole = _POSSESSIVE.sub("", text[s:e].strip(".,;:'’\""))
        if len(key(whole)) < 3 or key(whole) in _STOP or any(s < b and a < e for a, b in non_place):
            return None
        if (_LOCATIVE.search(folded, max(0, s - 30), s) or _VERB.search(folded, max(0, s - 20), s)) and not _TITLE.search(
                folded, max(0, s - 14), s):
            return PlaceMention(s, s + len(whole), whole, [], cue=True)
        return None

    def _possible(self, rows: tuple[int, ...], ctx: dict[str, float] | None) -> list[int]:
        """The rows worth weighing: in a country the article names, or big enough to be named from
        elsewhere (a division, a city of 100,000); the hundreds of small namesakes abroad go."""
        if not ctx or len(rows) < 8:
            return list(rows)
        idx = self.index
        return [i for i in rows if idx.kind[i] <= ADMIN1 or idx.pop[i] >= 100_000 or idx.isos[idx.country[i]] in ctx]

    def _enclosing(self, folded: str, pm: PlaceMention, nxt: PlaceMention | None) -> PlaceMention | None:
        """The next mention when it encloses this one: "X, Kaduna State", "X village in Y", "X (Y)"."""
        if nxt is None or nxt.chosen is None or nxt.start - pm.end > 50:
            return None
        gap = folded[pm.end:nxt.start]
        gap = _GAP_TYPE.sub("", gap)  # "X village in Y"
        m = _ENCLOSE_GAP.fullmatch(gap)
        if not m:
            return None
        bigger = nxt.chosen.kind in ("country", "province", "region", "admin2") or nxt.chosen.written
        said = bool(_GAP_SAID.search(gap))
        if nxt.chosen.iso and (bigger or said):
            return nxt
        return None

    # -- choosing --------------------------------------------------------------
    def _resolve(self, folded: str, pm: PlaceMention, ctx: Context, enclosing: PlaceMention | None,
                 later: list[PlaceMention]) -> Place | None:
        # what encloses a name says where it is only when something says it is a place ("à X, Y", "X village")
        apposition = enclosing is not None and _APPOSITION.match(folded, pm.end, enclosing.start)
        outer = enclosing.chosen if enclosing and (pm.cue or pm.slot or apposition and
                                                   enclosing.chosen.kind in ("country", "province", "admin2")) else None
        cands = pm.candidates
        if outer is not None:
            inside = [p for p in cands if _inside(p, outer)]
            level = _LEVEL.get(outer.kind, 3)
            if not inside and level < 3 and any(_LEVEL.get(p.kind, 3) <= level for p in cands):
                outer = None  # a list ("Borno, Adamawa and Yobe"; "the United States, Turkey"), not an enclosure
            else:
                cands = inside
        if pm.slot in ("admin1", "admin2"):
            divisions = [p for p in cands if p.kind in ("province", "admin2", "region")]
            cands = divisions or cands
        elif pm.slot == "settlement":
            cands = [p for p in cands if p.kind not in ("province", "admin2", "country")] or cands
        else:  # "Kunduz", "Aleppo": the town rather than the division named after it
            towns = [p for p in cands if p.kind in ("city", "town") and self.index.is_exact(pm.text, p)] if any(
                p.kind in ("province", "admin2") for p in cands) else []
            if towns:
                cands = [p for p in cands if not any(_seat_of(t, p) for t in towns)]
        cands = [p for p in cands if self._plausible(p, pm, ctx, outer)]
        anchors = ctx.anchors + [x.chosen for x in later if x.chosen and x.chosen.kind in ("city", "town", "village")]
        best = self.choose(cands, ctx, anchors, pm.slot) if cands else None
        if best is not None:
            return best
        if (_WRITTEN.fullmatch(pm.slot_word) or outer is not None and apposition) and words(pm.text) not in DEMONYM_ISO:
            return self._as_written(pm, ctx, outer)
        return None

    def _plausible(self, p: Place, pm: PlaceMention, ctx: Context, outer: Place | None) -> bool:
        """Whether the text can mean `p` at all: kind, cues, and the article's countries decide."""
        if p.curated or p.kind == "country":
            return True
        weight = ctx.get(p.iso, 0)
        main = bool(ctx) and weight >= 0.5 * ctx.top()  # "autour de Palma" in an article about Mozambique
        own = self.index.is_exact(pm.text, p, alternates=False)  # its own name ("Victor" is not Victorville)
        known: list[bool] = []

        def exact() -> bool:  # one of its spellings, alternate names included (looked up once, if needed)
            if not known:
                known.append(own or self.index.is_exact(pm.text, p))
            return known[0]
        if ctx and not main and self.index.continent.get(p.iso) not in ctx.continents(self.index):
            # a world city is named from anywhere: by its own name, or by an exonym when its country is named
            return p.kind == "city" and p.population >= WORLD_CITY and outer is None and (own or exact() and weight > 0)
        if outer is not None:
            return True
        if not weight:  # a country the article does not name: a strong cue and one of its names
            if not exact() or not (pm.cue or pm.weak_cue and p.population >= 500_000):
                return False
            return p.population >= 100_000 or p.kind == "province"
        if p.kind == "province":
            return pm.cue or exact()
        if p.kind == "admin2":
            return pm.cue and (main or exact())
        if own and p.kind == "city" and p.population >= 500_000:
            return True  # "Dallas, TX", "Kyiv has identified..."
        if p.population < 100_000 and not main and not (pm.cue and exact()):
            return False  # a small place of a country the article mentions in passing
        if p.population < 50_000 and not self._in_named_division(p, ctx, exact()):
            return False
        return pm.cue or pm.weak_cue and exact() and main or (own or exact() and main) and p.population >= 100_000

    def _in_named_division(self, p: Place, ctx: Context, exact: bool) -> bool:
        """A small place in a country whose divisions the article names lies in one of them (or, by its
        own name, next to one): "Nyaung Kone" in an article about Sagaing is not the one near Yangon."""
        named = [c for c, w in ctx.admin1.items() if w >= 2 and c.startswith(p.iso + ".")]
        if not named or p.admin1_code in named:
            return True
        if not exact:
            return False
        rows = [self.index.admin1_rows[c] for c in named if c in self.index.admin1_rows]
        return any(_km(p, self.index.place(r)) <= 300 for r in rows)

    def choose(self, cands: list[Place], context: dict[str, float], anchors: list[Place] | None = None,
               slot: str = "") -> Place | None:
        if not cands:
            return None
        divisions = getattr(context, "admin1", {})
        near_iso = {n for c, w in context.items() if w > 0 for n in self.index.neighbours.get(c, ())}

        def score(p: Place) -> float:
            w = context.get(p.iso, 0)
            s = 10.0 * min(w, 5) + (4.0 if not w and p.iso in near_iso else 0.0)
            s += 6.0 * min(divisions.get(p.admin1_code, 0), 3) if p.admin1_code else 0.0
            s += math.log10(p.population + 10) + (3 if p.kind in ("province", "country") else 0) + (20 if p.curated else 0)
            if slot in ("admin1", "admin2"):
                s += 3.0 if p.kind in ("province", "admin2", "region") else 0.0
            elif p.kind in ("city", "town"):
                s += 0.5  # "Konduga" is the town before the district named after it
            if anchors and p.kind in ("city", "town", "admin2"):
                d = min((_km(p, a) for a in anchors if a is not p), default=1e9)
                s += 5.0 if d <= 50 else 3.0 if d <= 150 else 1.0 if d <= 400 else 0.0
            return s
        best = max(cands, key=score)
        biggest = max(cands, key=lambda p: p.population)
        if not best.curated and biggest.population >= WORLD_CITY and biggest.population >= 50 * (best.population + 1):
            return biggest  # "Paris" is Paris, France, even in an article about Texas
        return best

    def _as_written(self, pm: PlaceMention, ctx: Context, outer: Place | None) -> Place | None:
        """A name the gazetteer lacks, kept as written and placed at what encloses it."""
        if outer is None:
            outer = self._article_division(ctx)
        if outer is None:
            return None
        if outer.kind in ("country", "province", "region"):
            precision = 3
        else:
            precision = max(2, outer.geo_precision)
        kind = "admin2" if pm.slot in ("admin1", "admin2") else "village"
        return Place(pm.written_name or pm.text, kind, outer.latitude, outer.longitude, outer.iso, outer.admin1, 0,
                     admin1_code=outer.admin1_code, precision=precision, written=True)

    def _article_division(self, ctx: Context) -> Place | None:
        """The division the article is mostly about, else its main country."""
        if not ctx:
            return None
        iso = max(ctx, key=ctx.get)
        codes = [(w, c) for c, w in ctx.admin1.items() if c.split(".")[0] == iso and w >= 2]
        if codes:
            row = self.index.admin1_rows.get(max(codes)[1])
            if row is not None:
                return self.index.place(row)
        return self.country(iso)

    def country(self, iso: str) -> Place | None:
        return self.index.country_by_iso.get(iso)


def _head(phrase: str, s: int, e: int, keep_type: bool = False) -> tuple[str, int, int]:
    """A capitalised phrase without a leading function word ('Au Mali'), a possessive, or (unless
    `keep_type`) a trailing division word: 'Kaduna State' -> 'Kaduna'."""
    lead = _LEAD_WORD.match(phrase)
    if lead and (fold(lead.group(0)).strip() in _LEAD or key(lead.group(0)) in _STOP):
        phrase, s = phrase[lead.end():], s + lead.end()
    phrase = _POSSESSIVE.sub("", phrase)
    m = None if keep_type else _TYPE_TAIL.search(phrase)
    if m and m.start() > 0:
        return phrase[:m.start()], s, s + m.start()
    return phrase, s, s + len(phrase)


def _seat_of(town: Place, division: Place) -> bool:
    if town.iso != division.iso or division.kind not in ("province", "admin2") or town.population < 0.02 * division.population:
        return False
    return town.admin1_code == division.admin1_code or _km(town, division) <= (150 if division.kind == "province" else 100)


def _inside(p: Place, outer: Place) -> bool:
    """Whether `p` can lie within `outer` (same country, same division, or close by)."""
    if p.iso != outer.iso:
        return False
    if outer.kind == "country":
        return True
    if outer.kind in ("province", "region") and outer.admin1_code and p.admin1_code:
        return p.admin1_code == outer.admin1_code
    if outer.written:
        return not outer.admin1_code or p.admin1_code == outer.admin1_code
    return _km(p, outer) <= (120 if outer.kind in ("admin2", "province", "region") else 60)
