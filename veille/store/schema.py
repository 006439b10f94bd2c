"""Table definitions used by queries; migrations/versions create them (keep both in step)."""
import sqlalchemy as sa

metadata = sa.MetaData()

articles = sa.Table(
    "articles", metadata,
    sa.Column("doc_id", sa.String(64), primary_key=True),
    sa.Column("url", sa.Text), sa.Column("outlet", sa.Text), sa.Column("title", sa.Text),
    sa.Column("published", sa.Date), sa.Column("language", sa.String(8)),
    sa.Column("text", sa.Text, nullable=False), sa.Column("source", sa.Text),
    sa.Column("n_events", sa.Integer, nullable=False, server_default="0"),
    sa.Column("ingested_at", sa.DateTime, nullable=False),
    sa.Index("ix_articles_published_doc", "published", "doc_id"),
    sa.Index("ix_articles_outlet", "outlet"),
    sa.Column("copy_of", sa.String(64), index=True),  # the stored article this one is a copy of
)
article_bands = sa.Table(
    "article_bands", metadata,
    sa.Column("band", sa.String(16), primary_key=True),
    sa.Column("doc_id", sa.String(64), sa.ForeignKey("articles.doc_id", ondelete="CASCADE"), primary_key=True),
)
events = sa.Table(
    "events", metadata,
    # `id` is the row's number, fixed for the event's life (mentions point to it); `event_id` is the public,
    # content-derived id (the smallest hash of its members' keys) and may change when a report joins
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("event_id", sa.String(64), nullable=False, unique=True),
    sa.Column("event_date", sa.Date, nullable=False),
    sa.Column("time_precision", sa.SmallInteger, nullable=False),
    sa.Column("event_type", sa.String(64), nullable=False),
    sa.Column("sub_event_type", sa.String(64), nullable=False),
    sa.Column("iso", sa.String(2)), sa.Column("admin1", sa.Text), sa.Column("location", sa.Text),
    sa.Column("latitude", sa.Float), sa.Column("longitude", sa.Float),
    sa.Column("geo_precision", sa.SmallInteger, nullable=False),
    sa.Column("actor1", sa.Text), sa.Column("actor2", sa.Text),
    sa.Column("fatalities", sa.Integer, nullable=False, server_default="0"),
    sa.Column("background", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("n_articles", sa.Integer, nullable=False, server_default="1"),
    sa.Column("landmark", sa.String(128)),
    sa.Column("cell", sa.String(40), nullable=False),  # veille.dedup.cell
    sa.Column("area", sa.Text),  # veille.dedup.area
    sa.Column("summary", sa.JSON, nullable=False),  # veille.dedup.Summary: the aggregates over the members
    # the candidates of a new report (veille.dedup.probes): the date's precision is in the index, so the
    # scan narrows each event's date window without reading the table
    sa.Index("ix_events_probe_cell", "sub_event_type", "cell", "event_date", "time_precision"),
    sa.Index("ix_events_probe_area", "sub_event_type", "area", "event_date", "time_precision",
             sqlite_where=sa.text("geo_precision >= 3"), postgresql_where=sa.text("geo_precision >= 3")),
    sa.Index("ix_events_landmark", "landmark", sqlite_where=sa.text("landmark IS NOT NULL"),
             postgresql_where=sa.text("landmark IS NOT NULL")),
    sa.Index("ix_events_date_id", "event_date", "event_id"),
    sa.Index("ix_events_iso_date", "iso", "event_date", "admin1"),  # filters by country; a province's events
)
mentions = sa.Table(
    "mentions", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("mention_id", sa.String(160), nullable=False),  # "doc_id:record id" (an article is stored once)
    sa.Column("doc_id", sa.String(64), sa.ForeignKey("articles.doc_id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("event_ref", sa.Integer, nullable=False, index=True),  # events.id (kept by the writer)
    sa.Column("spans", sa.Text, nullable=False),  # the evidence offsets, "start-end start-end"
    sa.Column("record", sa.JSON, nullable=False),  # the article's own record of the event
)
failures = sa.Table(
    "failures", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.Text, nullable=False), sa.Column("doc_id", sa.String(64)),
    sa.Column("problem", sa.Text, nullable=False), sa.Column("fix", sa.Text),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("key", sa.String(64), unique=True),  # input + content id + problem: recorded once
)
runs = sa.Table(
    "runs", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("started_at", sa.DateTime, nullable=False), sa.Column("finished_at", sa.DateTime),
    sa.Column("config", sa.JSON, nullable=False), sa.Column("counts", sa.JSON),
)
