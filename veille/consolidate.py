"""From mentions to events inside one article: merging, dating, placing, coding.

Several sentences about one attack make one event: a mention joins the most
recent earlier event of the same kind whose date and place are compatible
with its own. Then every event gets one date (the most precise of its
mentions, or the one its story context gives), one place, its actors, and the
`background` flag.
"""
from __future__ import annotations

import re
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from datetime import date, timedelta

from .detection import STRONG_ORDER, Mention, _family
from .geo import distance_km
from .lexicon import Lexicon
from .places import Gazetteer, Place
from .records import EventRecord, Evidence

NEWS_WINDOW = 2  # days before publication within which an absolute date is news
RECENT_WINDOW = 8  # days within which a date relative to publication ("lundi", "hier") is news
TOLD_AS_NEWS = 0.25  # below this background probability (veille.classify), an old dated event is reported news


@dataclass
class Event:
    mentions: list[Mention] = field(default_factory=list)
    date: date | None = None
    precision: int = 2
    date_note: str = ""
    background: bool | None = None

    @property
    def code(self) -> str:
        lm = next((m.landmark for m in self.mentions if m.landmark), None)
        if lm:
            return lm.code
        confirmed = [m for m in self.mentions if m.confirmed and not m.join_only] or \
            [m for m in self.mentions if m.confirmed]
        if confirmed:  # the type the classifier is surest of, among the mentions that could tell it alone
            return max(confirmed, key=lambda m: (m.typed_by_rules, m.probability, -m.span[0])).code
        codes = {m.code for m in self.mentions}
        return next((c for c in STRONG_ORDER if c in codes), self.mentions[0].code)

    @property
    def place(self) -> Place | None:
        best = self.best_place()
        return best.chosen if best else None

    def best_place(self):
        placed = [m.place for m in self.mentions if m.place and m.place.chosen]
        if not placed:
            return None
        return max(placed, key=lambda p: (p.chosen.specificity, -p.start))


def km(a: Place, b: Place) -> float:
    return distance_km(a.latitude, a.longitude, b.latitude, b.longitude)


def places_compatible(a: Place | None, b: Place | None) -> bool:
    if a is None or b is None:
        return True
    if a.iso != b.iso:
        return False
    if a.kind == "country" or b.kind == "country":
        return True
    if a.kind in ("province", "region") or b.kind in ("province", "region"):
        return (a.admin1 or "") == (b.admin1 or "") or km(a, b) < 150
    return km(a, b) < 30


def _mention_date(m: Mention) -> date | None:
    if m.landmark:
        return m.landmark.date
    return m.date.date if m.date and m.date.kind != "relative" else None


# kinds of event whose mentions in one article may be one event told in several ways
_KIN = {"SHELL": "violence", "AIR": "violence", "IED": "violence", "SUICIDE": "violence", "GRENADE": "violence",
        "CHEM": "violence", "ATTACK": "violence", "CLASH": "violence", "VAC": "violence", "ABDUCT": "violence",
        "SEXVIOL": "violence", "TAKEOVER": "violence", "REGAIN": "violence",
        "PROTEST": "crowd", "PROTEST_INT": "crowd", "PROTEST_FORCE": "crowd", "RIOT": "crowd", "MOB": "crowd"}


def _specific(m: Mention) -> bool:
    """The mention names its own place below the country, or its own date."""
    return bool((m.place and m.place.chosen and m.place.chosen.kind not in ("country", "province", "region"))
                or (m.date and m.date.date))


def _agrees(ev: Event, m: Mention) -> bool:
    """The mention names the event's own place (or a place near it) or its own day."""
    mp = m.place.chosen if m.place and m.place.chosen else None
    for x in ev.mentions:
        xp = x.place.chosen if x.place and x.place.chosen else None
        if mp is not None and xp is not None and mp.kind not in ("country", "province", "region") \
                and xp.kind not in ("country", "province", "region") and km(mp, xp) < 30:
            return True
        if m.date and m.date.date and x.date and x.date.date and m.date.date == x.date.date and m.date.precision == 1:
            return True
    return False


