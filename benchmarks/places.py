"""Cost of the gazetteer alone: start-up, and places per article.

    python benchmarks/places.py [--corpus ../shared/corpus/news.jsonl.gz] [--limit 1500] [--repeat 3]

Reports the time to load the gazetteer from its cache (a fresh process each time), and the
time `context_countries` + `find` take per article over the dev articles and over corpus
articles, the way the pipeline calls them (the whole article for the context, its sentences
for the places). Figures are the best of `--repeat` runs, to damp a shared machine's noise.
"""
from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import time
from pathlib import Path

from veille.nlp import sentences
from veille.places import Gazetteer
from veille.text import fold

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
LOAD = ("import time; t = time.perf_counter(); from pathlib import Path; from veille.places import Gazetteer; "
        "from veille.pipeline import default_cache_dir; Gazetteer(default_cache_dir()); "
        "print(time.perf_counter() - t)")


def load_seconds(repeat: int) -> float:
    runs = [float(subprocess.run([sys.executable, "-c", LOAD], capture_output=True, text=True, check=True).stdout)
            for _ in range(repeat)]
    return min(runs)


def texts(path: Path, limit: int | None) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    out = []
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            out.append(json.loads(line)["text"])
            if limit and len(out) >= limit:
                break
    return out


def per_article(gaz: Gazetteer, docs: list[str], repeat: int) -> float:
    prepared = [(t, fold(t), sentences(t)) for t in docs]
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for text, folded, spans in prepared:
            ctx = gaz.context_countries(text, folded)
            gaz.find(text, folded, ctx, None, spans)
        best = min(best, time.perf_counter() - t0)
    return best / len(prepared) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=SHARED / "corpus" / "news.jsonl.gz")
    ap.add_argument("--dev", type=Path, default=SHARED / "eval" / "dev.jsonl")
    ap.add_argument("--limit", type=int, default=1500, help="corpus articles to use")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"gazetteer load (cached, fresh process): {load_seconds(args.repeat):.2f} s")
    from veille.pipeline import default_cache_dir

    gaz = Gazetteer(default_cache_dir())
    for name, path, limit in (("dev", args.dev, None), ("corpus", args.corpus, args.limit)):
        if path.exists():
            docs = texts(path, limit)
            print(f"{name}: {len(docs)} articles, places {per_article(gaz, docs, args.repeat):.2f} ms per article")


if __name__ == "__main__":
    main()
