"""Reading articles from files, directories and standard input.

Formats, chosen by file name:
    *.jsonl, *.jsonl.gz, *.json   JSON Lines, one article a line (README: "Using it")
    *.html, *.htm                 a web page: text and metadata through trafilatura
    anything else                 plain text (UTF-8, or UTF-16/32 with a byte-order mark); the first
                                  non-empty line is the title
    -                             standard input (plain text, or JSON Lines if it starts with '{')

`read_inputs` yields Article or Failure objects: a bad file or line is
reported with its place and the fix, and reading goes on.

Limits are enforced while reading, so that no input can exhaust memory or
stop the run: JSON Lines (plain or gzip) are streamed and a line is measured
before it is decoded (MAX_LINE_BYTES); its nesting is measured before it is
parsed (MAX_JSON_DEPTH); a text or HTML file is read up to MAX_FILE_BYTES. In
a folder only regular files are opened: a named pipe, a device or a socket is
skipped with a message (opening one could wait forever), and every folder or
file that cannot be read is reported.
"""
from __future__ import annotations

import codecs
import gzip
import json
import os
import re
import stat
import sys
import zlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO, Iterator

from .article import MAX_ID_CHARS, Article, Failure

MAX_FILE_BYTES = 50 * 1024 * 1024  # text and HTML files; JSON Lines are streamed
MAX_LINE_BYTES = 20 * 1024 * 1024
MAX_JSON_DEPTH = 64  # an article is a flat object; deeper nesting is refused before parsing
MIN_HTML_WORDS = 12  # less than this is a menu or a stub, not an article
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".json", ".ndjson")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_CHUNK = 1024 * 1024
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


@dataclass
class Defaults:
    """Metadata given on the command line, for articles that lack it."""

    published: date | None = None
    outlet: str | None = None
    language: str | None = None


def parse_date(value: object) -> date | None:
    """'2021-05-28', '2021-05-28T10:15:00Z', a date, or None. Raises ValueError when malformed.

    The whole string must be an ISO 8601 date or date and time: '2021-06-28garbage' is refused.
    """
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
        return date.fromisoformat(text) if len(text) <= 10 else datetime.fromisoformat(text).date()
    except ValueError:
        raise ValueError(f"{value!r} is not a date like 2021-05-28") from None


def read_inputs(paths: list[str], defaults: Defaults | None = None) -> Iterator[Article | Failure]:
    defaults = defaults or Defaults()
    for p in paths:
        if p == "-":
            yield from _read_stdin(defaults)
            continue
        path = Path(p)
        try:
            is_dir = stat.S_ISDIR(path.stat().st_mode)
        except FileNotFoundError:
            problem = "a link to a file that does not exist." if path.is_symlink() else "no such file or directory."
            yield Failure(p, problem, "Check the path.")
            continue
        except OSError as exc:
            yield Failure(p, f"cannot be read ({exc.strerror}).", "Check the path and its permissions.")
            continue
        if is_dir:
            yield from _read_dir(path, defaults)
        else:
            yield from read_file(path, defaults, in_folder=False)


def _read_dir(root: Path, defaults: Defaults) -> Iterator[Article | Failure]:
    """Every file under `root`, in name order; folders are walked without recursion (no depth limit)."""
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield Failure(str(folder), f"cannot read the folder ({exc.strerror}).", "Check its permissions.")
            continue
        subfolders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            try:
                if entry.is_dir(follow_symlinks=False):
                    subfolders.append(path)
                    continue
                if entry.is_symlink() and entry.is_dir():
                    yield Failure(str(path), "is a link to a folder, which is not followed.",
                                  "Give the folder itself on the command line.")
                    continue
            except OSError as exc:
                yield Failure(str(path), f"cannot be read ({exc.strerror}).", "Check its permissions.")
                continue
            yield from read_file(path, defaults)
        stack.extend(reversed(subfolders))