def _same_kind(ev: Event, m: Mention) -> bool:
    """Rule mentions join only their own kind; a classified one may join its event's kin (violence, crowds)
    when it adds no detail of its own, or when its place or day is the event's."""
    if _family(ev.code) == _family(m.code) and (
            ev.code == m.code or "ATTACK" in (ev.code, m.code) or {ev.code, m.code} == {"PROTEST", "RIOT"}):
        return True
    kin = _KIN.get(ev.code)
    return bool(m.confirmed and kin and kin == _KIN.get(m.code) and (not _specific(m) or _agrees(ev, m)))


def compatible(ev: Event, m: Mention) -> bool:
    if ev.mentions[0].count > 1 or m.count > 1:
        return False
    if m.another or not _same_kind(ev, m):
        return False
    relative = {x.date.kind == "relative" for x in ev.mentions + [m] if x.date and not x.landmark}
    if len(relative) > 1:  # "quelques jours plus tard" is another day than a dated mention
        return False
    weapons = {x.weapon for x in ev.mentions if x.weapon} | ({m.weapon} if m.weapon else set())
    if len({_weapon_family(w) for w in weapons}) > 1 and not m.confirmed:
        return False
    lms = {x.landmark.key for x in ev.mentions if x.landmark}
    if m.landmark and lms:
        return m.landmark.key in lms  # the landmark fixes date and place
    md = _mention_date(m)
    if md is not None:
        for x in ev.mentions:
            xd = _mention_date(x)
            if xd is None:
                continue
            prec = max((x.date.precision if x.date and not x.landmark else 1),
                       (m.date.precision if m.date and not m.landmark else 1))
            tol = {1: 1, 2: 7}.get(prec, 31)
            if abs((xd - md).days) > tol:
                return False
    mp = m.place.chosen if m.place else None
    if mp is not None and mp.kind == "country" and _mention_date(m) is None:
        mp = None  # "the strikes in Syria": a restatement, not another place
    return all(places_compatible(x.place.chosen if x.place else None, mp) for x in ev.mentions)


def _weapon_family(w: str) -> str:
    return {"rocket": "indirect", "missile": "indirect", "mortar": "indirect", "artillery": "indirect",
            "IED": "explosive", "explosive": "explosive", "drone": "air", "aircraft": "air"}.get(w, w)


RECENT_EVENTS = 12  # a mention is compared with this many of the article's most recently told events


def merge(mentions: list[Mention]) -> list[Event]:
    """Mentions (in text order) into events: each joins a compatible recent event or starts one.

    A mention with a place or a day of its own joins the most recently told
    compatible event; one that adds no such detail ("the attack killed 15")
    joins the compatible event of its own type, else the first one told (an
    article leads with its main event). Only the `RECENT_EVENTS` most recently
    told events are compared, so the cost grows linearly with the article.
    """
    events: list[Event] = []
    recent: OrderedDict[int, Event] = OrderedDict()  # by when an event was last told, oldest first
    for m in mentions:
        window = list(recent.values())[-RECENT_EVENTS:]
        fits = [ev for ev in reversed(window) if compatible(ev, m)]
        target = None
        if fits and (not m.confirmed or _specific(m)):
            target = fits[0]
        elif fits:
            target = next((ev for ev in fits if ev.code == m.code), min(fits, key=lambda ev: ev.mentions[0].span[0]))
        if target is not None:
            target.mentions.append(m)
        elif m.code != "ATTACK" and not m.join_only:  # these only add to an event
            target = Event([m])
            events.append(target)
        if target is not None:
            recent[id(target)] = target
            recent.move_to_end(id(target))
    return events


