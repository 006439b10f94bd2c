"""Bad input: every kind gets a clear message naming the file (and line), and nothing else is lost."""
from __future__ import annotations

import gzip
import json
import os
from datetime import date
from pathlib import Path

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


# -- hardening (issue 13): no input stops the reading, and memory stays bounded -------------------
def good_line(doc_id: str) -> str:
    return json.dumps({"doc_id": doc_id, "text": GOOD, "published": "2021-05-28"})


def test_readers_deeply_nested_json_line_is_a_failure_not_a_crash(tmp_path):
    deep = '{"text": "x", "extra": ' + "[" * 100_000 + "]" * 100_000 + "}"
    (tmp_path / "feed.jsonl").write_text("\n".join([good_line("a"), deep, good_line("b")]) + "\n")
    arts, fails = read(tmp_path, "feed.jsonl")
    assert [a.doc_id for a in arts] == ["a", "b"]
    assert fails[0].source.endswith("line 2") and "nested more than 64 levels" in fails[0].problem


@pytest.mark.parametrize("text, depth", [
    ('{"text": "[[[[{{{{ brackets in a string do not count"}', 1),
    ('{"text": "an escaped quote \\" then [[["}', 1),
    ('[[[1], [2]], {"a": {"b": []}}]', 4),
])
def test_readers_json_depth_ignores_brackets_inside_strings(text, depth):
    from veille.readers import json_depth

    assert json_depth(text) == depth
    assert json.loads(text) is not None


@pytest.mark.parametrize("line, problem", [
    ('{"text": "a\tb", "published": "2021-05-28"}', "a control character (U+0009) inside a string at column 12; escape it"),
    ('{"text": "été', "the string that starts at column 10 is not closed"),
    ('{"text": "ok"} trailing', "extra data at column 16"),
    ('{"text": }', "expecting value at column 10"),
])
def test_readers_json_error_names_the_problem_and_the_right_column(tmp_path, line, problem):
    (tmp_path / "feed.jsonl").write_text(line + "\n" + good_line("after") + "\n", encoding="utf-8")
    arts, fails = read(tmp_path, "feed.jsonl")
    assert [a.doc_id for a in arts] == ["after"]
    assert fails[0].problem == f"malformed JSON: {problem}." and "at at" not in fails[0].message()


def test_readers_over_long_doc_id_is_refused_with_a_message(tmp_path):
    long_line = json.dumps({"doc_id": "d" * 100, "text": GOOD, "published": "2021-05-28"})
    (tmp_path / "feed.jsonl").write_text("\n".join([good_line("a"), long_line, good_line("b")]) + "\n")
    arts, fails = read(tmp_path, "feed.jsonl")
    assert [a.doc_id for a in arts] == ["a", "b"] and "100 characters long, more than 64" in fails[0].problem


def test_readers_nul_and_lone_surrogates_are_normalised(tmp_path):
    line = '{"doc_id": "n\\u0000ul", "title": "T\\ud800", "text": "Des\\u0000 roquettes", "published": "2021-05-28"}'
    (tmp_path / "feed.jsonl").write_text(line + "\n")
    arts, fails = read(tmp_path, "feed.jsonl")
    assert not fails and arts[0].doc_id == "nul" and arts[0].text == "Des roquettes" and arts[0].title == "T\ufffd"


def test_readers_gzip_line_of_hundreds_of_megabytes_is_skipped_in_bounded_memory(tmp_path):
    """The line is measured while it is decompressed: memory does not grow with the line."""
    import subprocess
    import sys

    member = gzip.compress(b"a" * (32 << 20), compresslevel=9)
    with (tmp_path / "bomb.jsonl.gz").open("wb") as f:
        f.write(gzip.compress((good_line("before") + '\n{"text": "').encode()))
        for _ in range(12):  # 384 MB in one line; gzip members concatenated form one stream
            f.write(member)
        f.write(gzip.compress(('"}\n' + good_line("after") + "\n").encode()))
    script = ("import json, re, sys\nfrom veille.readers import read_inputs\n"
              "out = [getattr(x, 'doc_id', None) or x.message() for x in read_inputs([sys.argv[1]])]\n"
              "status = open('/proc/self/status').read()\n"  # VmHWM: this process's peak, not its parent's
              "print(json.dumps([out, int(re.search(r'VmHWM:\\s+(\\d+)', status).group(1))]))")
    res = subprocess.run([sys.executable, "-c", script, str(tmp_path / "bomb.jsonl.gz")],
                         capture_output=True, text=True, timeout=600)
    out, peak_kb = json.loads(res.stdout)
    assert out[0] == "before" and out[2] == "after"
    assert "line 2: the line is 384 MB long, more than the 20 MB" in out[1]
    assert peak_kb < 200 * 1024, f"reading peaked at {peak_kb // 1024} MB"


