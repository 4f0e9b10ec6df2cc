"""Bring a database to the newest schema (``alembic upgrade head``), for the CLI and the tests."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from ketapath.store.database import create_database_engine

__all__ = ["alembic_config", "current_revision", "head_revision", "upgrade"]


def alembic_config() -> Config:
    """Return the Alembic configuration of the KetaPath migrations (no ini file needed)."""
    config = Config()
    config.set_main_option("script_location", str(files("ketapath.store") / "migrations"))
    return config


def head_revision() -> str:
    """Return the newest revision id of the migrations."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover  # the package always ships its initial revision
        raise RuntimeError("The KetaPath migrations have no revision.")
    return head


def current_revision(engine: Engine) -> str | None:
    """Return the revision the database is at, or None when it was never migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(url: str, *, revision: str = "head") -> str:
    """Migrate the database at `url` up to `revision` (default: the newest).

    Parameters
    ----------
    url : str
        SQLAlchemy URL of the database; a SQLite file and its folder are created when missing.
    revision : str
        Target revision.

    Returns
    -------
    str
        The revision the database is at afterwards.
    """
    engine = create_database_engine(url)
    try:
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
        reached = current_revision(engine)
    finally:
        engine.dispose()
    return reached or "base"
