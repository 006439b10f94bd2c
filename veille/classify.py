"""The learned event classifier: does a sentence report an event, and of which sub-event type.

A linear model over sparse features of one sentence: its words and word pairs,
word stems (the first letters of long words, which carry French and English
inflections alike), and what the rules see in it (trigger kinds, weapons,
casualty counts, irrealis, habitual or claim cues). The weights are plain
arrays shipped in the package (`veille/models/events/`, with a model card);
`veille train` rebuilds them from labelled sentences (see veille.train).

    model = EventModel.load()
    probs = model.predict([features(folded, "fr", rule_features)])  # one row per sentence
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Iterable

import numpy as np

NONE = "none"  # the class of sentences that report no codable event
MODEL_DIR = resources.files("veille") / "models" / "events"

_TOKEN = re.compile(r"[a-z]+|\d+")
_STOP = frozenset(
    "le la les l de d du des un une et a au aux en dans sur par pour que qui est ont ete il elle ils elles "
    "ce cette ces se sa son ses leur leurs the a an and of to in on at by for is was were has have had been "
    "be it its this that with from as".split())
STEM = 5  # letters kept of a long word for its stem feature


def tokens(folded: str) -> list[str]:
    """Word tokens of a folded sentence; numbers become one token, so counts generalise."""
    return ["<num>" if t[0].isdigit() else t for t in _TOKEN.findall(folded)]


def features(folded: str, lang: str, rule_features: Iterable[str] = ()) -> list[str]:
    """The sparse features of one folded sentence (each counts once)."""
    toks = tokens(folded)
    out = {f"w:{t}" for t in toks}
    out.update(f"s:{t[:STEM]}" for t in toks if len(t) > STEM + 1)
    content = [t for t in toks if t not in _STOP]
    out.update(f"b:{a}_{b}" for a, b in zip(content, content[1:]))
    out.update(f"r:{r}" for r in rule_features)
    out.add(f"lang:{lang}")
    return sorted(out)


@dataclass
class Head:
    """One linear decision over the shared features: `weights` is (features, len(labels))."""

    labels: list[str]
    weights: np.ndarray
    bias: np.ndarray


@dataclass
class EventModel:
    """Three heads over one vocabulary of features.

    event       "event" or "none": does the sentence report a codable event?
    type        which of the 25 sub-event types (trained on sentences that report one)
    background  "background" or "news": is the event recalled as context?

    `thresholds` are the decision settings chosen when the model was trained
    (see veille.train: calibrated on quiet news the model never saw).
    """

    vocabulary: dict[str, int]
    idf: np.ndarray
    heads: dict[str, Head]
    thresholds: dict[str, float]
    card: dict

    @classmethod
    def load(cls, path: Path | None = None) -> "EventModel":
        where = Path(str(path or MODEL_DIR))
        meta = json.loads((where / "model.json").read_text(encoding="utf-8"))
        arrays = np.load(where / "weights.npz")
        vocab = {f: i for i, f in enumerate(meta["features"])}
        heads = {name: Head(labels, arrays[f"{name}_weights"], arrays[f"{name}_bias"])
                 for name, labels in meta["heads"].items()}
        return cls(vocab, arrays["idf"], heads, meta["thresholds"], meta.get("card", {}))

    def save(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        ordered = sorted(self.vocabulary, key=self.vocabulary.get)
        meta = {"heads": {n: h.labels for n, h in self.heads.items()}, "thresholds": self.thresholds,
                "card": self.card, "features": ordered}
        (path / "model.json").write_text(json.dumps(meta, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
        arrays = {"idf": self.idf.astype(np.float32)}
        for n, h in self.heads.items():
            arrays[f"{n}_weights"] = h.weights.astype(np.float32)
            arrays[f"{n}_bias"] = h.bias.astype(np.float32)
        np.savez_compressed(path / "weights.npz", **arrays)

    def vector(self, feats: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """Indices and L2-normalised idf values of the known features."""
        idx = np.fromiter((self.vocabulary[f] for f in feats if f in self.vocabulary), dtype=np.int64)
        if not len(idx):
            return idx, np.zeros(0, dtype=np.float32)
        vals = self.idf[idx]
        return idx, vals / np.sqrt(float(vals @ vals))

    def predict(self, rows: list[list[str]], heads: Iterable[str] | None = None) -> dict[str, np.ndarray]:
        """Class probabilities of each head, one row per sentence's features."""
        names = list(heads or self.heads)
        vecs = [self.vector(feats) for feats in rows]
        out = {}
        for name in names:
            h = self.heads[name]
            logits = np.tile(h.bias, (len(rows), 1)).astype(np.float32)
            for i, (idx, vals) in enumerate(vecs):
                if len(idx):
                    logits[i] += vals @ h.weights[idx]
            logits -= logits.max(axis=1, keepdims=True)
            p = np.exp(logits)
            out[name] = p / p.sum(axis=1, keepdims=True)
        return out

    def event_probability(self, probs: dict[str, np.ndarray]) -> np.ndarray:
        return probs["event"][:, self.heads["event"].labels.index("event")]


