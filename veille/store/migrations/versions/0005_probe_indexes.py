"""Candidate index: one scan per cell for every date precision; mentions keyed by row number.

Revision 0003 filed an event under its date precision and its cell ("1f33:44"),
so a report's candidates took three index scans per cell. Now the cell is the
place's alone ("f33:44") and the date precision is a column of the index, which
narrows each event's date window inside the one scan. Only events with a
landmark are in the landmark index, and only province-level events in the
province index (`area`): a province-level report finds the precise events of
its province through the country's date index, which now holds the province.

Mentions get a row number as their key: their text key (doc_id:record id) was
a second random index to write for every report, and an article is stored
once, in one transaction, so its keys cannot repeat. The columns no query
read (event_type, event_date) go.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for name in ("ix_events_probe_cell", "ix_events_probe_area", "ix_events_landmark", "ix_events_iso_date"):
        op.drop_index(name, table_name="events")
    op.execute("UPDATE events SET cell = substr(cell, 2), area = CASE WHEN geo_precision >= 3 AND iso IS NOT NULL "
               "THEN substr(area, 2) END")
    op.create_index("ix_events_probe_cell", "events", ["sub_event_type", "cell", "event_date", "time_precision"])
    provinces = sa.text("geo_precision >= 3")
    op.create_index("ix_events_probe_area", "events", ["sub_event_type", "area", "event_date", "time_precision"],
                    sqlite_where=provinces, postgresql_where=provinces)
    landmarks = sa.text("landmark IS NOT NULL")
    op.create_index("ix_events_landmark", "events", ["landmark"], sqlite_where=landmarks, postgresql_where=landmarks)
    op.create_index("ix_events_iso_date", "events", ["iso", "event_date", "admin1"])
    op.create_table(
        "mentions_v2",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("mention_id", sa.String(160), nullable=False),
        sa.Column("doc_id", sa.String(64), sa.ForeignKey("articles.doc_id", ondelete="CASCADE"), nullable=False),
        sa.Column("event_ref", sa.Integer, nullable=False),
        sa.Column("spans", sa.Text, nullable=False),
        sa.Column("record", sa.JSON, nullable=False),
    )
    op.execute("INSERT INTO mentions_v2 (mention_id, doc_id, event_ref, spans, record) "
               "SELECT mention_id, doc_id, event_ref, spans, record FROM mentions ORDER BY event_ref, mention_id")
    op.drop_table("mentions")
    op.rename_table("mentions_v2", "mentions")
    op.create_index("ix_mentions_doc_id", "mentions", ["doc_id"])
    op.create_index("ix_mentions_event_ref", "mentions", ["event_ref"])


def downgrade() -> None:
    raise NotImplementedError("veille's store cannot go back to revision 0003: restore a backup made before.")
