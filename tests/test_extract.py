"""Extraction behaviour on short texts written for these tests, in French and English."""
from __future__ import annotations

import pytest

from .conftest import article

CASES = [
    # (language, published, text, sub_event_type, event_date, iso)
    ("en", "2021-06-28", "US warplanes carried out air strikes on Sunday against Kataib Hezbollah facilities "
     "near Abu Kamal in Syria, the Pentagon said.", "Air/drone strike", "2021-06-27", "SY"),
    ("en", "2022-01-04", "Two drones were shot down on Monday near Baghdad International Airport by the C-RAM "
     "air defence system, the coalition said.", "Disrupted weapons use", "2022-01-03", "IQ"),
    ("en", "2021-07-14", "A roadside bomb hit a logistics convoy near Nasiriyah in Iraq on Tuesday, "
     "security sources said.", "Remote explosive/landmine/IED", "2021-07-13", "IQ"),
    ("en", "2021-05-26", "Thousands of protesters gathered in Baghdad's Tahrir Square on Tuesday to demand "
     "justice for killed activists.", "Peaceful protest", "2021-05-25", "IQ"),
    ("en", "2021-10-28", "Islamic State fighters clashed with Iraqi army units in Diyala province on Tuesday "
     "night, killing four soldiers, officials said.", "Armed clash", "2021-10-26", "IQ"),
    ("fr", "2021-03-04", "Mercredi, dix roquettes ont frappé la base aérienne d'Aïn al-Asad, dans l'ouest de "
     "l'Irak, selon la coalition.", "Shelling/artillery/missile attack", "2021-03-03", "IQ"),
    ("fr", "2021-05-27", "Les forces de sécurité irakiennes ont arrêté mercredi à Bagdad un commandant du "
     "Hachd al-Chaabi, selon des responsables.", "Arrests", "2021-05-26", "IQ"),
    ("fr", "2021-10-28", "Des affrontements ont opposé mardi des combattants de l'État islamique à l'armée "
     "irakienne dans la province de Diyala.", "Armed clash", "2021-10-26", "IQ"),
    ("fr", "2020-04-01", "Des batteries de missiles Patriot ont été déployées sur la base d'Aïn al-Asad, en "
     "Irak, selon des sources américaines.", "Other", "2020-03-31", "IQ"),
]


@pytest.mark.parametrize("lang, published, text, sub, day, iso", CASES)
def test_extract_finds_type_date_and_country(pipeline, lang, published, text, sub, day, iso):
    records = pipeline.extract(article(text, published, lang))
    assert [(r.sub_event_type, r.event_date, r.iso) for r in records] == [(sub, day, iso)]
    r = records[0]
    # each case is one sentence, and the evidence is that sentence
    assert [(e.doc_id, e.start, e.end) for e in r.evidence] == [(r.doc_ids[0], 0, len(text))] and r.notes


@pytest.mark.parametrize("lang, text", [
    ("fr", "Le ministère veut frapper les positions des groupes armés en Irak si les attaques continuent."),
    ("en", "Washington is considering strikes on militia positions in Iraq, officials said on Monday."),
    ("en", "Rail workers will strike on Tuesday in London over pay, the union said."),
    ("fr", "La lutte contre l'inflation reste le principal combat du gouvernement à Paris, a dit le ministre."),
    ("en", "The striker scored twice as the club beat its rivals in Madrid on Sunday."),
    ("fr", "Le joueur a signé un contrat de quatre ans avec le club de Lyon mardi."),
])
def test_extract_codes_no_event_for_plans_metaphors_and_sport(pipeline, lang, text):
    assert pipeline.extract(article(text, "2021-05-28", lang)) == []


def test_extract_one_record_for_several_sentences_about_one_attack(pipeline):
    text = ("Lundi, cinq roquettes ont frappé la base d'Aïn al-Asad, dans l'ouest de l'Irak. "
            "Les roquettes ont atteint le périmètre de la base, selon des sources sécuritaires. "
            "Les attaques à la roquette contre la base n'ont fait aucune victime.")
    records = pipeline.extract(article(text, "2021-05-28", "fr"))
    assert len(records) == 1 and len(records[0].evidence) >= 2 and records[0].munitions == 5


def test_extract_background_event_keeps_its_own_date(pipeline):
    text = ("Jeudi, un convoi logistique a été visé par une bombe artisanale près de Bassora, en Irak. "
            "Le 20 décembre 2020, l'ambassade américaine à Bagdad avait été la cible de roquettes.")
    records = {r.sub_event_type: r for r in pipeline.extract(article(text, "2021-06-04", "fr"))}
    ied, rockets = records["Remote explosive/landmine/IED"], records["Shelling/artillery/missile attack"]
    assert (ied.event_date, ied.background) == ("2021-06-03", False)
    assert (rockets.event_date, rockets.background, rockets.location) == ("2020-12-20", True, "US Embassy, Green Zone, Baghdad")


def test_extract_claim_and_interception_count(pipeline):
    text = ("Trois drones ont visé mardi l'aéroport d'Erbil, en Irak; aucun n'a été intercepté. "
            "Le groupe Saraya Awliya al-Dam a revendiqué l'attaque.")
    r = pipeline.extract(article(text, "2021-05-28", "fr"))[0]
    assert (r.sub_event_type, r.claimed_by, r.actor1, r.intercepted, r.munitions) == (
        "Air/drone strike", "Saraya Awliya al-Dam", "Saraya Awliya al-Dam", 0, 3)


def test_extract_casualty_sentence_joins_the_strike_it_refers_to(pipeline):
    text = ("US warplanes carried out air strikes on Sunday against militia facilities near Abu Kamal, Syria, "
            "the Pentagon said. A war monitor said at least five fighters were killed in the strikes.")
    records = pipeline.extract(article(text, "2021-06-28", "en"))
    assert [(r.sub_event_type, r.fatalities, len(r.evidence)) for r in records] == [("Air/drone strike", 5, 2)]
