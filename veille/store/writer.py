"""The write path: one transaction stores a batch of articles, their mentions, and the events they join.

For each new report (in the canonical order of veille.dedup) the writer reads
the candidate events through the index (`dedup.probes`), picks one with
`dedup.best_match`, and updates that event's summary; events created or
changed earlier in the same batch are seen from memory. At the end, new
events, changed events and mentions are each written with one statement
(executemany). Nothing here reads an event's members, so a report costs the
same whether its event has one report or ten thousand.
"""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .. import fingerprint
from ..article import Article
from ..dedup import DAY_TOLERANCE, EventKey, Probe, Summary, area, best_match, cell, covers, mention_key, probes
from ..records import EventRecord
from .schema import article_bands, articles, events, mentions

_B = sa.bindparam
_KEY_COLUMNS = [events.c.id, events.c.event_id, events.c.event_type, events.c.sub_event_type, events.c.landmark,
                events.c.event_date, events.c.time_precision, events.c.iso, events.c.admin1, events.c.location,
                events.c.latitude, events.c.longitude, events.c.geo_precision, events.c.actor1, events.c.actor2]
_LAST_REF = sa.select(sa.func.max(events.c.id))
_UPDATE_EVENT = events.update().where(events.c.id == _B("ref"))
_BAND_MATES = (sa.select(articles.c.doc_id, articles.c.text, articles.c.copy_of).distinct()
               .join(article_bands, article_bands.c.doc_id == articles.c.doc_id)
               .where(article_bands.c.band.in_(_B("bands", expanding=True))).order_by(articles.c.doc_id).limit(50))
_STORED = sa.select(articles.c.doc_id).where(articles.c.doc_id.in_(_B("ids", expanding=True)))


def now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def event_row(ref: int, summary: Summary) -> dict[str, Any]:
    """The events row of a summary: the indexed columns, the filtered columns, the aggregates."""
    r = summary.record()
    return {"id": ref, "event_id": r.event_id, "event_date": date.fromisoformat(r.event_date),
            "time_precision": r.time_precision, "event_type": r.event_type, "sub_event_type": r.sub_event_type,
            "iso": r.iso, "admin1": r.admin1, "location": r.location, "latitude": r.latitude,
            "longitude": r.longitude, "geo_precision": r.geo_precision, "actor1": r.actor1, "actor2": r.actor2,
            "fatalities": r.fatalities or 0, "background": r.background, "n_articles": summary.size,
            "landmark": r.landmark, "cell": cell(r), "area": area(r), "summary": summary.state}


def stored_articles(conn: Connection, doc_ids: list[str]) -> set[str]:
    return {row[0] for i in range(0, len(doc_ids), 500)
            for row in conn.execute(_STORED, {"ids": doc_ids[i:i + 500]})}


def spans(r: EventRecord) -> str:
    return " ".join(f"{e.start}-{e.end}" for e in r.evidence)


