"""The analyst's web page in a real headless Chromium (Debian's package), driven by Playwright.

The page is served by uvicorn on loopback from a store built from the bundled sample articles, plus an
article with hostile markup and an event whose coordinates lie outside its country. Screenshots go to
tests/artifacts/ for a person to look at (scripts/screenshots.py makes the README's).
"""
from __future__ import annotations

import csv
import io
import json
import shutil
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from veille.article import Article
from veille.ingestion import ingest
from veille.records import EventRecord, Evidence
from veille.store import Store

from .conftest import article

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).with_name("artifacts")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
LOCAL = {"127.0.0.1"}


@contextmanager
def serving(store: Store):
    """The app on a free loopback port, in a thread."""
    import uvicorn

    from veille.api import create_app

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
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


def misplaced_event(store: Store) -> str:
    """A report placed in Syria whose coordinates are in Baghdad: the page must make it visible."""
    text = "A note written for the test of misplaced events. " * 8
    rec = EventRecord("2021-04-02", 1, "Political violence", "Battles", "Armed clash", "Military Forces of Syria",
                      None, 1, "Islamic State", None, 2, "Syria", "SY", None, "Somewhere", 33.31, 44.36, 1,
                      evidence=[Evidence("misplaced", 0, 40)], doc_ids=["misplaced"])
    store.add(Article(text=text, outlet="Test outlet", doc_id="misplaced"), [rec])
    return next(e.event_id for e in store.events() if e.doc_ids == ["misplaced"])


@pytest.fixture(scope="module")
def server(tmp_path_factory, pipeline, sample_articles):
    store = Store(str(tmp_path_factory.mktemp("web") / "web.db"))
    hostile = article("Roquettes <script>window.__xss = 1</script>\n\nCe lundi, cinq roquettes ont frappé la base "
                      "d'Aïn al-Asad, dans l'ouest de l'Irak <img src=x onerror=\"window.__xss=2\">, selon des "
                      "sources sécuritaires irakiennes.", published="2022-03-16", doc_id="hostile")
    ingest(list(sample_articles) + [hostile], store, pipeline)
    misplaced_event(store)
    with serving(store) as url:
        yield url, store


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


def open_page(browser, url, width=1400, height=1000):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(url)
    wait_for(page, "window.veilleReady === true")
    return page


def shown_ids(page) -> list[str]:
    return page.eval_on_selector_all("#events tbody tr", "rows => rows.map(r => r.dataset.id)")


def clustered(page) -> int:
    """Events on the map: single markers plus the events inside cluster icons."""
    singles = page.locator("#map path.leaflet-interactive").count()
    in_clusters = sum(int(t.split()[0]) for t in page.locator("#map .cluster span").all_inner_texts())
    return singles + in_clusters


def test_web_map_clusters_every_placed_event_and_labels_places(server, browser):
    url, store = server
    page = open_page(browser, url + "/#map=2/30.000/20.000")
    placed = [e for e in store.events() if e.latitude is not None]
    assert page.locator("#map").get_attribute("data-markers") == str(len(placed))
    assert page.locator("#map .cluster").count() >= 1  # the events of Baghdad pile into a cluster at world zoom
    assert clustered(page) == len(placed)
    assert page.locator("#events tbody tr").count() == store.count_events()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "world.png"), full_page=True)
    page.close()
    page = open_page(browser, url + "/#map=7/33.300/44.000")
    wait_for(page, "Number(document.getElementById('map').dataset.labels || 0) > 5")
    names = page.locator("#map .place-label").all_inner_texts()
    assert "Baghdad" in names
    assert page.locator("#map .division-label").count() >= 3
    assert clustered(page) >= 1
    page.screenshot(path=str(ARTIFACTS / "zoomed.png"), full_page=True)
    page.close()


def test_web_event_outside_its_country_is_flagged(server, browser):
    url, store = server
    page = open_page(browser, url + "/?country=Syria")
    row = page.locator("#events tbody tr", has_text="Somewhere")
    assert "outside SY?" in row.inner_text()
    assert page.locator("#map path[stroke='#d00']").count() + page.locator("#map .cluster").count() >= 1
    page.close()


def drag(page, start: float, end: float) -> None:
    box = page.locator("#timeline svg").bounding_box()
    y = box["y"] + box["height"] * 0.5
    page.mouse.move(box["x"] + box["width"] * start, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * (start + end) / 2, y, steps=4)
    page.mouse.move(box["x"] + box["width"] * end, y, steps=4)
    page.mouse.up()
    wait_for(page, "window.veilleReady === true")


