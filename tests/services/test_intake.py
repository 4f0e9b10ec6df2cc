"""The intake in one transaction: register, record the history, screen; all or nothing.

Maria is registered with a CRPS indication, an SSRI (classes known), a past alcohol use, an
ALT result, the lists taken and a weight of 70 kg; the visit's answers are all given.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from tests.services.conftest import T0, count_rows

from ketapath.clinical.codes import ConditionConcept, Indication
from ketapath.clinical.records import (
    Condition,
    ConditionStatus,
    LabResult,
    LabTest,
    Medication,
    Substance,
    SubstanceUse,
    UsePattern,
)
from ketapath.clinical.screening import Verdict
from ketapath.errors import AccessError, ConflictError, InputError
from ketapath.services.care import patients, screening
from ketapath.services.care.intake import IntakeEntry, register_and_screen
from ketapath.services.care.patients import ConditionSection, HistorySection
from ketapath.store.records import ScreeningAnswers
from ketapath.store.tables import (
    AuditEntry,
    BodyMeasurement,
    ConditionEntry,
    HistoryReview,
    LabResultEntry,
    MedicationEntry,
    Patient,
    Screening,
    SubstanceUseEntry,
    UserRole,
)

WRITTEN = (
    Patient,
    ConditionEntry,
    MedicationEntry,
    SubstanceUseEntry,
    LabResultEntry,
    HistoryReview,
    BodyMeasurement,
    Screening,
    AuditEntry,
)
"""Every table an intake writes to (the audit trail included)."""

ENTRY = IntakeEntry(
    mrn="INT-1",
    given_name="Maria",
    family_name="Okafor",
    birth_date=date(1974, 6, 15),
    sex="female",
    weight_kg=70.0,
    height_cm=165.0,
    conditions=(
        (
            Condition(concept=Indication.CRPS, status=ConditionStatus.ACTIVE),
            ConditionSection.CONDITIONS,
        ),
        (
            Condition(concept=ConditionConcept.DEPRESSION, status=ConditionStatus.CONTROLLED),
            ConditionSection.PSYCHIATRIC_HISTORY,
        ),
    ),
    medications=(Medication(name="sertraline", drug_classes=(), daily_dose_mg=50.0),),
    substances=(
        SubstanceUse(
            substance=Substance.ALCOHOL,
            pattern=UsePattern.OCCASIONAL,
            status=ConditionStatus.HISTORY,
        ),
    ),
    labs=(
        LabResult(
            test=LabTest.ALT, value_u_per_l=25.0, uln_u_per_l=40.0, time=T0 - timedelta(days=3)
        ),
    ),
    reviewed=tuple(HistorySection),
    answers=ScreeningAnswers(
        pregnant=False,
        breastfeeding=False,
        failed_conventional_therapy=True,
        consent_signed=True,
        escort_available=True,
    ),
)


def _counts(connection) -> dict[str, int]:
    return {table.__tablename__: count_rows(connection, table) for table in WRITTEN}


def _audit_kinds(connection, since: int) -> Counter[tuple[str, str]]:
    query = select(AuditEntry.action, AuditEntry.resource_type).where(AuditEntry.sequence > since)
    return Counter((row.action, row.resource_type) for row in connection.execute(query))


def _last_sequence(connection) -> int:
    query = select(AuditEntry.sequence).order_by(AuditEntry.sequence.desc()).limit(1)
    return int(connection.execute(query).scalar_one_or_none() or 0)


def test_intake_registers_records_the_history_and_stores_the_screening(world):
    stored = register_and_screen(world.services, world.nurse, ENTRY)
    # the controlled depression of the psychiatric history is read: CI-14 asks for caution
    assert stored.result.verdict is Verdict.ELIGIBLE_WITH_CAUTIONS
    assert stored.result.decided_by == ("CI-14",)
    assert stored.result.missing == ()
    assert stored.answers == ENTRY.answers
    assert stored.recorded_by == world.nurse.user_id
    summary = patients.get_patient_summary(world.services, world.physician, stored.patient_id)
    assert summary.identity.mrn == "INT-1"
    assert summary.identity.clinic_id == world.clinic_id
    record = summary.record
    assert record.patient.weight_kg == pytest.approx(70.0)
    assert [c.concept for c in record.psychiatric_history or ()] == [ConditionConcept.DEPRESSION]
    assert [m.name for m in record.medications or ()] == ["sertraline"]
    assert [lab.test for lab in record.labs or ()] == [LabTest.ALT]
    assert screening.get_screening(world.services, world.physician, stored.id) == stored


def test_intake_leaves_the_same_audit_entries_as_the_use_cases_one_by_one(world, connection):
    before = _last_sequence(connection)
    stored = register_and_screen(world.services, world.nurse, ENTRY)
    at_once = _audit_kinds(connection, before)
    middle = _last_sequence(connection)
    services, ctx = world.services, world.nurse
    other = patients.register_patient(
        services, ctx, mrn="INT-2", given_name="Maria", family_name="Okafor",
        birth_date=ENTRY.birth_date, sex=ENTRY.sex,
    )  # fmt: skip
    for condition, section in ENTRY.conditions:
        patients.add_condition(services, ctx, other.id, condition, section=section)
    patients.add_medication(services, ctx, other.id, ENTRY.medications[0])
    patients.add_substance_use(services, ctx, other.id, ENTRY.substances[0])
    patients.add_lab_result(services, ctx, other.id, ENTRY.labs[0])
    for taken in ENTRY.reviewed:
        patients.add_review(services, ctx, other.id, taken, reviewed_at=services.now())
    patients.add_measurement(
        services, ctx, other.id, measured_at=services.now(), weight_kg=70.0, height_cm=165.0
    )
    one_by_one = screening.run_screening(services, ctx, other.id, answers=ENTRY.answers)
    assert at_once == _audit_kinds(connection, middle)
    assert one_by_one.result.verdict is stored.result.verdict


@pytest.mark.parametrize(
    ("change", "error", "field"),
    [
        ({"weight_kg": 900.0}, InputError, "weight_kg"),
        ({"height_cm": -1.0}, InputError, "height_cm"),
    ],
    ids=["a weight of 900 kg", "a height of -1 cm"],
)
def test_intake_refused_at_the_last_item_leaves_nothing_written(
    world, connection, change, error, field
):
    before = _counts(connection)
    with pytest.raises(error) as raised:
        register_and_screen(world.services, world.nurse, replace(ENTRY, **change))
    assert raised.value.field == field
    assert f"(got {change[field]:g})" in str(raised.value)
    assert _counts(connection) == before


def test_intake_with_an_mrn_taken_leaves_nothing_more(world, connection):
    register_and_screen(world.services, world.nurse, ENTRY)
    before = _counts(connection)
    with pytest.raises(ConflictError, match="INT-1"):
        register_and_screen(world.services, world.physician, replace(ENTRY, given_name="Other"))
    assert _counts(connection) == before


@pytest.mark.parametrize("role", [UserRole.ADMIN, UserRole.RESEARCHER], ids=str)
def test_intake_by_other_roles_is_refused_and_writes_nothing(world, connection, role):
    before = _counts(connection)
    with pytest.raises(AccessError):
        register_and_screen(world.services, world.users[role], ENTRY)
    assert _counts(connection) == before