def resolve_dates(events: list[Event], published: date) -> None:
    """Give every event a date, a precision and the background flag."""
    previous: Event | None = None
    for ev in sorted(events, key=lambda e: e.mentions[0].span):
        lm = next((m.landmark for m in ev.mentions if m.landmark), None)
        dated = [m for m in ev.mentions if m.date and m.date.date and m.date.kind != "relative"]
        relative = [m for m in ev.mentions if m.date and m.date.kind == "relative"]
        if lm:
            ev.date, ev.precision = lm.date, 1
            ev.date_note = f"landmark event {lm.key}"
            ev.background = (published - lm.date).days > 3
        elif dated:
            best = min(dated, key=lambda m: (m.date.precision, not m.date.checked, m.span[0]))
            ev.date, ev.precision = best.date.date, best.date.precision
            expr = best.folded[best.date.start:best.date.end]
            ev.date_note = f"'{expr}' ({best.date.kind}) against publication {published.isoformat()}"
            age = (published - ev.date).days
            if best.date.kind == "deictic" and best.date.precision == 1:
                ev.background = age > RECENT_WINDOW
            elif best.date.precision == 3:
                ev.background = (ev.date.year, ev.date.month) != (published.year, published.month) and age > 20
            else:
                ev.background = age > NEWS_WINDOW
            if ev.background and best.date.kind == "absolute" and best.p_background is not None \
                    and best.p_background < TOLD_AS_NEWS:
                ev.background = False  # "On 24 November, warplanes struck...": reported, not recalled
                ev.date_note += "; told as news, not recalled"
        elif relative and previous is not None and previous.date is not None:
            r = relative[0].date
            ev.date = previous.date + timedelta(days=r.offset)
            ev.precision = max(r.precision, previous.precision)
            ev.background = previous.background
            ev.date_note = f"'{relative[0].folded[r.start:r.end]}' relative to the event before it"
        elif (previous is not None and previous.background and previous.date is not None
              and not any(m.landmark for m in previous.mentions)
              and any(m.date and m.date.date for m in previous.mentions)
              and previous.mentions[-1].para == ev.mentions[0].para
              and previous.mentions[-1].sent != ev.mentions[0].sent):
            ev.date, ev.precision, ev.background = previous.date, max(previous.precision, 2), True
            ev.date_note = "no date in its sentences: the date of the past event told just before it"
        else:
            ev.date, ev.precision = published - timedelta(days=1), 2
            ev.background = False
            ev.date_note = "no date in the text: within the days before publication"
        if ev.date and ev.date > published + timedelta(days=1):
            ev.date, ev.precision = published, 2
        previous = ev
    _resolve_anchors(events, published)


def _resolve_anchors(events: list[Event], published: date) -> None:
    """"Deux jours après l'assassinat, le parlement a voté": the killing is dated from the vote."""
    for ev in events:
        anchored = next((m for m in ev.mentions if m.anchor), None)
        own_day = ev.precision == 1 and ev.date_note.startswith("'")  # its own text names the day
        if anchored is None or own_day or any(m.landmark for m in ev.mentions):
            continue
        other = next((o for o in events if o is not ev and o.date and o.precision == 1
                      and any(x.sent == anchored.sent for x in o.mentions)), None)
        if other is None:
            continue
        ev.date = other.date + timedelta(days=anchored.anchor.offset)
        ev.precision = other.precision
        ev.background = other.background if other.background is not None else ev.background
        ev.date_note = f"'{anchored.folded[anchored.anchor.start:anchored.anchor.end]}' the event of its sentence"


# ---------------------------------------------------------------------------- records

def _inter(lex: Lexicon, name: str | None, iso: str | None) -> int:
    if not name:
        return 0
    actor = lex.actor_by_name.get(name)
    if actor is None:
        for prefix, code in (("Unidentified Armed Group", 3), ("Rioters", 5), ("Protesters", 6),
                             ("Civilians", 7), ("Islamic State", 2)):
            if name.startswith(prefix):
                return code
        return 0
    if actor.kind in ("military", "government", "legislature") and actor.iso and iso and actor.iso != iso:
        return 8
    return actor.inter


def _swap_role(lex: Lexicon, name: str, role: str, other: str) -> str:
    """'Military Forces of X' <-> 'Government of X', when the other actor exists."""
    if name.startswith(role):
        swapped = other + name[len(role):]
        if swapped in lex.actor_by_name:
            return swapped
    return name


def _as_government(lex: Lexicon, name: str) -> str:
    return _swap_role(lex, name, "Military Forces of ", "Government of ")


def _as_military(lex: Lexicon, name: str) -> str:
    return _swap_role(lex, name, "Government of ", "Military Forces of ")