def test_web_brushing_the_timeline_filters_map_table_charts_and_download(server, browser):
    url, store = server
    page = open_page(browser, url + "/")
    everything = page.locator("#events tbody tr").count()
    drag(page, 0.55, 0.95)
    query = parse_qs(urlparse(page.url).query)
    since, until = query["since"][0], query["until"][0]
    expected = [e for e in store.events() if since <= e.event_date <= until]
    assert 0 < len(expected) < everything
    assert sorted(shown_ids(page)) == sorted(e.event_id for e in expected)
    assert all(since <= d <= until for d in page.eval_on_selector_all("#events tbody tr", "r => r.map(x => x.dataset.date)"))
    assert page.locator("#map").get_attribute("data-markers") == str(sum(e.latitude is not None for e in expected))
    assert page.locator("#charts").get_attribute("data-total") == str(len(expected))
    assert page.locator("#timeline rect.bar.out").count() >= 1
    # the downloads hold exactly the events on screen
    geo = json.loads(page.request.get(url + page.locator("#dl-geojson").get_attribute("href")).text())
    assert sorted(f["id"] for f in geo["features"]) == sorted(shown_ids(page))
    rows = list(csv.DictReader(io.StringIO(page.request.get(url + page.locator("#dl-csv").get_attribute("href")).text())))
    assert len(rows) == len(expected) and all(since <= r["event_date"] <= until for r in rows)
    page.screenshot(path=str(ARTIFACTS / "brushed.png"), full_page=True)
    # the URL holds the view: opened again, it shows the same events and the same map
    page.evaluate("() => window.scrollTo(0, 0)")
    link = page.url
    again = open_page(browser, link)
    assert sorted(shown_ids(again)) == sorted(shown_ids(page))
    assert again.evaluate("() => [window.veilleState.since, window.veilleState.until]") == [since, until]
    assert again.locator("#f-since").input_value() == since
    again.close()
    page.dblclick("#timeline svg")
    wait_for(page, "window.veilleReady === true")
    assert page.locator("#events tbody tr").count() == everything and "since" not in page.url
    page.close()


def test_web_filters_accept_country_names_and_sub_event_types(server, browser):
    url, store = server
    page = open_page(browser, url + "/")
    page.fill("#f-country", "Irak")
    page.select_option("#f-type", "Air/drone strike")
    page.click("#f-apply")
    page.wait_for_url("**country=Irak**")
    wait_for(page, "window.veilleReady === true")
    rows = page.locator("#events tbody tr").all_inner_texts()
    expected = [e for e in store.events() if e.iso == "IQ" and e.sub_event_type == "Air/drone strike"]
    assert len(rows) == len(expected) > 0 and all("(IQ)" in r and "Air/drone strike" in r for r in rows)
    assert page.locator("#charts .by-type").count() == 1
    page.fill("#f-country", "Atlantis")
    page.click("#f-apply")
    assert "unknown country 'Atlantis'" in page.locator("main").inner_text()
    page.close()


def test_web_charts_page_matches_its_json_twin(server, browser):
    url, store = server
    page = open_page(browser, url + "/charts?type=Explosions/Remote%20violence")
    twin = page.request.get(url + "/api/summary?type=Explosions/Remote%20violence").json()
    assert page.locator("#charts").get_attribute("data-total") == str(twin["total"]) != "0"
    assert page.locator("#chart-actors svg > text > title").first.text_content() == twin["actors"][0]["actor"]
    assert page.locator("#charts .by-type").count() == len(twin["by_type"])
    page.screenshot(path=str(ARTIFACTS / "charts.png"), full_page=True)
    page.close()


def test_web_event_view_highlights_evidence_in_each_article(server, browser):
    url, store = server
    event = max(store.events(), key=lambda e: (len(e.doc_ids), e.event_id))
    page = open_page(browser, url + "/")
    page.click(f"tr[data-id='{event.event_id}'] a")
    page.wait_for_url(f"**/events/{event.event_id}")
    assert page.locator(".article").count() == len(event.doc_ids)
    assert len(page.locator(".article mark").all_inner_texts()) >= len(event.doc_ids)
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


def test_web_no_request_leaves_the_machine_on_any_page(server, browser):
    url, store = server
    event = store.events()[0]
    context = browser.new_context()
    seen: list[str] = []
    context.on("request", lambda r: seen.append(r.url))
    context.route("**/*", lambda route: route.continue_() if urlparse(route.request.url).hostname in LOCAL
                  else route.abort())
    page = context.new_page()
    for path, ready in [("/", "window.veilleReady === true"), ("/?country=Iraq#map=6/33.000/44.000", "window.veilleReady === true"),
                        ("/charts", "window.veilleReady === true"), (f"/events/{event.event_id}", None),
                        ("/articles", None), ("/docs", "document.querySelector('.opblock') !== null"),
                        ("/redoc", "document.querySelector('[role=menuitem], .menu-content li') !== null")]:
        page.goto(url + path)
        if ready:
            wait_for(page, ready)
        page.wait_for_load_state("networkidle")
    outside = [u for u in seen if urlparse(u).scheme not in ("data", "blob", "about")
               and urlparse(u).hostname not in LOCAL]
    assert not outside, f"requests that left 127.0.0.1: {outside}"
    assert any("/static/apidocs/swagger-ui-bundle.js" in u for u in seen)
    assert any("/static/redoc.js" in u for u in seen)
    context.close()