_BY_WEAPON = ("SHELL", "AIR", "IED", "GRENADE")  # explosions whose sub-type a weapon word can tell


def anchors(p_event: np.ndarray, n_sentences: int, sentence: float, anchor: float, density: float) -> bool:
    """Whether an article reports events at all: one sentence says so clearly (`anchor`), or a good
    share of its sentences say so (`density`): a conflict report is mostly about its events, while
    a sports or business story that uses war words does so once or twice in a long text."""
    if not len(p_event):
        return False
    return float(p_event.max()) >= anchor or int((p_event >= sentence).sum()) >= density * max(1, n_sentences)


# -- the classification stage ------------------------------------------------------------------

@dataclass
class Policy:
    """How the classifier's decisions and the rules' mentions are combined (see `Classifier.decide`)."""

    use_model: bool = True  # False: the rules alone decide (the ablation of the learned stage)
    sentence: float | None = None  # a sentence reports an event from this probability (default: the model's)
    anchor: float | None = None  # ... when some sentence of its article reaches this one (default: the model's)
    opens: float | None = None  # below this, an event sentence only adds to an event told elsewhere (default: sentence)
    density: float | None = None  # ... or when this share of its sentences report events (default: the model's)
    second: float = 0.25  # another rule mention of its sentence stands as its own event above this type probability
    veto_questions: bool = True  # a question reports no event, whatever the model says
    veto_cues: tuple[str, ...] = ("irrealis", "habitual")  # no new mention where the rules see these cues
    type_vetoes: tuple[tuple[str, str], ...] = (("intercept_none", "Disrupted weapons use"),)  # (cue, type it rules out)
    weapons_decide: tuple[str, ...] = ("rocket", "missile", "mortar", "artillery", "drone", "grenade")
    # ... among explosions, one of these weapon words gives the sub-type (a drone strike, a rocket attack)
    rule_type_floor: float = 1.1  # a strong typed trigger keeps its type unless the model gives it less than this
    create: float | None = None  # event probability from which a sentence without rule mentions gets one (model's)
    model_only: bool = False  # the rules' mentions are dropped: the model alone decides (an ablation)


