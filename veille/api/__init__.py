"""HTTP API and the analyst's web page (FastAPI).

Every HTML page has a JSON twin built by the same query function:

    /                      <->  /api/events            (filters as query parameters)
    /events/{event_id}     <->  /api/events/{event_id}
    /articles              <->  /api/articles

Errors have one shape everywhere: {"error": {"status", "code", "message", "detail"}}
(veille/api/guard.py: one error handler, limits on parameters, security headers).
Article text is untrusted: templates escape it, and evidence highlighting is
built from escaped segments, never from raw HTML; an article's URL becomes a
link only when it is http(s) (`is web_url` in templates); scripts are files
under /static, never inline.
"""
from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..geo import outlines_geojson
from ..store import EventFilter, Store
from .guard import MAX_OFFSET, MAX_PARAM_CHARS, Guard, error_body, error_response, is_web_url

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")
COLOURS = {
    "Battles": "#d62728", "Explosions/Remote violence": "#ff7f0e", "Violence against civilians": "#9467bd",
    "Protests": "#2ca02c", "Riots": "#8c564b", "Strategic developments": "#1f77b4",
}
PAGE_SIZE = 100
Since = Annotated[date | None, Query(description="events on or after (YYYY-MM-DD)")]
Until = Annotated[date | None, Query(description="events on or before (YYYY-MM-DD)")]
Limit = Annotated[int, Query(ge=1, le=5000)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
Text = Annotated[str | None, Query(max_length=MAX_PARAM_CHARS)]


def create_app(db: str | Store = "veille.db") -> FastAPI:
    store = db if isinstance(db, Store) else Store(db)
    app = FastAPI(title="veille", version="0.1.0",
                  description="Conflict events from news articles, with the evidence for every field.")
    templates = Jinja2Templates(directory=str(TEMPLATES))
    templates.env.tests["web_url"] = is_web_url
    import xstatic.pkg.leaflet as leaflet

    app.mount("/static/leaflet", StaticFiles(directory=leaflet.BASE_DIR), name="leaflet")
    app.mount("/static/veille", StaticFiles(directory=STATIC), name="veille")

    def error_page(request: Request, error: dict):
        return templates.TemplateResponse(request, "error.html", {"error": error}, status_code=error["status"])

    app.add_middleware(Guard, render=error_page)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error_response(request, error_body(exc.status_code, code, str(exc.detail)), error_page)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        detail = [{"field": ".".join(str(x) for x in e["loc"][1:]), "problem": e["msg"]} for e in exc.errors()]
        return error_response(request, error_body(422, "invalid_parameter", "A parameter is invalid.", detail),
                              error_page)

    # -- queries shared by pages and their JSON twins ---------------------------------
    def event_filter(since: date | None, until: date | None, country: str | None, admin1: str | None,
                     type: str | None, actor: str | None, outlet: str | None, q: str | None,
                     limit: int, offset: int) -> EventFilter:
        return EventFilter(since=since, until=until, country=country or None, admin1=admin1 or None,
                           event_type=type or None, actor=actor or None, outlet=outlet or None,
                           text=q or None, limit=limit, offset=offset)

    def events_query(flt: EventFilter) -> dict:
        return {"total": store.count_events(flt), "limit": flt.limit, "offset": flt.offset,
                "events": store.event_dicts(flt)}

    def event_query(event_id: str) -> dict:
        found = store.event(event_id)
        if found is None:
            raise HTTPException(404, f"no event {event_id!r}")
        event, mentions = found
        for m in mentions:
            m["evidence"] = [{"start": e["start"], "end": e["end"], "text": m["text"][e["start"]:e["end"]]}
                             for e in m["record"].get("evidence", [])]
        return {"event": event.to_dict(), "mentions": mentions}

    # -- JSON API ---------------------------------------------------------------
    @app.get("/api/events", tags=["events"])
    def api_events(since: Since = None, until: Until = None, country: Text = None, admin1: Text = None,
                   type: Text = None, actor: Text = None, outlet: Text = None, q: Text = None,
                   limit: Limit = PAGE_SIZE, offset: Offset = 0):
        """Events matching the filters, a page at a time (the JSON twin of the main page)."""
        return JSONResponse(events_query(event_filter(since, until, country, admin1, type, actor, outlet, q,
                                                      limit, offset)))

    @app.get("/api/events/{event_id}", tags=["events"])
    def api_event(event_id: str):
        """One event with every article that reports it, its own values and its evidence."""
        return JSONResponse(event_query(event_id))

    @app.get("/api/articles", tags=["articles"])
    def api_articles(outlet: Text = None, limit: Limit = 100, offset: Offset = 0):
        return JSONResponse({"articles": store.articles(outlet, limit, offset)})

    @app.get("/api/outlets", tags=["articles"])
    def api_outlets():
        return {"outlets": store.outlets()}

    @app.get("/api/countries.geojson", tags=["map"])
    def api_countries():
        """Country outlines (Natural Earth, simplified) for the offline map."""
        return outlines_geojson()

    # -- pages ------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page_events(request: Request, since: Text = None, until: Text = None, country: Text = None,
                    admin1: Text = None, type: Text = None, actor: Text = None, outlet: Text = None,
                    q: Text = None, limit: Limit = PAGE_SIZE, offset: Offset = 0):
        # a form sends empty fields: they mean "no filter"
        flt = event_filter(_form_date(since, "since"), _form_date(until, "until"), country, admin1, type, actor,
                           outlet, q, limit, offset)
        data = events_query(flt)
        points = [{"id": e["event_id"], "lat": e["latitude"], "lon": e["longitude"], "type": e["event_type"],
                   "colour": COLOURS.get(e["event_type"], "#555"), "fatalities": e["fatalities"],
                   "label": f"{e['event_date']} {e['sub_event_type']} — {e['location'] or ''}"}
                  for e in data["events"] if e["latitude"] is not None]
        params = {k: v for k, v in request.query_params.items() if v}
        return templates.TemplateResponse(request, "events.html", {
            "data": data, "points": points, "timeline": timeline(data["events"]), "colours": COLOURS,
            "params": params, "outlets": store.outlets(), "json_url": request.url.replace(path="/api/events"),
            "pages": pages(request, data)})

    @app.get("/events/{event_id}", response_class=HTMLResponse, include_in_schema=False)
    def page_event(request: Request, event_id: str):
        data = event_query(event_id)
        for m in data["mentions"]:
            m["segments"] = highlight(m["text"], m["evidence"])
        return templates.TemplateResponse(request, "event.html", {
            "data": data, "ev": data["event"], "colour": COLOURS.get(data["event"]["event_type"], "#555"),
            "json_url": f"/api/events/{event_id}"})

    @app.get("/articles", response_class=HTMLResponse, include_in_schema=False)
    def page_articles(request: Request, outlet: Text = None, limit: Limit = 1000, offset: Offset = 0):
        return templates.TemplateResponse(request, "articles.html", {
            "articles": store.articles(outlet, limit, offset), "json_url": "/api/articles"})

    app.state.store = store
    return app