class Writer:
    """One write transaction (the caller holds the writers' lock)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.summaries: dict[int, Summary] = {}  # events created or changed in this batch
        self.keys: dict[int, EventKey] = {}
        self.filed: dict[tuple[str, str], set[int]] = {}  # (column, value) -> refs, for this batch's events
        self.created: set[int] = set()
        self.mention_rows: list[dict] = []
        self.next_ref = (conn.execute(_LAST_REF).scalar() or 0) + 1
        self.cursor = conn.connection.cursor()  # the driver's own: the candidates query runs for every report
        self.sqlite = conn.dialect.name == "sqlite"

    def add_articles(self, items: list[tuple[Article, list[EventRecord]]]) -> list[bool]:
        stored = stored_articles(self.conn, [a.doc_id for a, _ in items])
        new: list[tuple[Article, list[EventRecord]]] = []
        out = []
        for article, records in items:
            fresh = article.doc_id not in stored
            out.append(fresh)
            if fresh:
                stored.add(article.doc_id)
                new.append((article, records))
        if new:
            originals, bands = self.copies(new)
            self.conn.execute(articles.insert(), [_article_row(a, [] if a.doc_id in originals else recs,
                                                               originals.get(a.doc_id)) for a, recs in new])
            if bands:
                self.conn.execute(article_bands.insert(), bands)
            for article, records in new:
                if article.doc_id in originals:
                    continue  # a copy reports nothing its original does not: its events are not counted again
                for r in records:
                    r.outlet = article.outlet  # notes name a report by its outlet
                self.add_reports(article, records)
            self.flush()
        return out

    def copies(self, new: list[tuple[Article, list[EventRecord]]]) -> tuple[dict[str, str], list[dict]]:
        """Which new articles are near-identical copies of a stored or earlier one (doc id -> original),
        and the LSH band rows of all of them (veille/fingerprint.py)."""
        originals: dict[str, str] = {}
        rows: list[dict] = []
        batch: dict[str, list[tuple[str, set[int]]]] = {}  # band -> earlier articles of this batch
        for article, _ in new:
            sh = fingerprint.shingles(article.text)
            if len(sh) < fingerprint.MIN_SHINGLES:
                continue  # too short to tell a copy from a separate brief
            keys = list(dict.fromkeys(fingerprint.bands(sh)))
            candidates = [(row.copy_of or row.doc_id, fingerprint.shingles(row.text))
                          for row in self.conn.execute(_BAND_MATES, {"bands": keys})]
            candidates += [c for k in keys for c in batch.get(k, ())]
            best = max(((fingerprint.containment(sh, other), root) for root, other in candidates), default=None)
            if best and best[0] >= fingerprint.COPY_CONTAINMENT:
                originals[article.doc_id] = best[1]
            root = originals.get(article.doc_id, article.doc_id)
            for k in keys:
                batch.setdefault(k, []).append((root, sh))
                rows.append({"band": k, "doc_id": article.doc_id})
        return originals, rows

    def add_reports(self, article: Article, records: list[EventRecord]) -> None:
        joined: set[int] = set()  # an article reports an event once
        for r in sorted(records, key=mention_key):
            ev = best_match(r, self.candidates(r), joined)
            if ev is None:
                ref, summary = self.next_ref, Summary.start(r)
                self.next_ref += 1
                self.created.add(ref)
            else:
                ref = ev.ref
                summary = self.summaries.get(ref) or self._summary(ref)
                summary.add(r)
            self._remember(ref, summary)
            joined.add(ref)
            self.mention_rows.append({"mention_id": mention_key(r), "doc_id": article.doc_id, "event_ref": ref,
                                      "spans": spans(r), "record": r.to_dict(with_text=False)})

    def _summary(self, ref: int) -> Summary:
        self.cursor.execute(f"SELECT summary FROM events WHERE id = {'?' if self.sqlite else '%s'}", (ref,))
        return Summary(_json(self.cursor.fetchone()[0]))

    def candidates(self, r: EventRecord) -> list[EventKey]:
        found = probes(r)
        sql, params = probe_sql(found, r.sub_event_type, self.conn.dialect.name)
        self.cursor.execute(sql, params)
        out = {row[0]: EventKey(row[0], row[1], row[2], row[3], row[4], str(row[5]), *row[6:])
               for row in self.cursor.fetchall() if row[0] not in self.summaries}
        for p in found:
            for key in p.keys:
                for ref in self.filed.get((p.column, key), ()):
                    if covers([p], self.keys[ref]):
                        out[ref] = self.keys[ref]
        return list(out.values())

    def _remember(self, ref: int, summary: Summary) -> None:
        old = self.keys.get(ref)
        if old is not None:
            for filed in _filing(old):
                self.filed[filed].discard(ref)
        self.summaries[ref] = summary
        self.keys[ref] = key = summary.key(ref)
        for filed in _filing(key):
            self.filed.setdefault(filed, set()).add(ref)

    def flush(self) -> None:
        rows = [event_row(ref, s) for ref, s in self.summaries.items()]
        if self.created:
            self.conn.execute(events.insert(), [r for r in rows if r["id"] in self.created])
        changed = [{"ref": r["id"], **{k: v for k, v in r.items() if k != "id"}}
                   for r in rows if r["id"] not in self.created]
        if changed:
            self.conn.execute(_UPDATE_EVENT, changed)
        if self.mention_rows:
            self.conn.execute(mentions.insert(), self.mention_rows)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _filing(key: EventKey) -> list[tuple[str, str]]:
    out = [("cell", cell(key))]
    if area(key):
        out.append(("area", area(key)))  # type: ignore[arg-type]
    if key.landmark:
        out.append(("landmark", key.landmark))
    return out


def _article_row(a: Article, records: list[EventRecord], copy_of: str | None = None) -> dict[str, Any]:
    return {"doc_id": a.doc_id, "url": a.url, "outlet": a.outlet, "title": a.title, "published": a.published,
            "language": a.language, "text": a.text, "source": a.source, "n_events": len(records),
            "ingested_at": now(), "copy_of": copy_of}


_KEY_SQL = ("SELECT id, event_id, event_type, sub_event_type, landmark, event_date, time_precision, iso, admin1, "
            "location, latitude, longitude, geo_precision, actor1, actor2 FROM events WHERE sub_event_type = {p} AND ")


def probe_sql(found: list[Probe], sub_event_type: str, dialect: str) -> tuple[str, tuple]:
    """One UNION ALL of index range scans, as driver SQL: this runs for every report, and building
    a statement with SQLAlchemy cost more than running it.

    Each scan covers the widest date window; the precision of each event then narrows it
    (`Probe.accepts`), on the index's own columns."""
    p = "?" if dialect == "sqlite" else "%s"
    day = (lambda d: d.isoformat()) if dialect == "sqlite" else (lambda d: d)
    widest = max(DAY_TOLERANCE.values())
    parts, params = [], []
    for probe in found:
        if probe.column == "landmark":
            parts.append(_KEY_SQL.format(p=p) + f"landmark = {p}")
            params += [sub_event_type, probe.keys[0]]
            continue
        span = timedelta(days=max(widest, probe.tolerance))
        lo, hi = probe.day - span, probe.day + span
        sql = _KEY_SQL.format(p=p)
        if probe.column == "province":  # the precise events of a province: the country's date index
            sql += f"iso = {p} AND admin1 = {p}"
            params += [sub_event_type, *probe.keys[0].split("|", 1)]
        else:
            sql += f"{probe.column} IN ({', '.join([p] * len(probe.keys))})"
            params += [sub_event_type, *probe.keys]
            if probe.column == "area":
                sql += " AND geo_precision >= 3"  # the partial index holds province-level events only
        sql += f" AND event_date BETWEEN {p} AND {p}"
        params += [day(lo), day(hi)]
        wider = [(t, tol) for t, tol in DAY_TOLERANCE.items() if tol > probe.tolerance]
        if wider:  # narrow by each event's own precision
            near = timedelta(days=probe.tolerance)
            terms = [f"event_date BETWEEN {p} AND {p}"]
            params += [day(probe.day - near), day(probe.day + near)]
            for t, tol in wider:
                terms.append(f"(time_precision = {p} AND event_date BETWEEN {p} AND {p})")
                params += [t, day(probe.day - timedelta(days=tol)), day(probe.day + timedelta(days=tol))]
            sql += " AND (" + " OR ".join(terms) + ")"
        parts.append(sql)
    return " UNION ALL ".join(parts), tuple(params)
