"""How well veille finds, types, places and dates events: every shared set, one table.

    python benchmarks/quality.py [--folds 5] [--sets dev world-dev case quiet] [--json FILE]
                                 [--ablation] [--errors N]

Sets (from ../shared beside the checkout):
  dev        the 5 seed articles (French), scored with ../shared/eval/score.py
  world-dev  32 articles from the world's conflicts (English and French), score.py
  case       406 CASE 2021 snippets (English), typed as ../shared/eval/score_case.py does
  quiet      300 quiet news articles of the corpus (sports, business, entertainment, health,
             technology; 150 English, 150 French), which should yield no event

The classifier is trained on dev, world-dev and case (among others), so those three are
scored by k-fold cross-validation, end to end: the documents are split into k folds by a
hash of their id; for each fold a model is trained on everything except that fold's
documents (of all three sets), and the whole pipeline runs with it on the fold's
documents. The quiet articles are never trained on (veille.train keeps them aside), so
they are read with a model trained on everything. `--ablation` repeats the measure
with parts switched off (the rules alone, the model alone, the model without rule
features).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date
from pathlib import Path

from veille.article import Article
from veille.pipeline import Options, Pipeline
from veille.readers import Defaults, read_jsonl
from veille.train import Settings, Trainer, folds, gather, quiet_articles

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CASE_PUBLISHED = date(2021, 6, 1)  # as score_case.py writes the snippets


def _module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def gold_articles(path: Path) -> tuple[list[dict], list[Article]]:
    gold = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    with path.open("rb") as f:
        return gold, list(read_jsonl(f, str(path), Defaults()))


def case_articles(path: Path) -> tuple[list[dict], list[Article]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    arts = [Article(doc_id=f"case{r['id']}", text=r["text"], language="en", published=CASE_PUBLISHED,
                    outlet="CASE 2021") for r in rows]
    return rows, arts


def first_labels(records: list[dict]) -> dict[str, str]:
    """score_case.py's reading: the sub-event type of the first non-background event of each snippet."""
    first: dict[str, tuple[int, str]] = {}
    for ev in records:
        if ev.get("background"):
            continue
        start = min((e.get("start", 0) for e in ev.get("evidence") or []), default=0)
        for d in ev.get("doc_ids") or [ev.get("doc_id")]:
            if d not in first or start < first[d][0]:
                first[d] = (start, ev.get("sub_event_type"))
    return {d: v[1] for d, v in first.items()}


