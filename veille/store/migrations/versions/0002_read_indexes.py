"""Indexes for the list queries of the pages and the API.

Events are listed by (event_date, event_id), articles by (published, doc_id),
and outlets grouped by name: with these indexes each list reads one page of an
index instead of sorting the whole table.

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_events_date_id", "events", ["event_date", "event_id"])
    op.create_index("ix_articles_published_doc", "articles", ["published", "doc_id"])
    op.create_index("ix_articles_outlet", "articles", ["outlet"])


def downgrade() -> None:
    op.drop_index("ix_articles_outlet", "articles")
    op.drop_index("ix_articles_published_doc", "articles")
    op.drop_index("ix_events_date_id", "events")
