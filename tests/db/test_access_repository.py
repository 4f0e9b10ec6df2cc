"""Sign-in attempts and signed-out credentials in the store (SQLite and PostgreSQL).

The throttle's questions are answered from the rows (a username's failures since its last
success, an address's failures, within a window), a token's account and revocation come back
from one statement, and revision 0003 adds and removes both tables with their triggers.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import event, inspect, text
from tests.db.conftest import T0

from ketapath.store.audit import SYSTEM
from ketapath.store.database import create_database_engine
from ketapath.store.migrate import alembic_config, head_revision, upgrade
from ketapath.store.repositories import AccessRepository
from ketapath.store.tables import UserRole

WINDOW = timedelta(minutes=5)
JTI = "0123456789abcdef0123456789abcdef"


def _attempt(session, at, *, username="nurse.one", address="10.0.0.7", **outcome):
    outcome.setdefault("succeeded", False)
    return AccessRepository(session, SYSTEM).record_attempt(
        at=at, username=username, client_address=address, **outcome
    )


def _user_failures(session, username="nurse.one", *, now=T0, limit=5):
    return AccessRepository(session, SYSTEM).list_username_failures(
        username, since=now - WINDOW, until=now, limit=limit
    )


def _address_failures(session, address="10.0.0.7", *, now=T0, limit=20):
    return AccessRepository(session, SYSTEM).list_address_failures(
        address, since=now - WINDOW, until=now, limit=limit
    )


def test_an_attempt_keeps_the_username_as_typed_and_casefolded(db_session, physician):
    stored = _attempt(db_session, T0, username="  Dr.LEE ", succeeded=True, user_id=physician.id)

    assert (stored.username, stored.username_folded) == ("  Dr.LEE ", "dr.lee")
    assert (stored.client_address, stored.succeeded, stored.throttled) == ("10.0.0.7", True, False)
    assert stored.user_id == physician.id
    assert stored.at == T0
    assert AccessRepository(db_session, SYSTEM).list_attempts("DR.lee") == (stored,)


def test_a_username_no_one_could_type_is_stored_without_its_nul_and_cut_to_the_column(
    db_session,
):
    stored = _attempt(db_session, T0, username="nurse\x00" + "x" * 300, address="a\x00b")

    assert stored.username == "nurse\ufffd" + "x" * 194
    assert len(stored.username_folded) == 200
    assert stored.client_address == "a\ufffdb"


def test_username_failures_are_newest_first_within_the_window_and_the_limit(db_session):
    for minutes in (-7, -5, -4, -3, -2, -1, 0, 1):
        _attempt(db_session, T0 + timedelta(minutes=minutes), username="Nurse.One")

    failures = _user_failures(db_session, limit=4)

    # -5 is the window's open start and +1 is after now: neither counts.
    assert failures == tuple(T0 + timedelta(minutes=m) for m in (0, -1, -2, -3))


def test_username_failures_before_its_last_success_are_forgotten_even_at_the_same_instant(
    db_session,
):
    for _ in range(4):
        _attempt(db_session, T0)
    _attempt(db_session, T0, succeeded=True)
    _attempt(db_session, T0)

    assert _user_failures(db_session) == (T0,)


def test_attempts_refused_unchecked_are_not_failures(db_session):
    _attempt(db_session, T0, throttled=True)
    _attempt(db_session, T0, username="someone.else", throttled=True)

    assert _user_failures(db_session) == ()
    assert _address_failures(db_session) == ()


def test_address_failures_stay_after_a_success_from_the_address(db_session):
    _attempt(db_session, T0, username="nurse.one")
    _attempt(db_session, T0, username="dr.lee")
    _attempt(db_session, T0, username="nurse.one", succeeded=True)
    _attempt(db_session, T0, username="nurse.one", address="10.0.0.8")

    assert _address_failures(db_session) == (T0, T0)
    assert _user_failures(db_session, "dr.lee") == (T0,)


def test_revoking_twice_records_the_credential_once(db_session, physician):
    access = AccessRepository(db_session, SYSTEM)
    expires_at = T0 + timedelta(minutes=15)

    first = access.revoke(jti=JTI, user_id=physician.id, expires_at=expires_at, revoked_at=T0)
    second = access.revoke(jti=JTI, user_id=physician.id, expires_at=expires_at, revoked_at=T0)

    assert (first, second) == (True, False)
    rows = db_session.execute(text("SELECT jti, user_id FROM credential_revocation")).all()
    assert [(jti, str(user_id).replace("-", "")) for jti, user_id in rows] == [
        (JTI, physician.id.hex)
    ]


def test_token_holder_says_who_and_whether_the_token_was_signed_out(db_session, physician):
    access = AccessRepository(db_session, SYSTEM)

    before = access.find_token_holder(physician.id, JTI)
    access.revoke(jti=JTI, user_id=physician.id, expires_at=T0, revoked_at=T0)
    after = access.find_token_holder(physician.id, JTI)

    assert before is not None
    assert after is not None
    assert (before.username, before.role, before.active) == ("dr.lee", UserRole.PHYSICIAN, True)
    assert before.clinic_id == physician.clinic_id
    assert (before.revoked, after.revoked) == (False, True)
    assert access.find_token_holder(physician.id, "another-token").revoked is False
    assert access.find_token_holder(uuid.uuid4(), JTI) is None


def test_token_holder_is_one_statement_reading_the_account_and_the_revocation(
    db_session, physician
):
    statements: list[str] = []
    connection = db_session.connection()

    def _seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", _seen)
    try:
        AccessRepository(db_session, SYSTEM).find_token_holder(physician.id, JTI)
    finally:
        event.remove(connection, "before_cursor_execute", _seen)

    assert len(statements) == 1
    assert "app_user" in statements[0]
    assert "credential_revocation" in statements[0]
    assert "password_hash" not in statements[0]


def test_sign_in_locks_the_username_and_the_address_until_the_transaction_ends(db_session, backend):
    def held() -> int:
        query = (
            "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
        )
        return int(db_session.execute(text(query)).scalar_one())

    if backend != "postgresql":
        pytest.skip("SQLite's writing transactions already wait for each other")
    before = held()
    AccessRepository(db_session, SYSTEM).lock_sign_in("Nurse.One", "10.0.0.7")

    assert held() == before + 2


def test_downgrade_to_0002_removes_both_tables_and_upgrade_adds_them_with_indexes(fresh_db_url):
    engine = create_database_engine(fresh_db_url)
    try:
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0002")
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            assert {"sign_in_attempt", "credential_revocation"}.isdisjoint(tables)
            assert "drug_library_version" in tables
        engine.dispose()  # SQLite: a pooled connection may keep pragmas of the old schema
        assert upgrade(fresh_db_url) == head_revision()
        with engine.connect() as connection:
            indexes = {ix["name"] for ix in inspect(connection).get_indexes("sign_in_attempt")}
            assert indexes >= {
                "ix_sign_in_attempt_username_folded_at",
                "ix_sign_in_attempt_client_address_at",
            }
    finally:
        engine.dispose()
