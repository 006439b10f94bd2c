"""The parts that make veille fast must not change what it finds.

- the relevance gate, and reading entities only where an event was found, lose no gold event of the dev set;
- the screen's rewritten alternation matches exactly where the trigger patterns do;
- the process pool returns the same results, in the same order, as one process.
"""
from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veille.detection import overlaps
from veille.patterns import split_alternatives
from veille.nlp import paragraphs, sentences
from veille.stages import Doc
from veille.pipeline import Options, Pipeline
from veille.text import fold

from .conftest import article


# -- the gate on the dev set ---------------------------------------------------------
def test_every_dev_gold_event_has_its_evidence_in_a_hot_sentence(pipeline, dev_articles, dev_gold):
    by_id = {a.doc_id: a for a in dev_articles}
    missed = []
    for row in dev_gold:
        art = by_id[row["doc_id"]]
        folded = fold(art.text)
        hot = pipeline.gate.hotspots(folded, art.language)
        sents = sentences(art.text)
        hot_sentences = [(s, e) for s, e in sents if overlaps(hot, s, e)]
        for ev in row["events"]:
            spans = [(x["start"], x["end"]) for x in ev["evidence"]]
            if not any(s < he and hs < e for s, e in spans for hs, he in hot_sentences):
                missed.append(ev["event_key"])
    assert not missed


def test_the_gate_and_the_windows_change_no_dev_match(dev_articles, dev_gold, score_module):
    """Reading the entities of every paragraph of every article finds nothing the gated run does not."""
    gated = Pipeline()
    full = Pipeline(Options(relevance_gate=False))
    arts = [a for a in dev_articles]

    def matched(pipe):
        preds = [rec.to_dict() for res in pipe.run(arts) for rec in res.records]
        return score_module.score(dev_gold, preds)["strict"]

    with_gate, without = matched(gated), matched(full)
    assert with_gate["recall"] >= without["recall"]
    assert with_gate["f1"] >= without["f1"] - 0.03


def test_an_article_without_any_trigger_is_not_parsed(pipeline):
    art = article("Le conseil municipal a voté le budget de la piscine. Les travaux commencent en mars.")
    assert pipeline.gate.hotspots(fold(art.text), "fr") == []
    pipeline.timings.clear()
    assert list(pipeline.run([art]))[0].records == []
    assert pipeline.timings["articles past the gate"] == 0


def test_a_landmark_counts_only_with_its_whole_signature(pipeline):
    # a landmark's first group alone ("Iran") used to open the gate
    only_name = "L'Iran a publié ses chiffres du commerce extérieur pour l'année."
    assert pipeline.gate.hotspots(fold(only_name), "fr") == []
    whole = "Washington avait tué Soleimani à Bagdad, rappelle le quotidien."
    assert pipeline.gate.hotspots(fold(whole), "fr")


# -- the screen ----------------------------------------------------------------------
@pytest.mark.parametrize("pattern, parts", [
    (r"a|b", ["a", "b"]),
    (r"\bfoo(?:a|b)\b|bar", [r"\bfoo(?:a|b)\b", "bar"]),
    (r"[|]x|y", ["[|]x", "y"]),
    (r"[]|]x|y", ["[]|]x", "y"]),
    (r"[^]|]x|y", ["[^]|]x", "y"]),
    (r"[a\]|]x|y", [r"[a\]|]x", "y"]),
    (r"\|x|(y|z)", [r"\|x", "(y|z)"]),
    (r"single", ["single"]),
])
def test_split_alternatives(pattern, parts):
    assert split_alternatives(pattern) == parts
    assert re.compile("|".join(parts)).pattern == pattern


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_screen_matches_exactly_where_one_of_the_patterns_does(pipeline, lang):
    """Compared with the plain alternation of all trigger and weapon patterns, on real-looking text."""
    ex = pipeline.gate
    parts = [t.regex.pattern for t in ex.lex.for_lang(ex.lex.triggers, lang) if t.code not in ("TARGET", "TOPIC")]
    parts += [w.regex.pattern for w in ex.lex.for_lang(ex.lex.weapons, lang)]
    plain = re.compile("|".join(f"(?:{p})" for p in parts))
    words = re.findall(r"[a-z']+", " ".join(p for p in parts)) + "le la the of a un des de trois ont a ete".split()
    rng = random.Random(7)
    for _ in range(400):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 12)))
        assert bool(ex.screen(lang).search(text)) == bool(plain.search(text)), text


@given(st.lists(st.tuples(st.integers(0, 3000), st.integers(1, 300)), max_size=30),
       st.integers(0, 3400), st.integers(1, 500))
@settings(max_examples=300, deadline=None)
def test_overlaps_agrees_with_brute_force(raw, start, length):
    spans = sorted((s, s + n) for s, n in raw)
    end = start + length
    assert overlaps(spans, start, end) == any(s < end and e > start for s, e in spans)