def test_readers_truncated_gzip_keeps_the_lines_before_and_says_so(tmp_path):
    data = gzip.compress(("\n".join(good_line(f"d{i}") for i in range(50)) + "\n").encode())
    (tmp_path / "cut.jsonl.gz").write_bytes(data[: len(data) // 2])
    arts, fails = read(tmp_path, "cut.jsonl.gz")
    assert len(fails) == 1 and "cannot be read to the end" in fails[0].problem and "cut.jsonl.gz" in fails[0].source
    assert all(a.doc_id.startswith("d") for a in arts)


def test_readers_fifo_device_and_socket_in_a_folder_are_skipped_with_a_message(tmp_path):
    import socket

    (tmp_path / "a.jsonl").write_text(good_line("a") + "\n")
    os.mkfifo(tmp_path / "b.jsonl")  # no writer: opening it for reading would wait forever
    (tmp_path / "c.txt").symlink_to("/dev/zero")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / "d.jsonl"))
    (tmp_path / "e.jsonl").write_text(good_line("e") + "\n")
    try:
        arts, fails = read(tmp_path, ".")
    finally:
        sock.close()
    assert [a.doc_id for a in arts] == ["a", "e"]
    problems = {Path(f.source).name: f.problem for f in fails}
    assert "named pipe (FIFO), not a regular file" in problems["b.jsonl"]
    assert "character device" in problems["c.txt"] and "socket" in problems["d.jsonl"]


def test_readers_fifo_named_on_the_command_line_is_read(tmp_path):
    import threading

    fifo = tmp_path / "feed.jsonl"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_text(good_line("piped") + "\n"))
    writer.start()
    arts, fails = read(tmp_path, "feed.jsonl")
    writer.join(10)
    assert not fails and [a.doc_id for a in arts] == ["piped"]


def test_readers_link_to_a_folder_is_reported_not_followed(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "a.jsonl").write_text(good_line("a") + "\n")
    (tmp_path / "top").mkdir()
    (tmp_path / "top" / "loop").symlink_to(tmp_path / "top")
    (tmp_path / "top" / "real").symlink_to(tmp_path / "real")
    arts, fails = read(tmp_path, "top")
    assert not arts and sorted(Path(f.source).name for f in fails) == ["loop", "real"]
    assert all("link to a folder" in f.problem for f in fails)


def test_readers_deep_folders_do_not_overflow(tmp_path):
    deep = tmp_path
    for _ in range(300):
        deep = deep / "d"
    deep.mkdir(parents=True)
    (deep / "a.jsonl").write_text(good_line("deep") + "\n")
    arts, fails = read(tmp_path, ".")
    assert not fails and [a.doc_id for a in arts] == ["deep"]


UNPRIVILEGED = 65534  # nobody: root reads every file, so permissions are tested as another user


def _read_as_unprivileged(path: Path) -> list[list]:
    """read_inputs in a forked child that gave up root (the interpreter itself may not be runnable by nobody)."""
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop privileges, read, report, exit without running pytest's teardown
        try:
            os.close(rfd)
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(UNPRIVILEGED)
                os.setuid(UNPRIVILEGED)
            items = [[getattr(x, "doc_id", None), getattr(x, "problem", None), x.source] for x in read_inputs([str(path)])]
            os.write(wfd, json.dumps(items).encode())
        finally:
            os._exit(0)
    os.close(wfd)
    with os.fdopen(rfd, "rb") as r:
        data = r.read()
    os.waitpid(pid, 0)
    return json.loads(data)


def test_readers_unreadable_folder_and_file_are_reported_last_one_too():
    """Every folder or file that cannot be read is reported, including the last one walked."""
    import shutil
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="veille-perm-"))
    locked = [root / "a_ok" / "secret.jsonl", root / "b_locked", root / "z_locked"]
    try:
        root.chmod(0o755)
        for name in ("a_ok", "b_locked", "z_locked"):
            (root / name).mkdir()
            (root / name / "x.jsonl").write_text(good_line(name) + "\n")
        (root / "a_ok" / "secret.jsonl").write_text(good_line("secret") + "\n")
        for p in locked:
            p.chmod(0)
        items = _read_as_unprivileged(root)
    finally:
        for p in locked:
            p.chmod(0o755)
        shutil.rmtree(root)
    assert [doc for doc, _, _ in items if doc] == ["a_ok"]
    failures = {Path(src).name: problem for doc, problem, src in items if not doc}
    assert "permission denied" in failures["secret.jsonl"]
    assert "cannot read the folder" in failures["b_locked"] and "cannot read the folder" in failures["z_locked"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_readers_utf16_and_utf32_text_files_are_read(tmp_path, encoding):
    (tmp_path / "a.txt").write_bytes(("Roquettes\n\n" + GOOD).encode(encoding))
    arts, fails = read(tmp_path, "a.txt")
    assert not fails and arts[0].title == "Roquettes" and arts[0].text.endswith("irakiennes.")


def test_readers_utf16_jsonl_is_named_correctly(tmp_path):
    (tmp_path / "feed.jsonl").write_bytes((good_line("a") + "\n").encode("utf-16"))
    arts, fails = read(tmp_path, "feed.jsonl")
    assert not arts and "UTF-16" in fails[0].problem and "binary" not in fails[0].problem
    assert "iconv -f utf-16" in fails[0].fix


@pytest.mark.parametrize("value", ["2021-06-28garbage", "2021-06-28 x", "2021-06-2", "28/06/2021", "2021-13-01"])
def test_readers_parse_date_refuses_trailing_garbage(value):
    with pytest.raises(ValueError, match="is not a date"):
        parse_date(value)


@pytest.mark.parametrize("value, expected", [
    ("2021-06-28", date(2021, 6, 28)), ("2021-06-28T23:30:00Z", date(2021, 6, 28)),
    ("2021-06-28T23:30:00+02:00", date(2021, 6, 28)), ("2021-06-28 10:00", date(2021, 6, 28)),
])
def test_readers_parse_date_accepts_iso_dates_and_times(value, expected):
    assert parse_date(value) == expected
