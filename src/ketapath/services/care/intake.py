"""The intake of a new patient in one transaction: register, record the history, screen.

`register_and_screen` does what `ketapath.services.care.patients` (register, add each history
item) and `ketapath.services.care.screening` (`run_screening`) do one by one, with the same
checks and the same audit entries, inside one `Services.unit_of_work`: an error in any part
(an MRN already taken, a weight out of range, a screening that cannot be stored) rolls back
everything, so no half-registered patient is left behind. Physicians and nurses only.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from ketapath.clinical.records import Condition, LabResult, Medication, SubstanceUse
from ketapath.clinical.screening import screen
from ketapath.services.care.patients import CLINICAL_ROLES, ConditionSection, HistorySection
from ketapath.services.context import RequestContext, Services, require_role
from ketapath.store.records import ScreeningAnswers
from ketapath.store.repositories import (
    HistoryRepository,
    PatientRecordRepository,
    PatientRepository,
    ScreeningRepository,
)
from ketapath.store.repositories.screening import StoredScreening

__all__ = ["IntakeEntry", "register_and_screen"]


@dataclass(frozen=True, slots=True, kw_only=True)
class IntakeEntry:
    """Everything an intake records about a new patient, and the visit's answers.

    Parameters
    ----------
    mrn, given_name, family_name, birth_date, sex
        The identity, as `ketapath.services.care.patients.register_patient` takes it.
    weight_kg, height_cm : float or None
        Measured at the intake (kg, cm); nothing is recorded when both are None.
    conditions : tuple of (Condition, ConditionSection)
        Diagnoses and psychiatric history entries, each with the list it belongs to.
    medications, substances, labs
        The medications taken, the substance-use history and liver-test results.
    reviewed : tuple of HistorySection
        The lists taken with the patient (an empty list then means "none").
    answers : ScreeningAnswers
        What was asked at the visit (pregnancy, consent, escort...).
    """

    mrn: str
    given_name: str
    family_name: str
    birth_date: date
    sex: str
    weight_kg: float | None = None
    height_cm: float | None = None
    conditions: tuple[tuple[Condition, ConditionSection], ...] = ()
    medications: tuple[Medication, ...] = ()
    substances: tuple[SubstanceUse, ...] = ()
    labs: tuple[LabResult, ...] = ()
    reviewed: tuple[HistorySection, ...] = ()
    answers: ScreeningAnswers = field(default_factory=ScreeningAnswers)


def _record_history(
    history: HistoryRepository, patient_id: uuid.UUID, entry: IntakeEntry, now: datetime
) -> None:
    for condition, section in entry.conditions:
        history.add_condition(patient_id, condition, section=section)
    for medication in entry.medications:
        history.add_medication(patient_id, medication)
    for use in entry.substances:
        history.add_substance_use(patient_id, use)
    for lab in entry.labs:
        history.add_lab_result(patient_id, lab)
    for taken in entry.reviewed:
        history.add_review(patient_id, taken, reviewed_at=now)
    if entry.weight_kg is not None or entry.height_cm is not None:
        history.add_measurement(
            patient_id, measured_at=now, weight_kg=entry.weight_kg, height_cm=entry.height_cm
        )


def register_and_screen(
    services: Services, context: RequestContext, entry: IntakeEntry
) -> StoredScreening:
    """Register a patient in the user's clinic, record their history and screen them, at once.

    The record is screened as it stands today (UTC), with `entry.answers`; the verdict is
    stored with every finding. Nothing is written unless every part succeeds.

    Raises
    ------
    AccessError
        Unless the user is a physician or a nurse of a clinic.
    ConflictError
        When the MRN is taken in the clinic.
    InputError
        When a value is refused by the record (a weight or height out of range...); the error
        names the field.
    """
    require_role(context, *CLINICAL_ROLES)
    clinic_id, now = context.require_clinic(), services.now()
    with services.unit_of_work() as session:
        actor = context.to_actor()
        patient = PatientRepository(session, actor).create(
            clinic_id=clinic_id,
            mrn=entry.mrn,
            given_name=entry.given_name,
            family_name=entry.family_name,
            birth_date=entry.birth_date,
            sex=entry.sex,
        )
        _record_history(HistoryRepository(session, actor), patient.id, entry, now)
        record = PatientRecordRepository(session, actor).get(
            patient.id, on=now.date(), answers=entry.answers
        )
        screenings = ScreeningRepository(session, actor)
        screening_id = screenings.create(patient.id, screen(record), answers=entry.answers)
        return screenings.get(screening_id)
