"""Cost of the actor dictionaries: loading them, and finding actors and targets in articles.

    python benchmarks/actors.py [--corpus ../shared/corpus/news.jsonl.gz] [--limit 1000] [--repeat 3]

Prints, as JSON: the seconds to import veille.lexicon and load the Lexicon (in a fresh
process, so nothing is cached), the seconds to compile the actor patterns (first call
of `find_actors`), and the milliseconds per article spent in `find_actors` (and
`find_targets` when it exists) over the first `--limit` corpus articles (best of
`--repeat` runs), with the number of mentions found.
"""
from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"

LOAD = ("import time; t=time.perf_counter(); from veille.lexicon import Lexicon; lex=Lexicon.load(); "
        "print(time.perf_counter()-t)")


def load_seconds(repeat: int) -> float:
    """Best of `repeat` fresh processes."""
    runs = [float(subprocess.run([sys.executable, "-c", LOAD], capture_output=True, text=True, check=True,
                                 cwd=ROOT).stdout) for _ in range(repeat)]
    return min(runs)


def texts(path: Path, limit: int) -> list[str]:
    from veille.text import fold
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            out.append(fold((d.get("title") or "") + "\n" + d["text"]))
            if len(out) >= limit:
                break
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=SHARED / "corpus" / "news.jsonl.gz")
    ap.add_argument("--limit", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if not args.corpus.exists():
        sys.exit(f"{args.corpus}: corpus not found; pass --corpus")
    from veille import arguments
    from veille.lexicon import Lexicon
    out: dict = {"load_s": round(load_seconds(args.repeat), 3)}
    lex = Lexicon.load()
    docs = texts(args.corpus, args.limit)
    finders = {"find_actors": arguments.find_actors}
    if hasattr(arguments, "find_targets"):
        finders["find_targets"] = arguments.find_targets
    for name, fn in finders.items():
        t = time.perf_counter()
        fn(lex, "x")
        out[f"{name}_compile_s"] = round(time.perf_counter() - t, 3)
        best, found = float("inf"), 0
        for _ in range(args.repeat):
            t = time.perf_counter()
            found = sum(len(fn(lex, d)) for d in docs)
            best = min(best, time.perf_counter() - t)
        out[f"{name}_ms_per_article"] = round(1000 * best / len(docs), 3)
        out[f"{name}_mentions"] = found
    out["articles"] = len(docs)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