def assign_actors(lex: Lexicon, ev: Event, iso: str | None,
                  code: str | None = None) -> tuple[str, str | None, str | None, str | None, str | None]:
    """(actor1, assoc1, actor2, assoc2, claimed_by)"""
    code = code or ev.code
    lm = next((m.landmark for m in ev.mentions if m.landmark), None)
    claimant = next((m.claimant for m in ev.mentions if m.claimant), None)
    mentioned = []
    for m in ev.mentions:
        # actors named before the trigger (the subject side) come first
        rel = m.span[0] - m.sent[0]
        for a in sorted(m.actors, key=lambda a: (a.start > rel, abs(a.start - rel))):
            if a.actor.name not in [x.actor.name for x in mentioned]:
                mentioned.append(a)
    state = [a.actor.name for a in mentioned if a.actor.kind in ("military", "government")]
    armed = [a.actor.name for a in mentioned if a.actor.kind in ("militia", "rebel")]
    country = f" ({_country_name(iso)})" if iso else ""
    unknown = "Unidentified Armed Group" + country
    self_claim = any(m.self_claim for m in ev.mentions)
    actor1 = actor2 = assoc1 = assoc2 = claimed = None
    if code in ("AIR",) and state:
        actor1 = _as_military(lex, state[0])
        targets = [a for a in armed] + [s for s in state if _as_military(lex, s) != actor1]
        actor2 = targets[0] if targets else None
        assoc2 = "; ".join(targets[1:3]) or None
        claimed = actor1 if self_claim else None
    elif code in ("SHELL", "AIR", "IED", "SUICIDE", "GRENADE", "CHEM", "CLASH", "VAC", "ABDUCT", "INTERCEPT"):
        actor1 = claimant or (armed[0] if armed and code in ("CLASH", "VAC", "ABDUCT") else None) or unknown
        if code in ("CLASH",) and not armed and state:
            actor1 = _as_military(lex, state[0])
        if code == "CLASH":
            others = [a.actor.name for a in mentioned if a.actor.name != actor1
                      and a.actor.kind in ("militia", "rebel", "military")]
            if others:
                actor2 = _as_military(lex, others[0])
                return actor1 or unknown, None, actor2, None, claimant
        targets = [s for s in state if s != actor1]
        embassy = any(m.target_kind == "embassy" or (m.place and m.place.chosen and m.place.chosen.kind == "embassy")
                      for m in ev.mentions)
        if embassy:
            actor2 = _target_nationality(lex, ev, embassy=True) or next(
                (s for s in targets if s.startswith("Government of")), None)
        else:
            actor2 = _target_nationality(lex, ev) or (_as_military(lex, targets[0]) if targets else None)
        claimed = claimant
        if code == "INTERCEPT" and state:
            actor1, actor2 = unknown if not claimant else claimant, _as_military(lex, state[0])
    elif code == "ARREST":
        actor1 = _as_military(lex, state[0]) if state else "Police Forces" + country
        actor2 = armed[0] if armed else None
    elif code in ("PROTEST", "PROTEST_INT", "PROTEST_FORCE"):
        actor1 = "Protesters" + country
        actor2 = _as_military(lex, state[0]) if state and code != "PROTEST" else None
    elif code in ("RIOT", "MOB"):
        actor1 = "Rioters" + country
        actor2 = state[0] if state else None
    elif code == "AGREE":
        govs = [_as_government(lex, s) for s in state]
        for m in ev.mentions:
            for p in m.sent_places:
                if p.chosen and p.chosen.kind == "country":
                    govs.append(f"Government of {'the ' if p.chosen.iso == 'US' else ''}{p.chosen.name}")
        govs = list(dict.fromkeys(govs))
        actor1 = govs[0] if govs else (armed[0] if armed else "Unidentified Actor" + country)
        actor2 = govs[1] if len(govs) > 1 else (armed[0] if armed and armed[0] != actor1 else None)
    else:
        legis = [a.actor.name for a in mentioned if a.actor.kind == "legislature"]
        actor1 = legis[0] if legis else (_as_military(lex, state[0]) if state else (armed[0] if armed else "Unidentified Actor" + country))
    if lm:
        actor1 = claimant or lm.actor1 or actor1
        actor2 = lm.actor2 or actor2
        claimed = claimant or (lm.actor1 if self_claim and lm.actor1 else None)
    return actor1 or unknown, assoc1, actor2, assoc2, claimed


