"""Training the event classifier from labelled sentences: one deterministic command.

    veille train                       # the repository's labelled sets and ../shared's, if beside it
    veille train --data mine.jsonl     # ... plus your own labelled sentences

Labelled data are JSON Lines, one sentence a line:

    {"id": "en-0001", "language": "en", "text": "...", "label": "Air/drone strike" | null,
     "background": false}

`label` is an ACLED sub-event type (spec: the 25 of docs/event-record), or null
for a sentence that reports no codable event. Annotated articles (the gold
format of ../shared/eval, with `events` and their `evidence` offsets) are
turned into labelled sentences: a sentence an event's evidence covers has that
event's type, every other sentence has none.

Training needs scikit-learn (`pip install -e ".[train]"`); the model it
writes is plain arrays and JSON, read at run time with numpy alone.
"""
from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np

from .classify import NONE, EventModel, Head, anchors, features
from .nlp import sentences
from .text import fold

REPO = Path(__file__).resolve().parent.parent
OWN_DATA = REPO / "training" / "labelled"
QUIET = ("sports", "business", "entertainment", "health", "technology")
QUIET_EVAL_PER_LANGUAGE = 150


@dataclass
class Example:
    """One labelled sentence (or short snippet)."""

    id: str
    text: str
    language: str
    label: str  # a sub-event type or NONE
    background: bool = False
    source: str = ""
    group: str = ""  # the document it comes from: folds never split a document
    weight: float = 1.0


@dataclass
class Settings:
    """What a training run uses; stored in the model card."""

    c: float = 4.0
    min_df: int = 2
    article_negative_weight: float = 0.5
    corpus_negatives: int = 12000
    calibration_articles: int = 300  # quiet articles kept out of training, to choose the anchor threshold
    sentence: float = 0.5  # event probability from which a sentence reports an event
    anchor: float | None = None  # ... in an article one of whose sentences reaches this (None: calibrate)
    density: float = 0.2  # ... or in an article where this share of the sentences report events
    create: float = 0.7  # event probability from which a sentence the rules found nothing in gets a mention
    quiet_target: float = 0.015  # events per quiet article the calibrated anchor allows
    seed: int = 13
    sources: list[str] = field(default_factory=list)


# -- reading labelled data ------------------------------------------------------------------

