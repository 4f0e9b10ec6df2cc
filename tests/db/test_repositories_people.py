"""Clinics, users, patients and history: what is written reads back the same, on both databases."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from ketapath.clinical.codes import ConditionConcept, Indication, SNOMEDCTCode
from ketapath.clinical.records import (
    Condition,
    ConditionSeverity,
    ConditionStatus,
    LabResult,
    LabTest,
    Medication,
    Patient,
    Sex,
    Substance,
    SubstanceUse,
    UsePattern,
    VitalSigns,
)
from ketapath.errors import ConflictError, InputError, NotFoundError
from ketapath.store.audit import SYSTEM
from ketapath.store.records import ScreeningAnswers
from ketapath.store.repositories import (
    ClinicRepository,
    HistoryRepository,
    PatientRecordRepository,
    PatientRepository,
    UserRepository,
)
from ketapath.store.repositories.history import HistoryEntry
from ketapath.store.tables import HistorySection, UserRole

WEEK_BEFORE = datetime(2024, 4, 29, 8, 0, tzinfo=UTC)


def test_clinic_round_trip_and_unique_name(db_session, clinic):
    clinics = ClinicRepository(db_session, SYSTEM)
    assert clinics.get(clinic.id) == clinic
    assert clinics.find_by_name("Pain Clinic North") == clinic
    assert clinics.find_by_name("Nowhere") is None
    with (
        pytest.raises(ConflictError, match="clinic 'Pain Clinic North'"),
        db_session.begin_nested(),
    ):
        clinics.create("Pain Clinic North")


def test_missing_rows_raise_not_found(db_session, actor):
    missing = uuid.uuid4()
    with pytest.raises(NotFoundError, match=f"No clinic with id {missing}"):
        ClinicRepository(db_session, actor).get(missing)
    with pytest.raises(NotFoundError, match="No patient with id"):
        PatientRepository(db_session, actor).get(missing)


def test_user_round_trip_without_password_hash(db_session, physician, clinic):
    users = UserRepository(db_session, SYSTEM)
    assert users.get(physician.id) == physician
    assert users.find_by_username("dr.lee") == physician
    assert (physician.role, physician.clinic_id, physician.active) == (
        UserRole.PHYSICIAN,
        clinic.id,
        True,
    )
    assert not hasattr(physician, "password_hash")
    assert users.find_password_hash("dr.lee") == (physician, "not-a-real-hash")


def test_user_with_unknown_role_is_refused(db_session):
    with pytest.raises(InputError, match="`role` must be one of physician, nurse, admin"):
        UserRepository(db_session, SYSTEM).create(
            username="x", full_name="X", role="surgeon", password_hash="h"
        )


def test_deactivated_user_keeps_the_account_and_cannot_sign_in(db_session, actor, physician):
    users = UserRepository(db_session, actor)
    nurse = users.create(username="nurse.k", full_name="K Obi", role="nurse", password_hash="h")
    gone = users.deactivate(nurse.id, reason="left the clinic")
    assert (gone.active, gone.deactivated_by) == (False, physician.id)
    assert gone.deactivated_at is not None
    assert users.get(nurse.id) == gone
    assert users.find_password_hash("nurse.k") is None
    with pytest.raises(InputError, match="already deactivated"):
        users.deactivate(nurse.id, reason="again")


def test_patient_round_trip_by_id_and_mrn(db_session, actor, clinic, patient):
    patients = PatientRepository(db_session, actor)
    assert patients.get(patient.id) == patient
    assert patients.find_by_mrn(clinic.id, "MRN-0001") == patient
    assert patients.find_by_mrn(clinic.id, "MRN-404") is None
    assert (patient.sex, patient.birth_date, patient.active) == (
        Sex.FEMALE,
        date(1974, 6, 15),
        True,
    )
    assert patient.age_years(date(2024, 6, 14)) == 49
    assert patient.age_years(date(2024, 6, 15)) == 50


def test_mrn_is_unique_per_clinic_only(db_session, actor, clinic, patient):
    patients = PatientRepository(db_session, actor)
    same = {
        "mrn": "MRN-0001",
        "given_name": "A",
        "family_name": "B",
        "birth_date": date(1990, 1, 1),
        "sex": "male",
    }
    with pytest.raises(ConflictError, match="MRN 'MRN-0001'"), db_session.begin_nested():
        patients.create(clinic_id=clinic.id, **same)
    other = ClinicRepository(db_session, SYSTEM).create("Pain Clinic South")
    assert patients.create(clinic_id=other.id, **same).mrn == "MRN-0001"


def test_deactivated_patient_leaves_the_active_list_but_is_never_lost(
    db_session, actor, clinic, patient
):
    patients = PatientRepository(db_session, actor)
    other = patients.create(
        clinic_id=clinic.id,
        mrn="MRN-0002",
        given_name="Ade",
        family_name="Bello",
        birth_date=date(1980, 2, 2),
        sex="male",
    )
    assert [p.mrn for p in patients.search(clinic.id)] == ["MRN-0002", "MRN-0001"]
    gone = patients.deactivate(other.id, reason="duplicate record of MRN-0001")
    assert (gone.active, gone.deactivated_by) == (False, actor.user_id)
    assert [p.mrn for p in patients.search(clinic.id)] == ["MRN-0001"]
    assert [p.mrn for p in patients.search(clinic.id, active=None)] == ["MRN-0002", "MRN-0001"]
    assert patients.get(other.id) == gone
    with pytest.raises(InputError, match="`reason`"):
        patients.deactivate(patient.id, reason="")


def test_patient_record_is_rebuilt_from_the_history(db_session, full_chart):
    record = full_chart.record
    assert record.patient == Patient(
        patient_id=str(full_chart.ids["patient"]),
        age_years=49,
        sex=Sex.FEMALE,
        weight_kg=68.5,
        height_cm=165.0,
        pregnant=False,
    )
    assert record.conditions == (
        Condition(
            concept=Indication.CRPS, status=ConditionStatus.ACTIVE, noted_on=date(2023, 1, 9)
        ),
    )
    assert record.psychiatric_history == (
        Condition(concept=ConditionConcept.DEPRESSION, status=ConditionStatus.CONTROLLED),
    )
    assert record.medications == (
        Medication(name="gabapentin", drug_classes=(), daily_dose_mg=900.0),
    )
    assert record.substance_use == (
        SubstanceUse(
            substance=Substance.ALCOHOL,
            pattern=UsePattern.OCCASIONAL,
            status=ConditionStatus.ACTIVE,
        ),
    )
    assert record.labs == (
        LabResult(test=LabTest.ALT, value_u_per_l=31.0, uln_u_per_l=40.0, time=WEEK_BEFORE),
    )
    assert record.vitals == (VitalSigns(time=WEEK_BEFORE, sbp_mmhg=128, dbp_mmhg=82, hr_bpm=74),)
    assert (record.failed_conventional_therapy, record.consent_signed) == (True, True)
    assert record.escort_available is None


def test_lists_never_taken_are_unknown_and_reviewed_empty_lists_are_none(
    db_session, actor, patient
):
    records = PatientRecordRepository(db_session, actor)
    untouched = records.get(patient.id, on=date(2024, 5, 6))
    assert (untouched.medications, untouched.substance_use, untouched.psychiatric_history) == (
        None,
        None,
        None,
    )
    assert untouched.patient.weight_kg is None
    history = HistoryRepository(db_session, actor)
    for section in HistorySection:
        history.add_review(patient.id, section, reviewed_at=WEEK_BEFORE)
    reviewed = records.get(patient.id, on=date(2024, 5, 6), answers=ScreeningAnswers())
    assert (reviewed.medications, reviewed.substance_use, reviewed.psychiatric_history) == (
        (),
        (),
        (),
    )


def test_condition_with_code_and_severity_round_trips(db_session, actor, patient):
    history = HistoryRepository(db_session, actor)
    condition = Condition(
        concept=Indication.CHRONIC_PAIN,
        status=ConditionStatus.ACTIVE,
        code=SNOMEDCTCode("82423001"),
        severity=ConditionSeverity.SEVERE,
    )
    entry_id = history.add_condition(patient.id, condition)
    (stored,) = history.list_entries(HistoryEntry.CONDITION, patient.id)
    assert (stored.id, stored.record, stored.recorded_by) == (entry_id, condition, actor.user_id)
    assert not stored.is_amended


def test_latest_weight_wins_and_out_of_range_measure_is_refused(db_session, actor, patient):
    history = HistoryRepository(db_session, actor)
    history.add_measurement(patient.id, measured_at=WEEK_BEFORE, weight_kg=70.0, height_cm=170.0)
    history.add_measurement(patient.id, measured_at=WEEK_BEFORE.replace(day=30), weight_kg=71.5)
    record = PatientRecordRepository(db_session, actor).get(patient.id, on=date(2024, 5, 6))
    assert (record.patient.weight_kg, record.patient.height_cm) == (71.5, 170.0)
    with pytest.raises(InputError, match="`weight_kg` must be between 2 and 350 kg"):
        history.add_measurement(patient.id, measured_at=WEEK_BEFORE, weight_kg=351.0)


def _mrns(found) -> list[str]:
    return [p.mrn for p in found]


def test_search_narrows_in_the_database_but_matches_as_amended_and_case_folded(
    db_session, actor, clinic, patient
):
    patients = PatientRepository(db_session, actor)
    for mrn, given, family in [
        ("MRN-0100", "Ada", "Strauß"),
        ("MRN-0101", "Ben", "100% Test"),
        ("XYZ-0102", "Cleo", "Okafor"),
    ]:
        patients.create(
            clinic_id=clinic.id,
            mrn=mrn,
            given_name=given,
            family_name=family,
            birth_date=date(1980, 2, 2),
            sex="female",
        )
    renamed = patients.create(
        clinic_id=clinic.id,
        mrn="MRN-0103",
        given_name="Dana",
        family_name="Oldname",
        birth_date=date(1981, 3, 3),
        sex="female",
    )
    patients.amend(renamed.id, {"family_name": "Newname"}, reason="name changed at marriage")

    assert _mrns(patients.search(clinic.id, name="STRAUSS")) == ["MRN-0100"]  # ß folds to ss
    assert _mrns(patients.search(clinic.id, name="0% t")) == ["MRN-0101"]  # % is no wildcard
    assert _mrns(patients.search(clinic.id, name="%")) == ["MRN-0101"]
    assert _mrns(patients.search(clinic.id, name="dana new")) == ["MRN-0103"]
    assert _mrns(patients.search(clinic.id, name="oldname")) == []
    assert _mrns(patients.search(clinic.id, mrn_prefix="xyz")) == ["XYZ-0102"]
    assert _mrns(patients.search(clinic.id, mrn_prefix="MRN-01", name="n")) == [
        "MRN-0101",  # "100% Test" sorts before "Newname"
        "MRN-0103",
    ]