class Evaluation:
    def __init__(self, k: int, sets: list[str], settings: Settings, variant: str = "full") -> None:
        self.k, self.sets, self.settings, self.variant = k, sets, settings, variant
        self.pipe = Pipeline(Options(classifier=False))
        self.trainer = Trainer(self.pipe)
        if variant == "no-rule-features":
            self.trainer.featurize = self._text_only(self.trainer.featurize)
        self.score = _module(SHARED / "eval" / "score.py", "veille_score")
        self.case = _module(SHARED / "eval" / "score_case.py", "veille_score_case")
        self.data = gather(settings, SHARED, [], self.trainer.keep)
        self.inputs: dict[str, tuple[list[dict], list[Article]]] = {}
        for name in ("dev", "world-dev"):
            if name in sets:
                self.inputs[name] = gold_articles(SHARED / "eval" / f"{name}.jsonl")
        if "case" in sets:
            self.inputs["case"] = case_articles(SHARED / "eval" / "case2021" / "dev.jsonl")

    @staticmethod
    def _text_only(featurize):
        return lambda x: [f for f in featurize(x) if f[:2] not in ("t:", "T:") and not f.startswith(
            ("wpn:", "cue:", "killed", "injured", "question", "actor"))]

    def _use(self, model) -> None:
        policy = self.pipe.classifier.policy
        self.pipe.classifier.model = model
        policy.use_model = self.variant != "rules-only"
        policy.model_only = self.variant == "model-only"
        self.pipe.options = replace(self.pipe.options, classifier=policy.use_model)

    def records(self, arts: list[Article]) -> list[dict]:
        return [r.to_dict() for res in self.pipe.run(arts) for r in res.records]

    def run(self, log=print) -> dict:
        t0 = time.perf_counter()
        groups = {name: [a.doc_id for a in arts] for name, (_g, arts) in self.inputs.items()}
        fold_of = folds([g for gs in groups.values() for g in gs], self.k)
        preds: dict[str, list[dict]] = defaultdict(list)
        for i in range(self.k):
            held = {g for g, f in fold_of.items() if f == i}
            model = None
            if self.variant != "rules-only":
                model = self.trainer.fit(self.data.examples(exclude=held), self.settings, self.data.calibration)
            self._use(model)
            for name, (_g, arts) in self.inputs.items():
                preds[name] += self.records([a for a in arts if a.doc_id in held])
            log(f"  fold {i + 1}/{self.k} done ({time.perf_counter() - t0:.0f} s); thresholds {model.thresholds if model else None}")
        self.predictions = preds
        out = {}
        for name in ("dev", "world-dev"):
            if name in self.inputs:
                out[name] = self.score.score(self.inputs[name][0], preds[name])
                out[name]["type_f1"] = self.type_f1(self.inputs[name][0], preds[name])
        if "case" in self.inputs:
            out["case"] = self.case_scores(self.inputs["case"][0], preds["case"])
        if "quiet" in self.sets:
            model = None if self.variant == "rules-only" else self.trainer.fit(self.data.examples(), self.settings,
                                                                                    self.data.calibration)
            self._use(model)
            out["quiet"] = self.quiet()
        out["seconds"] = round(time.perf_counter() - t0, 1)
        return out

    def type_f1(self, gold_rows: list[dict], preds: list[dict]) -> dict[str, float]:
        """Per sub-event type F1 over strict matches (a match with the wrong sub-type counts against both)."""
        by_doc = self.score.predictions_by_doc(preds)
        tp, n_pred, n_gold = Counter(), Counter(), Counter()
        for doc in gold_rows:
            golds, ps = doc.get("events") or [], by_doc.get(doc["doc_id"], [])
            n_gold.update(g["sub_event_type"] for g in golds)
            n_pred.update(p["sub_event_type"] for p in ps)
            for i, j in self.score.match(ps, golds, strict=True):
                if ps[i]["sub_event_type"] == golds[j]["sub_event_type"]:
                    tp[golds[j]["sub_event_type"]] += 1
        return {t: round(2 * tp[t] / (n_pred[t] + n_gold[t]), 3) for t in sorted(n_gold)}

    def case_scores(self, rows: list[dict], preds: list[dict]) -> dict:
        first = first_labels(preds)
        gold, pred, silent, unseen = [], [], 0, 0
        for r in rows:
            p = first.get(f"case{r['id']}", "NONE")
            if r["sub_event_type"]:
                gold.append(r["sub_event_type"])
                pred.append(p)
            else:
                unseen += 1
                silent += p == "NONE"
        per_type = {}
        for t in sorted(set(gold)):
            tp = sum(g == t and p == t for g, p in zip(gold, pred))
            fp = sum(g != t and p == t for g, p in zip(gold, pred))
            fn = sum(g == t and p != t for g, p in zip(gold, pred))
            per_type[t] = round(2 * tp / (2 * tp + fp + fn), 3) if tp else 0.0
        return {"weighted_f1": self.case.weighted_f1(gold, pred),
                "accuracy": sum(g == p for g, p in zip(gold, pred)) / len(gold),
                "nothing_found": sum(p == "NONE" for p in pred) / len(gold),
                "silent_on_non_acled": silent / unseen if unseen else 1.0, "type_f1": per_type,
                "confusions": Counter(f"{g} -> {p}" for g, p in zip(gold, pred) if g != p).most_common(10)}

    def quiet(self) -> dict:
        held, _rest = quiet_articles(SHARED / "corpus" / "news.jsonl.gz")
        arts = [Article(doc_id=r["id"], text=r["text"], title=r.get("title"), language=r["language"],
                        published=date(2023, 1, 1), outlet="BBC") for r in held]
        records = self.records(arts)
        text_of = {a.doc_id: a.text for a in arts}
        by_lang = Counter()
        lang_of = {r["id"]: r["language"] for r in held}
        for rec in records:
            by_lang[lang_of[rec["doc_ids"][0]]] += 1
        return {"articles": len(arts), "events": len(records), "events_per_article": len(records) / len(arts),
                "by_language": dict(by_lang),
                "examples": [(rec["doc_ids"][0], rec["sub_event_type"],
                              text_of[rec["doc_ids"][0]][rec["evidence"][0]["start"]:rec["evidence"][0]["end"]][:160])
                             for rec in records]}


