"""Hardening of the HTTP app (issue 13): no article runs script, no answer leaks internals,
parameters are checked before any query; on SQLite and PostgreSQL."""
from __future__ import annotations

import json

import logging
import re
import warnings
from datetime import date
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from veille.api import create_app, is_web_url
from veille.article import Article
from veille.store import Store

from .test_hardening_store import record

HOSTILE_URLS = ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)", " javascript:alert(1)",
                "\x01javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)",
                "//evil.test/x", "https://ok.test/a\"onmouseover=\"alert(1)", "http://ok.test/\njavascript:x"]


class Links(HTMLParser):
    """Every href and every script of a page, as a browser would read them."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.scripts: list[dict] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "href" in attrs:
            self.hrefs.append(attrs["href"] or "")
        if tag == "script":
            self.scripts.append(attrs)
        self.handlers += [name for name in attrs if name.startswith("on")]


def parse(html: str) -> Links:
    p = Links()
    p.feed(html)
    return p


@pytest.fixture()
def store(db_url):
    s = Store(db_url)
    for i, url in enumerate(HOSTILE_URLS + ["https://example.test/report?id=1&x=2"]):
        doc = f"doc{i}"
        s.add(Article(text=f"Rockets hit Hit ({i}).", doc_id=doc, url=url, outlet="Outlet", title=f"Title {i}",
                      published=date(2021, 5, 28), language="en"),
              [record(doc, event_date=f"2021-{i + 1:02d}-10", location=f"Place {i}", latitude=3.0 * i, longitude=3.0 * i)])
    return s


@pytest.fixture()
def client(store):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield TestClient(create_app(store), raise_server_exceptions=False)


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_api_only_http_urls_are_web_urls(url):
    assert not is_web_url(url)


def test_api_hostile_urls_are_text_not_links_on_every_page(client):
    event_ids = [e["event_id"] for e in client.get("/api/events").json()["events"]]
    assert len(event_ids) == len(HOSTILE_URLS) + 1
    for path in ["/articles", *(f"/events/{e}" for e in event_ids)]:
        page = parse(client.get(path).text)
        links = [h for h in page.hrefs if not h.startswith(("/", "#"))]
        assert all(h == "https://example.test/report?id=1&x=2" for h in links), (path, links)
    assert "https://example.test/report?id=1&amp;x=2" in client.get("/articles").text
    assert "javascript:alert(1)" in client.get("/articles").text  # shown, as text


def test_api_pages_send_a_policy_without_inline_script(client):
    event_id = client.get("/api/events").json()["events"][0]["event_id"]
    for path in ["/", "/articles", f"/events/{event_id}", "/events/missing", "/?since=garbage", "/api/events",
                 "/api/nothing", "/static/veille/events.js"]:
        res = client.get(path)
        csp = res.headers["content-security-policy"]
        script_src = re.search(r"script-src ([^;]*)", csp).group(1)
        assert script_src.split() == ["'self'"] and "default-src 'self'" in csp and "unsafe-inline" not in script_src
        assert res.headers["x-content-type-options"] == "nosniff" and res.headers["referrer-policy"] == "no-referrer"
        assert re.fullmatch(r"[0-9a-f]{12}", res.headers["x-request-id"])
        if res.headers["content-type"].startswith("text/html"):
            page = parse(res.text)
            assert all(s.get("src", "").startswith("/static/") or s.get("type") == "application/json"
                       for s in page.scripts), (path, page.scripts)
            assert not page.handlers, (path, page.handlers)


@pytest.mark.parametrize("path", [
    "/api/events?q=" + "x" * 60_000,
    "/api/events?offset=9223372036854775808",
    "/api/events?offset=-1",
    "/api/events?limit=100000",
    "/api/events?q=%00",
    "/api/events?country=I%00Q",
    "/api/events?actor=" + "%41" * 300,
    "/api/articles?outlet=%00",
    "/api/events/%00",
    "/api/events?" + "&".join(f"p{i}=1" for i in range(100)),
])
def test_api_parameters_are_refused_before_any_query(client, path):
    res = client.get(path)
    assert res.status_code == 422, res.text[:300]
    body = res.json()
    assert set(body["error"]) == {"status", "code", "message", "detail"} and body["error"]["code"] == "invalid_parameter"
    assert body["error"]["detail"] and all(set(d) == {"field", "problem"} for d in body["error"]["detail"])


@pytest.mark.parametrize("path", ["/?q=" + "x" * 60_000, "/?offset=9223372036854775808", "/?q=%00",
                                  "/articles?outlet=%00", "/events/%00", "/?limit=0"])
def test_api_pages_refuse_bad_parameters_with_an_html_page(client, path):
    res = client.get(path)
    assert res.status_code == 422 and res.headers["content-type"].startswith("text/html")
    assert "422" in res.text and "Traceback" not in res.text


def test_api_errors_are_html_on_pages_and_json_in_the_api(client):
    for path, status in [("/events/missing", 404), ("/?since=garbage", 422), ("/nothing-here", 404)]:
        res = client.get(path)
        assert res.status_code == status and res.headers["content-type"].startswith("text/html"), path
        assert f"{status}:" in res.text
    for path, status in [("/api/events/missing", 404), ("/api/events?since=garbage", 422)]:
        res = client.get(path)
        assert res.status_code == status and res.json()["error"]["status"] == status


def test_api_server_error_says_internal_error_and_logs_the_details(store, client, caplog):
    with store.writer.begin() as conn:  # a real failure of the database under the app
        conn.execute(sa.text("DROP TABLE events"))
    with caplog.at_level(logging.ERROR, logger="veille.api"):
        api = client.get("/api/events")
        page = client.get("/")
    assert api.status_code == 500 and page.status_code == 500
    request_id = api.headers["x-request-id"]
    assert api.json() == {"error": {"status": 500, "code": "internal_error",
                                    "message": f"internal error (request {request_id})",
                                    "detail": {"request_id": request_id}}}
    assert page.headers["content-type"].startswith("text/html")
    assert f"internal error (request {page.headers['x-request-id']})" in page.text
    for body in (api.text, page.text):
        for secret in ("FROM events", "no such table", "does not exist", "sqlalchemy", "sqlite3", "psycopg",
                       "OperationalError", "ProgrammingError", "Traceback"):
            assert secret not in body
    logged = caplog.text
    assert request_id in logged and page.headers["x-request-id"] in logged and re.search(r"(?i)events", logged)


def test_api_lists_never_serve_a_stale_record(store, client):
    """The lists build each stored record once; a record that changes under the same id is seen at once."""
    first = client.get("/api/events").json()["events"][0]
    from veille.dedup import Summary
    from veille.store.schema import events

    with store.writer.begin() as conn:
        state = conn.execute(sa.select(events.c.summary).where(events.c.event_id == first["event_id"])).scalar_one()
        summary = Summary(json.loads(state) if isinstance(state, str) else state)
        summary.state["base"]["record"]["notes"] = "Rewritten under the same id."
        conn.execute(events.update().where(events.c.event_id == first["event_id"]).values(summary=summary.state))
    again = client.get("/api/events").json()["events"][0]
    assert again["event_id"] == first["event_id"] and again["notes"].startswith("Rewritten under the same id.")
    assert f'data-id="{first["event_id"]}"' in client.get("/").text
