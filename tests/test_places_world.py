"""Places anywhere in the world, one table per mechanism (sentences written for these tests).

- spelling: French and English transliterations meet under one key;
- homonyms: the countries, divisions and enclosing places a text names choose among places
  of the same name, and a homonym on another continent is never taken without such evidence;
- people and common words do not become places;
- a name the gazetteer lacks, in a place slot, is kept as written at what encloses it;
- first-level divisions come from GeoNames codes, for every country;
- over whole outputs (world-dev, the news corpus): no event lies on another continent than
  the countries and divisions its sentences name.
"""
from __future__ import annotations

import gzip
import json
import math

import pytest

from veille.text import fold, key, words

from .conftest import SHARED


def km(lat1, lon1, lat2, lon2):
    p = math.radians
    h = math.sin(p(lat2 - lat1) / 2) ** 2 + math.cos(p(lat1)) * math.cos(p(lat2)) * math.sin(p(lon2 - lon1) / 2) ** 2
    return 6371 * 2 * math.asin(math.sqrt(h))


def places(gazetteer, text):
    f = fold(text)
    return [p for p in gazetteer.find(text, f, gazetteer.context_countries(text, f)) if p.chosen]


def most_specific(gazetteer, text):
    found = places(gazetteer, text)
    return max(found, key=lambda p: (p.chosen.specificity, -p.start)).chosen if found else None


# -- spelling -----------------------------------------------------------------------------
@pytest.mark.parametrize("variants", [
    ("Tiloua", "Tiloa"),
    ("Kunduz", "Konduz", "Koundouz", "Qunduz"),
    ("Khan Cheikhoun", "Khan Shaykhun", "Khan Sheikhoun"),
    ("Tillabéri", "Tillaberi", "Tillabery"),
    ("Sarmine", "Sarmin"),
    ("Hodeïda", "Hodeidah", "Al Hudaydah"),
    ("Tchad", "Chad"),
    ("Zaporijia", "Zaporizhzhia"),
    ("Taëz", "Taiz", "Ta'izz"),
    ("Mossoul", "Mosul"),
    ("Ouagadougou", "Wagadugu"),
    ("Kiev", "Kyiv"),
    ("Mazar-e Sharif", "Mazar-i-Sharif"),
    ("Djibo", "Jibo"),
    ("Maïduguri", "Maiduguri"),
    ("Bakhmout", "Bakhmut"),
    ("El Fasher", "El-Facher", "Al Fashir"),
    ("Tchernihiv", "Chernihiv"),
    ("Jytomyr", "Zhytomyr"),
    ("Saada", "Sa'dah"),
])
def test_places_key_folds_french_and_english_transliterations(variants):
    assert len({key(v) for v in variants}) == 1


@pytest.mark.parametrize("a, b", [("Kano", "Kona"), ("Gao", "Goa"), ("Mali", "Malta"), ("Niger", "Nigeria"),
                                  ("Kaduna", "Katsina"), ("Homs", "Hama")])
def test_places_key_keeps_different_names_apart(a, b):
    assert key(a) != key(b)


