"""Events keep aggregates over their reports and are found through an index; mentions point to a fixed row.

An event used to be re-consolidated from all its mentions, and its id (a
hash of all of them) changed with every report, so each new report rewrote
every mention of its event. Now an event has a fixed row number (`id`) that
mentions point to (`event_ref`), its public `event_id` is the smallest hash
of its members' keys, and `summary` holds the aggregates a new report updates
(veille.dedup.Summary). `cell`, `area` and `landmark` are the index a new
report's candidate events are found through (veille.dedup.probes).

Existing events keep their members; their summaries are computed from them.

Revision ID: 0003
Revises: 0002
"""
import json

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events_v2",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("event_id", sa.String(64), nullable=False, unique=True),
        sa.Column("event_date", sa.Date, nullable=False),
        sa.Column("time_precision", sa.SmallInteger, nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("sub_event_type", sa.String(64), nullable=False),
        sa.Column("iso", sa.String(2)),
        sa.Column("admin1", sa.Text),
        sa.Column("location", sa.Text),
        sa.Column("latitude", sa.Float),
        sa.Column("longitude", sa.Float),
        sa.Column("geo_precision", sa.SmallInteger, nullable=False),
        sa.Column("actor1", sa.Text),
        sa.Column("actor2", sa.Text),
        sa.Column("fatalities", sa.Integer, nullable=False, server_default="0"),
        sa.Column("background", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("n_articles", sa.Integer, nullable=False, server_default="1"),
        sa.Column("landmark", sa.String(128)),
        sa.Column("cell", sa.String(40), nullable=False),
        sa.Column("area", sa.Text),
        sa.Column("summary", sa.JSON, nullable=False),
    )
    op.add_column("mentions", sa.Column("event_ref", sa.Integer))
    op.add_column("mentions", sa.Column("spans", sa.Text))
    _summarise_existing_events()
    op.drop_table("events")
    op.rename_table("events_v2", "events")
    op.create_index("ix_events_probe_cell", "events", ["sub_event_type", "cell", "event_date"])
    op.create_index("ix_events_probe_area", "events", ["sub_event_type", "area", "event_date"])
    op.create_index("ix_events_landmark", "events", ["landmark"])
    op.create_index("ix_events_date_id", "events", ["event_date", "event_id"])
    op.create_index("ix_events_iso_date", "events", ["iso", "event_date"])
    for name in ("ix_mentions_event_id", "ix_mentions_event_type", "ix_mentions_event_date"):
        op.drop_index(name, table_name="mentions")
    with op.batch_alter_table("mentions") as batch:
        batch.drop_column("event_id")
        batch.alter_column("event_ref", existing_type=sa.Integer, nullable=False)
        batch.alter_column("spans", existing_type=sa.Text, nullable=False)
        batch.create_index("ix_mentions_event_ref", ["event_ref"])


def _summarise_existing_events() -> None:
    from veille.dedup import Summary
    from veille.records import EventRecord
    from veille.store.writer import event_row, spans

    conn = op.get_bind()
    mentions = sa.table("mentions", sa.column("mention_id"), sa.column("event_id"), sa.column("record"),
                        sa.column("event_ref"), sa.column("spans"))
    new = sa.table("events_v2", *(sa.column(c) for c in (
        "id", "event_id", "event_date", "time_precision", "event_type", "sub_event_type", "iso", "admin1",
        "location", "latitude", "longitude", "geo_precision", "actor1", "actor2", "fatalities", "background",
        "n_articles", "landmark", "cell", "area")), sa.column("summary", sa.JSON))
    groups: dict[str, list[tuple[str, EventRecord]]] = {}
    for mid, eid, rec in conn.execute(sa.select(mentions.c.mention_id, mentions.c.event_id, mentions.c.record)):
        record = EventRecord.from_dict(json.loads(rec) if isinstance(rec, str) else rec)
        groups.setdefault(eid or mid, []).append((mid, record))
    for ref, key in enumerate(sorted(groups), start=1):
        members = groups[key]
        row = event_row(ref, Summary.of(r for _, r in members))
        tier = row["time_precision"] if row["time_precision"] in (1, 2, 3) else 1  # this revision's cells
        row["cell"] = f"{tier}{row['cell']}"
        row["area"] = f"{tier}{row['area']}" if row["area"] is not None else None
        conn.execute(new.insert(), row)
        conn.execute(mentions.update().where(mentions.c.mention_id == sa.bindparam("mid"))
                     .values(event_ref=ref, spans=sa.bindparam("sp")),
                     [{"mid": mid, "sp": spans(r)} for mid, r in members])


def downgrade() -> None:
    raise NotImplementedError("veille's store cannot go back to revision 0002: restore a backup made before.")
