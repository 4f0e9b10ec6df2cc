"""Use cases about patients: register, find, read the summary, correct, deactivate, add history.

Physicians and nurses only; a user sees the patients of their own clinic, and a patient of
another clinic is "not found". Every read and write is audited by the repositories (a list is
one audit entry naming the filter and the count).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from ketapath.clinical.records import Condition, LabResult, Medication, PatientRecord, SubstanceUse
from ketapath.errors import ConflictError, NotFoundError
from ketapath.services.context import RequestContext, Services, UserRole, require_role
from ketapath.store.records import PatientIdentity
from ketapath.store.repositories import (
    HistoryRepository,
    PatientRecordRepository,
    PatientRepository,
)
from ketapath.store.repositories.patient import AMENDABLE_FIELDS
from ketapath.store.tables import ConditionSection, HistorySection

__all__ = [
    "AMENDABLE_FIELDS",
    "CLINICAL_ROLES",
    "ConditionSection",
    "HistorySection",
    "PatientFilter",
    "PatientIdentity",
    "PatientPage",
    "PatientSummary",
    "add_condition",
    "add_lab_result",
    "add_measurement",
    "add_medication",
    "add_review",
    "add_substance_use",
    "amend_patient",
    "check_patient_access",
    "deactivate_patient",
    "get_patient_summary",
    "list_patients",
    "register_patient",
    "require_patient",
]

CLINICAL_ROLES = (UserRole.PHYSICIAN, UserRole.NURSE)
"""Who may read and write patients' records (not admins, not researchers)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientFilter:
    """Which patients to list: a part of a name, the start of an MRN, active or not (None: all)."""

    name: str | None = None
    mrn: str | None = None
    active: bool | None = True


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientPage:
    """One page of patients, by family name, and how many match in all."""

    items: tuple[PatientIdentity, ...]
    total: int


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientSummary:
    """A patient's identity and their record as it stands on `as_of` (what screening reads)."""

    identity: PatientIdentity
    as_of: date
    record: PatientRecord


def require_patient(
    session: Session, context: RequestContext, patient_id: uuid.UUID, *, for_writing: bool = False
) -> None:
    """Check that `patient_id` is a patient of the user's clinic (active, when writing).

    Raises
    ------
    NotFoundError
        When there is no such patient in the user's clinic.
    ConflictError
        When writing to a deactivated patient's record.
    """
    found = PatientRepository(session, context.to_actor()).registration(patient_id)
    check_patient_access(
        context,
        patient_id,
        clinic_id=None if found is None else found[0],
        active=found is not None and found[1],
        for_writing=for_writing,
    )


def check_patient_access(
    context: RequestContext,
    patient_id: uuid.UUID,
    *,
    clinic_id: uuid.UUID | None,
    active: bool,
    for_writing: bool = False,
) -> None:
    """`require_patient` on what the caller already read: the patient's clinic (None when there
    is no such patient) and whether their record is open."""
    if clinic_id is None or clinic_id != context.require_clinic():
        raise NotFoundError(f"No patient with id {patient_id}.")
    if for_writing and not active:
        raise ConflictError(f"Patient {patient_id} is deactivated; their record is closed.")


def register_patient(  # the identity's fields, all keyword-only
    services: Services,
    context: RequestContext,
    *,
    mrn: str,
    given_name: str,
    family_name: str,
    birth_date: date,
    sex: str,
) -> PatientIdentity:
    """Register a patient in the user's clinic; `ConflictError` when the MRN is taken there."""
    require_role(context, *CLINICAL_ROLES)
    clinic_id = context.require_clinic()
    with services.unit_of_work() as session:
        return PatientRepository(session, context.to_actor()).create(
            clinic_id=clinic_id,
            mrn=mrn,
            given_name=given_name,
            family_name=family_name,
            birth_date=birth_date,
            sex=sex,
        )


def list_patients(
    services: Services,
    context: RequestContext,
    where: PatientFilter,
    *,
    limit: int,
    offset: int,
) -> PatientPage:
    """Return one page of the clinic's patients matching `where`, by family and given name.

    Names are matched as amended (a corrected name is found by its new spelling).
    """
    require_role(context, *CLINICAL_ROLES)
    clinic_id = context.require_clinic()
    with services.unit_of_work() as session:
        matching = PatientRepository(session, context.to_actor()).search(
            clinic_id, name=where.name, mrn_prefix=where.mrn, active=where.active
        )
    return PatientPage(items=matching[offset : offset + limit], total=len(matching))