def read_file(path: Path, defaults: Defaults, in_folder: bool = True) -> Iterator[Article | Failure]:
    """The articles of one file. In a folder, a file that is not a regular file is skipped."""
    opened = _open(path, regular_only=in_folder)
    if isinstance(opened, Failure):
        yield opened
        return
    f, size = opened
    name = path.name.lower()
    with f:
        try:
            if name.endswith(JSONL_SUFFIXES):
                stream: BinaryIO = gzip.GzipFile(fileobj=f, mode="rb") if name.endswith(".gz") else f
                yield from read_jsonl(stream, str(path), defaults)
                return
            data = f.read(MAX_FILE_BYTES + 1) if size is None or size <= MAX_FILE_BYTES else b""
        except PermissionError:
            yield Failure(str(path), "permission denied.", "Check the file's permissions.")
            return
        except (OSError, EOFError, zlib.error) as exc:
            yield Failure(str(path), f"cannot be read to the end ({exc}).", "Check that the file is complete.")
            return
    if size is not None and size > MAX_FILE_BYTES or len(data) > MAX_FILE_BYTES:
        yield Failure(str(path), f"the file is more than the {MAX_FILE_BYTES // 2**20} MB an article file may have.",
                      "Split it, or give articles as JSON Lines.")
    elif not data:
        yield Failure(str(path), "the file is empty.", "Remove it or give it an article.")
    elif name.endswith(HTML_SUFFIXES) or _looks_like_html(data):
        yield _from_html(data, str(path), defaults)
    else:
        yield _from_text(data, str(path), defaults)


