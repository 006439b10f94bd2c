"""The pages under their Content-Security-Policy in real headless Chromium (issue 13): they work
without one violation, and no stored URL becomes a link that runs script."""
from __future__ import annotations

import socket
import threading
import time
from datetime import date

import pytest

from veille.article import Article
from veille.store import Store

from .test_hardening_api import HOSTILE_URLS
from .test_hardening_store import record
from .test_web import CHROMIUM

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    import uvicorn

    from veille.api import create_app

    store = Store(str(tmp_path_factory.mktemp("csp") / "csp.db"))
    for i, url in enumerate(HOSTILE_URLS + ["https://example.test/report"]):
        doc = f"doc{i}"
        store.add(Article(text=f"Rockets hit Hit ({i}).", doc_id=doc, url=url, outlet=f"Outlet {i}",
                          published=date(2021, 5, 28), language="en"),
                  [record(doc, event_date=f"2021-{i + 1:02d}-10", location=f"Place {i}", latitude=3.0 * i,
                          longitude=3.0 * i)])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(store), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}", store
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


def test_web_pages_work_under_the_policy_and_no_stored_url_runs_script(site, chromium):
    url, store = site
    events = store.events()
    page = chromium.new_page()
    complaints: list[str] = []
    page.on("console", lambda m: complaints.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: complaints.append(str(e)))
    for path in ["/", "/articles", *(f"/events/{e.event_id}" for e in events), "/events/missing"]:
        page.goto(url + path)
        page.wait_for_load_state("load")
        protocols = page.evaluate("[...document.links].map(a => a.protocol)")
        assert set(protocols) <= {"http:", "https:"}, (path, protocols)
        assert page.evaluate("document.querySelectorAll('a[href*=\"script:\" i]').length") == 0
    assert page.evaluate("window.veilleMarkers") is None  # the last page has no map
    page.goto(url + "/")
    deadline = time.time() + 30
    while page.evaluate("window.veilleMarkers") is None and time.time() < deadline:
        time.sleep(0.05)
    assert page.evaluate("window.veilleMarkers") == len(events)  # the map's script ran from /static
    complaints = [c for c in complaints if "404" not in c]  # /events/missing answers 404 on purpose
    assert not complaints, complaints
    page.close()