# -- homonyms and evidence ------------------------------------------------------------
# (sentence, iso, latitude, longitude, tolerance km): the right one of several places of that name
HOMONYMS = [
    # the country named in the sentence
    ("Militias clashed near the port of Tripoli, Libya.", "LY", 32.89, 13.19, 30),
    ("Des heurts ont éclaté à Tripoli, dans le nord du Liban.", "LB", 34.43, 35.84, 30),
    ("A bomb exploded in Hyderabad, in Pakistan's Sindh province.", "PK", 25.40, 68.38, 30),
    ("Police fired tear gas in Hyderabad, India.", "IN", 17.38, 78.46, 30),
    ("The army recaptured Gulu in northern Uganda.", "UG", 2.77, 32.30, 30),
    ("Des rebelles ont attaqué Beni, au Nord-Kivu.", "CD", 0.49, 29.47, 30),
    ("Serb police patrolled Pale, in Bosnia.", "BA", 43.82, 18.57, 30),
    ("Soldiers were ambushed near Bama in Borno State.", "NG", 11.52, 13.69, 30),
    ("Des jihadistes ont attaqué Bama, dans l'ouest du Burkina Faso.", "BF", 12.04, -4.40, 30),
    ("Gang members were arrested in San Marcos, Guatemala.", "GT", 14.96, -91.79, 30),
    # the division named with it
    ("Gunmen killed six people in San Marcos, in the department of San Marcos, Guatemala.", "GT", 14.96, -91.79, 30),
    # only the country named elsewhere in the article
    ("Le Mali a perdu trois soldats. L'attaque a visé Tessit.", "ML", 15.22, -0.30, 30),
    ("Somalia's army said fighters attacked Baidoa overnight.", "SO", 3.11, 43.65, 30),
    ("Ethiopian officials said drones struck Bahir Dar.", "ET", 11.59, 37.39, 30),
    ("Les combats se poursuivent au Soudan. Des obus sont tombés sur Nyala.", "SD", 12.05, 24.88, 30),
    ("In Yemen, a missile hit a market in Ma'rib.", "YE", 15.46, 45.33, 30),
    ("Myanmar's army bombed Lashio on Sunday.", "MM", 22.94, 97.75, 30),
    ("Colombian troops clashed with rebels near Tumaco, Colombia.", "CO", 1.79, -78.79, 30),
    ("Haïti : des gangs ont incendié des maisons aux Gonaïves.", "HT", 19.45, -72.69, 30),
    ("Pakistan: a suicide bomber struck a checkpoint in Bannu.", "PK", 32.99, 70.60, 30),
    ("Des frappes ukrainiennes ont visé Kharkiv, en Ukraine.", "UA", 49.98, 36.25, 30),
    ("A curfew was declared in Imphal, the capital of Manipur, India.", "IN", 24.81, 93.94, 30),
]


@pytest.mark.parametrize("sentence, iso, lat, lon, tol", HOMONYMS)
def test_places_chooses_the_homonym_the_text_points_to(gazetteer, sentence, iso, lat, lon, tol):
    best = most_specific(gazetteer, sentence)
    assert best is not None, sentence
    assert best.iso == iso, best
    assert km(best.latitude, best.longitude, lat, lon) <= tol, best


def test_places_nearness_to_the_other_places_of_the_article(gazetteer):
    # Mexico has a dozen towns called San Marcos: the one near Acapulco (Guerrero)
    text = "Gunmen killed two police officers in Acapulco, Mexico. Hours later they ambushed a patrol in San Marcos."
    found = [p for p in places(gazetteer, text) if p.text == "San Marcos"]
    assert found and found[0].chosen.iso == "MX"
    assert km(found[0].chosen.latitude, found[0].chosen.longitude, 16.80, -99.39) <= 30


@pytest.mark.parametrize("sentence, wrong_iso", [
    # a namesake on another continent is not chosen when the article is about elsewhere
    ("Junta aircraft bombed Pale, in Myanmar's Sagaing Region.", "BA"),
    ("Au Niger, des assaillants ont attaqué le village de Tiloa, près de la frontière malienne.", "FR"),
    ("Nigerian police said bandits attacked Kuriga, in Kaduna State.", "MA"),
    ("Des soldats maliens ont été tués près de Douna, dans la région de Mopti, au Mali.", "US"),
])
def test_places_never_takes_a_namesake_from_another_continent(gazetteer, sentence, wrong_iso):
    isos = {p.chosen.iso for p in places(gazetteer, sentence)}
    assert wrong_iso not in isos
    assert isos, sentence


def test_places_a_world_city_is_named_from_anywhere(gazetteer):
    text = "Malian officials travelled to Paris for talks."
    assert "FR" in {p.chosen.iso for p in places(gazetteer, text + " Le Mali et la France ont parlé.")}


