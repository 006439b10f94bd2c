"""Reading articles from files, directories and standard input.

Formats, chosen by file name:
    *.jsonl, *.jsonl.gz, *.json   JSON Lines, one article a line (docs/input-formats.md)
    *.html, *.htm                 a web page: text and metadata through trafilatura
    anything else                 plain UTF-8 text; the first non-empty line is the title
    -                             standard input (plain text, or JSON Lines if it starts with '{')

`read_inputs` yields Article or Failure objects: a bad file or line is
reported with its place and the fix, and reading goes on.
"""
from __future__ import annotations

import gzip
import io
import json
import os
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Iterator

from .article import Article, Failure

MAX_FILE_BYTES = 50 * 1024 * 1024  # text and HTML files; JSON Lines are streamed
MAX_LINE_BYTES = 20 * 1024 * 1024
MIN_HTML_WORDS = 12  # less than this is a menu or a stub, not an article
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".json", ".ndjson")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")


@dataclass
class Defaults:
    """Metadata given on the command line, for articles that lack it."""

    published: date | None = None
    outlet: str | None = None
    language: str | None = None


def parse_date(value: object) -> date | None:
    """'2021-05-28', '2021-05-28T10:15:00Z', a date, or None. Raises ValueError when malformed."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected a date string like 2021-05-28, got {type(value).__name__}")
    text = value.strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(f"{value!r} is not a date like 2021-05-28") from None


def read_inputs(paths: list[str], defaults: Defaults | None = None) -> Iterator[Article | Failure]:
    defaults = defaults or Defaults()
    for p in paths:
        if p == "-":
            yield from _read_stdin(defaults)
            continue
        path = Path(p)
        if not path.exists():
            yield Failure(p, "no such file or directory.", "Check the path.")
        elif path.is_dir():
            yield from _read_dir(path, defaults)
        else:
            yield from read_file(path, defaults)


def _read_dir(root: Path, defaults: Defaults) -> Iterator[Article | Failure]:
    def onerror(exc: OSError) -> None:
        failures.append(Failure(str(exc.filename or root), f"cannot read the directory ({exc.strerror}).",
                                "Check its permissions."))

    failures: list[Failure] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=onerror):
        dirnames.sort()
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            yield from read_file(Path(dirpath) / name, defaults)
        yield from failures
        failures.clear()


def read_file(path: Path, defaults: Defaults) -> Iterator[Article | Failure]:
    name = path.name.lower()
    try:
        if name.endswith(JSONL_SUFFIXES):
            opener = gzip.open if name.endswith(".gz") else open
            with opener(path, "rb") as f:
                yield from read_jsonl(f, str(path), defaults)
            return
        size = path.stat().st_size
        if size == 0:
            yield Failure(str(path), "the file is empty.", "Remove it or give it an article.")
            return
        if size > MAX_FILE_BYTES:
            yield Failure(str(path), f"the file is {size / 1e6:.0f} MB, more than the {MAX_FILE_BYTES // 2**20} MB "
                          "an article file may have.", "Split it, or give articles as JSON Lines.")
            return
        data = path.read_bytes()
    except PermissionError:
        yield Failure(str(path), "permission denied.", "Check the file's permissions.")
        return
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        yield Failure(str(path), f"cannot be read ({exc}).", "Check that the file is complete.")
        return
    if name.endswith(HTML_SUFFIXES) or data[:512].lstrip().lower().startswith((b"<!doctype html", b"<html")):
        yield _from_html(data, str(path), defaults)
    else:
        yield _from_text(data, str(path), defaults)


def _read_stdin(defaults: Defaults) -> Iterator[Article | Failure]:
    data = sys.stdin.buffer.read()
    if data.lstrip().startswith(b"{"):
        yield from read_jsonl(io.BytesIO(data), "<stdin>", defaults)
    elif data.lstrip()[:15].lower().startswith((b"<!doctype", b"<html")):
        yield _from_html(data, "<stdin>", defaults)
    else:
        yield _from_text(data, "<stdin>", defaults)


def _decode(data: bytes, where: str) -> str | Failure:
    if b"\x00" in data[:8192]:
        return Failure(where, "this is a binary file, not text.", "Give text, HTML or JSON Lines files.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Failure(where, f"not valid UTF-8 (byte {exc.start} is 0x{data[exc.start]:02x}).",
                       "Convert it first, e.g. `iconv -f latin1 -t utf-8 FILE > FILE.utf8`.")


def _from_text(data: bytes, where: str, defaults: Defaults) -> Article | Failure:
    text = _decode(data, where)
    if isinstance(text, Failure):
        return text
    if not text.strip():
        return Failure(where, "the file holds only white space.", "Give it an article.")
    title = next((line.strip() for line in text.splitlines() if line.strip()), None)
    return Article(text=text, title=title, outlet=defaults.outlet, published=defaults.published,
                   language=defaults.language, source=where)


def _from_html(data: bytes, where: str, defaults: Defaults) -> Article | Failure:
    import trafilatura

    if b"\x00" in data[:8192]:
        return Failure(where, "this is a binary file, not HTML.", "Give text, HTML or JSON Lines files.")
    doc = trafilatura.bare_extraction(data, with_metadata=True, include_comments=False)
    if doc is None or len((doc.text or "").split()) < MIN_HTML_WORDS:
        return Failure(where, "no article text found in this HTML page.",
                       "Check that the page holds an article (not a menu or an index page).")
    title = doc.title
    text = doc.text if not title else f"{title}\n\n{doc.text}"
    try:
        published = defaults.published or parse_date(doc.date)
    except ValueError:
        published = defaults.published
    return Article(text=text, title=title, outlet=defaults.outlet or doc.sitename, url=doc.url,
                   published=published, language=defaults.language or doc.language, source=where)


def read_jsonl(f, where: str, defaults: Defaults) -> Iterator[Article | Failure]:
    for lineno, raw in enumerate(f, 1):
        at = f"{where}, line {lineno}"
        if len(raw) > MAX_LINE_BYTES:
            yield Failure(at, f"the line is {len(raw) / 1e6:.0f} MB long.", "Split the article.")
            continue
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            yield Failure(at, f"not valid UTF-8 (byte {exc.start} of the line).", "Re-encode the file in UTF-8.")
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Failure(at, f"malformed JSON ({exc.msg} at column {exc.colno}).",
                          "Each line must be one JSON object.")
            continue
        yield article_from_json(obj, at, defaults)


def article_from_json(obj: object, at: str, defaults: Defaults) -> Article | Failure:
    if not isinstance(obj, dict):
        return Failure(at, f"expected a JSON object, found {type(obj).__name__}.", "Each line must be one article object.")
    text = obj.get("text")
    if not isinstance(text, str):
        return Failure(at, f"'text' must be a string, found {type(text).__name__}.", "Give the article text in 'text'.")
    for name in ("title", "outlet", "url", "language", "doc_id"):
        if obj.get(name) is not None and not isinstance(obj.get(name), str):
            return Failure(at, f"'{name}' must be a string, found {type(obj[name]).__name__}.", "Fix the field type.")
    try:
        published = parse_date(obj.get("published")) or defaults.published
    except ValueError as exc:
        return Failure(at, f"'published': {exc}.", "Use the form YYYY-MM-DD.")
    title = obj.get("title")
    doc_id = obj.get("doc_id") or obj.get("id") or ""
    return Article(text=text, title=title, outlet=obj.get("outlet") or defaults.outlet,
                   url=obj.get("url"), published=published,
                   language=obj.get("language") or defaults.language, doc_id=str(doc_id), source=at)