def get_patient_summary(
    services: Services, context: RequestContext, patient_id: uuid.UUID, *, as_of: date | None = None
) -> PatientSummary:
    """Return a patient's identity and record as it stands on `as_of` (default: today, UTC)."""
    require_role(context, *CLINICAL_ROLES)
    day = as_of or services.now().date()
    with services.unit_of_work() as session:
        require_patient(session, context, patient_id)
        actor = context.to_actor()
        identity = PatientRepository(session, actor).get(patient_id)
        record = PatientRecordRepository(session, actor).get(patient_id, on=day)
    return PatientSummary(identity=identity, as_of=day, record=record)


def amend_patient(
    services: Services,
    context: RequestContext,
    patient_id: uuid.UUID,
    changes: Mapping[str, object],
    *,
    reason: str,
) -> PatientIdentity:
    """Correct a patient's names, birth date or sex; the original stays in the history."""
    require_role(context, *CLINICAL_ROLES)
    with services.unit_of_work() as session:
        require_patient(session, context, patient_id, for_writing=True)
        return PatientRepository(session, context.to_actor()).amend(
            patient_id, changes, reason=reason
        )


def deactivate_patient(
    services: Services, context: RequestContext, patient_id: uuid.UUID, *, reason: str
) -> PatientIdentity:
    """Deactivate a patient (left the clinic, duplicate record); nothing is deleted."""
    require_role(context, *CLINICAL_ROLES)
    with services.unit_of_work() as session:
        require_patient(session, context, patient_id, for_writing=True)
        return PatientRepository(session, context.to_actor()).deactivate(patient_id, reason=reason)


def add_condition(
    services: Services,
    context: RequestContext,
    patient_id: uuid.UUID,
    condition: Condition,
    *,
    section: ConditionSection = ConditionSection.CONDITIONS,
) -> uuid.UUID:
    """Record a diagnosis (or, in ``psychiatric_history``, a psychiatric history entry)."""
    require_role(context, *CLINICAL_ROLES)
    with services.unit_of_work() as session:
        require_patient(session, context, patient_id, for_writing=True)
        history = HistoryRepository(session, context.to_actor())
        return history.add_condition(patient_id, condition, section=section)


def add_medication(
    services: Services,
    context: RequestContext,
    patient_id: uuid.UUID,
    medication: Medication,
    *,
    started_on: date | None = None,
) -> uuid.UUID:
    """Record a medication the patient takes."""
    require_role(context, *CLINICAL_ROLES)
    with services.unit_of_work() as session:
        require_patient(session, context, patient_id, for_writing=True)
        history = HistoryRepository(session, context.to_actor())
        return history.add_medication(patient_id, medication, started_on=started_on)


def add_substance_use(
    services: Services, context: RequestContext, patient_id: uuid.UUID, use: SubstanceUse
) -> uuid.UUID:
    """Record an entry of the substance-use history."""
    require_role(context, *CLINICAL_ROLES)
    with services.unit_of_work() as session:
        require_patient(session, context, patient_id, for_writing=True)
        return HistoryRepository(session, context.to_actor()).add_substance_use(patient_id, use)


def add_lab_result(
    services: Services, context: RequestContext, patient_id: uuid.UUID, lab: LabResult
) -> uuid.UUID:
    """Record a liver-test result."""
    require_role(context, *CLINICAL_ROLES)
    with services.unit_of_work() as session:
        require_patient(session, context, patient_id, for_writing=True)
        return HistoryRepository(session, context.to_actor()).add_lab_result(patient_id, lab)


def add_measurement(
    services: Services,
    context: RequestContext,
    patient_id: uuid.UUID,
    *,
    measured_at: datetime,
    weight_kg: float | None = None,
    height_cm: float | None = None,
) -> uuid.UUID:
    """Record a weight and/or height."""
    require_role(context, *CLINICAL_ROLES)
    with services.unit_of_work() as session:
        require_patient(session, context, patient_id, for_writing=True)
        return HistoryRepository(session, context.to_actor()).add_measurement(
            patient_id, measured_at=measured_at, weight_kg=weight_kg, height_cm=height_cm
        )


def add_review(
    services: Services,
    context: RequestContext,
    patient_id: uuid.UUID,
    section: HistorySection,
    *,
    reviewed_at: datetime,
) -> uuid.UUID:
    """Record that a list (medications, substance use...) was taken: empty then means "none"."""
    require_role(context, *CLINICAL_ROLES)
    with services.unit_of_work() as session:
        require_patient(session, context, patient_id, for_writing=True)
        return HistoryRepository(session, context.to_actor()).add_review(
            patient_id, section, reviewed_at=reviewed_at
        )
