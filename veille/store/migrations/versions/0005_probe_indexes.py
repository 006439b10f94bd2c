"""Candidate index: one scan per cell for every date precision.

Revision 0003 filed an event under its date precision and its cell ("1f33:44"),
so a report's candidates took three index scans per cell. Now the cell is the
place's alone ("f33:44") and the date precision is a column of the index, which
narrows each event's date window inside the one scan. Only events with a
landmark are in the landmark index.

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
    for name in ("ix_events_probe_cell", "ix_events_probe_area", "ix_events_landmark"):
        op.drop_index(name, table_name="events")
    op.execute("UPDATE events SET cell = substr(cell, 2), area = substr(area, 2)")
    op.create_index("ix_events_probe_cell", "events", ["sub_event_type", "cell", "event_date", "time_precision"])
    op.create_index("ix_events_probe_area", "events", ["sub_event_type", "area", "event_date", "time_precision"])
    where = sa.text("landmark IS NOT NULL")
    op.create_index("ix_events_landmark", "events", ["landmark"], sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    for name in ("ix_events_probe_cell", "ix_events_probe_area", "ix_events_landmark"):
        op.drop_index(name, table_name="events")
    op.execute("UPDATE events SET area = time_precision || area WHERE area IS NOT NULL")
    op.execute("UPDATE events SET cell = time_precision || cell")
    op.create_index("ix_events_probe_cell", "events", ["sub_event_type", "cell", "event_date"])
    op.create_index("ix_events_probe_area", "events", ["sub_event_type", "area", "event_date"])
    op.create_index("ix_events_landmark", "events", ["landmark"])
