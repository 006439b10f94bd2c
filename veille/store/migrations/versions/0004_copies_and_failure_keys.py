"""Copies of articles (near-duplicate fingerprints) and failures recorded once.

- articles.copy_of: the stored article this one is a near-identical copy of (veille/fingerprint.py);
  a copy's events are not stored again.
- article_bands: the MinHash LSH band keys of each article, to find copies.
- failures.key: a digest of the input, the article's content id and the problem; a failure is
  recorded once per key.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("copy_of", sa.String(64), nullable=True))
        batch.create_index("ix_articles_copy_of", ["copy_of"])
    op.create_table(
        "article_bands",
        sa.Column("band", sa.String(16), nullable=False),
        sa.Column("doc_id", sa.String(64), sa.ForeignKey("articles.doc_id", ondelete="CASCADE"), nullable=False),
        sa.PrimaryKeyConstraint("band", "doc_id"),
    )
    with op.batch_alter_table("failures") as batch:
        batch.add_column(sa.Column("key", sa.String(64), nullable=True))
        batch.create_index("ix_failures_key", ["key"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("failures") as batch:
        batch.drop_index("ix_failures_key")
        batch.drop_column("key")
    op.drop_table("article_bands")
    with op.batch_alter_table("articles") as batch:
        batch.drop_index("ix_articles_copy_of")
        batch.drop_column("copy_of")
