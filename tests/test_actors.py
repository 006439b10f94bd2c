"""Actors and targets read from text: the data files of docs/data-files.md and veille/actors.py.

The sentences are our own, written for these tests, in French and English, about many
countries; each row says which actor must (or must not) be found.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from veille.arguments import find_actors, find_targets
from veille.errors import DataFileError
from veille.lexicon import DATA, Lexicon, read_rows
from veille.text import fold

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return Lexicon.load()


def names(lex: Lexicon, sentence: str, context: str | None = None) -> list[str]:
    folded = fold(sentence)
    found = find_actors(lex, folded, fold(context) if context else None)
    return list(dict.fromkeys(m.actor.name for m in found))


# --- named groups, state forces, community militias -------------------------------------------------

FOUND = [
    ("Des éléments du JNIM ont attaqué un poste de l'armée malienne près de Boni.",
     ["JNIM: Group for Support of Islam and Muslims", "Military Forces of Mali"]),
    ("Islamic State West Africa Province fighters overran a base near Monguno.", ["Islamic State West Africa Province"]),
    ("L'armée burkinabè affirme avoir repoussé l'assaut.", ["Military Forces of Burkina Faso"]),
    ("Kenyan police fired tear gas in the city centre.", ["Police Forces of Kenya"]),
    ("Suspected Fulani militants set fire to the houses.", ["Fulani Ethnic Militia"]),
    ("Des miliciens peuls ont incendié le hameau.", ["Fulani Ethnic Militia"]),
    ("Les chasseurs dozos ont érigé des barrages.", ["Dozo Communal Militia"]),
    ("Les shebab ont revendiqué l'attentat.", ["Al Shabaab"]),
    ("Les FARDC ont repris Bunagana aux rebelles du M23.",
     ["Military Forces of the Democratic Republic of Congo", "M23: March 23 Movement"]),
    ("Tsahal a frappé des positions du Hezbollah.", ["Military Forces of Israel", "Hezbollah"]),
    ("Les FAMa et les gendarmes maliens patrouillaient.", ["Military Forces of Mali", "Police Forces of Mali"]),
    ("Les autorités nigériennes ont fermé la frontière.", ["Government of Niger"]),
    ("Nigerian troops repelled the attack.", ["Military Forces of Nigeria"]),
    ("Nigerien troops repelled the attack.", ["Military Forces of Niger"]),
    ("South Sudanese soldiers crossed the river.", ["Military Forces of South Sudan"]),
    ("Mali's army said two soldiers died.", ["Military Forces of Mali"]),
    ("The army of Mali said two soldiers died.", ["Military Forces of Mali"]),
    ("L'armée du Mali a communiqué un bilan.", ["Military Forces of Mali"]),
    ("Les forces de défense et de sécurité burkinabè ont riposté.", ["Military Forces of Burkina Faso"]),
    ("Le gouvernement malien a décrété un deuil national.", ["Government of Mali"]),
    ("CJNG gunmen ambushed the convoy in Michoacán.", ["CJNG: Jalisco New Generation Cartel"]),
    ("Le Cartel de Jalisco Nouvelle Génération a revendiqué l'embuscade.", ["CJNG: Jalisco New Generation Cartel"]),
    ("Gang members from Viv Ansanm stormed the town of Mirebalais.", ["Viv Ansanm"]),
    ("Taliban fighters took the district centre.", ["Taliban"]),
    ("The Resistance Front claimed the attack in Pahalgam.", ["The Resistance Front"]),
    ("Naxalites blew up a vehicle in Bijapur.", ["CPI (Maoist): Communist Party of India (Maoist)"]),
    ("L'armée d'Arakan a pris une base de la junte.", ["Arakan Army"]),
    ("Des combattants de l'ELN ont attaqué une patrouille.", ["ELN: National Liberation Army"]),
    ("Hamas's armed wing, the Qassam Brigades, fired rockets.", ["Hamas"]),
    ("Houthi forces launched a missile at the ship.", ["Ansar Allah"]),
    ("Les casques bleus de la MINUSCA ont été pris à partie.",
     ["MINUSCA: United Nations Multidimensional Integrated Stabilization Mission in the Central African Republic"]),
]


@pytest.mark.parametrize("sentence,expected", FOUND)
def test_the_actors_a_sentence_names_are_found(lex, sentence, expected):
    assert names(lex, sentence) == expected


NOT_FOUND = [
    # a word that is also something else must not fire on its own
    ("RSF a dénoncé l'arrestation du journaliste à Khartoum.", "RSF: Rapid Support Forces"),
    ("RSF denounced the detention of a Sudanese reporter.", "RSF: Rapid Support Forces"),
    ("The fact is that the report came late.", "FACT: Front for Change and Concord in Chad"),
    ("Download the PDF of the annual report.", "PDF: People's Defense Force"),
    ("Georgia police arrested a man in Atlanta.", "Police Forces of Georgia"),
    ("Latin American governments condemned the decision.", "Government of the United States"),
    ("According to AA, the minister arrived in Ankara.", "Arakan Army"),
    ("Les SDF dorment dans la rue à Paris.", "SDF: Syrian Democratic Forces"),
    ("The car was parked outside the hotel.", "Military Forces of the Central African Republic"),
    ("Marine Le Pen a réagi.", "Military Forces of France"),
]


@pytest.mark.parametrize("sentence,absent", NOT_FOUND)
def test_ambiguous_words_do_not_fire_alone(lex, sentence, absent):
    assert absent not in names(lex, sentence)


CONFIRMED = [
    # the same short names, where the text confirms them
    ("The Rapid Support Forces (RSF) shelled El Fasher. RSF fighters looted the market.", "RSF: Rapid Support Forces"),
    ("Les paramilitaires des FSR ont pilonné la ville.", "RSF: Rapid Support Forces"),
    ("Georgian police clashed with demonstrators in Tbilisi.", "Police Forces of Georgia"),
    ("AA fighters stormed the town in Rakhine State, Myanmar.", "Arakan Army"),
    ("PDF fighters ambushed a junta convoy in Sagaing.", "PDF: People's Defense Force"),
    ("Les FDS kurdes ont pris le contrôle de Raqqa.", "SDF: Syrian Democratic Forces"),
    ("FACT rebels crossed into northern Chad from Libya.", "FACT: Front for Change and Concord in Chad"),
]


@pytest.mark.parametrize("sentence,present", CONFIRMED)
def test_ambiguous_words_count_where_the_context_confirms_them(lex, sentence, present):
    assert present in names(lex, sentence)


def test_the_article_can_confirm_a_name_its_sentence_leaves_ambiguous(lex):
    article = "The Rapid Support Forces attacked the town at dawn. Later, RSF units withdrew."
    sentence = "Later, RSF units withdrew."
    assert "RSF: Rapid Support Forces" not in names(lex, sentence)
    assert "RSF: Rapid Support Forces" in names(lex, sentence, context=article)


SHARED = [
    # one name, several actors: the country the text names decides
    ("Al-Shabaab insurgents attacked Mocímboa da Praia in Mozambique.", "Islamic State Mozambique Province"),
    ("Al-Shabaab claimed the attack on the base in Lower Shabelle, Somalia.", "Al Shabaab"),
    ("Daech a revendiqué l'attaque près de Kirkouk, en Irak.", "Islamic State (Iraq)"),
    ("L'État islamique a revendiqué l'attentat de Kaboul, en Afghanistan.", "Islamic State Khorasan Province"),
    ("Islamic State claimed the attack in Borno, Nigeria.", "Islamic State West Africa Province"),
    ("Islamic State claimed the attack.", "Islamic State"),
    ("ADF rebels killed villagers near Beni in North Kivu, DR Congo.", "ADF: Allied Democratic Forces"),
    ("ADF separatists attacked a checkpoint near Bamenda in Cameroon.", "ADF: Ambazonia Defence Forces"),
    ("Congolese soldiers were deployed in Goma, in the DRC.", "Military Forces of the Democratic Republic of Congo"),
    ("Congolese soldiers were deployed in Brazzaville.", "Military Forces of the Republic of Congo"),
    ("Des soldats congolais ont été déployés.", "Military Forces of the Democratic Republic of Congo"),
]


@pytest.mark.parametrize("sentence,expected", SHARED)
def test_a_shared_name_goes_to_the_actor_of_the_country_named(lex, sentence, expected):
    assert expected in names(lex, sentence)


def test_the_countries_a_caller_knows_break_ties(lex):
    folded = fold("Al-Shabaab fighters burned the village.")
    found = find_actors(lex, folded, countries={"MZ": 2.0})
    assert [m.actor.name for m in found] == ["Islamic State Mozambique Province"]


# --- every country gets its state actors --------------------------------------------------------------

def _unique_forms(lex):
    """(iso, English adjective, French feminine singular) for the countries whose adjectives are theirs alone."""
    rows = lex.actor_rows["countries.tsv"]
    count: dict[str, int] = {}
    for cols in rows:
        for w in {fold(w.strip()) for w in cols[5].split("|") + [f for g in cols[7].split(";") for f in g.split("|")]}:
            count[w] = count.get(w, 0) + 1
    for cols in rows:
        if cols[2] != "":
            continue
        en = next((w for w in cols[5].split("|") if w and not w.startswith("?") and count[fold(w)] == 1), None)
        masc, fem = (f.strip() for f in cols[7].split(";")[0].split("|")[:2])
        if en and not fem.startswith("?") and count[fold(fem)] == 1 and count[fold(masc)] == 1:
            yield cols[0], en, masc, fem


def test_every_country_has_its_military_police_and_government(lex):
    sovereign = [c for c in lex.countries.values() if c.state == c.iso]
    assert len(sovereign) >= 190
    for c in sovereign:
        for role in ("military", "police", "government"):
            name = lex.role_name(role, c.iso)
            assert name in lex.actor_by_name, name
            assert lex.actor_by_name[name].iso == c.iso


def test_the_demonym_of_every_country_names_its_forces(lex):
    checked = 0
    for iso, en, masc, fem in _unique_forms(lex):
        military, government = lex.role_name("military", iso), lex.role_name("government", iso)
        assert names(lex, f"The {en} army said so.") == [military], en
        assert names(lex, f"L'armée {fem} a riposté.") == [military], fem
        assert names(lex, f"Le gouvernement {masc} a démenti.") == [government], masc
        checked += 1
    assert checked >= 150


def test_a_territory_takes_its_sovereigns_forces(lex):
    assert names(lex, "Les gendarmes calédoniens ont été renforcés.") == ["Police Forces of France"]


def test_inter_codes_follow_acled(lex):
    by = lex.actor_by_name
    assert by["Military Forces of Mali"].inter == 1
    assert by["JNIM: Group for Support of Islam and Muslims"].inter == 2
    assert by["Dan Na Ambassagou"].inter == 4
    assert by["Wagner Group"].inter == 8
    assert {a.inter for a in lex.actors} <= {1, 2, 3, 4, 5, 6, 7, 8}


def test_a_community_militia_is_named_with_the_events_country(lex):
    militia = lex.actor_by_name["Fulani Ethnic Militia"]
    assert lex.actor_name(militia, "ML") == "Fulani Ethnic Militia (Mali)"
    assert lex.actor_name(lex.actor_by_name["Military Forces of Mali"], "NE") == "Military Forces of Mali"


# --- targets -------------------------------------------------------------------------------------------

def targets(lex, sentence, iso, lang=None):
    folded = fold(sentence)
    return [lex.target_names(m, iso) for m in find_targets(lex, folded, lang)]


TARGETS = [
    ("Gunmen abducted pupils from the school.", "NG",
     [("Unidentified Armed Group (Nigeria)", None), ("Civilians (Nigeria)", "Students (Nigeria)")]),
    ("Des hommes armés ont tué des fidèles à la sortie de l'église.", "BF",
     [("Unidentified Armed Group (Burkina Faso)", None), ("Civilians (Burkina Faso)", None)]),
    ("Un convoi de la MINUSMA a sauté sur une mine.", "ML",
     [("MINUSMA: United Nations Multidimensional Integrated Stabilization Mission in Mali", None)]),
    ("A Malian army convoy hit a mine.", "ML", [("Military Forces of Mali", None)]),
    ("Des tirs ont visé l'ambassade américaine.", "IQ", [("Government of the United States", None)]),
    ("Trois soldats tchadiens et deux journalistes ont été tués.", "NE",
     [("Military Forces of Chad", None), ("Civilians (Niger)", "Journalists (Niger)")]),
    ("Police fired on protesters.", "KE", [("Police Forces of Kenya", None), ("Protesters (Kenya)", None)]),
    ("Christian villagers fled the attack.", "NG", [("Civilians (Nigeria)", "Christian Group (Nigeria)")]),
    ("Les soldats de l'armée malienne ont riposté.", "BF", [("Military Forces of Mali", None)]),
    ("Two Malians were among the dead.", "DZ", [("Civilians (Mali)", None)]),
    ("Aid workers and health workers were evacuated.", "SD",
     [("Civilians (Sudan)", "Aid Workers (Sudan)"), ("Civilians (Sudan)", "Health Workers (Sudan)")]),
]


@pytest.mark.parametrize("sentence,iso,expected", TARGETS)
def test_targets_are_coded_with_their_country(lex, sentence, iso, expected):
    assert targets(lex, sentence, iso) == expected


def test_a_word_that_needs_an_owner_is_no_target_alone(lex):
    assert targets(lex, "The base was quiet and the forces left.", "ML") == []


def test_the_language_chooses_between_homographs(lex):
    assert targets(lex, "Des militants ont manifesté.", "SN", lang="fr") == [("Protesters (Senegal)", None)]
    assert targets(lex, "Militants attacked the post.", "SN", lang="en") == [("Unidentified Armed Group (Senegal)", None)]


# --- the data files --------------------------------------------------------------------------------

def test_every_armed_group_is_well_formed(lex):
    groups = [a for a in lex.actors if a.category and not a.per_country]
    assert len(groups) >= 300
    for a in groups:
        assert a.aliases, a.name
        assert a.inter in (1, 2, 3, 4, 8), a.name
        assert all(c in lex.countries for c in a.countries), a.name


def test_a_short_alias_is_marked_ambiguous(lex):
    """Two- and three-letter names collide with words and other acronyms: each is either
    ?-marked or a deliberate exception listed here."""
    unmarked_ok = {"adf", "m23", "3r", "hts", "ttp", "ypg", "ypj", "pkk", "eln", "lra", "kdf", "idf", "tni", "bsf", "naf",
                   "jmb", "sna", "knu", "kio", "olf", "brn", "kkk", "pij", "lna", "fsr", "hpg", "afu", "bgb", "fbi", "fsb",
                   "jcf", "kpa", "pnh", "sbu", "tsk", "vks", "zna", "zrp"}
    for a in lex.actors:
        for alias in a.aliases:
            if len(alias) <= 3 and not alias.startswith("?"):
                assert alias in unmarked_ok, f"{a.name}: {alias!r} should be ?-marked or listed here"


def test_a_bad_row_is_reported_with_its_file_and_line(tmp_path):
    bad = tmp_path / "armed_groups.tsv"
    bad.write_text("Somebody\tnine\tML\trebel\t\tsomebody\n", encoding="utf-8")
    from veille.actors import _group_actor
    with pytest.raises(DataFileError, match="armed_groups.tsv, line 1"):
        n, cols = read_rows("armed_groups.tsv", 6, path=bad, optional=2)[0]
        _group_actor(n, cols, {"ML": None})


def test_every_data_file_is_documented_with_its_columns():
    doc = (ROOT / "docs" / "data-files.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([\w.]+\.tsv)` \| ([^|]+) \|", doc, re.M))
    files = sorted(p.name for p in DATA.iterdir() if p.name.endswith(".tsv"))
    assert sorted(rows) == files
    for name in files:
        header = next((line for line in (DATA / name).read_text(encoding="utf-8").splitlines()
                       if line.startswith("# columns:")), None)
        if header is None:
            continue
        columns = [re.sub(r"\s*\(.*", "", c).strip() for c in header[len("# columns:"):].split("\t")]
        documented = [c.strip() for c in rows[name].split(",")]
        assert documented == columns, name