def _jsonl(path: Path) -> Iterator[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def labelled_sentences(path: Path, source: str) -> list[Example]:
    """A file of labelled sentences (the format above)."""
    out = []
    for n, r in enumerate(_jsonl(path)):
        label = r.get("label") or NONE
        rid = str(r.get("id", n))
        out.append(Example(f"{source}:{rid}", r["text"], r["language"], label, bool(r.get("background")),
                           source, f"{source}:{rid}"))
    return out


def case_snippets(path: Path, source: str = "case") -> list[Example]:
    """CASE 2021 snippets: English, one label a snippet; the five non-ACLED labels are none."""
    return [Example(f"{source}:{r['id']}", r["text"], "en", r.get("sub_event_type") or NONE, False, source,
                    f"case{r['id']}")
            for r in _jsonl(path)]


def gold_article_sentences(path: Path, source: str) -> list[Example]:
    """Sentences of annotated articles, labelled through the events' evidence offsets."""
    out = []
    for art in _jsonl(path):
        text = art["text"]
        spans = [(e["start"], e["end"], ev) for ev in art.get("events") or [] for e in ev.get("evidence") or []]
        for k, (s, e) in enumerate(sentences(text)):
            covering = [ev for a, b, ev in spans if a < e and s < b]
            ev = min(covering, key=lambda x: bool(x.get("background"))) if covering else None
            out.append(Example(f"{source}:{art['doc_id']}:{k}", text[s:e], art.get("language") or "en",
                               ev["sub_event_type"] if ev else NONE, bool(ev and ev.get("background")),
                               source, art["doc_id"]))
    return out


def _stable(key: str) -> str:
    return hashlib.sha1(key.encode("utf-8")).hexdigest()


def quiet_articles(corpus: Path) -> tuple[list[dict], list[dict]]:
    """(evaluation, training) articles of the corpus's quiet categories (sports, business, ...).

    The evaluation set is 150 English and 150 French articles chosen by a hash of
    their id; the rest may give training negatives. Deterministic.
    """
    by_lang: dict[str, list[dict]] = {}
    for r in _jsonl(corpus):
        if r.get("category") in QUIET:
            by_lang.setdefault(r["language"], []).append(r)
    held, rest = [], []
    for lang in sorted(by_lang):
        ranked = sorted(by_lang[lang], key=lambda r: _stable(r["id"]))
        held += ranked[:QUIET_EVAL_PER_LANGUAGE]
        rest += ranked[QUIET_EVAL_PER_LANGUAGE:]
    return held, sorted(rest, key=lambda r: _stable("rest" + r["id"]))


def corpus_negatives(articles: list[dict], limit: int, keep: Callable[[str, str], bool]) -> list[Example]:
    """Sentences of quiet news that the candidate screen lets through: hard negatives."""
    out = []
    for r in sorted(articles, key=lambda r: _stable("neg" + r["id"])):
        text = r["text"]
        for k, (s, e) in enumerate(sentences(text)):
            if keep(fold(text[s:e]), r["language"]):
                out.append(Example(f"corpus:{r['id']}:{k}", text[s:e], r["language"], NONE, False, "corpus", r["id"]))
        if len(out) >= limit:
            break
    return out[:limit]


def shared_sets(shared: Path) -> dict[str, list[Example]]:
    """The labelled sets of ../shared that exist, by name."""
    sets: dict[str, list[Example]] = {}
    ev = shared / "eval"
    if (ev / "sentences.jsonl").exists():
        sets["sentences"] = labelled_sentences(ev / "sentences.jsonl", "sentences")
    if (ev / "case2021" / "dev.jsonl").exists():
        sets["case"] = case_snippets(ev / "case2021" / "dev.jsonl")
    for name in ("dev", "world-dev"):
        if (ev / f"{name}.jsonl").exists():
            sets[name] = gold_article_sentences(ev / f"{name}.jsonl", name)
    return sets


def own_sets(folder: Path = OWN_DATA) -> dict[str, list[Example]]:
    """The labelled sentences written for this project (training/labelled/*.jsonl)."""
    return {p.stem: labelled_sentences(p, p.stem) for p in sorted(folder.glob("*.jsonl"))}


# -- fitting --------------------------------------------------------------------------------

Featurizer = Callable[[Example], list[str]]


NO_BACKGROUND_LABELS = ("case",)  # sets whose sentences carry no background flag


def _design(rows: list[list[str]], vocab: dict[str, int], idf: np.ndarray):
    """The sparse matrix of idf-weighted, L2-normalised binary features (as EventModel.vector)."""
    from scipy.sparse import csr_matrix

    indptr, indices, data = [0], [], []
    for feats in rows:
        idx = sorted(vocab[f] for f in feats if f in vocab)
        vals = idf[idx]
        norm = np.sqrt(vals @ vals) if len(idx) else 1.0
        indices.extend(idx)
        data.extend(vals / norm)
        indptr.append(len(indices))
    return csr_matrix((data, indices, indptr), shape=(len(rows), len(vocab)))


def _head(X, labels: list[str], weights: list[float], settings: Settings) -> Head:
    """A logistic regression head; a two-class head keeps both columns (softmax of +-z/2 is the sigmoid)."""
    from sklearn.linear_model import LogisticRegression

    classes = sorted(set(labels))
    y = np.array([classes.index(v) for v in labels])
    clf = LogisticRegression(C=settings.c, max_iter=3000, class_weight="balanced", random_state=settings.seed)
    clf.fit(X, y, sample_weight=np.array(weights))
    if len(classes) == 2:
        coef = np.hstack([-clf.coef_.T, clf.coef_.T]) / 2
        bias = np.array([-clf.intercept_[0], clf.intercept_[0]]) / 2
    else:
        coef, bias = clf.coef_.T, clf.intercept_
    return Head(classes, coef.astype(np.float32), bias.astype(np.float32))


def fit(examples: list[Example], featurize: Featurizer, settings: Settings) -> EventModel:
    """The three heads (event, type, background) over one vocabulary."""
    rows = [featurize(x) for x in examples]
    df: dict[str, int] = {}
    for feats in rows:
        for f in feats:
            df[f] = df.get(f, 0) + 1
    vocab_list = sorted(f for f, n in df.items() if n >= settings.min_df)
    vocab = {f: i for i, f in enumerate(vocab_list)}
    n = len(rows)
    idf = np.array([np.log((1 + n) / (1 + df[f])) + 1.0 for f in vocab_list], dtype=np.float64)
    X = _design(rows, vocab, idf)
    events = [i for i, x in enumerate(examples) if x.label != NONE]
    told = [i for i in events if examples[i].source not in NO_BACKGROUND_LABELS]
    heads = {
        "event": _head(X, ["event" if x.label != NONE else NONE for x in examples],
                       [x.weight for x in examples], settings),
        "type": _head(X[events], [examples[i].label for i in events], [examples[i].weight for i in events], settings),
        "background": _head(X[told], ["background" if examples[i].background else "news" for i in told],
                            [examples[i].weight for i in told], settings),
    }
    card = {"trained": date.today().isoformat(), "examples": n, "features": len(vocab_list),
            "settings": {k: v for k, v in settings.__dict__.items()}}
    thresholds = {"sentence": settings.sentence, "density": settings.density, "create": settings.create,
                  "anchor": settings.anchor if settings.anchor is not None else settings.sentence}
    return EventModel(vocab, idf.astype(np.float32), heads, thresholds, card)


def calibrate(model: EventModel, articles: list[tuple[int, list[list[str]]]], settings: Settings) -> float:
    """The lowest anchor threshold at which quiet articles get at most `quiet_target` events each.

    `articles` are (number of sentences, candidate sentences' features) of quiet
    articles the model was not trained on.
    """
    scores = [(n, model.event_probability(model.predict(rows, ("event",))) if rows else np.zeros(0))
              for n, rows in articles]
    total = max(1, len(scores))
    for anchor in np.arange(settings.sentence, 0.996, 0.005):
        events = sum(int((p >= settings.sentence).sum()) for n, p in scores
                     if anchors(p, n, settings.sentence, float(anchor), settings.density))
        if events / total <= settings.quiet_target:
            return round(float(anchor), 3)
    return 0.995


def folds(groups: Iterable[str], k: int) -> dict[str, int]:
    """A fold for every group (document), from a hash of its name: stable across runs."""
    return {g: int(_stable("fold" + g), 16) % k for g in sorted(set(groups))}


# -- the training run ------------------------------------------------------------------------

def default_shared() -> Path | None:
    """../shared beside the checkout, when it is there (the project's shared evaluation data)."""
    path = REPO.parent / "shared"
    return path if (path / "eval").is_dir() else None


def read_extra(path: Path) -> list[Example]:
    """A user's labelled file: sentences, or annotated articles (rows with `events`)."""
    first = next(_jsonl(path), None)
    if first is not None and "events" in first:
        return gold_article_sentences(path, path.stem)
    return labelled_sentences(path, path.stem)


@dataclass
class TrainingData:
    sets: dict[str, list[Example]]  # name -> examples
    calibration: list[dict] = field(default_factory=list)  # quiet articles, never trained on

    def examples(self, exclude: set[str] = frozenset()) -> list[Example]:
        return [x for name in sorted(self.sets) for x in self.sets[name] if x.group not in exclude]

    def summary(self) -> dict[str, dict[str, int]]:
        out = {}
        for name, xs in sorted(self.sets.items()):
            out[name] = {"sentences": len(xs), "events": sum(x.label != NONE for x in xs),
                         "background": sum(x.background for x in xs)}
        return out


def gather(settings: Settings, shared: Path | None, extra: list[Path], keep: Callable[[str, str], bool],
           own: Path = OWN_DATA) -> TrainingData:
    """Every labelled set this run trains on, with their weights."""
    sets = own_sets(own)
    calibration: list[dict] = []
    if shared is not None:
        for name, xs in shared_sets(shared).items():
            if name in ("dev", "world-dev"):
                for x in xs:
                    if x.label == NONE:
                        x.weight = settings.article_negative_weight
            sets[name] = xs
        corpus = shared / "corpus" / "news.jsonl.gz"
        if corpus.exists():
            _held, rest = quiet_articles(corpus)
            calibration = rest[:settings.calibration_articles]
            if settings.corpus_negatives:
                sets["corpus-negatives"] = corpus_negatives(rest[len(calibration):], settings.corpus_negatives, keep)
    for path in extra:
        sets[path.stem] = read_extra(path)
    settings.sources = sorted(sets)
    return TrainingData(sets, calibration)


class Trainer:
    """Featurises with the pipeline's own rules (as at run time) and fits models."""

    def __init__(self, pipeline) -> None:
        self.pipe = pipeline
        self._cache: dict[tuple[str, str], list[str]] = {}

    def featurize(self, x: Example) -> list[str]:
        k = (x.language, x.text)
        if k not in self._cache:
            f = fold(x.text)
            self._cache[k] = features(f, x.language, self.pipe.rules.describe(f, x.language))
        return self._cache[k]

    def keep(self, folded: str, lang: str) -> bool:
        """Whether the gate would hand this sentence to the classifier."""
        return bool(self.pipe.gate.hotspots(folded, lang) or self.pipe.gate.candidates(folded, lang))

    def fit(self, examples: list[Example], settings: Settings, calibration: list[dict] = ()) -> EventModel:
        """A model, with its anchor threshold calibrated on `calibration` (quiet articles) when not set."""
        model = fit(examples, self.featurize, settings)
        if settings.anchor is None and calibration:
            model.thresholds["anchor"] = calibrate(model, [self.candidate_rows(a) for a in calibration], settings)
        return model

    def candidate_rows(self, article: dict) -> tuple[int, list[list[str]]]:
        """The number of an article's sentences, and the features of those the gate hands to the classifier."""
        rows, spans = [], sentences(article["text"])
        for s, e in spans:
            x = Example("", article["text"][s:e], article["language"], NONE)
            if self.keep(fold(x.text), x.language):
                rows.append(self.featurize(x))
        return len(spans), rows

    def cross_validate(self, data: TrainingData, settings: Settings, k: int = 5) -> dict[str, dict[str, float]]:
        """Sentence-level k-fold figures per set: weighted F1 over event types, and event detection F1.

        A sentence counts as an event when the event head reaches the sentence
        threshold (the article anchor is left out: sentences here stand alone).
        """
        examples = data.examples()
        fold_of = folds([x.group for x in examples], k)
        predicted: dict[str, str] = {}
        for i in range(k):
            model = self.fit([x for x in examples if fold_of[x.group] != i], settings)
            test = [x for x in examples if fold_of[x.group] == i]
            probs = model.predict([self.featurize(x) for x in test], ("event", "type"))
            for x, pe, pt in zip(test, model.event_probability(probs), probs["type"]):
                predicted[x.id] = model.heads["type"].labels[int(pt.argmax())] if pe >= settings.sentence else NONE
        out = {}
        for name, xs in sorted(data.sets.items()):
            gold = [x.label for x in xs]
            pred = [predicted[x.id] for x in xs]
            out[name] = {"weighted_f1": round(weighted_f1(gold, pred), 3),
                         "detection_f1": round(_binary_f1([g != NONE for g in gold], [p != NONE for p in pred]), 3)}
        return out


def weighted_f1(gold: list[str], pred: list[str]) -> float:
    """F1 of each event type weighted by its frequency in `gold` (CASE 2021's measure); none is not a type."""
    types = sorted({g for g in gold if g != NONE})
    total = sum(1 for g in gold if g != NONE)
    acc = 0.0
    for t in types:
        tp = sum(1 for g, p in zip(gold, pred) if g == t and p == t)
        fp = sum(1 for g, p in zip(gold, pred) if g != t and p == t)
        fn = sum(1 for g, p in zip(gold, pred) if g == t and p != t)
        acc += (2 * tp / (2 * tp + fp + fn) if tp else 0.0) * sum(1 for g in gold if g == t) / total
    return acc


def _binary_f1(gold: list[bool], pred: list[bool]) -> float:
    tp = sum(g and p for g, p in zip(gold, pred))
    fp = sum(p and not g for g, p in zip(gold, pred))
    fn = sum(g and not p for g, p in zip(gold, pred))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def write_card(model: EventModel, path: Path, data: TrainingData, cv: dict | None) -> None:
    """The model card beside the weights: data, settings, measured figures, limits."""
    model.card.update({"data": data.summary(), "cross_validation": cv or {}})
    lines = ["# Event classifier: model card", "",
             "A multinomial logistic regression over sparse features of one sentence (words, word pairs,",
             "word stems, and what the rules see: trigger kinds, weapons, casualty counts, cues). It decides",
             "whether a candidate sentence reports an event and of which ACLED sub-event type; see",
             "veille/classify.py. Rebuild it with `veille train` (veille/train.py).", "",
             f"- Trained: {model.card['trained']}",
             f"- Examples: {model.card['examples']}; features kept: {model.card['features']}",
             f"- Settings: {json.dumps(model.card['settings'], sort_keys=True)}", "",
             "## Data", "", "| set | sentences | with an event | background |", "|---|---|---|---|"]
    for name, s in data.summary().items():
        lines.append(f"| {name} | {s['sentences']} | {s['events']} | {s['background']} |")
    if cv:
        lines += ["", "## Sentence-level cross-validation (5 folds by document)", "",
                  "Each fold's model never saw the documents it is scored on. Weighted F1 over event types",
                  "(as CASE 2021 measures it) and F1 of event vs no event.", "",
                  "| set | weighted F1 | detection F1 |", "|---|---|---|"]
        for name, s in cv.items():
            lines.append(f"| {name} | {s['weighted_f1']:.3f} | {s['detection_f1']:.3f} |")
    lines += ["", "## Limits", "",
              "- Trained on a few thousand sentences: rare types (Headquarters or base established, Chemical",
              "  weapon, Non-violent transfer of territory) rest on few examples.",
              "- One label a sentence: a sentence that reports two events of different kinds keeps the rules'",
              "  second mention only when the model gives it some probability.",
              "- The end-to-end figures (events found, places, dates) are measured by benchmarks/quality.py.",
              ""]
    (path / "MODEL_CARD.md").write_text("\n".join(lines), encoding="utf-8")


def train(pipeline, settings: Settings, shared: Path | None, extra: list[Path], output: Path,
          cross_validate: bool = True, log: Callable[[str], None] = print) -> EventModel:
    """Gather the data, (cross-validate,) fit on everything, write the model and its card."""
    trainer = Trainer(pipeline)
    data = gather(settings, shared, extra, trainer.keep)
    log("training data: " + ", ".join(f"{k} {v['sentences']}" for k, v in data.summary().items()))
    cv = trainer.cross_validate(data, settings) if cross_validate else None
    if cv:
        for name, s in cv.items():
            log(f"  5-fold {name}: weighted F1 {s['weighted_f1']:.3f}, detection F1 {s['detection_f1']:.3f}")
    model = trainer.fit(data.examples(), settings, data.calibration)
    log(f"thresholds: {model.thresholds}")
    model.save(output)
    write_card(model, output, data, cv)
    model.save(output)  # again, with the card's data in model.json
    return model
