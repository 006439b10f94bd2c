"""Bad input: every kind gets a clear message naming the file (and line), and nothing else is lost."""
from __future__ import annotations

import gzip
import json
import os
from datetime import date

import pytest
from hypothesis import given, settings, strategies as st

from veille.article import Article, Failure
from veille.readers import Defaults, article_from_json, parse_date, read_inputs

GOOD = "Des roquettes ont frappé la base d'Aïn al-Asad ce lundi, selon des sources irakiennes."


def read(tmp_path, *names, defaults=None):
    items = list(read_inputs([str(tmp_path / n) for n in names], defaults or Defaults(published=date(2021, 5, 28))))
    return [i for i in items if isinstance(i, Article)], [i for i in items if isinstance(i, Failure)]


def test_readers_text_file_first_line_is_title(tmp_path):
    (tmp_path / "a.txt").write_text("Roquettes sur Aïn al-Asad\n\n" + GOOD, encoding="utf-8")
    arts, fails = read(tmp_path, "a.txt")
    assert not fails and arts[0].title == "Roquettes sur Aïn al-Asad" and arts[0].published == date(2021, 5, 28)


def test_readers_empty_file_is_reported_by_name(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    arts, fails = read(tmp_path, "empty.txt")
    assert not arts and "empty.txt" in fails[0].source and "empty" in fails[0].problem


def test_readers_binary_file_is_reported(tmp_path):
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + os.urandom(2000))
    arts, fails = read(tmp_path, "photo.jpg")
    assert not arts and "binary" in fails[0].problem


def test_readers_latin1_file_names_the_byte_and_the_fix(tmp_path):
    (tmp_path / "latin1.txt").write_bytes(GOOD.encode("latin-1"))
    arts, fails = read(tmp_path, "latin1.txt")
    assert not arts and "UTF-8" in fails[0].problem and "iconv" in fails[0].fix


def test_readers_mixed_encodings_in_jsonl_lose_only_the_bad_line(tmp_path):
    good = json.dumps({"text": GOOD, "published": "2021-05-28"}).encode()
    bad = '{"text": "Ã©té attaqué", "published": "2021-05-28"}'.encode("utf-8").replace(b"\xc3\xa9", b"\xe9")
    (tmp_path / "mixed.jsonl").write_bytes(good + b"\n" + bad + b"\n" + good.replace(b"lundi", b"mardi") + b"\n")
    arts, fails = read(tmp_path, "mixed.jsonl")
    assert len(arts) == 2 and len(fails) == 1 and "line 2" in fails[0].source


def test_readers_malformed_json_line_names_the_line(tmp_path):
    lines = [json.dumps({"text": GOOD, "published": "2021-05-28"}), '{"text": "oops", ', "[1, 2]",
             json.dumps({"text": GOOD + " Encore.", "published": "2021-05-28"})]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    arts, fails = read(tmp_path, "feed.jsonl")
    assert len(arts) == 2
    assert [f.source.split(", ")[1] for f in fails] == ["line 2", "line 3"]
    assert "malformed JSON" in fails[0].problem and "object" in fails[1].problem


@pytest.mark.parametrize("record, problem", [
    ({"text": 42}, "'text' must be a string"),
    ({"text": GOOD, "title": ["a"]}, "'title' must be a string"),
    ({"text": GOOD, "published": 20210528}, "'published'"),
    ({"text": GOOD, "published": "28 mai"}, "'published'"),
    ({"title": "no text"}, "'text' must be a string"),
])
def test_readers_wrong_field_types_are_reported(record, problem):
    out = article_from_json(record, "feed.jsonl, line 1", Defaults())
    assert isinstance(out, Failure) and problem in out.problem


def test_readers_gzip_jsonl_and_directories_recursively(tmp_path):
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    with gzip.open(tmp_path / "sub" / "feed.jsonl.gz", "wt", encoding="utf-8") as f:
        f.write(json.dumps({"text": GOOD, "published": "2021-05-28", "doc_id": "x1"}) + "\n")
    (tmp_path / "sub" / "deeper" / "b.txt").write_text("Titre\n\n" + GOOD, encoding="utf-8")
    arts, fails = read(tmp_path, "sub")
    assert not fails and {a.doc_id for a in arts} >= {"x1"} and len(arts) == 2