def _form_date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RequestValidationError([{"loc": ("query", name), "msg": f"{value!r} is not a date like 2021-05-28",
                                       "type": "value_error"}]) from None


def pages(request: Request, data: dict) -> dict:
    """Links to the previous and the next page of a list, keeping the filters."""
    limit, offset, total = data["limit"], data["offset"], data["total"]
    out = {"first": offset + 1 if total else 0, "last": min(offset + limit, total)}
    if offset > 0:
        out["previous"] = str(request.url.include_query_params(offset=max(0, offset - limit)))
    if offset + limit < total:
        out["next"] = str(request.url.include_query_params(offset=offset + limit))
    return out


def highlight(text: str, evidence: list[dict]) -> list[tuple[str, bool]]:
    """Split a text into (segment, is_evidence) pairs; the template escapes each segment."""
    spans = sorted({(max(0, e["start"]), min(len(text), e["end"])) for e in evidence if e["end"] > e["start"]})
    out, pos = [], 0
    for s, e in spans:
        if s < pos:
            s = pos
        if s >= e:
            continue
        out.append((text[pos:s], False))
        out.append((text[s:e], True))
        pos = e
    out.append((text[pos:], False))
    return [(t, h) for t, h in out if t]


def timeline(events: list[dict]) -> dict:
    """Counts per month as SVG bars (rendered by the template)."""
    counts: dict[str, int] = {}
    for e in events:
        counts[e["event_date"][:7]] = counts.get(e["event_date"][:7], 0) + 1
    if not counts:
        return {"bars": [], "max": 0}
    months = sorted(counts)
    y0, m0 = map(int, months[0].split("-"))
    y1, m1 = map(int, months[-1].split("-"))
    keys = []
    while (y0, m0) <= (y1, m1):
        keys.append(f"{y0:04d}-{m0:02d}")
        y0, m0 = (y0 + 1, 1) if m0 == 12 else (y0, m0 + 1)
    top = max(counts.values())
    width = max(4, math.floor(900 / len(keys)))
    bars = [{"month": k, "count": counts.get(k, 0), "x": i * width, "w": max(2, width - 1),
             "h": round(80 * counts.get(k, 0) / top)} for i, k in enumerate(keys)]
    return {"bars": bars, "max": top, "width": width * len(keys), "svg": _timeline_svg(bars)}


def _timeline_svg(bars: list[dict]) -> Markup:
    """The bars as SVG, built here: a span of decades is hundreds of bars, too slow for a template loop.
    Every value is a number or a YYYY-MM month made here, so nothing needs escaping."""
    parts = []
    for i, b in enumerate(bars):
        parts.append(f'<rect x="{b["x"]}" y="{85 - b["h"]}" width="{b["w"]}" height="{b["h"]}">'
                     f'<title>{b["month"]}: {b["count"]}</title></rect>')
        if i == 0 or i == len(bars) - 1 or b["month"].endswith("-01"):
            parts.append(f'<text x="{b["x"]}" y="98">{b["month"]}</text>')
    return Markup("".join(parts))


__all__ = ["create_app", "highlight", "error_body", "is_web_url"]