# -- people and common words ------------------------------------------------------------
@pytest.mark.parametrize("sentence, not_places", [
    ("Governor Uba Sani visited the school on Friday.", {"Uba", "Sani", "Uba Sani"}),
    ("Police arrested Bobi Wine; Mr Wine was held overnight.", {"Wine", "Bobi Wine", "Bobi"}),
    ("\"The damage is severe,\" said Acton, an analyst.", {"Acton"}),
    ("« Les dégâts sont lourds », a déclaré Acton à la radio.", {"Acton"}),
    ("Le système du Dôme de fer a intercepté les roquettes.", {"Dôme"}),
    ("Two were wounded. Leur état est stable.", {"Leur"}),
    ("The Washington Post and the New York Times reported the arrest.", {"Washington", "New York", "The Washington"}),
    ("What in the Hell happened there, a resident asked.", {"Hell"}),
    ("Participants in the Canadian and British marches were detained.", {"Canadian"}),
    ("Defence Secretary Lloyd Austin arrived on Sunday.", {"Austin"}),
])
def test_places_people_and_common_words_are_not_places(gazetteer, sentence, not_places):
    found = {p.text for p in places(gazetteer, sentence)}
    assert not found & not_places, found


# -- a name the gazetteer lacks ---------------------------------------------------------------
# (sentence, name kept, iso, admin1, geo_precision): invented village names, so no gazetteer has them
AS_WRITTEN = [
    ("Bandits raided Tudun Kafaye, Zamfara State, at dawn.", "Tudun Kafaye", "NG", "Zamfara", 3),
    ("Des hommes armés ont attaqué le village de Kolobéré, dans la région de Ségou, au Mali.", "Kolobéré",
     "ML", "Ségou", 3),
    ("Jets bombed Htan Zin Kone village in Taze Township, Sagaing Region.", "Htan Zin Kone", "MM", "Sagaing", 3),
    ("Gunmen burnt houses in the village of Ngarabiri, near Damboa in Borno State.", "Ngarabiri", "NG", "Borno", 2),
    ("Militia fighters looted Kasenyi-Mbuti, in Ituri province, Congo.", "Kasenyi-Mbuti", "CD", "Ituri", 3),
    ("Al-Shabaab fighters overran the village of Ceel Qoroxley in Somalia.", "Ceel Qoroxley", "SO", None, 3),
]


@pytest.mark.parametrize("sentence, name, iso, admin1, precision", AS_WRITTEN)
def test_places_an_unknown_name_in_a_place_slot_is_kept_as_written(gazetteer, sentence, name, iso, admin1, precision):
    found = {p.text: p.chosen for p in places(gazetteer, sentence)}
    assert name in found, found
    place = found[name]
    assert place.written and place.iso == iso and place.geo_precision == precision, place
    assert (words(place.admin1 or "") == words(admin1 or "")), place


@pytest.mark.parametrize("sentence", [
    "Fans cheered at the Winter Olympics in Beijing.",  # an event name before "in <city>" is no village
    "Soldiers fought Islamic State in Syria.",
    "The Fitzwilliam Museum in Cambridge opened an exhibition.",
    "Separatists are active in the restive Anglophone region of Cameroon.",
])
def test_places_nothing_is_made_up_outside_a_place_slot(gazetteer, sentence):
    assert not [p for p in places(gazetteer, sentence) if p.chosen.written]


