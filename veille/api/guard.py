"""What every answer of the HTTP app goes through: limits on what a request may ask, one error
handler, a request id, and the security headers.

    request -> Guard: request id; path and parameters within limits (else 422, before any query)
            -> the app (FastAPI): typed parameters (ranges), pages and their JSON twins
    answer  <- Guard: Content-Security-Policy, X-Content-Type-Options, Referrer-Policy, X-Request-ID;
               an exception becomes a 500 saying "internal error" and the request id; the details
               (SQL, parameters, traceback) go to the server log only

An error is answered in HTML on a page and in the API's JSON shape under /api/
({"error": {"status", "code", "message", "detail"}}): `error_response` is the one place that
decides, for HTTP errors, invalid parameters and server errors alike.

The policy allows scripts, styles, images and connections from this server only: no inline
script, no event-handler attribute, no outside origin. Pages load their scripts from /static.
Inline style attributes are allowed (the pages colour swatches with them); they cannot run code.
"""
from __future__ import annotations

import logging
import re
import uuid
from typing import Any, Callable
from urllib.parse import parse_qsl

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("veille.api")

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
           "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"}
MAX_PATH_CHARS = 300
MAX_QUERY_BYTES = 4096
MAX_PARAMS = 40
MAX_PARAM_CHARS = 200  # a filter value; longer is refused before any query
MAX_OFFSET = 1_000_000  # deeper pages: narrow the filters, or use `veille export`
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_WEB_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f\"'<>`\\]+", re.IGNORECASE)


def error_body(status: int, code: str, message: str, detail: Any = None) -> dict:
    return {"error": {"status": status, "code": code, "message": message, "detail": detail}}


def wants_json(path: str) -> bool:
    return path.startswith("/api/") or path == "/openapi.json"


def is_web_url(url: object) -> bool:
    """Only an http(s) URL with nothing a browser would strip or re-read becomes a link.

    `javascript:`, `data:`, `JaVaScRiPt:` with a tab inside, relative paths: all shown as text.
    """
    return isinstance(url, str) and _WEB_URL.fullmatch(url) is not None


def request_problems(scope: Scope) -> list[dict]:
    """What makes a request too big or malformed to query with: checked before any route runs."""
    path = scope.get("path", "")
    if len(path) > MAX_PATH_CHARS or _CONTROL.search(path):
        return [{"field": "path", "problem": f"at most {MAX_PATH_CHARS} characters, no control characters"}]
    query = scope.get("query_string", b"")
    if len(query) > MAX_QUERY_BYTES:
        return [{"field": "query", "problem": f"the query string is {len(query)} bytes, more than {MAX_QUERY_BYTES}"}]
    try:
        params = parse_qsl(query.decode("latin-1"), keep_blank_values=True, max_num_fields=MAX_PARAMS)
    except ValueError:
        return [{"field": "query", "problem": f"more than {MAX_PARAMS} parameters"}]
    problems = []
    for name, value in params:
        if len(value) > MAX_PARAM_CHARS:
            problems.append({"field": name[:40], "problem": f"{len(value)} characters, at most {MAX_PARAM_CHARS}"})
        elif _CONTROL.search(name + value):
            problems.append({"field": name[:40], "problem": "control characters (such as %00) are not allowed"})
    return problems


class Guard:
    """Pure ASGI middleware (no buffering of bodies): see the module docstring."""

    def __init__(self, app: ASGIApp, render: Callable[[Request, dict], Response]) -> None:
        self.app = app
        self.render = render

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex[:12]
        scope.setdefault("state", {})["request_id"] = request_id
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                headers["X-Request-ID"] = request_id
            await send(message)

        request = Request(scope)
        problems = request_problems(scope)
        if problems:
            body = error_body(422, "invalid_parameter", "A parameter is invalid.", problems)
            await error_response(request, body, self.render)(scope, receive, send_with_headers)
            return
        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("request %s failed: %s %s", request_id, scope.get("method"), scope.get("path"))
            if started:
                raise
            body = error_body(500, "internal_error", f"internal error (request {request_id})",
                              {"request_id": request_id})
            await error_response(request, body, self.render)(scope, receive, send_with_headers)


def error_response(request: Request, body: dict, render: Callable[[Request, dict], Response]) -> Response:
    """The one way an error is answered: JSON under /api/, an HTML page elsewhere."""
    status = body["error"]["status"]
    if wants_json(request.url.path):
        return JSONResponse(body, status_code=status)
    try:
        response = render(request, body["error"])
        response.status_code = status
        return response
    except Exception:  # the error page itself failed: answer in plain HTML, never with the details
        log.exception("the error page failed for request %s", request.scope.get("state", {}).get("request_id"))
        return HTMLResponse(f"<!doctype html><title>{status}</title><h1>{status}</h1><p>internal error</p>",
                            status_code=status)


__all__ = ["Guard", "error_body", "error_response", "is_web_url", "request_problems", "CSP", "MAX_OFFSET"]
