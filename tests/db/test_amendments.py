"""A correction never overwrites: the row keeps what was first written, the amendment keeps the
old and the new value with who, when and why, and the read model shows the value now."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from ketapath.clinical.records import LabResult, LabTest, Medication
from ketapath.errors import InputError
from ketapath.store.amendments import AmendmentKind
from ketapath.store.audit import SYSTEM
from ketapath.store.repositories import (
    HistoryRepository,
    PatientRecordRepository,
    PatientRepository,
)
from ketapath.store.repositories.history import HistoryEntry

SAMPLED = datetime(2024, 4, 29, 9, 0, tzinfo=UTC)


def test_amended_name_reads_new_value_and_keeps_the_original(db_session, actor, patient):
    patients = PatientRepository(db_session, actor)
    amended = patients.amend(patient.id, {"given_name": "Mariah"}, reason="spelling on ID card")
    assert amended.given_name == "Mariah"
    (change,) = amended.history
    assert (change.field, change.old_value, change.new_value) == ("given_name", "Maria", "Mariah")
    assert (change.reason, change.amended_by, change.kind) == (
        "spelling on ID card",
        actor.user_id,
        AmendmentKind.CORRECTION,
    )
    stored = db_session.execute(
        text("SELECT given_name FROM patient WHERE mrn = 'MRN-0001'")
    ).scalar_one()
    assert stored == "Maria"
    assert patients.get(patient.id).given_name == "Mariah"


def test_successive_amendments_apply_in_order_with_full_history(db_session, actor, patient):
    patients = PatientRepository(db_session, actor)
    patients.amend(patient.id, {"family_name": "Okafo"}, reason="first try")
    patients.amend(patient.id, {"family_name": "Okafor-Bello"}, reason="married name")
    final = patients.amend(patient.id, {"birth_date": date(1974, 6, 16)}, reason="registry")
    assert (final.family_name, final.birth_date) == ("Okafor-Bello", date(1974, 6, 16))
    family = [(c.old_value, c.new_value) for c in final.history if c.field == "family_name"]
    assert family == [("Okafor", "Okafo"), ("Okafo", "Okafor-Bello")]
    assert [c.amended_at for c in final.history] == sorted(c.amended_at for c in final.history)
    assert len({c.amended_at for c in final.history}) == 3


def test_lab_correction_keeps_original_value_in_history(db_session, actor, patient):
    history = HistoryRepository(db_session, actor)
    lab_id = history.add_lab_result(
        patient.id, LabResult(test=LabTest.ALT, value_u_per_l=310.0, uln_u_per_l=40.0, time=SAMPLED)
    )
    stored = history.amend(
        HistoryEntry.LAB_RESULT, lab_id, {"value_u_per_l": 31.0}, reason="transcription: 31"
    )
    assert stored.record.value_u_per_l == 31.0
    assert stored.is_amended
    assert (stored.history[0].old_value, stored.history[0].new_value) == (310.0, 31.0)
    (listed,) = history.list_entries(HistoryEntry.LAB_RESULT, patient.id)
    assert listed.record == stored.record


def test_stopped_medication_is_current_before_and_gone_after_the_stop(db_session, actor, patient):
    history = HistoryRepository(db_session, actor)
    med_id = history.add_medication(
        patient.id, Medication(name="sertraline", daily_dose_mg=50.0), started_on=date(2024, 1, 1)
    )
    history.amend(
        HistoryEntry.MEDICATION,
        med_id,
        {"stopped_on": date(2024, 3, 1)},
        reason="stopped by psychiatrist",
        kind=AmendmentKind.STATUS_CHANGE,
    )
    records = PatientRecordRepository(db_session, actor)
    before = records.get(patient.id, on=date(2024, 2, 29)).medications
    after = records.get(patient.id, on=date(2024, 3, 1)).medications
    assert [m.name for m in before] == ["sertraline"]
    assert after == ()


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"mrn": "MRN-2"}, "`mrn` cannot be amended"),
        ({"given_name": "Maria"}, "already 'Maria'"),
        ({"given_name": "  "}, "`given_name` must be a non-empty text"),
        ({"birth_date": date(2999, 1, 1)}, "`birth_date` must be a date not in the future"),
        ({"sex": "robot"}, "`sex` must be one of"),
    ],
    ids=[
        "the MRN is never reassigned",
        "a value that does not change",
        "an empty name",
        "a birth date in the future",
        "an unknown sex",
    ],
)
def test_patient_amendment_refuses(db_session, actor, patient, changes, match):
    with pytest.raises(InputError, match=match):
        PatientRepository(db_session, actor).amend(patient.id, changes, reason="test")


def test_amendment_needs_a_reason_and_a_signed_in_user(db_session, actor, patient):
    with pytest.raises(InputError, match="`reason`"):
        PatientRepository(db_session, actor).amend(patient.id, {"given_name": "X"}, reason=" ")
    with pytest.raises(InputError, match="signed-in user"):
        PatientRepository(db_session, SYSTEM).amend(patient.id, {"given_name": "X"}, reason="r")


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"patient_id": None}, "`field` must be an amendable column of lab_result"),
        ({"recorded_at": SAMPLED}, "`field` must be an amendable column"),
        ({"no_such_field": 1}, "`field` must be an amendable column"),
        ({"value_u_per_l": -5.0}, "`value_u_per_l` must be between 0 and"),
        ({"test": "LDH"}, "do not make a valid record"),
    ],
    ids=[
        "whose record it is",
        "when it was recorded",
        "a column that does not exist",
        "a negative lab value",
        "a test the rules do not know",
    ],
)
def test_history_amendment_refuses(db_session, actor, patient, changes, match):
    history = HistoryRepository(db_session, actor)
    lab_id = history.add_lab_result(
        patient.id, LabResult(test=LabTest.AST, value_u_per_l=20.0, uln_u_per_l=40.0, time=SAMPLED)
    )
    with pytest.raises(InputError, match=match):
        history.amend(HistoryEntry.LAB_RESULT, lab_id, changes, reason="test")
