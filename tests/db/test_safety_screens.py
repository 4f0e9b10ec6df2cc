"""Safety screens in the store: every dependence and urinary screen is kept, a negative one too,
with its answers as given and its findings; the rows are insert-only from revision 0004 on, on
both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from ketapath.clinical.safety import DependenceScreen, assess_dependence
from ketapath.store.audit import AuditAction, write_pending_entries
from ketapath.store.database import create_database_engine
from ketapath.store.migrate import alembic_config, head_revision, upgrade
from ketapath.store.records import SafetyScreenRecord, ScreenKind
from ketapath.store.repositories import FollowUpRepository
from ketapath.store.tables import AuditEntry
from ketapath.store.tables.followup import SafetyScreen

T0 = datetime(2024, 5, 6, 8, 0, tzinfo=UTC)
NO_SIGNALS = {
    "tolerance": False,
    "craving": False,
    "street_use": False,
    "social_withdrawal": False,
    "withdrawal_symptoms": False,
}


def _dependence(at: datetime, **signals: bool) -> SafetyScreenRecord:
    answers = {**NO_SIGNALS, **signals}
    findings = assess_dependence(DependenceScreen(time=at, **answers))
    return SafetyScreenRecord(
        kind=ScreenKind.DEPENDENCE, screened_at=at, answers=answers, findings=tuple(findings)
    )


def _insert_in_savepoint(session, row) -> None:
    """Insert `row` in a savepoint (a refused insert must not end the test's transaction)."""
    with session.begin_nested():
        session.add(row)
        session.flush()


def test_a_negative_and_a_positive_screen_read_back_as_written(db_session, actor, patient):
    repo = FollowUpRepository(db_session, actor)
    negative, positive = _dependence(T0), _dependence(T0 + timedelta(days=7), craving=True)
    ids = [repo.add_screen(patient.id, negative), repo.add_screen(patient.id, positive)]

    stored = repo.list_screens(patient.id)

    assert [s.id for s in stored] == ids
    assert [s.record for s in stored] == [negative, positive]
    assert [s.record.has_signal for s in stored] == [False, True]
    assert [f.rule_id for f in stored[1].record.findings] == ["DEP-2", "DEP-8"]
    assert dict(stored[0].record.answers) == NO_SIGNALS
    assert {s.recorded_by for s in stored} == {actor.user_id}


def test_writing_and_listing_screens_are_audited_with_the_patient(db_session, actor, patient):
    repo = FollowUpRepository(db_session, actor)
    screen_id = repo.add_screen(patient.id, _dependence(T0))
    repo.list_screens(patient.id)
    write_pending_entries(db_session)

    query = select(AuditEntry).where(AuditEntry.resource_type == "safety_screen")
    entries = [
        (e.action, e.resource_id, e.patient_id)
        for e in db_session.scalars(query.order_by(AuditEntry.sequence))
    ]

    assert entries == [
        (AuditAction.CREATE, str(screen_id), patient.id),
        (AuditAction.READ, f"patient:{patient.id}", patient.id),
    ]


def test_a_screen_row_cannot_be_changed_or_deleted(db_session, actor, patient):
    FollowUpRepository(db_session, actor).add_screen(patient.id, _dependence(T0))
    for sql in (
        "UPDATE safety_screen SET kind = 'urinary'",
        "DELETE FROM safety_screen",
    ):
        with pytest.raises(IntegrityError, match="refused"), db_session.begin_nested():
            db_session.execute(text(sql))
    assert db_session.execute(text("SELECT kind FROM safety_screen")).scalars().all() == [
        "dependence"
    ]


def test_a_screen_of_an_unknown_kind_is_refused_by_the_database(db_session, actor, patient):
    row = SafetyScreen(
        patient_id=patient.id,
        kind="liver",
        screened_at=T0,
        answers_json={},
        findings_json=[],
        recorded_by=actor.user_id,
    )
    with pytest.raises(IntegrityError, match="ck_safety_screen_kind"):
        _insert_in_savepoint(db_session, row)


def test_downgrade_to_0003_removes_the_screens_and_upgrade_adds_them_back(fresh_db_url):
    engine = create_database_engine(fresh_db_url)
    try:
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0003")
        with engine.connect() as connection:
            assert "safety_screen" not in inspect(connection).get_table_names()
            assert "sign_in_attempt" in inspect(connection).get_table_names()
        assert upgrade(fresh_db_url) == head_revision()
        engine.dispose()  # SQLite: a connection opened before the upgrade reads stale pragmas
        with engine.connect() as connection:
            indexes = {ix["name"] for ix in inspect(connection).get_indexes("safety_screen")}
            assert indexes == {"ix_safety_screen_patient_id", "ix_safety_screen_recorded_by"}
    finally:
        engine.dispose()