_KINDS = [(stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")]


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _open(path: Path, regular_only: bool) -> tuple[BinaryIO, int | None] | Failure:
    """The file opened for reading and its size (None for a pipe or a device), or why not.

    Opened without waiting (O_NONBLOCK), then checked with fstat, so a named pipe found in a
    folder is reported instead of blocking the run, even if it replaced a file since the listing.
    Named on the command line, a pipe or a device is read (that is how `<(zcat feed.gz)` works).
    """
    where = str(path)
    try:
        mode = path.stat().st_mode
        if stat.S_ISSOCK(mode) or (regular_only and not stat.S_ISREG(mode)):
            return _not_regular(where, mode)
        flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | (os.O_NONBLOCK if regular_only else 0)
        fd = os.open(path, flags)
    except FileNotFoundError:
        problem = "a link to a file that does not exist." if path.is_symlink() else "the file disappeared."
        return Failure(where, problem, "Check the path.")
    except PermissionError:
        return Failure(where, "permission denied.", "Check the file's permissions.")
    except OSError as exc:
        return Failure(where, f"cannot be opened ({exc.strerror}).", "Check the file.")
    st = os.fstat(fd)
    if regular_only and not stat.S_ISREG(st.st_mode):
        os.close(fd)
        return _not_regular(where, st.st_mode)
    return os.fdopen(fd, "rb"), (st.st_size if stat.S_ISREG(st.st_mode) else None)


def _not_regular(where: str, mode: int) -> Failure:
    return Failure(where, f"is {_kind(mode)}, not a regular file: skipped (reading it could wait forever).",
                   "Give regular files; to read from a pipe, name it on the command line or use -.")


def _read_stdin(defaults: Defaults) -> Iterator[Article | Failure]:
    stdin = sys.stdin.buffer
    head = stdin.peek(_CHUNK)[:_CHUNK] if hasattr(stdin, "peek") else b""
    if head.lstrip().startswith(b"{"):
        yield from read_jsonl(stdin, "<stdin>", defaults)
        return
    data = stdin.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        yield Failure("<stdin>", f"more than the {MAX_FILE_BYTES // 2**20} MB an article may have.",
                      "Give articles as JSON Lines (one a line).")
    elif data.lstrip().startswith(b"{"):
        import io

        yield from read_jsonl(io.BytesIO(data), "<stdin>", defaults)
    elif _looks_like_html(data):
        yield _from_html(data, "<stdin>", defaults)
    else:
        yield _from_text(data, "<stdin>", defaults)


def _looks_like_html(data: bytes) -> bool:
    return data[:512].lstrip().lower().startswith((b"<!doctype html", b"<html"))


def _encoding(data: bytes) -> tuple[str, str]:
    """(codec, name for messages): a byte-order mark decides, else UTF-16 by its zero bytes, else UTF-8."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec, codec.upper()
    sample = data[:4096]
    half = len(sample) // 2
    if half >= 8:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if odd > 0.6 * half and even < 0.05 * half:
            return "utf-16-le", "UTF-16 (little-endian, no byte-order mark)"
        if even > 0.6 * half and odd < 0.05 * half:
            return "utf-16-be", "UTF-16 (big-endian, no byte-order mark)"
    return "utf-8-sig", "UTF-8"


def _decode(data: bytes, where: str) -> str | Failure:
    codec, name = _encoding(data)
    if codec == "utf-8-sig" and b"\x00" in data[:8192]:
        return Failure(where, "this is a binary file, not text.", "Give text, HTML or JSON Lines files.")
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        return Failure(where, f"not valid {name} (byte {exc.start} is 0x{data[exc.start]:02x}).",
                       f"Convert it first, e.g. `iconv -f {'latin1' if codec == 'utf-8-sig' else codec} "
                       "-t utf-8 FILE > FILE.utf8`.")


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

    codec, _ = _encoding(data)
    page: bytes | str = data
    if codec != "utf-8-sig":  # trafilatura guesses byte encodings; UTF-16/32 is decoded here
        decoded = _decode(data, where)
        if isinstance(decoded, Failure):
            return decoded
        page = decoded
    elif b"\x00" in data[:8192]:
        return Failure(where, "this is a binary file, not HTML.", "Give text, HTML or JSON Lines files.")
    doc = trafilatura.bare_extraction(page, with_metadata=True, include_comments=False)
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


def read_jsonl(f: BinaryIO, where: str, defaults: Defaults) -> Iterator[Article | Failure]:
    """One article per line. A line is measured before it is decoded: memory stays bounded
    whatever the input (a gzip bomb holding one line of gigabytes is skipped in constant memory)."""
    lineno = 0
    while raw := f.readline(MAX_LINE_BYTES + 1):
        lineno += 1
        at = f"{where}, line {lineno}"
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            length = len(raw) + _skip_rest_of_line(f)
            yield Failure(at, f"the line is {length / 2**20:,.0f} MB long, more than the "
                          f"{MAX_LINE_BYTES // 2**20} MB an article may have.", "Split the article.")
            continue
        if lineno == 1 and _encoding(raw)[0] != "utf-8-sig":
            yield Failure(where, f"the file is {_encoding(raw)[1]}; JSON Lines must be UTF-8.",
                          f"Convert it first, e.g. `iconv -f {_encoding(raw)[0]} -t utf-8 FILE > FILE.utf8`.")
            return
        if raw.strip():
            yield _article_from_line(raw, at, defaults)


def _skip_rest_of_line(f: BinaryIO) -> int:
    skipped = 0
    while chunk := f.readline(_CHUNK):
        skipped += len(chunk)
        if chunk.endswith(b"\n"):
            break
    return skipped


def _article_from_line(raw: bytes, at: str, defaults: Defaults) -> Article | Failure:
    try:
        line = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Failure(at, f"not valid UTF-8 (byte {exc.start} of the line).", "Re-encode the file in UTF-8.")
    if line.count("[") + line.count("{") > MAX_JSON_DEPTH and json_depth(line, stop=MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        return Failure(at, f"the JSON is nested more than {MAX_JSON_DEPTH} levels deep.",
                       "Each line must be one flat article object (see the README).")
    try:
        obj = json.loads(line.rstrip("\r\n"))
    except json.JSONDecodeError as exc:
        return Failure(at, f"malformed JSON: {_json_problem(exc)}.", "Each line must be one JSON object.")
    return article_from_json(obj, at, defaults)


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_BRACKETS = re.compile(r"[\[\]{}]")


def json_depth(text: str, stop: int | None = None) -> int:
    """How deep the arrays and objects of a JSON text nest, measured without parsing it.

    Brackets inside strings do not count. The parser recurses, and a line of 100,000 '['
    would overflow its stack: the depth is checked first. With `stop`, the scan ends as soon
    as the depth passes it.
    """
    depth = deepest = 0
    for m in _BRACKETS.finditer(_JSON_STRING.sub("", text)):
        depth += 1 if m.group() in "[{" else -1
        if depth > deepest:
            deepest = depth
            if stop is not None and deepest > stop:
                break
    return deepest


def _json_problem(exc: json.JSONDecodeError) -> str:
    """What the decoder found and where, in a sentence (its own messages end with 'at' for some errors)."""
    what = exc.msg.removesuffix(" at")
    if what.startswith("Invalid control character") and exc.pos < len(exc.doc):
        return f"a control character (U+{ord(exc.doc[exc.pos]):04X}) inside a string at column {exc.colno}; escape it"
    if what.startswith("Unterminated string"):
        return f"the string that starts at column {exc.colno} is not closed"
    return f"{what[0].lower()}{what[1:]} at column {exc.colno}"


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
    doc_id = str(obj.get("doc_id") or obj.get("id") or "")
    if len(doc_id) > MAX_ID_CHARS:
        return Failure(at, f"the doc_id is {len(doc_id)} characters long, more than {MAX_ID_CHARS}.",
                       "Shorten it, or leave it out to let veille derive one from the text.")
    return Article(text=text, title=obj.get("title"), outlet=obj.get("outlet") or defaults.outlet,
                   url=obj.get("url"), published=published,
                   language=obj.get("language") or defaults.language, doc_id=doc_id, source=at)