_TARGET_OF = re.compile(r"\b(?:convois?|bases?|positions?|patrouilles?|troupes|soldats|forces|vehicules?|"
                        r"convoys?|patrols?|troops|soldiers|vehicles?)\b(?P<dem>(?: (?!de\b|du\b|des\b|la\b|le\b|of\b|the\b|d')[\w'.-]+){1,3})")
_EMBASSY_OF = re.compile(r"\b(?:ambassade|embassy|base-ambassade)(?P<dem>(?: (?:des|de l'|du|d'))? [\w-]+)|(?P<dem2>[\w.-]+) embassy\b")


def _target_nationality(lex: Lexicon, ev: Event, embassy: bool = False) -> str | None:
    """'un convoi militaire américain' -> Military Forces of the United States;
    'l'ambassade américaine' -> Government of the United States."""
    from .places import DEMONYM_ISO
    kind = "government" if embassy else "military"
    for m in ev.mentions:
        for t in (_EMBASSY_OF if embassy else _TARGET_OF).finditer(m.folded):
            words = (t.group("dem") or t.groupdict().get("dem2") or "").split()
            iso = next((DEMONYM_ISO.get(w.strip(".,")) for w in words if DEMONYM_ISO.get(w.strip(".,"))), None)
            if any(w.strip(".,") in ("us", "u.s", "etats-unis") for w in words):
                iso = "US"
            if iso:
                name = next((a.name for a in lex.actors if a.iso == iso and a.kind == kind), None)
                if name:
                    return name
    return None


_INTERVENTION = re.compile(r"\b(?:gaz lacrymogenes?|disperse\w*|canons? a eau|balles (?:reelles|en caoutchouc)|"
                           r"ont tire sur|tear ?gas|dispersed|water cannons?|live (?:fire|rounds|ammunition)|"
                           r"rubber bullets|opened fire on)\b")

_COUNTRY_NAMES: dict[str, str] = {}


def _country_name(iso: str) -> str:
    return _COUNTRY_NAMES.get(iso, iso)


def build_records(lex: Lexicon, gaz: Gazetteer, events: list[Event], doc_id: str, text: str,
                  context: dict[str, float], fallback_iso: str | None) -> list[EventRecord]:
    if not _COUNTRY_NAMES:
        _COUNTRY_NAMES.update({iso: p.name for iso, p in gaz.index.country_by_iso.items()})
    out = []
    for ev in events:
        n = ev.mentions[0].count
        for k in range(n):
            out.append(_record(lex, gaz, ev, doc_id, text, context, fallback_iso, k))
    return out


def _place_for(gaz: Gazetteer, ev: Event, fallback_iso: str | None) -> tuple[Place | None, bool, str]:
    lm = next((m.landmark for m in ev.mentions if m.landmark), None)
    if lm:
        if lm.place.startswith("city:"):
            name = lm.place[5:]
            from .text import key
            cands = [p for p in gaz.index.cities.get(key(name), []) if p.iso == lm.iso]
            if cands:
                return cands[0], False, f"landmark {lm.key}"
        else:
            for places in gaz.curated.values():
                for p in places:
                    if p.name == lm.place:
                        return p, False, f"landmark {lm.key}"
    best = ev.best_place()
    if best is not None:
        return best.chosen, best.near, f"'{best.text}' in the text"
    for m in ev.mentions:
        countries = [p.chosen for p in m.sent_places if p.chosen and p.chosen.kind == "country"]
        if countries:
            return countries[0], False, "country named in the sentence"
    if fallback_iso:
        return gaz.country(fallback_iso), False, "no place in its sentences: the country the article is about"
    return None, False, "no place found"


