"""The analyst's web page in a real headless Chromium (Debian's package), driven by Playwright.

The page is served by uvicorn on loopback from a store holding the dev articles.
Screenshots go to tests/artifacts/ for a person to look at.
"""
from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from veille import ingest
from veille.store import Store

from .conftest import article

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).with_name("artifacts")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")


@pytest.fixture(scope="module")
def server(tmp_path_factory, pipeline, dev_articles):
    import uvicorn

    from veille.api import create_app

    store = Store(str(tmp_path_factory.mktemp("web") / "web.db"))
    hostile = article("Roquettes <script>window.__xss = 1</script>\n\nCe lundi, cinq roquettes ont frappé la base "
                      "d'Aïn al-Asad, dans l'ouest de l'Irak <img src=x onerror=\"window.__xss=2\">, selon des "
                      "sources sécuritaires irakiennes.", published="2022-03-16", doc_id="hostile")
    ingest(list(dev_articles) + [hostile], store, pipeline)
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
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


def wait_for(page, expression: str, timeout: float = 30) -> None:
    """page.wait_for_function, which the pages' Content-Security-Policy blocks (it evals in the page):
    page.evaluate runs through the browser's debugging protocol, outside the policy."""
    deadline = time.time() + timeout
    while not page.evaluate(expression):
        assert time.time() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.05)


def markers(page) -> int:
    wait_for(page, "window.veilleMarkers !== undefined")
    return page.locator("#map path.leaflet-interactive[fill]:not([fill='#fbfbf7'])").count()


def test_web_page_shows_events_on_map_table_and_timeline(server, browser):
    url, store = server
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(url + "/")
    total = store.count_events()
    with_coords = sum(1 for e in store.events() if e.latitude is not None)
    page.wait_for_selector("#map .leaflet-overlay-pane path")
    assert markers(page) == with_coords
    assert page.locator("#events tbody tr").count() == total
    assert page.locator("svg.timeline rect").count() >= 10
    wait_for(page, "document.querySelectorAll('#map path[fill=\"#fbfbf7\"]').length > 50")  # outlines
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "events.png"), full_page=True)
    page.close()


def test_web_filtering_changes_map_and_table(server, browser):
    url, store = server
    page = browser.new_page()
    page.goto(url + "/")
    before_rows, before_markers = page.locator("#events tbody tr").count(), markers(page)
    page.fill("#f-country", "SY")
    page.click("#f-apply")
    page.wait_for_url("**country=SY**")
    after_rows, after_markers = page.locator("#events tbody tr").count(), markers(page)
    syria = [e for e in store.events() if e.iso == "SY"]
    assert after_rows == len(syria) < before_rows
    assert after_markers == len(syria) < before_markers
    assert all("(SY)" in t for t in page.locator("#events tbody td:nth-child(3)").all_inner_texts())
    page.select_option("#f-type", "Strategic developments")
    page.fill("#f-country", "")
    page.click("#f-apply")
    page.wait_for_url("**type=Strategic**")
    types = page.locator("#events tbody td:nth-child(2)").all_inner_texts()
    from veille.lexicon import Lexicon
    strategic = {t.sub_event_type for t in Lexicon.load().taxonomy.values() if t.event_type == "Strategic developments"}
    assert types and all(t.split(" background")[0].strip() in strategic for t in types)
    page.close()


def test_web_event_view_highlights_evidence_in_each_article(server, browser):
    url, store = server
    event = max(store.events(), key=lambda e: len(e.doc_ids))
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(url + "/")
    page.click(f"tr[data-id='{event.event_id}'] a")
    page.wait_for_url(f"**/events/{event.event_id}")
    assert page.locator(".article").count() == len(event.doc_ids)
    marks = page.locator(".article mark").all_inner_texts()
    assert len(marks) >= len(event.doc_ids)
    assert any("oleimani" in m or "drone" in m or "frappe" in m for m in marks)
    assert page.locator("#claims tr").count() == len(event.doc_ids) + 1
    page.screenshot(path=str(ARTIFACTS / "event.png"), full_page=True)
    page.close()


def test_web_article_text_cannot_run_script(server, browser):
    url, store = server
    hostile = next(e for e in store.events() if "hostile" in e.doc_ids)
    page = browser.new_page()
    page.goto(f"{url}/events/{hostile.event_id}")
    page.wait_for_selector(".article mark")
    assert page.evaluate("window.__xss") is None
    assert "<script>window.__xss = 1</script>" in page.locator(".article pre").inner_text()
    page.close()
