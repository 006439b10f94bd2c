"""Throughput of veille against bare spaCy on the same texts, in one run.

    python benchmarks/throughput.py [--corpus ../shared/corpus/news.jsonl.gz] [--limit N] [--repeat-dev 60]

Reports, for two sets of articles:
  conflict  the dev-set articles (all conflict news), repeated to a measurable size
  mixed     the real English and French news corpus (4,937 articles)
articles/s and words/s end to end (reading the JSON Lines, extraction, storing events in
SQLite), the same for bare spaCy `nlp.pipe` with the pipelines veille loads, the ratio,
peak memory, and the time spent in each stage.
"""
from __future__ import annotations

import argparse
import gzip
import json
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import spacy

from veille.article import Article
from veille.cli import ingest_into
from veille.pipeline import Options, Pipeline
from veille.readers import Defaults, article_from_json
from veille.store import Store

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def load(path: Path, limit: int | None) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    rows = []
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            rows.append({"doc_id": d.get("doc_id") or d.get("id"), "text": d["text"], "title": d.get("title"),
                         "language": d.get("language"), "published": d.get("published") or "2023-01-01"})
            if limit and len(rows) >= limit:
                break
    return rows


def words(rows: list[dict]) -> int:
    return sum(len(r["text"].split()) for r in rows)


def bare_spacy(pipe: Pipeline, rows: list[dict]) -> float:
    """Seconds for nlp.pipe over the same texts with the same pipelines (rules-only languages: blank + sentencizer)."""
    by_lang: dict[str, list[str]] = {}
    for r in rows:
        by_lang.setdefault(r["language"], []).append(r["text"])
    total = 0.0
    for lang, texts in by_lang.items():
        nlp = pipe.language_pipeline(lang).nlp
        if nlp is None:
            nlp = spacy.blank(lang)
            nlp.add_pipe("sentencizer")
        t = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=32):
            pass
        total += time.perf_counter() - t
    return total


def end_to_end(pipe: Pipeline, rows: list[dict], db: str) -> tuple[float, dict, Counter]:
    pipe.timings.clear()
    store = Store(db)
    t = time.perf_counter()
    read = 0.0

    def articles():
        nonlocal read
        for r in rows:
            t0 = time.perf_counter()
            art = article_from_json(r, "bench", Defaults())
            read += time.perf_counter() - t0
            yield art

    t_store = Store.add
    spent = {"store": 0.0}

    def timed_add(self, article: Article, records):
        t0 = time.perf_counter()
        try:
            return t_store(self, article, records)
        finally:
            spent["store"] += time.perf_counter() - t0

    Store.add = timed_add
    try:
        counts = ingest_into(store, pipe, articles(), [])
    finally:
        Store.add = t_store
    elapsed = time.perf_counter() - t
    stages = Counter(pipe.timings)
    stages["reading JSON"] = read
    stages["storing (SQLite, dedup)"] = spent["store"]
    counts["events_in_store"] = store.count_events()
    return elapsed, counts, stages


def report(name: str, rows: list[dict], pipe: Pipeline, tmp: Path) -> dict:
    n, w = len(rows), words(rows)
    bare = bare_spacy(pipe, rows)
    e2e, counts, stages = end_to_end(pipe, rows, str(tmp / f"{name}.db"))
    out = {
        "set": name, "articles": n, "words": w,
        "bare_spacy_articles_per_s": n / bare, "bare_spacy_words_per_s": w / bare,
        "veille_articles_per_s": n / e2e, "veille_words_per_s": w / e2e,
        "ratio_veille_to_bare_spacy": bare / e2e, "veille_articles_per_hour": 3600 * n / e2e,
        "articles_past_relevance_gate": int(stages.pop("articles past the gate", 0)),
        "events_stored": counts["events_in_store"],
        "stage_seconds": {k: round(v, 2) for k, v in stages.most_common()},
    }
    print(f"\n== {name}: {n} articles, {w} words", file=sys.stderr)
    print(f"bare spaCy   {out['bare_spacy_articles_per_s']:8.1f} articles/s {out['bare_spacy_words_per_s']:9.0f} words/s", file=sys.stderr)
    print(f"veille e2e   {out['veille_articles_per_s']:8.1f} articles/s {out['veille_words_per_s']:9.0f} words/s"
          f"  ({out['veille_articles_per_hour']:.0f} articles/hour)", file=sys.stderr)
    print(f"ratio veille / bare spaCy: {out['ratio_veille_to_bare_spacy']:.2f}; past the gate: "
          f"{out['articles_past_relevance_gate']}/{n}; events stored: {out['events_stored']}", file=sys.stderr)
    for k, v in out["stage_seconds"].items():
        print(f"  {k:45s} {v:8.2f} s", file=sys.stderr)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=SHARED / "corpus" / "news.jsonl.gz")
    ap.add_argument("--dev", type=Path, default=SHARED / "eval" / "dev.jsonl")
    ap.add_argument("--limit", type=int, default=None, help="only the first N corpus articles")
    ap.add_argument("--repeat-dev", type=int, default=60, help="copies of the dev articles in the conflict set")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    ap.add_argument("--processes", type=int, default=1, help="spaCy processes for veille (bare spaCy uses 1)")
    args = ap.parse_args()

    t = time.perf_counter()
    pipe = Pipeline(Options(n_process=args.processes))
    for lang in ("fr", "en"):
        pipe.language_pipeline(lang)
    print(f"loading pipelines and gazetteer: {time.perf_counter() - t:.1f} s", file=sys.stderr)
    dev = load(args.dev, None)
    conflict = [dict(r, doc_id=f"{r['doc_id']}-{k}", text=r["text"] + f"\n\n[copy {k}]")
                for k in range(args.repeat_dev) for r in dev]
    mixed = load(args.corpus, args.limit)
    with tempfile.TemporaryDirectory() as tmp:
        results = [report("conflict", conflict, pipe, Path(tmp)), report("mixed", mixed, pipe, Path(tmp))]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory (max RSS): {peak:.0f} MB", file=sys.stderr)
    doc = {"results": results, "peak_rss_mb": round(peak), "veille_spacy_processes": args.processes,
           "python": sys.version.split()[0],
           "spacy": spacy.__version__, "pipelines": {k: v.model_name for k, v in pipe._langs.items()}}
    if args.json:
        args.json.write_text(json.dumps(doc, indent=2))
    print(json.dumps(doc, indent=2))


if __name__ == "__main__":
    main()