def table(results: dict) -> str:
    lines = ["| set | measure | value |", "|---|---|---|"]
    for name in ("dev", "world-dev"):
        if name not in results:
            continue
        r = results[name]
        s = r["strict"]
        lines.append(f"| {name} | strict P / R / F1 | {s['precision']:.3f} / {s['recall']:.3f} / {s['f1']:.3f} "
                     f"({s['tp']} of {s['gold']} gold, {s['pred']} extracted) |")
        lines.append(f"| {name} | lenient F1 | {r['lenient']['f1']:.3f} |")
        for field, v in r["fields"].items():
            lines.append(f"| {name} | {field} (strict matches) | {v:.3f} |")
        rk = r["recall_by_kind"]
        lines.append(f"| {name} | recall news / background | {rk['gold_news']:.3f} / {rk['gold_background']:.3f} |")
    if "case" in results:
        c = results["case"]
        lines.append(f"| case | weighted F1 (25 ACLED types) | {c['weighted_f1']:.3f} |")
        lines.append(f"| case | accuracy / nothing found | {c['accuracy']:.3f} / {c['nothing_found']:.3f} |")
        lines.append(f"| case | silent on non-ACLED snippets | {c['silent_on_non_acled']:.3f} |")
    if "quiet" in results:
        q = results["quiet"]
        lines.append(f"| quiet | events per article ({q['articles']} articles) | {q['events_per_article']:.3f} "
                     f"({q['events']} events: {q['by_language']}) |")
    return "\n".join(lines)


def type_table(results: dict) -> str:
    types = sorted(set(results.get("case", {}).get("type_f1", {})) | set(results.get("world-dev", {}).get("type_f1", {})))
    lines = ["| sub-event type | CASE F1 | world-dev F1 |", "|---|---|---|"]
    for t in types:
        c = results.get("case", {}).get("type_f1", {}).get(t)
        w = results.get("world-dev", {}).get("type_f1", {}).get(t)
        lines.append(f"| {t} | {'' if c is None else f'{c:.3f}'} | {'' if w is None else f'{w:.3f}'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="example: python benchmarks/quality.py --folds 5 --json benchmarks/quality.json")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--sets", nargs="+", default=["dev", "world-dev", "case", "quiet"])
    ap.add_argument("--json", type=Path, help="write every figure to this file")
    ap.add_argument("--ablation", action="store_true", help="also measure with parts switched off")
    ap.add_argument("--policy", nargs="*", default=[], metavar="NAME=VALUE",
                    help="classification policy settings to try (veille.classify.Policy), e.g. opens=0.8")
    ap.add_argument("--train", nargs="*", default=[], metavar="NAME=VALUE",
                    help="training settings to try (veille.train.Settings), e.g. c=8")
    args = ap.parse_args(argv)
    if not (SHARED / "eval").is_dir():
        print(f"{SHARED} is not beside the checkout: nothing to measure.", file=sys.stderr)
        return 2
    variants = ["full"] + (["rules-only", "model-only", "no-rule-features"] if args.ablation else [])
    out = {}
    for v in variants:
        print(f"{v}:", file=sys.stderr)
        settings = Settings()
        for item in args.train:
            name, value = item.split("=")
            setattr(settings, name, type(getattr(settings, name) or 0.0)(value))
        ev = Evaluation(args.folds, args.sets, settings, v)
        for item in args.policy:
            name, value = item.split("=")
            setattr(ev.pipe.classifier.policy, name, float(value))
        out[v] = ev.run(lambda s: print(s, file=sys.stderr))
        print(f"\n## {v} ({args.folds}-fold cross-validated where trained on)\n\n{table(out[v])}\n")
    print(type_table(out["full"]))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
