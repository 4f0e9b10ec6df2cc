"""The SQLite writer gate: writers queue, across threads and across processes, and give up."""

from __future__ import annotations

import threading

import pytest

from ketapath.errors import ConflictError
from ketapath.store.database import create_database_engine, writer_gate


@pytest.fixture
def engine(tmp_path):
    engine = create_database_engine(f"sqlite:///{tmp_path / 'gate.sqlite3'}")
    yield engine
    engine.dispose()


def _hold(gate, entered: threading.Event, release: threading.Event) -> None:
    with gate:
        entered.set()
        release.wait(5)


@pytest.mark.parametrize("same_gate", [True, False], ids=["threads", "processes"])
def test_a_second_writer_waits_then_gives_up_with_a_conflict(engine, same_gate):
    # Two gates on one database stand for two processes: they exclude each other by flock.
    first = writer_gate(engine, busy_timeout_ms=200)
    second = first if same_gate else writer_gate(engine, busy_timeout_ms=200)
    entered, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold, args=(first, entered, release))
    holder.start()
    try:
        assert entered.wait(5)
        with pytest.raises(ConflictError, match="busy"), second:
            pass
    finally:
        release.set()
        holder.join()
    with second, second:  # free again once the first writer is done; re-entrant in one thread
        pass
