"""Engines: durable SQLite (WAL, FULL sync, foreign keys, busy timeout), psycopg for PostgreSQL,
and timestamps that are aware UTC on both."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from ketapath.errors import ConflictError, InputError
from ketapath.store.audit import SYSTEM
from ketapath.store.database import create_database_engine, translate_database_errors
from ketapath.store.repositories import ClinicRepository, HistoryRepository, UserRepository
from ketapath.store.tables import Clinic, ConditionEntry


def test_sqlite_engine_sets_wal_full_sync_foreign_keys_and_busy_timeout(tmp_path):
    engine = create_database_engine(f"sqlite:///{tmp_path}/k.sqlite3", busy_timeout_ms=1234)
    try:
        with engine.connect() as connection:
            pragmas = {
                name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
            }
    finally:
        engine.dispose()
    # synchronous: 2 is FULL (0 OFF, 1 NORMAL, 3 EXTRA)
    expected = {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1, "busy_timeout": 1234}
    assert pragmas == expected


def test_sqlite_engine_creates_the_database_folder_on_demand(tmp_path):
    folder = tmp_path / "not" / "yet"
    engine = create_database_engine(f"sqlite:///{folder}/ketapath.sqlite3")
    engine.dispose()
    assert folder.is_dir()


def test_postgresql_url_without_driver_uses_psycopg_3():
    engine = create_database_engine("postgresql://clinic@db.invalid/ketapath")
    assert engine.dialect.driver == "psycopg"
    engine.dispose()


@pytest.mark.parametrize(
    "url", ["mysql://root@localhost/k", "not a url"], ids=["mysql", "not a URL"]
)
def test_create_database_engine_refuses_other_databases(url):
    with pytest.raises(InputError, match="`database_url`"):
        create_database_engine(url)


def test_foreign_keys_are_enforced(db_session, physician):
    orphan = ConditionEntry(
        patient_id=uuid.uuid4(),  # no such patient
        section="conditions",
        concept="crps",
        status="active",
        recorded_by=physician.id,
    )

    def store_orphan() -> None:
        with db_session.begin_nested(), translate_database_errors("condition"):
            db_session.add(orphan)
            db_session.flush()

    with pytest.raises(ConflictError, match="Cannot store condition"):
        store_orphan()


def test_timestamps_are_stored_and_read_back_as_aware_utc(db_session):
    paris_summer = timezone(timedelta(hours=2))
    row = Clinic(
        name="Clinique Sud", created_at=datetime(2024, 7, 1, 10, 30, 15, 123456, paris_summer)
    )
    db_session.add(row)
    db_session.flush()
    db_session.expire_all()
    stored = db_session.get(Clinic, row.id)
    assert stored.created_at == datetime(2024, 7, 1, 8, 30, 15, 123456, UTC)
    assert stored.created_at.tzinfo is UTC


def test_naive_timestamp_is_refused_as_input_error(db_session, actor, patient):
    history = HistoryRepository(db_session, actor)
    naive = datetime(2024, 7, 1, 10, 30)
    with pytest.raises(InputError, match="timezone-aware"), db_session.begin_nested():
        history.add_measurement(patient.id, measured_at=naive, weight_kg=70.0)


def test_duplicate_username_becomes_conflict_error(db_session):
    users = UserRepository(db_session, SYSTEM)
    users.create(username="nurse.k", full_name="K", role="nurse", password_hash="h")
    with pytest.raises(ConflictError, match=r"user 'nurse\.k'"), db_session.begin_nested():
        users.create(username="nurse.k", full_name="K2", role="nurse", password_hash="h")


def test_database_server_time_zone_does_not_change_stored_instants(db_session, backend):
    if backend == "postgresql":
        db_session.execute(text("SET LOCAL TIME ZONE 'Asia/Tokyo'"))
    clinic = ClinicRepository(db_session, SYSTEM).create("Tokyo Clinic")
    db_session.expire_all()
    stored = db_session.get(Clinic, clinic.id)
    assert stored.created_at == clinic.created_at
    assert stored.created_at.utcoffset() == timedelta(0)
