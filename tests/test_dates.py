"""Date expressions resolved against the publication date, French and English."""
from __future__ import annotations

from datetime import date

import pytest

from veille.dates import DateFinder
from veille.text import fold


@pytest.fixture(scope="module")
def finder(lexicon):
    return DateFinder(lexicon.calendar)


D = date.fromisoformat
# (expression inside a sentence, publication date, expected date or None, precision, kind)
CASES = [
    # French weekdays
    ("Ce lundi, des roquettes ont visé la base.", "2021-05-28", "2021-05-24", 1, "deictic"),
    ("Lundi, des roquettes ont visé la base.", "2021-05-28", "2021-05-24", 1, "deictic"),
    ("L'attaque a eu lieu jeudi soir près de Bagdad.", "2021-01-02", "2020-12-31", 1, "deictic"),
    ("Mercredi, trois convois ont été visés.", "2021-01-02", "2020-12-30", 1, "deictic"),
    ("Vendredi, le ministère a déclaré avoir frappé.", "2021-02-26", "2021-02-26", 1, "deictic"),
    ("Ce mercredi, les groupes ont exigé un retrait.", "2020-11-18", "2020-11-18", 1, "deictic"),
    ("Le ministère a annoncé mardi une réduction.", "2020-11-18", "2020-11-17", 1, "deictic"),
    ("Samedi dernier, une explosion a frappé le marché.", "2021-05-28", "2021-05-22", 1, "deictic"),
    ("Lundi dernier, un drone a été abattu.", "2021-05-24", "2021-05-17", 1, "deictic"),
    ("Dans la nuit de mardi à mercredi, des tirs ont été entendus.", "2021-05-28", "2021-05-25", 1, "deictic"),
    ("Dimanche matin, la patrouille a été attaquée.", "2022-03-15", "2022-03-13", 1, "deictic"),
    # French deictic words
    ("La chaîne a rapporté hier qu'un convoi avait été visé.", "2021-05-28", "2021-05-27", 1, "deictic"),
    ("Hier soir, deux roquettes sont tombées.", "2021-05-28", "2021-05-27", 1, "deictic"),
    ("Avant-hier, un drone a été intercepté.", "2021-05-28", "2021-05-26", 1, "deictic"),
    ("Aujourd'hui, les manifestants sont revenus.", "2021-05-28", "2021-05-28", 1, "deictic"),
    ("Ce matin, une explosion a secoué le quartier.", "2023-07-04", "2023-07-04", 1, "deictic"),
    ("Il y a deux jours, la base a été visée.", "2021-05-28", "2021-05-26", 1, "deictic"),
    ("Le cessez-le-feu décidé il y a deux mois a pris fin.", "2020-11-18", "2020-09-01", 3, "deictic"),
    ("Il y a trois semaines, un accord a été signé.", "2021-05-28", "2021-05-07", 2, "deictic"),
    ("La semaine dernière, un convoi a été attaqué.", "2021-05-28", "2021-05-17", 2, "deictic"),
    ("Cette semaine, le ministre était à Téhéran.", "2020-11-18", "2020-11-16", 2, "deictic"),
    ("Le mois dernier, la base a été visée.", "2021-05-28", "2021-04-01", 3, "deictic"),
    ("Lors de l'attaque du début du mois, des roquettes ont frappé.", "2021-02-26", "2021-02-01", 3, "deictic"),
    ("À la fin de l'année dernière, la base a été bombardée.", "2020-04-01", "2019-12-01", 3, "deictic"),
    ("Au début de l'année, la base a subi une attaque.", "2020-04-01", "2020-01-01", 3, "deictic"),
    # French absolute dates
    ("L'ambassade a été la cible de roquettes le 20 décembre.", "2021-01-02", "2020-12-20", 1, "absolute"),
    ("Une déclaration conjointe le 7 avril 2021 annonçait un accord.", "2021-05-28", "2021-04-07", 1, "absolute"),
    ("Le parlement, réuni le dimanche 5 janvier 2020, a voté.", "2021-02-26", "2020-01-05", 1, "absolute"),
    ("Le lundi 15 février, la base a été visée.", "2021-02-26", "2021-02-15", 1, "absolute"),
    ("Le 1er janvier, un drone a frappé.", "2021-05-28", "2021-01-01", 1, "absolute"),
    ("Le raid du 16 février contre la base.", "2021-02-26", "2021-02-16", 1, "absolute"),
    ("En janvier 2020, le parlement a approuvé une loi.", "2021-05-28", "2020-01-01", 3, "absolute"),
    ("Début février, des roquettes ont visé l'aéroport.", "2021-03-10", "2021-02-01", 3, "absolute"),
    ("Mi-janvier, les troupes ont quitté la base.", "2021-03-10", "2021-01-11", 3, "absolute"),
    ("Le système a été installé au cours de l'été 2020.", "2021-01-02", "2020-06-01", 3, "absolute"),
    ("Les troupes ont été déployées en mars.", "2021-05-28", "2021-03-01", 3, "absolute"),
    ("Fin janvier, la base a été évacuée.", "2021-05-28", "2021-01-01", 3, "absolute"),
    ("Le 28/05/2021, une explosion a eu lieu.", "2021-05-29", "2021-05-28", 1, "absolute"),
    # English
    ("Rockets hit the base on Thursday, officials said.", "2021-05-28", "2021-05-27", 1, "deictic"),
    ("Last Friday, a drone was shot down.", "2021-05-28", "2021-05-21", 1, "deictic"),
    ("On Monday night, two rockets landed near the embassy.", "2021-05-28", "2021-05-24", 1, "deictic"),
    ("Protesters gathered yesterday in the square.", "2021-05-28", "2021-05-27", 1, "deictic"),
    ("The convoy was attacked earlier this week.", "2021-05-28", "2021-05-24", 2, "deictic"),
    ("Two days ago, the base came under fire.", "2021-05-28", "2021-05-26", 1, "deictic"),
    ("Two months ago, the groups declared a truce.", "2020-11-18", "2020-09-01", 3, "deictic"),
    ("Last week, militants ambushed a patrol.", "2021-05-28", "2021-05-17", 2, "deictic"),
    ("The embassy was targeted on December 20.", "2021-01-02", "2020-12-20", 1, "absolute"),
    ("Rockets struck the airport on 15 February 2021.", "2021-02-26", "2021-02-15", 1, "absolute"),
    ("The strike took place on Jan. 3, 2020, near the airport.", "2021-02-26", "2020-01-03", 1, "absolute"),
    ("In January 2020, parliament voted to expel foreign troops.", "2021-05-28", "2020-01-01", 3, "absolute"),
    ("In early February, rockets hit the airport.", "2021-03-10", "2021-02-01", 3, "absolute"),
    ("Late last year, the base was shelled.", "2020-04-01", "2019-12-01", 3, "deictic"),
    ("The system was installed in the summer of 2020.", "2021-01-02", "2020-06-01", 3, "absolute"),
    ("Tonight the curfew starts.", "2021-05-28", "2021-05-28", 1, "deictic"),
    ("Last month the militia withdrew.", "2021-05-28", "2021-04-01", 3, "deictic"),
    ("On 2021-05-24 the base was hit.", "2021-05-28", "2021-05-24", 1, "absolute"),
]

