"""Engines and sessions: SQLite (WAL, durable, serialised writers) or PostgreSQL (psycopg 3).

Both databases must behave the same for the records of a clinic:

- **SQLite**: WAL journal (readers never block the writer), ``synchronous=FULL`` (a committed
  write survives a power cut: a clinic cannot lose an acknowledged record), foreign keys ON, and
  a busy timeout so that a writer of another process waits instead of failing. Every writing
  transaction starts with ``BEGIN IMMEDIATE``, which takes the write lock up front: two writers
  are serialised rather than deadlocked on a lock upgrade, and the audit chain's head is read
  under that lock. Writers first queue on a gate (`writer_gate`): a lock within the process and
  an exclusive ``flock`` of a file beside the database across processes (several server workers,
  a command run beside the server), so that a waiting writer starts the moment the one before
  commits instead of polling in SQLite's busy handler.
- **PostgreSQL**: ``postgresql+psycopg://user@host/db``; the audit chain is serialised with a row
  lock on its head (see `ketapath.store.audit`).

A read-only session (`create_session_factory(engine, read_only=True)`) takes no write lock: a
plain ``BEGIN`` on SQLite (WAL readers see the last commit and never wait), a ``READ ONLY``
transaction on PostgreSQL (a write in it is refused).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from types import TracebackType
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover  # Windows
    fcntl = None  # type: ignore[assignment]  # then only threads of one process queue

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, StatementError
from sqlalchemy.orm import Session, sessionmaker

from ketapath.errors import ConflictError, InputError, KetaPathError

__all__ = [
    "READ_ONLY_OPTION",
    "SUPPORTED_BACKENDS",
    "create_database_engine",
    "create_session_factory",
    "translate_database_errors",
    "writer_gate",
]

SUPPORTED_BACKENDS = ("sqlite", "postgresql")
_DEFAULT_BUSY_TIMEOUT_MS = 5000
# A writer of another process holds the lock for a millisecond or two: look again soon, then
# less and less often, so that a hand-over between processes costs tens of microseconds.
_FIRST_PAUSE_S, _LONGEST_PAUSE_S = 0.00002, 0.001
READ_ONLY_OPTION = "ketapath_read_only"
"""The execution option of read-only sessions (`create_session_factory(read_only=True)`)."""


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
        read_only = connection.get_execution_options().get(READ_ONLY_OPTION, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def create_session_factory(engine: Engine, *, read_only: bool = False) -> sessionmaker[Session]:
    """Return the session factory for `engine` (read-only sessions with `read_only`).

    Objects stay readable after commit (``expire_on_commit=False``): a service returns the
    records it wrote without a second round trip.
    """
    if read_only:
        bound = engine.execution_options(**{READ_ONLY_OPTION: True, "postgresql_readonly": True})
        return sessionmaker(bind=bound, expire_on_commit=False)
    return sessionmaker(bind=engine, expire_on_commit=False)


class _WriterGate:
    """A re-entrant lock of this process's threads, and an ``flock`` of a file across processes.

    Re-entrant so that a unit of work opened inside another fails on SQLite's own lock with a
    clear error instead of hanging. A writer waits at most `timeout_s` (the busy timeout), then
    gets `ConflictError`, as it would from SQLite. Where ``fcntl`` does not exist (Windows), only
    the process's own threads queue here; other processes wait in SQLite's busy handler.
    """

    def __init__(self, lock_file: Path | None, timeout_s: float) -> None:
        self._lock = threading.RLock()
        self._lock_file = lock_file
        self._timeout_s = timeout_s
        self._fd: int | None = None
        self._depth = 0

    def __enter__(self) -> None:
        deadline = time.monotonic() + self._timeout_s
        if not self._lock.acquire(timeout=self._timeout_s):
            raise _busy(self._timeout_s)
        try:
            if self._depth == 0 and self._lock_file is not None and fcntl is not None:
                self._lock_other_processes(deadline)
        except BaseException:
            self._lock.release()
            raise
        self._depth += 1

    def _lock_other_processes(self, deadline: float) -> None:
        if self._fd is None:
            self._fd = os.open(self._lock_file or "", os.O_RDWR | os.O_CREAT, 0o600)
        pause = _FIRST_PAUSE_S
        while True:  # flock has no timeout: try, and sleep a little longer, until the deadline
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise _busy(self._timeout_s) from None
                time.sleep(pause)
                pause = min(2 * pause, _LONGEST_PAUSE_S)

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _exc: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None and fcntl is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._lock.release()


def _busy(timeout_s: float) -> ConflictError:
    return ConflictError(
        f"The database is busy: another writer held it for more than {timeout_s:g} s; "
        "nothing was written, try again."
    )


def writer_gate(
    engine: Engine, *, busy_timeout_ms: int = _DEFAULT_BUSY_TIMEOUT_MS
) -> AbstractContextManager[object]:
    """Return what the writers on `engine` hold for their whole transaction.

    SQLite: `_WriterGate` on ``<database>.writers.lock`` (see the module's notes), so that they
    take the database's write lock one after the other. PostgreSQL: nothing; its row locks
    queue writers without polling.
    """
    if engine.dialect.name != "sqlite":
        return nullcontext()
    database = engine.url.database
    on_disk = bool(database) and database != ":memory:" and not str(database).startswith("file:")
    lock_file = Path(f"{database}.writers.lock").expanduser() if on_disk else None
    return _WriterGate(lock_file, busy_timeout_ms / 1000)


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
