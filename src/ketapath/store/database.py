"""Engines and sessions: SQLite (WAL, durable, serialised writers) or PostgreSQL (psycopg 3).

Both databases must behave the same for the records of a clinic:

- **SQLite**: WAL journal (readers never block the writer), ``synchronous=FULL`` (a committed
  write survives a power cut: a clinic cannot lose an acknowledged record), foreign keys ON, and
  a busy timeout so that a second writer waits instead of failing. Every transaction starts with
  ``BEGIN IMMEDIATE``, which takes the write lock up front: two writers are serialised rather
  than deadlocked on a lock upgrade, and the audit chain's head is read under that lock.
- **PostgreSQL**: ``postgresql+psycopg://user@host/db``; the audit chain is serialised with a row
  lock on its head (see `ketapath.store.audit`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, StatementError
from sqlalchemy.orm import Session, sessionmaker

from ketapath.errors import ConflictError, InputError, KetaPathError

__all__ = [
    "SUPPORTED_BACKENDS",
    "create_database_engine",
    "create_session_factory",
    "translate_database_errors",
]

SUPPORTED_BACKENDS = ("sqlite", "postgresql")
_DEFAULT_BUSY_TIMEOUT_MS = 5000


def _parse_url(url: str | URL) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError:
        shown = url if isinstance(url, str) else url.render_as_string(hide_password=True)
        msg = f"`database_url` must be a SQLAlchemy URL such as sqlite:///file (got {shown!r})."
        raise InputError(msg, field="database_url") from None
    if parsed.get_backend_name() not in SUPPORTED_BACKENDS:
        msg = (
            f"`database_url` must be a {' or '.join(SUPPORTED_BACKENDS)} URL "
            f"(got {parsed.get_backend_name()!r})."
        )
        raise InputError(msg, field="database_url", value=parsed.get_backend_name())
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3 is the one installed
    return parsed


def create_database_engine(
    url: str | URL, *, echo: bool = False, busy_timeout_ms: int = _DEFAULT_BUSY_TIMEOUT_MS
) -> Engine:
    """Create the engine for `url`, with the pragmas and transaction mode described above.

    Parameters
    ----------
    url : str or URL
        ``sqlite:///path/to/file.sqlite3`` (its folder is created on demand), ``sqlite://`` (in
        memory, for experiments) or ``postgresql+psycopg://user:password@host:5432/db``.
    echo : bool
        Log every SQL statement.
    busy_timeout_ms : int
        SQLite only: how long a writer waits for the lock, in ms.

    Raises
    ------
    InputError
        When `url` is not a SQLite or PostgreSQL URL.
    """
    parsed = _parse_url(url)
    if parsed.get_backend_name() == "postgresql":
        return create_engine(parsed, echo=echo, pool_pre_ping=True)
    database = parsed.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, echo=echo, connect_args={"timeout": busy_timeout_ms / 1000})
    _configure_sqlite(engine, busy_timeout_ms)
    return engine


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: object) -> None:  # noqa: ANN401  # DB-API object
        # Let SQLAlchemy emit BEGIN itself (below) instead of the sqlite3 module's legacy mode.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:  # noqa: ANN401  # SQLAlchemy Connection
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return the session factory for `engine`.

    Objects stay readable after commit (``expire_on_commit=False``): a service returns the
    records it wrote without a second round trip.
    """
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def translate_database_errors(what: str) -> Iterator[None]:
    """Translate what a write inside the block raises into the KetaPath errors.

    A database `IntegrityError` (a duplicate, a missing reference, a refused update) becomes
    `ConflictError`; a KetaPath error raised while binding a value (a naive timestamp) comes out
    as itself instead of wrapped in SQLAlchemy's `StatementError`.

    Parameters
    ----------
    what : str
        What was being written, for the message (``"user 'alice'"``).
    """
    try:
        yield
    except IntegrityError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else "conflict"
        raise ConflictError(f"Cannot store {what}: {reason}.") from exc
    except StatementError as exc:
        if isinstance(exc.orig, KetaPathError):
            raise exc.orig from None
        raise
