"""The event store: SQLite by default, PostgreSQL with a postgresql:// URL.

`Store.add_many` takes the results of extraction (from `veille.ingest`) and,
in one transaction per batch, stores the articles, their per-article records
(mentions), and joins each record to the event it reports or starts one
(veille/store/writer.py, with the algorithm of veille/dedup.py). An article
already stored is skipped, so running a batch again (after Ctrl-C or kill -9)
resumes where it stopped and duplicates nothing. Writers take turns: SQLite's
`BEGIN IMMEDIATE`, a PostgreSQL advisory lock.

Reading: an event's record comes from its summary; its doc_ids and evidence
come from its mentions, read for the events asked for only.
"""
from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from itertools import groupby
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..article import MAX_ID_CHARS, Article, Failure, clean_text
from ..dedup import Summary
from ..errors import InputError, StoreError, mask_secrets
from ..records import EventRecord, Evidence
from . import schema
from .schema import articles, events, failures, mentions, runs
from .writer import Writer, _json, now, stored_articles

_MEMBERS = (sa.select(mentions.c.event_ref, mentions.c.doc_id, mentions.c.spans)
            .where(mentions.c.event_ref.in_(sa.bindparam("refs", expanding=True)))
            .order_by(mentions.c.event_ref, mentions.c.mention_id))
READ_CHUNK = 500  # events whose members are read with one query


def display_url(url: str) -> str:
    """The database URL as it may be printed or logged: the password masked."""
    return mask_secrets(url)


def normalise_url(url: str) -> str:
    if "://" not in url:
        path = Path(url)
        return f"sqlite:///{path}"
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


@dataclass
class EventFilter:
    since: date | None = None
    until: date | None = None
    country: str | None = None
    admin1: str | None = None
    event_type: str | None = None
    actor: str | None = None
    outlet: str | None = None
    text: str | None = None
    limit: int | None = None
    offset: int = 0


