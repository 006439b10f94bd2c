"""Date expressions in French and English, resolved against the publication date.

`DateFinder(calendar).find(text, published)` returns every date expression of
a (folded) text with its resolved date and precision. Candidate spans come
from our own patterns; nothing here guesses a date from a bare number.

Kinds of expression:
    absolute   "le 20 décembre", "December 20, 2020", "en janvier 2020"
    deictic    relative to the publication: "hier", "ce lundi", "il y a deux mois"
    relative   relative to another event: "la veille", "quelques jours plus tard"
    future     after the publication or announced as a deadline: "d'ici le 15 janvier"
    year       a bare year ("en 2003"): too vague to date an event
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class DateRef:
    start: int
    end: int
    kind: str
    date: date | None
    precision: int  # 1 day, 2 week/few days, 3 month
    offset: int = 0  # for kind == "relative": days after (+) / before (-) the reference
    checked: bool = False  # the weekday named agrees with the date ("le lundi 15 février")


def _alt(words) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


class DateFinder:
    """Compiled patterns for one calendar (months, weekdays, seasons, numbers)."""

    def __init__(self, calendar: dict[str, dict[str, int]]) -> None:
        self.months = calendar["month"]
        self.weekdays = calendar["weekday"]
        self.seasons = calendar["season"]
        self.numbers = calendar["number"]
        M, W, S, N = (_alt(self.months), _alt(self.weekdays), _alt(self.seasons), _alt(self.numbers))
        b = r"(?<![\w-])"
        e = r"(?![\w-])"
        fut = r"(?P<fut>d'ici (?:le |la |a )?|jusqu'(?:au|a) |avant le |by |until |d'ici a )?"
        self.patterns: list[tuple[str, re.Pattern[str]]] = [
            ("iso", re.compile(b + r"(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)" + e)),
            ("dmy_num", re.compile(b + fut + r"(?P<d>[0-3]?\d)/(?P<m>[01]?\d)/(?P<y>(?:19|20)\d\d)" + e)),
            ("day_month", re.compile(
                b + fut + r"(?:(?:le|the|on|du|au) )?(?:(?P<wd>" + W + r")[ ,]+)?(?:the )?(?P<d>[0-3]?\d|1er)(?:er|st|nd|rd|th)?"
                r"(?: of)? (?P<mo>" + M + r")\.?" + e + r"(?:,? (?P<y>(?:19|20)\d\d)" + e + ")?")),
            ("month_day", re.compile(
                b + fut + r"(?:on )?(?:(?P<wd>" + W + r"),? )?(?P<mo>" + M + r")\.? (?P<d>[0-3]?\d)(?:st|nd|rd|th)?" + e
                + r"(?:,? (?P<y>(?:19|20)\d\d)" + e + ")?")),
            ("part_month", re.compile(
                b + r"(?P<part>debut|mi|fin|early|mid|late|courant|au debut de|a la fin de|a la mi|end of|beginning of|start of)"
                r"[ -](?:du mois de |de |d')?(?P<mo>" + M + r")" + e + r"(?: (?P<y>(?:19|20)\d\d)" + e + ")?")),
            ("month_year", re.compile(
                b + fut + r"(?:(?:en|in|depuis|since|d'|de) ?)?(?P<mo>" + M + r")\.? (?P<y>(?:19|20)\d\d)" + e)),
            ("month", re.compile(b + r"(?:en|in|depuis|since|last|this) (?P<mo>" + M + r")" + e + r"(?! \d)")),
            ("season", re.compile(
                b + r"(?:(?:l'|en |cet |au cours de l'|pendant l'|durant l'|depuis l'|this |last |in the |during the |in |the )(?P<season>" + S + r")"
                r"(?: (?P<y>(?:19|20)\d\d)| (?P<last>dernier|passe))?|(?P<season2>" + S + r") (?P<y2>(?:19|20)\d\d))" + e)),
            ("ago", re.compile(b + r"il y a (?P<n>\d+|" + N + r") (?P<unit>jours?|semaines?|mois|ans|annees?)" + e)),
            ("ago_en", re.compile(b + r"(?P<n>\d+|" + N + r") (?P<unit>days?|weeks?|months?|years?) ago" + e)),
            ("later", re.compile(
                b + r"(?P<n>\d+|" + N + r") (?P<unit>jours?|semaines?|days?|weeks?) (?P<dir>plus tard|auparavant|plus tot|later|earlier|apres(?=[,.;])|after(?=[,.;])|avant(?=[,.;])|before(?=[,.;]))" + e)),
            ("anchor", re.compile(
                b + r"(?P<n>\d+|" + N + r") (?P<unit>jours?|semaines?|days?|weeks?) (?P<dir>apres|avant|after|before) (?=l'|le |la |les |the |an? )")),
            ("veille", re.compile(b + r"(?P<w>la veille|l'avant-veille|le lendemain|the day before|the next day|the following day|the previous day)" + e)),
            ("deictic", re.compile(
                b + r"(?P<w>avant-hier|hier soir|hier matin|hier|aujourd'hui|ce matin|ce soir|cette nuit|cet apres-midi|"
                r"the day before yesterday|yesterday|today|tonight|this morning|this afternoon|this evening|last night|overnight)" + e)),
            ("week", re.compile(
                b + r"(?P<w>la semaine derniere|la semaine passee|cette semaine|en debut de semaine|plus tot cette semaine|"
                r"last week|this week|earlier this week|au cours des derniers jours|ces derniers jours|in recent days|"
                r"au cours des dernieres semaines|ces dernieres semaines|in recent weeks|over the past few weeks)" + e)),
            ("month_rel", re.compile(
                b + r"(?P<w>le mois dernier|le mois passe|ce mois-ci|debut du mois|au debut du mois|du debut du mois|"
                r"fin du mois|a la fin du mois|last month|this month|earlier this month|at the start of the month|early this month)" + e)),
            ("year_rel", re.compile(
                b + r"(?P<w>a la fin de l'annee derniere|fin de l'annee derniere|fin de l'an dernier|a la fin de l'an dernier|"
                r"late last year|at the end of last year|au debut de l'annee|en debut d'annee|debut de l'annee|"
                r"early this year|at the start of the year|at the beginning of the year|"
                r"l'annee derniere|l'an dernier|last year)" + e)),
            ("weekday", re.compile(
                b + r"(?:(?P<pre>ce|cette|le|on|last|this|next|dans la nuit de|dans la nuit du|la nuit de|depuis|since|until|jusqu'a|d'ici) )?"
                r"(?P<wd>" + W + r")(?! \d)(?: (?P<post>soir|matin|apres-midi|dernier|passe|prochain|night|morning|evening|afternoon|next))?" + e)),
            ("year", re.compile(b + r"(?:en|in|depuis|since|de|from) (?P<y>(?:19|20)\d\d)" + e)),
        ]

    # -- public ---------------------------------------------------------------
    def find(self, text: str, published: date) -> list[DateRef]:
        """All date expressions in folded `text`, non-overlapping, earliest patterns win."""
        taken: list[tuple[int, int]] = []
        out: list[DateRef] = []
        for kind, pattern in self.patterns:
            for m in pattern.finditer(text):
                s, t = m.span()
                if any(s < b and a < t for a, b in taken):
                    continue
                ref = self._resolve(kind, m, published)
                if ref is not None:
                    taken.append((s, t))
                    out.append(ref)
        out.sort(key=lambda r: r.start)
        return out

    # -- resolution ---------------------------------------------------------------
    def _num(self, word: str) -> int:
        return int(word) if word.isdigit() else self.numbers.get(word, 3)

    def _resolve(self, kind: str, m: re.Match[str], pub: date) -> DateRef | None:
        s, e = m.span()
        g = m.groupdict()
        future = bool(g.get("fut"))
        if kind in ("iso", "dmy_num"):
            try:
                d = date(int(g["y"]), int(g["m"]), int(g["d"]))
            except ValueError:
                return None
            return DateRef(s, e, "future" if future or d > pub + timedelta(days=1) else "absolute", d, 1)
        if kind in ("day_month", "month_day"):
            day = 1 if g["d"] == "1er" else int(g["d"])
            month = self.months[g["mo"]]
            wd = self.weekdays.get(g["wd"]) if g.get("wd") else None
            d = self._day_month(day, month, int(g["y"]) if g.get("y") else None, wd, pub, future)
            if d is None:
                return None
            kind_out = "future" if future or d > pub + timedelta(days=1) else "absolute"
            return DateRef(s, e, kind_out, d, 1, checked=wd is not None and d.weekday() == wd)
        if kind in ("part_month", "month_year", "month"):
            month = self.months[g["mo"]]
            year = int(g["y"]) if g.get("y") else (pub.year if month <= pub.month else pub.year - 1)
            d = date(year, month, 1)
            part = g.get("part") or ""
            if part in ("mi", "mid", "a la mi"):
                d = date(year, month, 11)
            if future or d > pub:
                return DateRef(s, e, "future", d, 3)
            return DateRef(s, e, "absolute", d, 3)
        if kind == "season":
            month = self.seasons[g.get("season") or g["season2"]]
            if g.get("y") or g.get("y2"):
                year = int(g.get("y") or g["y2"])
            else:
                year = pub.year if month <= pub.month else pub.year - 1
                if g.get("last"):
                    year -= 1 if month <= pub.month else 0
            d = date(year, month, 1)
            return DateRef(s, e, "future" if d > pub else "absolute", d, 3)
        if kind in ("ago", "ago_en"):
            n = self._num(g["n"])
            unit = g["unit"]
            if unit.startswith(("jour", "day")):
                return DateRef(s, e, "deictic", pub - timedelta(days=n), 1 if n <= 3 else 2)
            if unit.startswith(("semaine", "week")):
                return DateRef(s, e, "deictic", pub - timedelta(days=7 * n), 2)
            if unit.startswith(("mois", "month")):
                return DateRef(s, e, "deictic", _add_months(pub, -n).replace(day=1), 3)
            return DateRef(s, e, "year", None, 3)
        if kind == "later":
            n = self._num(g["n"])
            days = n * (7 if g["unit"].startswith(("semaine", "week")) else 1)
            sign = -1 if g["dir"] in ("auparavant", "plus tot", "avant", "earlier", "before") else 1
            exact = g["n"].isdigit() or g["n"] in self.numbers and g["n"] not in ("quelques", "few", "several", "plusieurs")
            return DateRef(s, e, "relative", None, 1 if exact and days < 7 else 2, sign * days)
        if kind == "anchor":  # "deux jours après l'assassinat": the NP's event is N days before this clause's
            n = self._num(g["n"]) * (7 if g["unit"].startswith(("semaine", "week")) else 1)
            sign = -1 if g["dir"] in ("apres", "after") else 1
            return DateRef(s, e, "anchor", None, 1, sign * n)
        if kind == "veille":
            w = g["w"]
            off = {"la veille": -1, "l'avant-veille": -2, "the day before": -1, "the previous day": -1}.get(w, 1)
            return DateRef(s, e, "relative", None, 1, off)
        if kind == "deictic":
            w = g["w"]
            if w in ("avant-hier", "the day before yesterday"):
                return DateRef(s, e, "deictic", pub - timedelta(days=2), 1)
            if w.startswith("hier") or w in ("yesterday", "last night"):
                return DateRef(s, e, "deictic", pub - timedelta(days=1), 1)
            return DateRef(s, e, "deictic", pub, 1)
        if kind == "week":
            w = g["w"]
            monday = pub - timedelta(days=pub.weekday())
            if "derniere" in w or "passee" in w or w == "last week":
                return DateRef(s, e, "deictic", monday - timedelta(days=7), 2)
            if "semaines" in w or "weeks" in w:
                return DateRef(s, e, "deictic", pub - timedelta(days=21), 3)
            if "jours" in w or "days" in w:
                return DateRef(s, e, "deictic", pub - timedelta(days=3), 2)
            return DateRef(s, e, "deictic", monday, 2)
        if kind == "month_rel":
            w = g["w"]
            first = pub.replace(day=1)
            if "dernier" in w or "passe" in w or w == "last month":
                return DateRef(s, e, "deictic", _add_months(first, -1), 3)
            return DateRef(s, e, "deictic", first, 3)
        if kind == "year_rel":
            w = g["w"]
            if "fin" in w or "late" in w or "end" in w:
                return DateRef(s, e, "deictic", date(pub.year - 1, 12, 1), 3)
            if "debut" in w or "early" in w or "start" in w or "beginning" in w:
                return DateRef(s, e, "deictic", date(pub.year, 1, 1), 3)
            return DateRef(s, e, "year", None, 3)
        if kind == "weekday":
            pre, post = g.get("pre") or "", g.get("post") or ""
            if pre in ("until", "jusqu'a", "d'ici", "next") or post in ("prochain", "next"):
                return DateRef(s, e, "future", None, 1)
            wd = self.weekdays[g["wd"]]
            back = (pub.weekday() - wd) % 7
            if pre in ("ce", "cette", "this") and wd > pub.weekday():
                return DateRef(s, e, "future", pub + timedelta(days=wd - pub.weekday()), 1)
            if back == 0 and (post in ("dernier", "passe") or pre == "last"):
                back = 7
            return DateRef(s, e, "deictic", pub - timedelta(days=back), 1)
        if kind == "year":
            return DateRef(s, e, "year", date(int(g["y"]), 1, 1), 3)
        return None

    def _day_month(self, day: int, month: int, year: int | None, wd: int | None,
                   pub: date, future: bool) -> date | None:
        if year is not None:
            try:
                return date(year, month, day)
            except ValueError:
                return None
        candidates = []
        for y in (pub.year + 1, pub.year, pub.year - 1):
            try:
                candidates.append(date(y, month, day))
            except ValueError:
                continue
        if not candidates:
            return None
        if wd is not None:
            matching = [c for c in candidates if c.weekday() == wd]
            if matching:
                near = min(matching, key=lambda c: abs((c - pub).days))
                if abs((near - pub).days) < 200:
                    return near
        if future:
            later = [c for c in candidates if c >= pub]
            return min(later) if later else candidates[0]
        past = [c for c in candidates if c <= pub + timedelta(days=1)]
        return max(past) if past else None


def _add_months(d: date, n: int) -> date:
    m = d.month - 1 + n
    y = d.year + m // 12
    m = m % 12 + 1
    return date(y, m, min(d.day, 28))
