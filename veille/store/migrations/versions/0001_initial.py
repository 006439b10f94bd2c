"""Initial schema: articles, mentions, events, failures, runs.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("doc_id", sa.String(64), primary_key=True),
        sa.Column("url", sa.Text),
        sa.Column("outlet", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("published", sa.Date),
        sa.Column("language", sa.String(8)),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("source", sa.Text),
        sa.Column("n_events", sa.Integer, nullable=False, server_default="0"),
        sa.Column("ingested_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("event_date", sa.Date, nullable=False, index=True),
        sa.Column("event_type", sa.String(64), nullable=False, index=True),
        sa.Column("sub_event_type", sa.String(64), nullable=False),
        sa.Column("iso", sa.String(2), index=True),
        sa.Column("admin1", sa.Text),
        sa.Column("location", sa.Text),
        sa.Column("latitude", sa.Float),
        sa.Column("longitude", sa.Float),
        sa.Column("actor1", sa.Text),
        sa.Column("actor2", sa.Text),
        sa.Column("fatalities", sa.Integer, nullable=False, server_default="0"),
        sa.Column("background", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("n_articles", sa.Integer, nullable=False, server_default="1"),
        sa.Column("record", sa.JSON, nullable=False),
    )
    op.create_table(
        "mentions",
        sa.Column("mention_id", sa.String(160), primary_key=True),
        sa.Column("doc_id", sa.String(64), sa.ForeignKey("articles.doc_id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("event_id", sa.String(64), index=True),
        sa.Column("event_type", sa.String(64), nullable=False, index=True),
        sa.Column("event_date", sa.Date, nullable=False, index=True),
        sa.Column("record", sa.JSON, nullable=False),
    )
    op.create_table(
        "failures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("doc_id", sa.String(64)),
        sa.Column("problem", sa.Text, nullable=False),
        sa.Column("fix", sa.Text),
        sa.Column("at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("config", sa.JSON, nullable=False),
        sa.Column("counts", sa.JSON),
    )


def downgrade() -> None:
    for table in ("runs", "failures", "mentions", "events", "articles"):
        op.drop_table(table)
