"""The session row lock on PostgreSQL: writers of one session queue, of two sessions do not.

A use case that checks a session's status and then writes (pause, resume, a rate change, stop)
first locks the session's row (`SessionRepository.lock`, ``SELECT ... FOR UPDATE``), so that a
pause racing a rate change cannot leave a paused session with a new running segment. Each test
has a migrated database of its own and use cases that commit for real, each transaction on its
own pooled connection. Transaction A is written out here (the repository's lock, or the steps of
a use case) and held open; transaction B is a use case in another thread. PostgreSQL itself says
when B waits for A (``pg_blocking_pids``); no test relies on how fast anything runs.

SQLite has no row locks: its writers already hold the whole database one after the other (the
writer gate, tested in ``tests/db/test_writer_gate.py``), so these tests are skipped there.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

import pytest
from psycopg.errors import LockNotAvailable
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from tests.services.conftest import World, signed_plan, started_session

from ketapath.config import Settings
from ketapath.errors import ConflictError
from ketapath.services.care import sessions
from ketapath.services.care.infusion import read_chart, set_rate
from ketapath.services.context import Services, create_services
from ketapath.store.repositories import SessionRepository
from ketapath.store.tables import SessionStatus, TreatmentSession

T = TypeVar("T")
HANG_S = 30.0
"""How long a test waits for a thread before it calls the run hung (never reached when the
lock works: B is released the moment A commits)."""

_BLOCKED_BY = text(
    "SELECT query FROM pg_stat_activity WHERE CAST(:holder AS integer) = ANY(pg_blocking_pids(pid))"
)


@pytest.fixture
def services(backend, databases, clock) -> Iterator[Services]:
    """Use cases that commit, on a database of this test's own (replaces the rolled-back one,
    so `world` registers its clinic and users here)."""
    if backend != "postgresql":
        pytest.skip("SQLite's writers already hold the whole database one after the other")
    settings = Settings(environment="test", database_url=databases.create(backend))
    services = create_services(settings, clock=clock)
    try:
        yield services
    finally:
        services.dispose()


def _new_session(world: World, mrn: str) -> uuid.UUID:
    """A started session (no rate yet) of a new patient's signed plan."""
    return started_session(world, signed_plan(world, world.add_patient(mrn)))


