"""Load on the HTTP app: latency of the main page and of /api/events under concurrent clients,
alone and while an ingest writes into the same database.

    python benchmarks/load.py [--db corpus.db] [--corpus ../shared/corpus/news.jsonl.gz]
                              [--requests 2000] [--concurrency 20] [--paths /api/events /] [--json out.json]

The database is the news corpus ingested with `--published 2023-01-01` (built into --db first if
that file does not exist). The benchmark serves a copy of it with `veille serve` on 127.0.0.1 (and
nowhere else), then for each path sends --requests GET requests from --concurrency clients, each
on its own keep-alive connection, and reports requests/s, p50/p90/p99/max latency and errors (any
answer but 200, or no answer within 10 s). It does so twice: alone, then while `veille ingest`
stores the corpus again under new doc_ids and a later date into the served copy (new articles,
new events: real writes), restarted until the measurement ends. Everything it runs is bounded:
a fixed number of requests, timeouts on every request and process.
"""
from __future__ import annotations

import argparse
import gzip
import http.client
import json
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only
TIMEOUT = 10.0


def veille(*args: str) -> list[str]:
    return [sys.executable, "-m", "veille.cli", *args]


def build_corpus_db(db: Path, corpus: Path) -> None:
    print(f"building {db} from {corpus} (veille ingest --published 2023-01-01)...", file=sys.stderr)
    subprocess.run(veille("ingest", str(corpus), "--db", str(db), "--published", "2023-01-01"),
                   check=False, timeout=3600, stdout=subprocess.DEVNULL)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(db: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen(veille("serve", "--db", str(db), "--host", HOST, "--port", str(port)),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
            conn.request("GET", "/api/outlets")
            if conn.getresponse().status == 200:
                conn.close()
                return proc, port
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"the server did not start: {proc.stderr.read() if proc.stderr else ''}")


def hammer(port: int, path: str, n: int, concurrency: int) -> dict:
    """n GET requests from `concurrency` keep-alive clients; latencies in ms."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    remaining = [n]

    def client() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
        while True:
            with lock:
                if remaining[0] == 0:
                    break
                remaining[0] -= 1
            t0 = time.perf_counter()
            try:
                conn.request("GET", path)
                res = conn.getresponse()
                res.read()
                ok = res.status == 200
                status = str(res.status)
            except (OSError, http.client.HTTPException) as exc:
                ok, status = False, type(exc).__name__
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
            elapsed = (time.perf_counter() - t0) * 1000
            with lock:
                latencies.append(elapsed)
                if not ok:
                    errors.append(status)
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    return {"path": path, "requests": len(latencies), "concurrency": concurrency, "seconds": round(wall, 2),
            "requests_per_s": round(len(latencies) / wall, 1), "p50_ms": round(q[49], 1),
            "p90_ms": round(q[89], 1), "p99_ms": round(q[98], 1), "max_ms": round(max(latencies), 1),
            "errors": len(errors), "error_kinds": sorted(set(errors))}


class Ingest:
    """`veille ingest` of the corpus under new doc_ids into the served database, round after round."""

    def __init__(self, db: Path, corpus: Path, workdir: Path) -> None:
        self.db, self.corpus, self.workdir = db, corpus, workdir
        self.stop = threading.Event()
        self.rounds = 0
        self.thread = threading.Thread(target=self._run)

    def _feed(self, k: int) -> Path:
        path = self.workdir / f"feed-{k}.jsonl"
        with gzip.open(self.corpus, "rt", encoding="utf-8") as f, path.open("w", encoding="utf-8") as out:
            for line in f:
                d = json.loads(line)
                out.write(json.dumps({"doc_id": f"{d['id']}-load{k}", "text": d["text"], "title": d.get("title"),
                                      "language": d.get("language"), "published": f"2023-{2 + k % 10:02d}-01"}) + "\n")
        return path

    def _run(self) -> None:
        k = 0
        while not self.stop.is_set():
            feed = self._feed(k)
            proc = subprocess.Popen(veille("ingest", str(feed), "--db", str(self.db)),
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            while proc.poll() is None and not self.stop.is_set():
                time.sleep(0.2)
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=60)
            else:
                self.rounds += 1
            feed.unlink()
            k += 1

    def __enter__(self) -> "Ingest":
        self.thread.start()
        time.sleep(15)  # let it load its pipelines and start writing
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(timeout=120)


def articles(db: Path) -> int:
    with sqlite3.connect(db, timeout=30) as conn:
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "veille-corpus.db")
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "news.jsonl.gz")
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=20)
    ap.add_argument("--paths", nargs="+", default=["/api/events", "/"])
    ap.add_argument("--no-ingest", action="store_true", help="skip the measurement during an ingest")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    if not 1 <= args.concurrency <= 200 or not 1 <= args.requests <= 100_000:
        raise SystemExit("--concurrency 1..200, --requests 1..100000")
    if not args.db.exists():
        build_corpus_db(args.db, args.corpus)
    results = []
    with tempfile.TemporaryDirectory(prefix="veille-load-") as tmp:
        served = Path(tmp) / "served.db"
        shutil.copy(args.db, served)
        server, port = start_server(served)
        try:
            phases = [("alone", None)] if args.no_ingest else [("alone", None), ("during ingest", Ingest)]
            for phase, ingest_cls in phases:
                before = articles(served)
                ctx = ingest_cls(served, args.corpus, Path(tmp)) if ingest_cls else None
                if ctx:
                    ctx.__enter__()
                try:
                    for path in args.paths:
                        hammer(port, path, min(50, args.requests), args.concurrency)  # warm up
                        results.append({"phase": phase, **hammer(port, path, args.requests, args.concurrency)})
                        print(json.dumps(results[-1]), file=sys.stderr)
                finally:
                    if ctx:
                        ctx.__exit__()
                if ctx:
                    results.append({"phase": phase, "articles_stored_meanwhile": articles(served) - before,
                                    "ingest_rounds_finished": ctx.rounds})
        finally:
            server.terminate()
            server.wait(timeout=60)
    print(f"{'phase':15} {'path':12} {'req':>5} {'req/s':>7} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} "
          f"{'max ms':>8} {'errors':>6}")
    for r in results:
        if "path" in r:
            print(f"{r['phase']:15} {r['path']:12} {r['requests']:5} {r['requests_per_s']:7} {r['p50_ms']:8} "
                  f"{r['p90_ms']:8} {r['p99_ms']:8} {r['max_ms']:8} {r['errors']:6}")
        else:
            print(f"{r['phase']:15} articles stored during the measurement: {r['articles_stored_meanwhile']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
