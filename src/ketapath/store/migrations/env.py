"""Alembic environment: migrate the database given by the caller, or by `Settings`.

`ketapath.store.migrate.upgrade` passes an open connection in ``config.attributes``; run from the
``alembic`` command line, the URL comes from ``sqlalchemy.url`` or else from `load_settings`
(``KETAPATH_DATABASE_URL``). Offline (``--sql``) mode is not supported: the schema always comes
from running the migrations against a database.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from ketapath.config import load_settings
from ketapath.store.database import create_database_engine
from ketapath.store.tables import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters by copying tables
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the caller's connection, or on a new one."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or load_settings().database_url
    engine = create_database_engine(url)
    try:
        with engine.connect() as new_connection:
            _run(new_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("KetaPath migrations run online only (no --sql).")
run_migrations_online()
