"""Sign-ins and sign-outs kept in the database, seen by every process of a server.

Each test has a migrated database of its own (SQLite and PostgreSQL) and two `Services` built
on it, each with its own engine and connections, as two worker processes of one server would
have; their units of work commit for real. The clock is the test's.
"""

from __future__ import annotations

import dataclasses
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import String, Text, select
from tests.services.conftest import T0, Clock

from ketapath.config import Settings
from ketapath.errors import InputError
from ketapath.services.access.auth import Credential, check_credential, log_in, log_out
from ketapath.services.access.throttle import LoginThrottle
from ketapath.services.access.users import create_user
from ketapath.services.context import Services, create_services
from ketapath.store.audit import SYSTEM
from ketapath.store.repositories import AccessRepository
from ketapath.store.tables import Base

PASSWORD = "correct horse battery staple"
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@dataclasses.dataclass
class Server:
    """Two processes of one server on one database, and the ids of its two accounts."""

    first: Services
    second: Services
    nurse_id: uuid.UUID
    physician_id: uuid.UUID
    restarted: list[Services] = dataclasses.field(default_factory=list)

    def restart(self) -> Services:
        """A process started after the others (nothing in memory), on the same database."""
        self.restarted.append(_process(self.first.settings, self.first.clock))
        return self.restarted[-1]


def _process(settings: Settings, clock: Clock) -> Services:
    services = create_services(settings, clock=clock)
    return dataclasses.replace(services, password_hasher=FAST_HASHER)


@pytest.fixture
def server(backend, databases, clock) -> Iterator[Server]:
    settings = Settings(environment="test", database_url=databases.create(backend))
    first, second = _process(settings, clock), _process(settings, clock)
    with first.unit_of_work() as session:
        ids = [
            create_user(
                session,
                username=name,
                full_name=name.title(),
                role=role,
                password=PASSWORD,
                hasher=FAST_HASHER,
            ).id
            for name, role in (("nurse.one", "nurse"), ("dr.lee", "physician"))
        ]
    server = Server(first=first, second=second, nurse_id=ids[0], physician_id=ids[1])
    try:
        yield server
    finally:
        for services in (first, second, *server.restarted):
            services.dispose()


def _try(services: Services, password: str, username: str = "nurse.one", address="10.0.0.7"):
    return log_in(services, username=username, password=password, client_address=address)


def _attempts(services: Services, username: str = "nurse.one"):
    with services.read_only() as session:
        return AccessRepository(session, SYSTEM).list_attempts(username)


def test_failures_in_two_processes_count_towards_one_limit(server):
    for services in (server.first, server.second, server.first, server.second, server.first):
        assert _try(services, "a wrong guess").principal is None

    refused = _try(server.second, PASSWORD)  # the right password is not even checked now

    assert (refused.principal, refused.retry_after_s) == (None, 300)
    assert _try(server.restart(), PASSWORD).retry_after_s == 300


def test_the_limit_lifts_when_the_first_failure_leaves_the_five_minute_window(server, clock):
    for services in (server.first, server.second) * 2:
        _try(services, "a wrong guess")
    clock.advance(minutes=1)
    _try(server.first, "a wrong guess")

    clock.advance(minutes=3, seconds=59)
    assert _try(server.second, PASSWORD).retry_after_s == 1
    clock.advance(seconds=1)
    assert _try(server.second, PASSWORD).principal is not None


def test_a_success_in_one_process_forgets_the_usernames_failures_in_the_other(server):
    for _ in range(4):
        _try(server.first, "a wrong guess")
    assert _try(server.second, PASSWORD).principal is not None
    for _ in range(4):  # all at the same instant: the order of the attempts decides
        assert _try(server.first, "a wrong guess").retry_after_s is None

    assert _try(server.first, PASSWORD).principal is not None


def test_failures_from_one_address_lock_it_out_for_every_username_in_every_process(server):
    for n in range(20):
        _try((server.first, server.second)[n % 2], "a guess", username=f"user.{n}")

    from_there = _try(server.first, PASSWORD, username="dr.lee")
    from_elsewhere = _try(server.second, PASSWORD, username="dr.lee", address="10.0.0.8")

    assert from_there.retry_after_s == 300
    assert from_elsewhere.principal is not None


def test_parallel_guesses_in_two_processes_are_counted_one_after_the_other(server):
    def guess(n: int):
        services = (server.first, server.second)[n % 2]
        return _try(services, f"guess number {n}", address=f"10.0.1.{n}")

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(guess, range(12)))

    checked = [outcome for outcome in outcomes if outcome.retry_after_s is None]
    assert len(checked) == 5
    assert sorted(a.throttled for a in _attempts(server.first)) == [False] * 5 + [True] * 7


