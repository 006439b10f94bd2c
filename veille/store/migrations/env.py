"""Alembic environment for veille's store (the connection comes from Store.upgrade)."""
from alembic import context

from veille.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