FUTURE = [
    ("Les forces seront réduites d'ici le 15 janvier.", "2020-11-18"),
    ("Troops will leave by January 15.", "2020-11-18"),
    ("Le retrait sera achevé d'ici la mi-janvier.", "2021-01-02"),
    ("The talks resume next Monday.", "2021-05-28"),
]

NOT_DATES = [
    "Il a été blessé à la jambe.",  # 'été' is a participle, not summer
    "Sept missiles ont été tirés.",  # 'sept' is seven, not September
    "Sa voiture a été détruite.",  # 'sa' is not samedi
    "Mars est la planète rouge, dit le chercheur.",
    "Il a tiré trois fois, mai non sans hésiter.",
]


@pytest.mark.parametrize("sentence, published, expected, precision, kind", CASES)
def test_dates_resolves_expression_against_publication(finder, sentence, published, expected, precision, kind):
    refs = [r for r in finder.find(fold(sentence), D(published)) if r.kind not in ("future", "year")]
    assert refs, f"no date found in {sentence!r}"
    ref = refs[0]
    assert (ref.date, ref.precision, ref.kind) == (D(expected), precision, kind)


@pytest.mark.parametrize("sentence, published", FUTURE)
def test_dates_marks_deadlines_as_future(finder, sentence, published):
    refs = finder.find(fold(sentence), D(published))
    assert refs and all(r.kind == "future" for r in refs)


@pytest.mark.parametrize("sentence", NOT_DATES)
def test_dates_ignores_words_that_only_look_like_dates(finder, sentence):
    assert [r for r in finder.find(fold(sentence), D("2021-05-28")) if r.kind != "year"] == []


@pytest.mark.parametrize("sentence, offset, precision", [
    ("Une autre salve a frappé la base quelques jours plus tard.", 3, 2),
    ("Deux jours plus tard, la base a été visée.", 2, 1),
    ("La veille, un convoi avait été attaqué.", -1, 1),
    ("The next day, the crowd withdrew.", 1, 1),
    ("Three days later, a drone was shot down.", 3, 1),
])
def test_dates_keeps_relative_expressions_relative(finder, sentence, offset, precision):
    refs = finder.find(fold(sentence), D("2021-05-28"))
    assert [(r.kind, r.offset, r.precision) for r in refs] == [("relative", offset, precision)]