class _HeldHasher(PasswordHasher):
    """Argon2 whose password check waits for the test: the sign-in is then mid-check."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.checking, self.release = threading.Event(), threading.Event()

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.checking.set()
        self.release.wait(timeout=30)
        return super().verify(hash, password)


def test_a_sign_in_checking_its_password_holds_up_no_writer(server):
    # Argon2 takes tens of milliseconds: on SQLite, a sign-in that hashed inside its writing
    # transaction would hold every writer of every process for that long.
    hasher = _HeldHasher()
    signing_in = dataclasses.replace(server.first, password_hasher=hasher)
    with ThreadPoolExecutor(max_workers=1) as pool:
        outcome = pool.submit(_try, signing_in, PASSWORD)
        assert hasher.checking.wait(timeout=30)
        try:
            with server.second.unit_of_work() as session:  # another process writes meanwhile
                create_user(
                    session,
                    username="nurse.two",
                    full_name="Nurse Two",
                    role="nurse",
                    password=PASSWORD,
                    hasher=FAST_HASHER,
                )
            still_checking = not outcome.done()
        finally:
            hasher.release.set()
        signed_in = outcome.result(timeout=30)

    assert still_checking
    assert signed_in.principal is not None
    assert [a.succeeded for a in _attempts(server.first)] == [True]


def test_every_attempt_is_recorded_with_how_it_ended(server):
    _try(server.first, PASSWORD)
    _try(server.second, "a wrong guess")
    _try(server.first, "a wrong guess", username="NURSE.ONE", address=None)
    for _ in range(3):
        _try(server.second, "a wrong guess")
    _try(server.first, PASSWORD)

    attempts = _attempts(server.first)
    assert [(a.username, a.client_address) for a in attempts[:3]] == [
        ("nurse.one", "10.0.0.7"),
        ("nurse.one", "10.0.0.7"),
        ("NURSE.ONE", None),  # as typed: no account has that exact name
    ]
    assert {a.username_folded for a in attempts} == {"nurse.one"}
    assert [(a.succeeded, a.throttled) for a in attempts] == [(True, False)] + [
        (False, False)
    ] * 5 + [(False, True)]
    assert [a.user_id for a in attempts] == [server.nurse_id] * 2 + [None] + [
        server.nurse_id
    ] * 3 + [None]
    assert {a.at for a in attempts} == {T0}


def test_no_password_is_stored_anywhere_in_the_database(server):
    typed = ["a wrong guess 1", "another wrong guess 2", PASSWORD]
    for password in typed:
        _try(server.first, password)

    found = []
    with server.second.read_only() as session:
        for table in Base.metadata.sorted_tables:
            texts = [c for c in table.columns if isinstance(c.type, (String, Text))]
            for row in session.execute(select(*texts)) if texts else ():
                found += [value for value in row if any(p in str(value) for p in typed)]
    assert found == []
    assert len(_attempts(server.first)) == 3


def test_a_credential_signed_out_in_one_process_is_refused_by_another(server):
    principal = _try(server.first, PASSWORD).principal
    assert principal is not None
    credential = Credential(
        kind="access", jti=uuid.uuid4().hex, user_id=principal.user_id, expires_at=T0
    )
    other_jti = uuid.uuid4().hex

    before = check_credential(server.second, user_id=principal.user_id, jti=credential.jti)
    log_out(server.first, credential)
    log_out(server.first, credential)  # a second sign-out changes nothing
    after = check_credential(server.second, user_id=principal.user_id, jti=credential.jti)
    restarted = check_credential(server.restart(), user_id=principal.user_id, jti=credential.jti)
    other = check_credential(server.second, user_id=principal.user_id, jti=other_jti)

    assert (before.principal, before.revoked) == (principal, False)
    assert (after.principal, after.revoked) == (None, True)
    assert restarted.revoked
    assert other.principal == principal  # another sign-in of the same user still works


def test_an_unknown_account_gives_no_principal_and_no_revocation(server):
    check = check_credential(server.first, user_id=uuid.uuid4(), jti=uuid.uuid4().hex)

    assert (check.principal, check.revoked) == (None, False)


def test_a_username_with_a_nul_is_an_unknown_account_not_an_error(server):
    outcome = _try(server.first, PASSWORD, username="nurse.one\x00")

    assert (outcome.principal, outcome.retry_after_s) == (None, None)
    assert [a.username for a in _attempts(server.first, "nurse.one\ufffd")] == ["nurse.one\ufffd"]


def test_a_throttle_with_an_impossible_limit_is_refused():
    with pytest.raises(InputError, match="`max_failures_per_username` must be an integer >= 1"):
        LoginThrottle(max_failures_per_username=0)
    with pytest.raises(InputError, match="`window` must be longer than zero"):
        LoginThrottle(window=timedelta(0))
