"""Take the README's screenshots: a database built from the bundled samples, served on loopback,
photographed in headless Chromium (Debian's package, driven by Playwright).

    python scripts/screenshots.py            # writes docs/screenshots/*.png
"""
from __future__ import annotations

import shutil
import socket
import sys
import tempfile
import threading
import time
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"


def build_store(path: Path):
    from veille.article import Failure
    from veille.pipeline import Pipeline
    from veille.readers import Defaults, read_inputs
    from veille.store import Store

    store = Store(str(path))
    pipe = Pipeline()
    with resources.as_file(resources.files("veille") / "samples") as samples:
        articles = [a for a in read_inputs([str(samples)], Defaults()) if not isinstance(a, Failure)]
    for result in pipe.run(iter(articles)):
        if result.article is not None and not result.failure:
            store.add(result.article, result.records)
    return store


def serve(store):
    import uvicorn

    from veille.api import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(store), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=srv.run, daemon=True).start()
    while not srv.started:
        time.sleep(0.1)
    return f"http://127.0.0.1:{port}", srv


def wait_for(page, expression: str, timeout: float = 60) -> None:
    """Poll through the debugging protocol: the pages' Content-Security-Policy forbids in-page eval."""
    deadline = time.time() + timeout
    while not page.evaluate(expression):
        if time.time() > deadline:
            raise TimeoutError(expression)
        time.sleep(0.05)


def main() -> int:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("Debian's chromium is needed (apt-get install chromium)", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        store = build_store(Path(tmp) / "samples.db")
        url, srv = serve(store)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])

            def shot(path: str, name: str, clip_to: str | None = None, setup=None) -> None:
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.goto(url + path)
                wait_for(page, "window.veilleReady === true")
                if "#map" in path or path.startswith("/?") or path == "/":
                    wait_for(page, "Number(document.getElementById('map').dataset.labels || 0) > 0")
                if setup:
                    setup(page)
                page.wait_for_timeout(600)
                target = page.locator(clip_to) if clip_to else page
                target.screenshot(path=str(OUT / name))
                page.close()

            def brush(page) -> None:
                box = page.locator("#timeline svg").bounding_box()
                y = box["y"] + box["height"] / 2
                page.mouse.move(box["x"] + box["width"] * 0.72, y)
                page.mouse.down()
                page.mouse.move(box["x"] + box["width"] * 0.99, y, steps=8)
                page.mouse.up()
                wait_for(page, "window.veilleReady === true")
                page.evaluate("() => window.scrollTo(0, 0)")

            shot("/#map=2/25.000/20.000", "world.png")
            shot("/?country=Iraq#map=7/33.500/43.500", "zoomed.png", "#map")
            shot("/#map=2/25.000/20.000", "brushed.png", None, brush)
            event = max(store.events(), key=lambda e: (len(e.doc_ids), e.fatalities, e.event_id))
            page_event = f"/events/{event.event_id}"
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.goto(url + page_event)
            page.screenshot(path=str(OUT / "event.png"))
            page.close()
            shot("/charts", "charts.png")
            browser.close()
        srv.should_exit = True
    print(f"screenshots in {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
