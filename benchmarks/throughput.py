"""Throughput of veille against bare spaCy on the same texts, in one run.

    python benchmarks/throughput.py [--corpus ../shared/corpus/news.jsonl.gz] [--limit N] [--repeat-dev 60]
                                    [--processes 1 2] [--json benchmarks/results.json]

Reports, for two sets of articles:
  conflict  the dev-set articles (all conflict news), repeated to a measurable size
  mixed     the real English and French news corpus (4,937 articles)
articles/s and words/s end to end (reading the JSON Lines, extraction, storing events in
SQLite), the same for bare spaCy `nlp.pipe` with the pipelines veille loads (over whole
texts, with 1 process and with as many processes as veille's largest setting), the ratios,
peak memory of the parent and of the largest worker, and the time spent in each stage.
With several processes the stage times are CPU seconds summed over the workers.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import spacy

from veille import ingest
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


def bare_spacy(pipe: Pipeline, rows: list[dict], n_process: int = 1) -> float:
    """Seconds for nlp.pipe over the same texts with the same pipelines (rules-only languages: blank + sentencizer)."""
    by_lang: dict[str, list[str]] = {}
    for r in rows:
        by_lang.setdefault(r["language"], []).append(r["text"])
    total = 0.0
    for lang, texts in by_lang.items():
        nlp, procs = pipe.language_pipeline(lang).nlp, n_process
        if nlp is None:  # a tokenizer and sentencizer: extra processes only cost start-up
            nlp, procs = spacy.blank(lang), 1
            nlp.add_pipe("sentencizer")
        t = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=32 if procs == 1 else 128, n_process=procs):
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

    t_store = Store.add_many
    spent = {"store": 0.0}

    def timed_add(self, items):
        t0 = time.perf_counter()
        try:
            return t_store(self, items)
        finally:
            spent["store"] += time.perf_counter() - t0

    Store.add_many = timed_add
    try:
        counts = ingest(articles(), store, pipe).as_dict()
    finally:
        Store.add_many = t_store
    elapsed = time.perf_counter() - t
    stages = Counter(pipe.timings)
    stages["reading JSON"] = read
    stages["storing (SQLite, dedup)"] = spent["store"]
    counts["events_in_store"] = store.count_events()
    return elapsed, counts, stages


def report(name: str, rows: list[dict], pipe: Pipeline, tmp: Path, processes: list[int]) -> dict:
    n, w = len(rows), words(rows)
    bare = {k: bare_spacy(pipe, rows, k) for k in sorted({1, max(processes)})}
    out: dict = {"set": name, "articles": n, "words": w, "bare_spacy": {}, "veille": {}}
    print(f"\n== {name}: {n} articles, {w} words", file=sys.stderr)
    for k, sec in bare.items():
        out["bare_spacy"][f"{k}_process"] = {"articles_per_s": n / sec, "words_per_s": w / sec, "seconds": sec}
        print(f"bare spaCy, {k} process(es)  {n / sec:8.1f} articles/s {w / sec:9.0f} words/s", file=sys.stderr)
    for k in processes:
        pipe.options.n_process = k
        e2e, counts, stages = end_to_end(pipe, rows, str(tmp / f"{name}-{k}.db"))
        res = {"articles_per_s": n / e2e, "words_per_s": w / e2e, "seconds": e2e, "articles_per_hour": 3600 * n / e2e,
               "ratio_to_bare_spacy_1_process": bare[1] / e2e,
               f"ratio_to_bare_spacy_{max(processes)}_processes": bare[max(processes)] / e2e,
               "articles_past_relevance_gate": int(stages.pop("articles past the gate", 0)),
               "events_stored": counts["events_in_store"],
               "stage_seconds": {s: round(v, 2) for s, v in stages.most_common()}}
        out["veille"][f"{k}_process"] = res
        print(f"veille e2e, {k} process(es)  {res['articles_per_s']:8.1f} articles/s {res['words_per_s']:9.0f} words/s"
              f"  ({res['articles_per_hour']:.0f} articles/hour)", file=sys.stderr)
        ratios = f"{res['ratio_to_bare_spacy_1_process']:.2f} (1 process)"
        if max(processes) > 1:
            ratios += f", {res[f'ratio_to_bare_spacy_{max(processes)}_processes']:.2f} ({max(processes)} processes)"
        print(f"  ratio to bare spaCy: {ratios}; past the gate: "
              f"{res['articles_past_relevance_gate']}/{n}; events stored: {res['events_stored']}", file=sys.stderr)
        for s, v in res["stage_seconds"].items():
            print(f"    {s:45s} {v:8.2f} s", file=sys.stderr)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=SHARED / "corpus" / "news.jsonl.gz")
    ap.add_argument("--dev", type=Path, default=SHARED / "eval" / "dev.jsonl")
    ap.add_argument("--limit", type=int, default=None, help="only the first N corpus articles")
    ap.add_argument("--repeat-dev", type=int, default=60, help="copies of the dev articles in the conflict set")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    ap.add_argument("--processes", type=int, nargs="+", default=[1, 2],
                    help="veille worker processes to measure, one run each (default: 1 2)")
    args = ap.parse_args()

    t = time.perf_counter()
    pipe = Pipeline(Options())
    for lang in ("fr", "en"):
        pipe.language_pipeline(lang)
    print(f"loading pipelines and gazetteer: {time.perf_counter() - t:.1f} s", file=sys.stderr)
    dev = load(args.dev, None)
    conflict = [dict(r, doc_id=f"{r['doc_id']}-{k}", text=r["text"] + f"\n\n[copy {k}]")
                for k in range(args.repeat_dev) for r in dev]
    mixed = load(args.corpus, args.limit)
    with tempfile.TemporaryDirectory() as tmp:
        results = [report("conflict", conflict, pipe, Path(tmp), args.processes),
                   report("mixed", mixed, pipe, Path(tmp), args.processes)]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\npeak memory (max RSS): parent {peak:.0f} MB, largest worker {peak_child:.0f} MB "
          "(forked workers share most pages with the parent)", file=sys.stderr)
    doc = {"results": results, "peak_rss_mb": round(peak), "peak_rss_worker_mb": round(peak_child),
           "cores": os.cpu_count(),
           "python": sys.version.split()[0],
           "spacy": spacy.__version__, "pipelines": {k: v.model_name for k, v in pipe._langs.items()}}
    if args.json:
        args.json.write_text(json.dumps(doc, indent=2))
    print(json.dumps(doc, indent=2))


if __name__ == "__main__":
    main()