def _backend_pid(session: Session) -> int:
    return int(session.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _queries_blocked_by(services: Services, holder_pid: int, waiter: Future[Any]) -> list[str]:
    """The statements that wait for `holder_pid`'s locks, once there are some, or [] when
    `waiter` ends first."""
    deadline = time.monotonic() + HANG_S
    while not waiter.done() and time.monotonic() < deadline:
        # A new transaction each time: pg_stat_activity is a snapshot within one.
        with services.read_only() as session:
            queries = list(session.execute(_BLOCKED_BY, {"holder": holder_pid}).scalars())
        if queries:
            return queries
        time.sleep(0.005)
    return []


def _is_locked(services: Services, session_id: uuid.UUID) -> bool:
    """Whether another transaction holds the session's row (a ``NOWAIT`` lock is refused)."""
    query = select(TreatmentSession.id).where(TreatmentSession.id == session_id)
    try:
        with services.unit_of_work() as session:
            # NOWAIT covers the row; a lock on the whole table would still be waited for.
            session.execute(text(f"SET LOCAL lock_timeout = {int(HANG_S * 1000)}"))
            session.execute(query.with_for_update(nowait=True))
    except OperationalError as exc:
        if isinstance(exc.orig, LockNotAvailable):
            return True
        raise
    return False


def _noting(done: list[str], label: str, use_case: Callable[[], T]) -> Callable[[], T]:
    """`use_case`, which appends `label` to `done` when it returns or raises."""

    def run() -> T:
        try:
            return use_case()
        finally:
            done.append(label)

    return run


def _noted_rate_change(world: World, session_id: uuid.UUID, done: list[str]) -> Callable[[], Any]:
    """Transaction B: a rate change to 20 mg/h, noting "B finished" in `done`."""
    change = partial(
        sessions.change_rate, world.services, world.nurse, session_id=session_id, rate_mg_per_h=20.0
    )
    return _noting(done, "B finished", change)


def test_a_rate_change_waits_for_a_pause_holding_the_lock_and_then_sees_it(world, clock):
    session_id = _new_session(world, "MRN-1")
    clock.advance(minutes=10)
    done: list[str] = []
    change = _noted_rate_change(world, session_id, done)

    with ThreadPoolExecutor(max_workers=1) as pool:
        with world.services.unit_of_work() as session:  # transaction A
            repo = SessionRepository(session, world.physician.to_actor())
            repo.lock(session_id)
            rate_change = pool.submit(change)  # transaction B
            waiting = _queries_blocked_by(world.services, _backend_pid(session), rate_change)

            assert not rate_change.done()
            assert len(waiting) == 1
            assert "FOR UPDATE" in waiting[0]
            assert "treatment_session" in waiting[0]
            repo.pause(session_id, at=clock.now, reason="nausea")
            done.append("A commits")  # before the commit: B cannot end until it is done
        with pytest.raises(ConflictError, match="is paused: cannot change the rate"):
            rate_change.result(timeout=HANG_S)

    assert done == ["A commits", "B finished"]
    chart = sessions.get_chart(world.services, world.nurse, session_id=session_id)
    assert chart.session.status is SessionStatus.PAUSED
    assert chart.doses == ()  # no segment runs in the paused session


def test_a_pause_waits_for_a_rate_change_holding_the_lock_and_ends_its_new_segment(world, clock):
    session_id = _new_session(world, "MRN-1")
    rate_at = clock.advance(minutes=10)  # A's rate, set with this time
    pause_at = clock.advance(minutes=5)  # B's pause, at the clock's time once it has the lock
    done: list[str] = []
    pause = _noting(
        done,
        "B finished",
        partial(
            sessions.pause_session,
            world.services,
            world.nurse,
            session_id=session_id,
            reason="nausea",
        ),
    )

    with ThreadPoolExecutor(max_workers=1) as pool:
        with world.services.unit_of_work() as session:  # transaction A: a rate change
            chart = read_chart(session, world.nurse, session_id, for_writing=True)
            paused = pool.submit(pause)  # transaction B
            waiting = _queries_blocked_by(world.services, _backend_pid(session), paused)

            assert not paused.done()
            assert len(waiting) == 1
            set_rate(session, world.nurse, chart, now=rate_at, rate_mg_per_h=20.0)
            done.append("A commits")
        record = paused.result(timeout=HANG_S)

    assert done == ["A commits", "B finished"]
    assert (record.status, record.paused_at) == (SessionStatus.PAUSED, pause_at)
    chart = sessions.get_chart(world.services, world.nurse, session_id=session_id)
    (segment,) = chart.doses
    assert (segment.record.time, segment.record.end) == (rate_at, pause_at)  # ended by B


def test_a_lock_on_one_session_does_not_hold_up_a_rate_change_of_another(world, clock):
    held_id, other_id = _new_session(world, "MRN-1"), _new_session(world, "MRN-2")
    clock.advance(minutes=10)
    done: list[str] = []
    change = _noted_rate_change(world, other_id, done)

    with ThreadPoolExecutor(max_workers=1) as pool, world.services.unit_of_work() as session:
        SessionRepository(session, world.physician.to_actor()).lock(held_id)  # transaction A
        assert _is_locked(world.services, held_id)
        assert not _is_locked(world.services, other_id)

        rate_change = pool.submit(change).result(timeout=HANG_S)  # transaction B

        assert _is_locked(world.services, held_id)  # A still holds its session
        done.append("A commits")

    assert done == ["B finished", "A commits"]
    assert (rate_change.rate_mg_per_h, rate_change.started_at) == (20.0, clock.now)
    assert not _is_locked(world.services, held_id)
    chart = sessions.get_chart(world.services, world.nurse, session_id=other_id)
    assert [dose.record.rate_mg_per_h for dose in chart.doses] == [20.0]