class Store:
    def __init__(self, url: str = "veille.db") -> None:
        self.url = normalise_url(url)
        self.display_url = display_url(url)
        self._dicts = ContentCache()
        try:
            self.engine: Engine = sa.create_engine(self.url, future=True, json_serializer=_compact_json)
        except (sa.exc.ArgumentError, ImportError) as exc:
            raise StoreError(f"cannot open the database {self.display_url!r}: {mask_secrets(str(exc))}. Use a file "
                             "path (SQLite) or postgresql://user:password@host/dbname.") from None
        # Writers go through self.writer. On SQLite a writer takes the write lock when its transaction
        # begins (BEGIN IMMEDIATE), not half-way through it; a reader begins a deferred transaction,
        # which in WAL mode never waits for a writer and never holds one up.
        self.writer: Engine = self.engine.execution_options(veille_writer=True)
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            sa.event.listen(self.engine, "begin", _sqlite_begin)
        self.upgrade()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def upgrade(self) -> None:
        """Apply the Alembic migrations the database lacks (a reader of an up-to-date store writes nothing)."""
        from alembic import command
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        cfg = Config()
        cfg.set_main_option("script_location", str(resources.files("veille.store") / "migrations"))
        head = ScriptDirectory.from_config(cfg).get_current_head()
        try:
            if self._revision() == head:
                return
            with self.writer.begin() as conn:
                if self.dialect == "postgresql":
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(424242)"))
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except sa.exc.DBAPIError as exc:
            raise StoreError(f"cannot open the database {self.display_url}: "
                             f"{mask_secrets(str(exc.orig)).strip()}. {_open_fix(self.dialect)}") from None

    def _revision(self) -> str | None:
        with self.engine.connect() as conn:
            if not sa.inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()

    # -- writing ---------------------------------------------------------------------
    def has_article(self, doc_id: str) -> bool:
        return bool(self.stored([doc_id]))

    def stored(self, doc_ids: list[str]) -> set[str]:
        """Which of these articles the store holds."""
        with self.engine.connect() as conn:
            return stored_articles(conn, doc_ids)

    def add(self, article: Article, records: list[EventRecord]) -> bool:
        """Store one article and its records; False when it was already stored.

        Raises InputError when the article cannot be stored as it is (the same on every back end).
        """
        _check_storable(article)
        with self.writer.begin() as conn:
            self._lock(conn)
            return Writer(conn).add_articles([(article, records)])[0]

    def add_many(self, items: list[tuple[Article, list[EventRecord]]]) -> list[bool | Failure]:
        """Store articles and their records in one transaction: for each, True, False (it was already
        stored) or the Failure recorded for it.

        One article that cannot be stored does not stop the others: if the batch fails, each of its
        articles is stored in a transaction of its own (`add_guarded`).
        """
        try:
            for article, _ in items:
                _check_storable(article)
            with self.writer.begin() as conn:
                self._lock(conn)
                return list(Writer(conn).add_articles(items))
        except Exception:  # one article never stops a batch: find it, store the others
            return [self.add_guarded(article, records) for article, records in items]

    def add_guarded(self, article: Article, records: list[EventRecord]) -> bool | Failure:
        """`add` inside a guard: an error storing this article becomes a recorded Failure naming it.

        The other articles are not affected (each article is its own transaction). Errors of the
        database itself (gone, full) are raised: recording the failure fails too, and the run stops.
        """
        try:
            return self.add(article, records)
        except InputError as exc:
            failure = Failure(exc.source, exc.problem, exc.fix, _fitting_id(article.doc_id))
        except Exception as exc:  # one article never stops a batch
            failure = Failure(article.source or article.doc_id[:MAX_ID_CHARS],
                              f"storing the article failed ({type(exc).__name__}: {_short_error(exc)}).",
                              "The other articles are stored. Check this article's fields; if they look right, "
                              "report it with this message.", _fitting_id(article.doc_id))
        self.add_failure(failure)
        return failure

    def add_failure(self, failure: Failure) -> bool:
        """Record a failure once per input, article content and problem; False when already recorded."""
        source, problem = clean_text(failure.source), clean_text(failure.problem)
        key = hashlib.sha256("|".join([source, failure.doc_id or "", problem]).encode()).hexdigest()
        with self.writer.begin() as conn:
            self._lock(conn)
            if conn.execute(sa.select(failures.c.id).where(failures.c.key == key)).first():
                return False
            conn.execute(failures.insert().values(
                source=source, doc_id=_fitting_id(failure.doc_id), problem=problem,
                fix=clean_text(failure.fix or ""), at=now(), key=key))
        return True

    def start_run(self, config: dict) -> int:
        with self.writer.begin() as conn:
            return conn.execute(runs.insert().values(started_at=now(), config=config)).inserted_primary_key[0]

    def finish_run(self, run_id: int, counts: dict) -> None:
        with self.writer.begin() as conn:
            conn.execute(runs.update().where(runs.c.id == run_id).values(finished_at=now(), counts=counts))

    def _lock(self, conn: Connection) -> None:
        """Serialise writers: joining a report to an event reads then writes the same rows."""
        if self.dialect == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(4242)"))

    # -- reading ---------------------------------------------------------------------
    def events(self, flt: EventFilter | None = None) -> list[EventRecord]:
        return list(self.iter_events(flt))

    def iter_events(self, flt: EventFilter | None = None) -> Iterator[EventRecord]:
        """Events matching the filter, by date then id, with their doc_ids and evidence; streamed."""
        q = _filtered(sa.select(events.c.id, events.c.summary).order_by(events.c.event_date, events.c.event_id),
                      flt or EventFilter())
        with self.engine.connect() as conn:
            rows = conn.execution_options(stream_results=True, yield_per=READ_CHUNK).execute(q)
            for chunk in rows.partitions():
                yield from _with_members(conn, chunk)

    def event_dicts(self, flt: EventFilter | None = None) -> list[dict]:
        """The records `events(flt)` returns, as dicts (`EventRecord.to_dict()`), for the API's lists.

        Each is built once per distinct stored summary: a summary changes whenever its event or
        the event's reports do (it counts them), so a cached dict is never stale, whatever is
        written meanwhile, and only the events not seen before read their members. The dicts are
        shared between callers: read them, never change them.
        """
        q = _filtered(sa.select(events.c.id, sa.cast(events.c.summary, sa.Text))
                      .order_by(events.c.event_date, events.c.event_id), flt or EventFilter())
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
            known = self._dicts.found([text for _, text in rows])
            fresh = [row for row in rows if row[1] not in known]
            for i in range(0, len(fresh), READ_CHUNK):
                chunk = fresh[i:i + READ_CHUNK]
                known.update((row[1], rec.to_dict()) for row, rec in zip(chunk, _with_members(conn, chunk)))
        self._dicts.keep({row[1]: known[row[1]] for row in fresh})
        return [known[text] for _, text in rows]

    def count_events(self, flt: EventFilter | None = None) -> int:
        q = _filtered(sa.select(sa.func.count()).select_from(events), flt or EventFilter(), paged=False)
        with self.engine.connect() as conn:
            return conn.execute(q).scalar_one()

    def event(self, event_id: str, limit: int | None = None, offset: int = 0) -> tuple[EventRecord, list[dict]] | None:
        """An event and its mentions: each reporting article with its own values and evidence.

        `limit` and `offset` page the mentions (by article id); the record lists every article."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(events.c.id, events.c.summary).where(events.c.event_id == event_id)).first()
            if row is None:
                return None
            event = next(_with_members(conn, [row]))
            ms = conn.execute(sa.select(mentions.c.record, articles.c.doc_id, articles.c.title, articles.c.outlet,
                                        articles.c.url, articles.c.published, articles.c.text)
                              .join(articles, articles.c.doc_id == mentions.c.doc_id)
                              .where(mentions.c.event_ref == row.id).order_by(articles.c.doc_id)
                              .limit(limit).offset(offset)).all()
        out = []
        for m in ms:
            out.append({"doc_id": m.doc_id, "title": m.title, "outlet": m.outlet, "url": m.url,
                        "published": m.published.isoformat() if m.published else None,
                        "text": m.text, "record": _json(m.record)})
        return event, out

    def articles(self, outlet: str | None = None, limit: int = 100, offset: int = 0) -> list[dict]:
        q = sa.select(articles.c.doc_id, articles.c.title, articles.c.outlet, articles.c.url, articles.c.published,
                      articles.c.language, articles.c.n_events).order_by(articles.c.published, articles.c.doc_id)
        if outlet:
            q = q.where(articles.c.outlet == outlet)
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(q.limit(limit).offset(offset))]

    def article_meta(self, doc_ids: list[str]) -> dict[str, dict]:
        """doc id -> {"outlet", "ingested_at"} for these articles (exports name sources with them)."""
        out: dict[str, dict] = {}
        with self.engine.connect() as conn:
            for i in range(0, len(doc_ids), 500):
                q = sa.select(articles.c.doc_id, articles.c.outlet, articles.c.ingested_at).where(
                    articles.c.doc_id.in_(doc_ids[i:i + 500]))
                for r in conn.execute(q):
                    out[r.doc_id] = {"outlet": r.outlet, "ingested_at": r.ingested_at}
        return out

    def copies(self, doc_ids: list[str]) -> dict[str, list[dict]]:
        """Original doc id -> its stored copies ({"doc_id", "outlet", "url", "title", "ingested_at"})."""
        out: dict[str, list[dict]] = {}
        with self.engine.connect() as conn:
            for i in range(0, len(doc_ids), 500):
                q = (sa.select(articles.c.doc_id, articles.c.outlet, articles.c.url, articles.c.title,
                               articles.c.copy_of, articles.c.ingested_at)
                     .where(articles.c.copy_of.in_(doc_ids[i:i + 500])).order_by(articles.c.doc_id))
                for r in conn.execute(q):
                    out.setdefault(r.copy_of, []).append(_row(r))
        return out

    def outlets(self) -> list[dict]:
        q = (sa.select(articles.c.outlet, sa.func.count().label("articles"))
             .group_by(articles.c.outlet).order_by(articles.c.outlet))
        with self.engine.connect() as conn:
            return [{"outlet": r.outlet, "articles": r.articles} for r in conn.execute(q)]

    def failures(self) -> list[dict]:
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(sa.select(failures).order_by(failures.c.id))]

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                    for t in (articles, mentions, events, failures)}


def _filtered(q, flt: EventFilter, paged: bool = True):
    if flt.since:
        q = q.where(events.c.event_date >= flt.since)
    if flt.until:
        q = q.where(events.c.event_date <= flt.until)
    if flt.country:
        q = q.where(events.c.iso == flt.country.upper())  # codes are stored upper-case; the index applies
    if flt.admin1:
        q = q.where(events.c.admin1 == flt.admin1)
    if flt.event_type:
        q = q.where(sa.or_(events.c.event_type == flt.event_type, events.c.sub_event_type == flt.event_type))
    if flt.actor:
        like = _contains(flt.actor)
        q = q.where(sa.or_(events.c.actor1.ilike(like, escape="\\"), events.c.actor2.ilike(like, escape="\\")))
    if flt.outlet or flt.text:
        sub = sa.select(mentions.c.event_ref).join(articles, articles.c.doc_id == mentions.c.doc_id)
        if flt.outlet:
            sub = sub.where(articles.c.outlet == flt.outlet)
        if flt.text:
            sub = sub.where(articles.c.text.ilike(_contains(flt.text), escape="\\"))
        q = q.where(events.c.id.in_(sub))
    if paged and flt.limit:
        q = q.limit(flt.limit).offset(flt.offset)
    return q


def _contains(text: str) -> str:
    """A LIKE pattern matching `text` literally anywhere: % and _ are characters, not wildcards."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _check_storable(article: Article) -> None:
    if len(article.doc_id) > MAX_ID_CHARS:
        raise InputError(article.source or article.doc_id[:MAX_ID_CHARS],
                         f"the doc_id is {len(article.doc_id)} characters long, more than {MAX_ID_CHARS}.",
                         "Shorten it, or leave it out to let veille derive one from the text.")