# -- first-level divisions from GeoNames codes ----------------------------------------------
@pytest.mark.parametrize("sentence, admin1", [
    ("Shelling hit Bakhmut, Ukraine.", "Donetsk"),
    ("A bomb went off in Quetta, Pakistan.", "Balochistan"),
    ("Clashes in Srinagar, India.", "Jammu and Kashmir"),
    ("Cartel gunmen attacked Culiacán, Mexico.", "Sinaloa"),
    ("Protesters marched in Cúcuta, Colombia.", "Norte de Santander"),
    ("Des gangs contrôlent Gonaïves, en Haïti.", "Artibonite"),
    ("Drone strikes on Mekele, Ethiopia.", "Tigray"),
    ("Fighting around Baidoa, Somalia.", "Bay"),
    ("Shelling in El Fasher, Sudan.", "North Darfur"),
    ("Des jihadistes ont attaqué Djibo, au Burkina Faso.", "Sahel"),
    ("Troops entered Myitkyina, Myanmar.", "Kachin"),
    ("Bandits attacked Gusau, Nigeria.", "Zamfara"),
    ("Des rebelles sont entrés à Goma, en RDC.", "Nord-Kivu"),
    ("Airstrikes on Kandahar, Afghanistan.", "Kandahar"),
    ("Des frappes sur Idleb, en Syrie.", "Idlib"),
    ("Houthi missiles hit Hodeidah, Yemen.", "Al Hudaydah"),
])
def test_places_admin1_comes_from_geonames_for_every_country(gazetteer, sentence, admin1):
    best = most_specific(gazetteer, sentence)
    assert best is not None and words(best.admin1 or "") == words(admin1), best


# -- whole outputs: no place on another continent than what its sentences name -----------------
def _named_regions(gazetteer, text: str, spans, ctx) -> set[str]:
    """Countries named in the sentences, and the countries of the divisions named with their word."""
    out = set()
    for pm in gazetteer.find(text, fold(text), ctx, spans=spans):
        if pm.chosen and (pm.chosen.kind == "country" or pm.slot in ("admin1", "admin2") and not pm.chosen.written):
            out.add(pm.chosen.iso)
    return out


def _names(gazetteer, text: str, spans, ctx, r) -> bool:
    for pm in gazetteer.find(text, fold(text), ctx, spans=spans):
        p = pm.chosen
        if p and not p.written and abs(p.latitude - r.latitude) < 0.05 and abs(p.longitude - r.longitude) < 0.05:
            return gazetteer.index.is_exact(pm.text, p)
    return False


def _off_continent(gazetteer, records, texts) -> list[str]:
    index = gazetteer.index
    bad = []
    for r in records:
        if r.latitude is None or not r.iso or r.doc_ids[0] not in texts:
            continue
        text = texts[r.doc_ids[0]]
        spans = [(e.start, e.end) for e in r.evidence]
        ctx = gazetteer.context_countries(text, fold(text))
        named = _named_regions(gazetteer, text, spans, ctx)
        if not named or r.iso in named:
            continue
        if index.continent.get(r.iso) in {index.continent.get(i) for i in named}:
            continue
        # a place the sentence names by one of its own names is what the text says ("à Dubaï")
        if _names(gazetteer, text, spans, ctx, r):
            continue
        bad.append(f"{r.doc_ids[0]}: {r.location} ({r.iso}) for a sentence naming {sorted(named)}")
    return bad


def _articles(path):
    from veille.readers import Defaults, read_jsonl

    with path.open("rb") as f:
        return list(read_jsonl(f, str(path), Defaults(published=None)))


def test_places_world_dev_output_stays_on_the_continents_its_sentences_name(pipeline, gazetteer):
    path = SHARED / "eval" / "world-dev.jsonl"
    if not path.exists():
        pytest.skip("../shared/eval/world-dev.jsonl is not beside the checkout")
    arts = _articles(path)
    records = [rec for res in pipeline.run(arts) for rec in res.records]
    assert records
    assert _off_continent(gazetteer, records, {a.doc_id: a.text for a in arts}) == []


def test_places_corpus_output_stays_on_the_continents_its_sentences_name(pipeline, gazetteer):
    from datetime import date

    from veille.article import Article

    path = SHARED / "corpus" / "news.jsonl.gz"
    if not path.exists():
        pytest.skip("../shared/corpus is not beside the checkout")
    arts = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            arts.append(Article(text=d["text"], title=d.get("title"), language=d["language"], doc_id=d["id"],
                                published=date(2023, 1, 1)))
    records = [rec for res in pipeline.run(arts) for rec in res.records]
    assert len(records) > 100
    bad = _off_continent(gazetteer, records, {a.doc_id: a.text for a in arts})
    assert bad == [], "\n".join(bad)