def _record(lex: Lexicon, gaz: Gazetteer, ev: Event, doc_id: str, text: str, context: dict[str, float],
            fallback_iso: str | None, k: int) -> EventRecord:
    place, near, place_note = _place_for(gaz, ev, fallback_iso)
    code = ev.code
    if code == "PROTEST" and any(_INTERVENTION.search(m.folded) for m in ev.mentions):
        killed_any = any(m.killed for m in ev.mentions)
        code = "PROTEST_FORCE" if killed_any else "PROTEST_INT"
    tax = lex.taxonomy[code]
    iso = place.iso if place else None
    actor1, assoc1, actor2, assoc2, claimed = assign_actors(lex, ev, iso, code)
    armed = tax.event_type in ("Explosions/Remote violence", "Battles") or ev.code == "INTERCEPT"
    weapons = [m.weapon for m in ev.mentions if m.weapon and m.weapon != "explosive" and armed]
    weapon = weapons[0] if weapons else ("IED" if ev.code == "IED" and any(m.weapon == "explosive" for m in ev.mentions) else None)
    muni = Counter(m.munitions for m in ev.mentions if m.munitions is not None)
    munitions = max(muni.items(), key=lambda kv: (kv[1], kv[0]))[0] if muni else None
    if ev.mentions[0].count > 1 or not armed:
        munitions = None
    intercepted = next((m.intercepted for m in ev.mentions if m.intercepted is not None), None)
    killed = [m.killed for m in ev.mentions if m.killed is not None]
    injured = [m.injured for m in ev.mentions if m.injured is not None]
    sources: list[str] = []
    for m in ev.mentions:
        for s in m.sources:
            if s not in sources:
                sources.append(s)
    geo_precision = place.geo_precision if place else 3
    if near and geo_precision == 1:
        geo_precision = 2
    if place and ev.mentions[0].count > 1 and place.kind == "country":
        geo_precision = 3
    evidence = []
    for m in ev.mentions:
        s, e = m.sent
        if not any(x.start == s for x in evidence):
            evidence.append(Evidence(doc_id, s, e, text[s:e]))
    lm = next((m.landmark for m in ev.mentions if m.landmark), None)
    rec = EventRecord(
        event_date=ev.date.isoformat() if ev.date else "",
        time_precision=ev.precision,
        disorder_type=tax.disorder_type, event_type=tax.event_type, sub_event_type=tax.sub_event_type,
        actor1=actor1, assoc_actor_1=assoc1, inter1=_inter(lex, actor1, iso),
        actor2=actor2, assoc_actor_2=assoc2, inter2=_inter(lex, actor2, iso),
        country=place and gaz.country(place.iso).name if place and gaz.country(place.iso) else (place.iso if place else None),
        iso=iso, admin1=place.admin1 if place else None,
        location=place.name if place else None,
        latitude=place.latitude if place else None, longitude=place.longitude if place else None,
        geo_precision=geo_precision,
        fatalities=max(killed) if killed and (armed or tax.event_type in ("Violence against civilians", "Protests", "Riots")) else 0,
        injured=max(injured) if injured else None,
        weapon=weapon, munitions=munitions, intercepted=intercepted,
        claimed_by=claimed, reported_by=sources, background=bool(ev.background),
        evidence=evidence, doc_ids=[doc_id],
        provenance={"event_date": ev.date_note, "location": place_note,
                    "event_type": f"triggers in: {evidence[0].text[:80]!r}" if evidence else ""},
        landmark=lm.key if lm else None,
    )
    if k:
        rec.event_id = rec.compute_id() + f"-{k + 1}"
        rec.provenance["count"] = f"{ev.mentions[0].count} separate events stated in one sentence"
    rec.notes = summary(rec)
    return rec


def summary(r: EventRecord) -> str:
    what = r.sub_event_type.lower()
    if r.weapon:
        what += f" ({r.weapon}{', ' + str(r.munitions) if r.munitions else ''})"
    who = f" by {r.actor1}" if r.actor1 else ""
    whom = f" against {r.actor2}" if r.actor2 else ""
    where = f" at {r.location}" if r.location else ""
    killed = f"; {r.fatalities} killed" if r.fatalities else ""
    by = f"; reported by {', '.join(r.reported_by)}" if r.reported_by else ""
    bg = " (mentioned as background)" if r.background else ""
    return f"{what[0].upper() + what[1:]}{who}{whom}{where} on {r.event_date}{killed}{by}{bg}."