def test_readers_unreadable_file_in_directory_does_not_stop_the_others(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    (tmp_path / "ok.txt").write_text("T\n\n" + GOOD, encoding="utf-8")
    locked = tmp_path / "locked.txt"
    locked.write_text("T\n\n" + GOOD, encoding="utf-8")
    locked.chmod(0)
    arts, fails = read(tmp_path, ".")
    assert len(arts) == 1 and "permission" in fails[0].problem


def test_readers_huge_text_file_is_refused_without_reading_it(tmp_path):
    big = tmp_path / "huge.txt"
    with big.open("wb") as f:
        f.seek(100 * 1024 * 1024)
        f.write(b"x")
    arts, fails = read(tmp_path, "huge.txt")
    assert not arts and "MB" in fails[0].problem


def test_readers_html_page_gives_text_and_metadata(tmp_path):
    html = """<html><head><title>Roquettes</title>
    <meta property="og:title" content="Roquettes sur Aïn al-Asad">
    <meta property="og:site_name" content="Exemple Info">
    <meta property="article:published_time" content="2021-05-28T10:00:00Z"></head>
    <body><nav>Accueil | Monde</nav><article><h1>Roquettes sur Aïn al-Asad</h1>
    <p>""" + GOOD + """</p><p>La coalition n'a pas commenté l'attaque dans l'immédiat, a indiqué un porte-parole.</p>
    </article><footer>Mentions légales</footer></body></html>"""
    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    arts, fails = read(tmp_path, "page.html", defaults=Defaults())
    assert not fails
    assert arts[0].published == date(2021, 5, 28) and arts[0].outlet == "Exemple Info" and "Aïn al-Asad" in arts[0].text


def test_readers_html_without_an_article_is_reported(tmp_path):
    (tmp_path / "menu.html").write_text("<html><body><nav><a href='/'>Accueil</a></nav></body></html>")
    arts, fails = read(tmp_path, "menu.html")
    assert not arts and "no article text" in fails[0].problem


def test_readers_missing_path_is_reported():
    items = list(read_inputs(["/nonexistent/x.txt"]))
    assert isinstance(items[0], Failure) and "no such file" in items[0].problem


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_readers_parse_date_round_trips(d):
    assert parse_date(d.isoformat()) == d
    assert parse_date(d.isoformat() + "T12:30:00+02:00") == d


@settings(max_examples=200)
@given(st.binary(max_size=300))
def test_readers_never_crash_on_arbitrary_bytes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "x.jsonl"
    path.write_bytes(data)
    for item in read_inputs([str(path)]):
        assert isinstance(item, (Article, Failure))


def test_readers_unreadable_entry_in_directory_is_reported_even_for_root(tmp_path):
    (tmp_path / "ok.txt").write_text("T\n\n" + GOOD, encoding="utf-8")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "deleted-target.txt")  # a dangling link cannot be read
    arts, fails = read(tmp_path, ".")
    assert len(arts) == 1 and len(fails) == 1 and "gone.txt" in fails[0].source


@pytest.mark.parametrize("published, ok", [("2021-05-28", True), ("1850-01-01", False), ("2999-01-01", False)])
def test_pipeline_refuses_implausible_publication_dates(pipeline, published, ok):
    art = Article(text=GOOD, published=date.fromisoformat(published), language="fr")
    res = next(pipeline.run([art]))
    assert (res.failure is None) == ok
    if not ok:
        assert "not plausible" in res.failure.problem


def test_pipeline_reports_unsupported_language_and_goes_on(pipeline):
    german = Article(text="Raketen haben am Montag den Luftwaffenstützpunkt im Westen des Irak getroffen, "
                          "teilten irakische Sicherheitskreise mit. Niemand wurde verletzt.",
                     published=date(2021, 5, 28))
    french = Article(text=GOOD, published=date(2021, 5, 28))
    results = list(pipeline.run([german, french]))
    assert "language de is not supported" in results[0].failure.problem
    assert results[1].failure is None and results[1].records


def test_pipeline_empty_text_is_a_failure_not_a_crash(pipeline):
    res = next(pipeline.run([Article(text="   \n ", published=date(2021, 5, 28), language="fr")]))
    assert res.failure and "no text" in res.failure.problem