def _fitting_id(doc_id: str | None) -> str | None:
    return doc_id if doc_id is None or len(doc_id) <= MAX_ID_CHARS else None


def _short_error(exc: Exception, limit: int = 300) -> str:
    """The database's own message, without the statement and its parameters (an article's whole text)."""
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    first = mask_secrets(text[0] if text else "")
    return first if len(first) <= limit else first[:limit] + "..."


def _open_fix(dialect: str) -> str:
    if dialect == "sqlite":
        return "Check the path: --db takes a SQLite file made by veille (or a new file name) or a postgresql:// URL."
    return "Check the server, the database name, the user and the password."


class ContentCache:
    """Values built once per distinct stored text (least recently used first out), safe across threads."""

    def __init__(self, size: int = 20_000) -> None:
        self.size = size
        self._values: OrderedDict[str, dict] = OrderedDict()
        self._lock = threading.Lock()

    def found(self, texts: list[str]) -> dict[str, dict]:
        with self._lock:
            out = {t: self._values[t] for t in texts if t in self._values}
            for t in out:
                self._values.move_to_end(t)
            return out

    def keep(self, values: dict[str, dict]) -> None:
        with self._lock:
            self._values.update(values)
            while len(self._values) > self.size:
                self._values.popitem(last=False)


def _with_members(conn: Connection, rows) -> Iterator[EventRecord]:
    """Records of (id, summary) rows, with doc_ids and evidence read from their mentions in one query."""
    refs = [row[0] for row in rows]
    members = {ref: list(ms) for ref, ms in groupby(conn.execute(_MEMBERS, {"refs": refs}), key=lambda m: m[0])}
    for ref, summary in rows:
        rec = Summary(_json(summary)).record()
        ms = members.get(ref, [])
        rec.doc_ids = sorted({m.doc_id for m in ms})
        rec.evidence = [Evidence(m.doc_id, int(s), int(e)) for m in ms for s, e in
                        (span.split("-") for span in m.spans.split())]
        yield rec


def _row(r) -> dict:
    d = dict(r._mapping)
    for k, v in d.items():
        if isinstance(v, (date, datetime)):
            d[k] = v.isoformat()
    return d


def _compact_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _sqlite_begin(conn: Connection) -> None:
    """Writers take the write lock at once; readers begin deferred (see Store.__init__)."""
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("veille_writer") else "BEGIN")


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None  # transactions are begun explicitly (see _sqlite_begin)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA cache_size=-32768")  # 32 MB: the upper levels of every index stay in memory
    cur.execute("PRAGMA wal_autocheckpoint=10000")  # fold the log into the file every 40 MB, not every 4
    cur.close()


__all__ = ["Store", "EventFilter", "schema"]