class Classifier:
    """Stage "classification": which candidate sentences report an event, and of which type.

    Needs the rule detection of an article (`Detection`); decides, for each
    candidate sentence, its label and the mentions it holds. A sentence reports
    an event when the model's event probability reaches the sentence threshold
    and some sentence of the article reaches the anchor threshold: an article
    that reports an event says so clearly at least once, which keeps the war
    vocabulary of sports and business pages out. The rules' mentions of an
    event sentence take the model's type; where the rules found none, a new
    mention is made. A sentence that reports no event keeps its rule mentions
    only as support for an event told elsewhere (`join_only`).
    """

    def __init__(self, model: EventModel | None, detector, taxonomy, policy: Policy | None = None) -> None:
        self.model = model
        self.detector = detector
        self.policy = policy or Policy(use_model=model is not None)
        self.code_of = {t.sub_event_type: code for code, t in taxonomy.items()}
        self.weapon_code = {w.name: w.code for w in getattr(detector, "lex", None).weapons} if detector else {}
        self.label_of = {code: t.sub_event_type for code, t in taxonomy.items()}

    def thresholds(self) -> tuple[float, float, float]:
        """(sentence, anchor, opens): the policy's where it sets them, else the model's."""
        t = self.model.thresholds if self.model else {}
        sentence = self.policy.sentence if self.policy.sentence is not None else t.get("sentence", 0.5)
        anchor = max(sentence, self.policy.anchor if self.policy.anchor is not None else t.get("anchor", sentence))
        opens = self.policy.opens if self.policy.opens is not None else t.get("opens", sentence)
        return sentence, anchor, min(max(opens, sentence), anchor)

    def density(self) -> float:
        t = self.model.thresholds if self.model else {}
        return self.policy.density if self.policy.density is not None else t.get("density", 1.0)

    def __call__(self, doc_id: str, found, published) -> None:
        if not self.policy.use_model or self.model is None or not found.sentences:
            return
        rows = [features(x.folded, x.lang, x.rule_features) for x in found.sentences]
        probs = self.model.predict(rows, ("event", "type", "background"))
        p_past = probs["background"][:, self.model.heads["background"].labels.index("background")]
        p_event = self.model.event_probability(probs)
        sentence, anchor, opens = self.thresholds()
        anchored = anchors(p_event, found.n_sentences, sentence, anchor, self.density())
        for x, pe, pt, pb in zip(found.sentences, p_event, probs["type"], p_past):
            self.decide(doc_id, x, float(pe) if anchored else 0.0, pt, sentence, published)
            for m in x.mentions:
                m.p_background = float(pb)
            if x.label != NONE and x.p_event < opens:
                for m in x.mentions:
                    m.join_only = m.join_only or not m.landmark

    def type_probability(self, p: np.ndarray, code: str) -> float:
        labels = self.model.heads["type"].labels
        label = self.label_of.get(code)
        return float(p[labels.index(label)]) if label in labels else 0.0

    def decide(self, doc_id: str, x, p_event: float, p_type: np.ndarray, threshold: float, published) -> None:
        from .detection import _family

        if self.policy.model_only:
            x.mentions = [m for m in x.mentions if m.landmark]
        rule = [m for m in x.mentions if not m.landmark]
        if p_event < threshold or (self.policy.veto_questions and x.folded.rstrip().endswith("?")):
            x.label, x.probability, x.p_event = NONE, 1.0 - p_event, p_event
            for m in rule:
                m.join_only = True
            return
        cues = {f[4:] for f in x.rule_features if f.startswith("cue:")}
        ruled_out = [self.model.heads["type"].labels.index(t) for c, t in self.policy.type_vetoes
                     if c in cues and t in self.model.heads["type"].labels]
        if ruled_out:  # "aucun n'a été intercepté": the rules read the negation the words alone miss
            p_type = p_type.copy()
            p_type[ruled_out] = 0.0
        k = int(p_type.argmax())
        x.label, x.probability, x.p_event = self.model.heads["type"].labels[k], float(p_type[k]), p_event
        code = self.code_of[x.label]
        by_weapon = False
        if code in _BY_WEAPON:
            weapon = next((m.weapon for m in rule if m.weapon), None) or next(
                (h.weapon for h in x.hits if h.code == "WEAPON" and h.weapon in self.policy.weapons_decide), None)
            if weapon in self.policy.weapons_decide:
                code, by_weapon = self.weapon_code.get(weapon, code), True
        if rule:
            primary = next((m for m in rule if _family(m.code) == _family(code)), rule[0])
            for m in rule:
                q = float(p_type[k]) if m is primary else self.type_probability(p_type, m.code)
                if m is primary and m.strength >= 1.0 and m.code in self.label_of \
                        and self.type_probability(p_type, m.code) >= self.policy.rule_type_floor:
                    q = self.type_probability(p_type, m.code)  # the rules know this word: their type stands
                elif m is primary:
                    m.code, m.typed_by_rules = code, by_weapon
                if m is primary or q >= self.policy.second:
                    m.confirmed, m.probability = True, q
                else:
                    m.join_only = True
            return
        if any(_family(m.code) == _family(code) for m in x.mentions):
            return  # a landmark of this kind already stands for it
        if self.policy.veto_cues and set(self.policy.veto_cues) & {f[4:] for f in x.rule_features if f.startswith("cue:")}:
            return  # planned, hypothetical or habitual: the rules found no event in it, and they know these
        create = self.policy.create if self.policy.create is not None else self.model.thresholds.get("create", 0.0)
        if p_event < create:
            x.label = NONE
            return
        if not x.dates:
            x.dates = self.detector.sentence_dates(x.folded, published)
        m = self.detector.new_mention(doc_id, x, code)
        m.confirmed, m.probability, m.typed_by_rules = True, float(p_type[k]), by_weapon
        x.mentions.append(m)
