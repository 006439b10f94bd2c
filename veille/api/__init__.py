"""HTTP API and the analyst's web page (FastAPI).

Every HTML page has a JSON twin built by the same query function:

    /                      <->  /api/events            (filters as query parameters)
    /charts                <->  /api/summary           (the same filters)
    /events/{event_id}     <->  /api/events/{event_id}
    /articles              <->  /api/articles
    the map's labels       <->  /api/map/labels
    download of the view   ==   /api/export?format=acled-csv|geojson|jsonl&<filters>

Filters accept a country's name or code and an event type or sub-event type
(veille.filters); a value that matches nothing is a 422 that lists the valid ones.
Scripts and styles are static files served by the app (no inline script, no CDN):
Leaflet and MarkerCluster from xstatic packages, Swagger UI and ReDoc from fastapi-offline.

Errors have one shape everywhere: {"error": {"status", "code", "message", "detail"}}
(veille/api/guard.py: one error handler, limits on parameters, security headers).
Article text is untrusted: templates escape it, and evidence highlighting is
built from escaped segments, never from raw HTML; an article's URL becomes a
link only when it is http(s) (`is web_url` in templates); scripts are files
under /static, never inline.
"""
from __future__ import annotations

import io
import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..export import MEDIA_TYPES, SUFFIXES, export_events
from ..filters import FilterError, build_filter, taxonomy
from ..geo import outlines_geojson, outside_country
from ..store import EventFilter, Store
from . import charts
from .charts import COLOURS
from .guard import MAX_OFFSET, MAX_PARAM_CHARS, Guard, error_body, error_response, is_web_url

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")
PAGE_SIZE = 100
Since = Annotated[date | None, Query(description="events on or after (YYYY-MM-DD)")]
Until = Annotated[date | None, Query(description="events on or before (YYYY-MM-DD)")]
Limit = Annotated[int, Query(ge=1, le=5000)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
Text = Annotated[str | None, Query(max_length=MAX_PARAM_CHARS)]
Country = Annotated[str | None, Query(max_length=MAX_PARAM_CHARS,
                                      description="ISO code (IQ, IRQ) or name in English or French (Iraq, Irak)")]
EventType = Annotated[str | None, Query(max_length=MAX_PARAM_CHARS,
                                        description="ACLED event type or sub-event type (Battles, Air/drone strike)")]


def create_app(db: str | Store = "veille.db") -> FastAPI:
    store = db if isinstance(db, Store) else Store(db)
    app = FastAPI(title="veille", version="0.1.0", docs_url=None, redoc_url=None,
                  description="Conflict events from news articles, with the evidence for every field.")
    templates = Jinja2Templates(directory=str(TEMPLATES))
    templates.env.filters["slug"] = type_class
    templates.env.tests["web_url"] = is_web_url
    import fastapi_offline
    import xstatic.pkg.leaflet as leaflet
    import xstatic.pkg.leaflet_markercluster as markercluster

    app.mount("/static/leaflet", StaticFiles(directory=leaflet.BASE_DIR), name="leaflet")
    app.mount("/static/markercluster", StaticFiles(directory=markercluster.BASE_DIR), name="markercluster")
    app.mount("/static/apidocs", StaticFiles(directory=Path(fastapi_offline.__file__).with_name("static")),
              name="apidocs")
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
                     limit: int | None, offset: int) -> EventFilter:
        try:
            return build_filter(since, until, country, admin1, type, actor, outlet, q, limit, offset)
        except FilterError as exc:
            field = "type" if exc.field == "type" else exc.field
            raise RequestValidationError([{"loc": ("query", field), "msg": str(exc), "type": "value_error"}]) from None

    def events_query(flt: EventFilter) -> dict:
        # the cached dicts are shared: a page adds its own fields to a copy
        events = [{**e, "outside_country": outside_country(e["latitude"], e["longitude"], e["iso"])}
                  for e in store.event_dicts(flt)]
        return {"total": store.count_events(flt), "limit": flt.limit, "offset": flt.offset,
                "filter": {"since": flt.since and flt.since.isoformat(), "until": flt.until and flt.until.isoformat(),
                           "country": flt.country, "type": flt.event_type},
                "events": events}

    def summary_query(flt: EventFilter) -> dict:
        unpaged = EventFilter(**{**flt.__dict__, "limit": None, "offset": 0})
        return charts.summary(store.event_dicts(unpaged), flt.since, flt.until)

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
    def api_events(since: Since = None, until: Until = None, country: Country = None, admin1: Text = None,
                   type: EventType = None, actor: Text = None, outlet: Text = None, q: Text = None,
                   limit: Limit = PAGE_SIZE, offset: Offset = 0):
        """Events matching the filters, a page at a time (the JSON twin of the main page)."""
        return JSONResponse(events_query(event_filter(since, until, country, admin1, type, actor, outlet, q,
                                                      limit, offset)))

    @app.get("/api/summary", tags=["events"])
    def api_summary(since: Since = None, until: Until = None, country: Country = None, admin1: Text = None,
                    type: EventType = None, actor: Text = None, outlet: Text = None, q: Text = None):
        """Events per period and type, fatalities per period, the most active actors (the JSON twin of /charts)."""
        return JSONResponse(summary_query(event_filter(since, until, country, admin1, type, actor, outlet, q, None, 0)))

    @app.get("/api/export", tags=["events"])
    def api_export(format: Literal["acled-csv", "geojson", "jsonl"] = "acled-csv", since: Since = None,
                   until: Until = None, country: Country = None, admin1: Text = None,
                   type: EventType = None, actor: Text = None, outlet: Text = None, q: Text = None):
        """Every event matching the filters, as a file: exactly what the page shows."""
        flt = event_filter(since, until, country, admin1, type, actor, outlet, q, None, 0)
        out = io.StringIO()
        export_events(store, flt, format, out)
        return Response(out.getvalue(), media_type=MEDIA_TYPES[format], headers={
            "Content-Disposition": f'attachment; filename="veille-events.{SUFFIXES[format]}"'})

    @app.get("/api/map/labels", tags=["map"])
    def api_labels(west: float = Query(-180, ge=-180, le=180), south: float = Query(-90, ge=-90, le=90),
                   east: float = Query(180, ge=-180, le=180), north: float = Query(90, ge=-90, le=90),
                   zoom: int = Query(3, ge=0, le=18)):
        """Names of populated places and first-level divisions inside a box (the map's labels)."""
        return JSONResponse(charts.labels(west, south, east, north, zoom))

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
    def page_filter(since: str | None, until: str | None, country: str | None, admin1: str | None,
                    type: str | None, actor: str | None, outlet: str | None, q: str | None,
                    limit: int | None, offset: int) -> EventFilter:
        # a form sends empty fields: they mean "no filter"
        return event_filter(_form_date(since, "since"), _form_date(until, "until"), country, admin1, type, actor,
                            outlet, q, limit, offset)

    def page_context(request: Request) -> dict:
        tax = taxonomy()
        return {"params": {k: v for k, v in request.query_params.items() if v}, "colours": COLOURS,
                "types": {t: [s for s, et in tax.sub_event_types.items() if et == t] for t in tax.event_types},
                "outlets": store.outlets()}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page_events(request: Request, since: Text = None, until: Text = None, country: Text = None,
                    admin1: Text = None, type: Text = None, actor: Text = None, outlet: Text = None,
                    q: Text = None, limit: Limit = PAGE_SIZE, offset: Offset = 0):
        """The table lists a page of events; the map, the timeline and the charts show them all (events.js)."""
        data = events_query(page_filter(since, until, country, admin1, type, actor, outlet, q, limit, offset))
        return templates.TemplateResponse(request, "events.html", {
            **page_context(request), "data": data, "json_url": request.url.replace(path="/api/events"),
            "pages": pages(request, data)})

    @app.get("/charts", response_class=HTMLResponse, include_in_schema=False)
    def page_charts(request: Request, since: Text = None, until: Text = None, country: Text = None,
                    admin1: Text = None, type: Text = None, actor: Text = None, outlet: Text = None,
                    q: Text = None):
        data = summary_query(page_filter(since, until, country, admin1, type, actor, outlet, q, None, 0))
        return templates.TemplateResponse(request, "charts.html", {
            **page_context(request), "summary": data, "json_url": request.url.replace(path="/api/summary")})

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def page_docs(request: Request):
        return templates.TemplateResponse(request, "apidocs.html", {"which": "swagger"})

    @app.get("/static/redoc.js", include_in_schema=False)
    def redoc_bundle():
        """fastapi-offline's ReDoc bundle, with the one remote image it shows (a logo) made local."""
        return Response(_redoc_bundle(), media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/redoc", response_class=HTMLResponse, include_in_schema=False)
    def page_redoc(request: Request):
        return templates.TemplateResponse(request, "apidocs.html", {"which": "redoc"})

    @app.get("/events/{event_id}", response_class=HTMLResponse, include_in_schema=False)
    def page_event(request: Request, event_id: str):
        data = event_query(event_id)
        for m in data["mentions"]:
            m["segments"] = highlight(m["text"], m["evidence"])
        return templates.TemplateResponse(request, "event.html", {
            "data": data, "ev": data["event"], "colour": COLOURS.get(data["event"]["event_type"], "#555"),
            "copies": store.copies(data["event"]["doc_ids"]), "json_url": f"/api/events/{event_id}"})

    @app.get("/articles", response_class=HTMLResponse, include_in_schema=False)
    def page_articles(request: Request, outlet: Text = None, limit: Limit = 1000, offset: Offset = 0):
        return templates.TemplateResponse(request, "articles.html", {
            "articles": store.articles(outlet, limit, offset), "json_url": "/api/articles"})

    app.state.store = store
    return app


@lru_cache(maxsize=1)
def _redoc_bundle() -> str:
    import fastapi_offline

    path = Path(fastapi_offline.__file__).with_name("static") / "redoc.standalone.js"
    return path.read_text(encoding="utf-8").replace("https://cdn.redoc.ly/redoc/logo-mini.svg",
                                                    "/static/apidocs/favicon.png")


def type_class(event_type: str) -> str:
    """The CSS class of an event type's colour (veille.css): 'Explosions/Remote violence' -> t-explosions-remote-violence."""
    return "t-" + re.sub(r"[^a-z]+", "-", event_type.lower()).strip("-")


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


__all__ = ["create_app", "highlight", "error_body", "is_web_url"]