# -- entities only where an event was found ----------------------------------------------
def test_sentences_cover_the_text_and_entities_are_read_only_where_an_event_is(pipeline):
    text = ("Le marché de Gao était animé ce matin. Des commerçants vendaient du mil.\n"
            "Une attaque à la roquette a visé la base de Tessalit mardi. Deux soldats ont été blessés. "
            "La météo annonce de la pluie.\n"
            "Le festival de musique reprend samedi à Bamako.")
    fr = pipeline.language_pipeline("fr")
    if fr.nlp is None:
        pytest.skip("no French spaCy pipeline installed")
    folded = fold(text)
    sents = sentences(text)
    assert sents == sorted(sents)
    assert all(e1 <= s2 for (_, e1), (s2, _) in zip(sents, sents[1:]))
    covered = set()
    for s, e in sents:
        covered.update(range(s, e))
    assert all(i in covered for i, c in enumerate(text) if not c.isspace())
    doc = Doc(article(text))
    for stage in pipeline.stages:
        stage([doc])
    spans = doc.detection.spans
    told = [text[s:e] for s, e in spans]
    assert "Une attaque à la roquette a visé la base de Tessalit mardi." in told
    assert not any("festival" in t or "marché" in t for t in told)
    entities = doc.entities
    assert any("Tessalit" in text[s:e] for s, e, _ in entities)
    assert all(any(fs <= s and e <= fe for fs, fe in spans) for s, e, _ in entities)
    everywhere = fr.entities([text])[0]
    assert any(text[s:e] == "Bamako" for s, e, _ in everywhere)


def test_without_hotspots_every_paragraph_is_parsed(pipeline):
    text = "Le festival reprend samedi à Bamako.\nLa foire de Lyon ouvre ses portes."
    fr = pipeline.language_pipeline("fr")
    if fr.nlp is None:
        pytest.skip("no French spaCy pipeline installed")
    assert len(paragraphs(text)) == 2
    assert {text[s:e] for s, e, _ in fr.entities([text])[0]} >= {"Bamako", "Lyon"}


# -- the process pool ------------------------------------------------------------------
def test_the_pool_gives_the_same_results_in_the_same_order(dev_articles):
    samples = _bundled_samples()
    bad = article("", doc_id="empty-one")
    arts = list(dev_articles) + [bad] + samples
    one = [(r.article.doc_id, r.failure is not None, [x.to_dict(with_text=False) for x in r.records])
           for r in Pipeline(Options(batch_size=3)).run(arts)]
    two = [(r.article.doc_id, r.failure is not None, [x.to_dict(with_text=False) for x in r.records])
           for r in Pipeline(Options(batch_size=3, n_process=2)).run(arts)]
    assert [d for d, _, _ in two] == [a.doc_id for a in arts]
    assert one == two
    assert sum(len(r) for _, _, r in one) > 20


def test_the_pool_reports_progress_for_every_article(dev_articles):
    seen = []
    results = list(Pipeline(Options(batch_size=2, n_process=2)).run(dev_articles, progress=seen.append))
    assert sum(seen) == len(dev_articles) == len(results)


def _bundled_samples():
    from importlib.resources import files

    from veille.readers import Defaults, read_jsonl

    path = files("veille") / "samples" / "articles.jsonl"
    with path.open("rb") as f:
        return list(read_jsonl(f, str(path), Defaults()))


@pytest.mark.parametrize("pattern, expected", [
    ("attaqu\\w*", {"att"}),
    ("(?:la |une )?cibles?", {"la ", "une", "cib"}),
    ("(?:ont|a) ete", {"ont", "a e"}),
    ("[ei]ed\\b", {"eed", "ied"}),
    ("f-1[56]", {"f-1"}),
    ("\\w+ed", None),          # could start with any letter
    ("(?:abc)?", None),        # could match nothing
    ("x{0,2}yz", {"xxy", "xyz", "yz", "xx"} ),
])
def test_literal_prefixes(pattern, expected):
    from veille.patterns import literal_prefixes

    got = literal_prefixes(pattern)
    if expected is None:
        assert got is None
        return
    assert got is not None
    rx = re.compile(pattern)
    # every string the pattern matches starts with one of the prefixes
    for sample in ("attaques", "la cible", "une cible", "cibles", "ont ete", "a ete", "ied", "eed", "f-15",
                   "yz", "xyz", "xxyz"):
        if rx.fullmatch(sample):
            assert any(sample.startswith(p) for p in got), (pattern, sample, got)
    assert got <= expected | {p[:n] for p in expected for n in range(1, 4)}


def test_an_upper_case_rule_pattern_is_refused_with_its_file_and_line():
    from veille.errors import DataFileError
    from veille.lexicon import compile_pattern

    with pytest.raises(DataFileError, match=r"triggers.tsv, line 12: .*upper-case letters \(EI\)"):
        compile_pattern("triggers.tsv", 12, r"\bbombes?\b|\bEI\b")
    assert compile_pattern("triggers.tsv", 12, r"\bbombes?\b|\bei\b\w").pattern
