"""The event store: SQLite by default, PostgreSQL with a postgresql:// URL.

One writer: `Store.add` takes the results of extraction (from one process or
from Dask workers) and, in one transaction per article, stores the article,
its per-article records (mentions), and re-clusters the events those
mentions may belong to. An article already stored is skipped, so running a
batch again (after Ctrl-C or kill -9) resumes where it stopped and
duplicates nothing.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from importlib import resources
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..article import MAX_ID_CHARS, Article, Failure, clean_text
from ..dedup import consolidate, mention_key, same_event
from ..errors import InputError, StoreError, mask_secrets
from ..records import EventRecord
from . import schema
from .schema import articles, events, failures, mentions, runs

# the statements of the write path, built once: building and keying a statement per row cost
# more than running it
_B = sa.bindparam
_HAS_ARTICLE = sa.select(articles.c.doc_id).where(articles.c.doc_id == _B("doc_id"))
_CANDIDATES = sa.select(events.c.event_id).where(
    events.c.event_type == _B("event_type"), events.c.event_date.between(_B("lo"), _B("hi")))
_CANDIDATES_IN_COUNTRY = _CANDIDATES.where(sa.or_(events.c.iso == _B("iso"), events.c.iso.is_(None)))
_MEMBERS = sa.select(mentions.c.mention_id).where(mentions.c.event_id == _B("old"))
_DELETE_EVENT = events.delete().where(events.c.event_id == _B("old"))
_MOVE_MENTIONS = (mentions.update()
                  .where(sa.or_(mentions.c.event_id == _B("old"), mentions.c.mention_id == _B("mention")))
                  .values(event_id=_B("new")))



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


def now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


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
        # parsed records by id; an id names fixed content (mention rows never change their record,
        # an event id is derived from its members), so these caches are safe with concurrent writers
        self._events: dict[str, EventRecord] = {}
        self._mentions: dict[str, EventRecord] = {}
        self._members: dict[str, list[str]] = {}  # event id -> its mention ids (the id is derived from them)
        try:
            self.engine: Engine = sa.create_engine(self.url, future=True)
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
        with self.engine.connect() as conn:
            return conn.execute(_HAS_ARTICLE, {"doc_id": doc_id}).first() is not None

    def add(self, article: Article, records: list[EventRecord]) -> bool:
        """Store one article and its records; False when it was already stored.

        Raises InputError when the article cannot be stored as it is (the same on every back end).
        """
        if len(article.doc_id) > MAX_ID_CHARS:
            raise InputError(article.source or article.doc_id[:MAX_ID_CHARS],
                             f"the doc_id is {len(article.doc_id)} characters long, more than {MAX_ID_CHARS}.",
                             "Shorten it, or leave it out to let veille derive one from the text.")
        with self.writer.begin() as conn:
            self._lock(conn)
            if conn.execute(_HAS_ARTICLE, {"doc_id": article.doc_id}).first():
                return False
            conn.execute(articles.insert(), {
                "doc_id": article.doc_id, "url": article.url, "outlet": article.outlet, "title": article.title,
                "published": article.published, "language": article.language, "text": article.text,
                "source": article.source, "n_events": len(records), "ingested_at": now()})
            if records:
                conn.execute(mentions.insert(), [
                    {"mention_id": mention_key(r), "doc_id": article.doc_id, "event_id": None,
                     "event_type": r.event_type, "event_date": date.fromisoformat(r.event_date),
                     "record": r.to_dict(with_text=False)} for r in records])
                self._recluster(conn, records)
        return True

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
            self._events.clear()  # the caches may hold what the rolled-back transaction wrote
            self._members.clear()
            failure = Failure(article.source or article.doc_id[:MAX_ID_CHARS],
                              f"storing the article failed ({type(exc).__name__}: {_short_error(exc)}).",
                              "The other articles are stored. Check this article's fields; if they look right, "
                              "report it with this message.", _fitting_id(article.doc_id))
        self.add_failure(failure)
        return failure

    def add_failure(self, failure: Failure) -> None:
        with self.writer.begin() as conn:
            conn.execute(failures.insert().values(
                source=clean_text(failure.source), doc_id=_fitting_id(failure.doc_id),
                problem=clean_text(failure.problem), fix=clean_text(failure.fix or ""), at=now()))

    def start_run(self, config: dict) -> int:
        with self.writer.begin() as conn:
            return conn.execute(runs.insert().values(started_at=now(), config=config)).inserted_primary_key[0]

    def finish_run(self, run_id: int, counts: dict) -> None:
        with self.writer.begin() as conn:
            conn.execute(runs.update().where(runs.c.id == run_id).values(finished_at=now(), counts=counts))

    def _lock(self, conn: Connection) -> None:
        """Serialise writers: clustering reads then writes the same rows."""
        if self.dialect == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(4242)"))

    def _recluster(self, conn: Connection, new: list[EventRecord]) -> None:
        """Each new report joins the stored event it is the same as, or starts one.

        Candidates are stored events of the same type within a month whose
        consolidated record `same_event` accepts and that this article does not
        already report; ties go to the nearest date, then the smallest id, so
        the choice is deterministic. The event is then consolidated again from
        all its mentions (its id, derived from them, changes with them).
        """
        for r in sorted(new, key=mention_key):
            d = date.fromisoformat(r.event_date)
            window = {"event_type": r.event_type, "lo": d - timedelta(days=31), "hi": d + timedelta(days=31)}
            ids = [row[0] for row in (conn.execute(_CANDIDATES_IN_COUNTRY, dict(window, iso=r.iso)) if r.iso
                                      else conn.execute(_CANDIDATES, window))]
            best: tuple | None = None
            for ev_id, ev in self._cached(conn, events, events.c.event_id, ids, self._events):
                if r.doc_ids[0] in ev.doc_ids or not same_event(r, ev):
                    continue
                rank = (abs((date.fromisoformat(ev.event_date) - d).days), ev_id)
                if best is None or rank < best[0]:
                    best = (rank, ev_id)
            members = [r]
            if best is not None:
                old_id = best[1]
                if old_id not in self._members:
                    self._members[old_id] = [row[0] for row in conn.execute(_MEMBERS, {"old": old_id})]
                members += [m for _, m in self._cached(conn, mentions, mentions.c.mention_id,
                                                       self._members[old_id], self._mentions)]
                conn.execute(_DELETE_EVENT, {"old": old_id})
            self._write_event(conn, members, best[1] if best else None)

    @staticmethod
    def _cached(conn: Connection, table, id_col, ids: list[str],
                cache: dict[str, EventRecord]) -> list[tuple[str, EventRecord]]:
        """(id, parsed record) for these ids; records are parsed once per process."""
        missing = [i for i in ids if i not in cache]
        for i in range(0, len(missing), 500):
            chunk = missing[i:i + 500]
            for row in conn.execute(sa.select(id_col, table.c.record).where(id_col.in_(chunk))):
                cache[row[0]] = EventRecord.from_dict(_json(row[1]))
        if len(cache) > 200_000:
            cache.clear()
        return [(i, cache[i]) for i in ids if i in cache]

    def _write_event(self, conn: Connection, members: list[EventRecord], old_id: str | None = None) -> None:
        ev = consolidate(members)  # evidence is stored as offsets; texts are joined when read
        conn.execute(events.insert(), {
            "event_id": ev.event_id, "event_date": date.fromisoformat(ev.event_date), "event_type": ev.event_type,
            "sub_event_type": ev.sub_event_type, "iso": ev.iso, "admin1": ev.admin1, "location": ev.location,
            "latitude": ev.latitude, "longitude": ev.longitude, "actor1": ev.actor1, "actor2": ev.actor2,
            "fatalities": ev.fatalities or 0, "background": ev.background, "n_articles": len(ev.doc_ids),
            "record": ev.to_dict(with_text=False)})
        conn.execute(_MOVE_MENTIONS, {"old": old_id, "mention": mention_key(members[0]), "new": ev.event_id})
        self._events[ev.event_id] = ev
        self._members[ev.event_id] = [mention_key(m) for m in members]
        if len(self._members) > 200_000:
            self._members.clear()

    # -- reading ---------------------------------------------------------------------
    def events(self, flt: EventFilter | None = None) -> list[EventRecord]:
        flt = flt or EventFilter()
        q = sa.select(events.c.record).order_by(events.c.event_date, events.c.event_id)
        q = _filtered(q, flt)
        with self.engine.connect() as conn:
            return [EventRecord.from_dict(_json(r.record)) for r in conn.execute(q)]

    def event_texts(self, flt: EventFilter | None = None) -> list[str]:
        """The records `events(flt)` returns, in the same order, as the JSON text they are stored as.

        For callers that parse each distinct record once (the API's lists): the text is the
        content, so a cache keyed by it never goes stale, whatever is written meanwhile.
        """
        q = _filtered(sa.select(sa.cast(events.c.record, sa.Text)).order_by(events.c.event_date, events.c.event_id),
                      flt or EventFilter())
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(q)]

    def count_events(self, flt: EventFilter | None = None) -> int:
        q = _filtered(sa.select(sa.func.count()).select_from(events), flt or EventFilter(), paged=False)
        with self.engine.connect() as conn:
            return conn.execute(q).scalar_one()

    def event(self, event_id: str) -> tuple[EventRecord, list[dict]] | None:
        """An event and its mentions: each reporting article with its own values and evidence."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(events.c.record).where(events.c.event_id == event_id)).first()
            if row is None:
                return None
            ms = conn.execute(sa.select(mentions.c.record, articles.c.doc_id, articles.c.title, articles.c.outlet,
                                        articles.c.url, articles.c.published, articles.c.text)
                              .join(articles, articles.c.doc_id == mentions.c.doc_id)
                              .where(mentions.c.event_id == event_id).order_by(articles.c.doc_id)).all()
        out = []
        for m in ms:
            rec = _json(m.record)
            out.append({"doc_id": m.doc_id, "title": m.title, "outlet": m.outlet, "url": m.url,
                        "published": m.published.isoformat() if m.published else None,
                        "text": m.text, "record": rec})
        return EventRecord.from_dict(_json(row.record)), out

    def articles(self, outlet: str | None = None, limit: int = 100, offset: int = 0) -> list[dict]:
        q = sa.select(articles.c.doc_id, articles.c.title, articles.c.outlet, articles.c.url, articles.c.published,
                      articles.c.language, articles.c.n_events).order_by(articles.c.published, articles.c.doc_id)
        if outlet:
            q = q.where(articles.c.outlet == outlet)
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(q.limit(limit).offset(offset))]

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
        sub = sa.select(mentions.c.event_id).join(articles, articles.c.doc_id == mentions.c.doc_id)
        if flt.outlet:
            sub = sub.where(articles.c.outlet == flt.outlet)
        if flt.text:
            sub = sub.where(articles.c.text.ilike(_contains(flt.text), escape="\\"))
        q = q.where(events.c.event_id.in_(sub))
    if paged and flt.limit:
        q = q.limit(flt.limit).offset(flt.offset)
    return q


def _contains(text: str) -> str:
    """A LIKE pattern matching `text` literally anywhere: % and _ are characters, not wildcards."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


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


def _json(value) -> dict:
    return json.loads(value) if isinstance(value, str) else value


def _row(r) -> dict:
    d = dict(r._mapping)
    for k, v in d.items():
        if isinstance(v, (date, datetime)):
            d[k] = v.isoformat()
    return d


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
    cur.close()


__all__ = ["Store", "EventFilter", "schema"]
