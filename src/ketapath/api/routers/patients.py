"""Patients of the user's clinic (physicians, nurses): register, find, read, correct, add history.

Admins and researchers get 403 here: patient data is for the treating team only.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from ketapath.api.deps import Clinician
from ketapath.api.pagination import Page, PageQuery
from ketapath.api.problems import problem_responses
from ketapath.api.schemas.common import ReasonIn
from ketapath.api.schemas.patients import (
    ConditionIn,
    EntryCreated,
    HistoryReviewIn,
    LabResultIn,
    MeasurementIn,
    MedicationIn,
    PatientAmend,
    PatientCreate,
    PatientOut,
    PatientSummaryOut,
    SubstanceUseIn,
)
from ketapath.services.care import patients

router = APIRouter(prefix="/patients", tags=["patients"])

_WRITE_ERRORS = problem_responses(404, 409, 422)


@router.post("", status_code=201, responses=problem_responses(409, 422))
async def register_patient(body: PatientCreate, caller: Clinician) -> PatientOut:
    """Register a patient in the user's clinic."""
    created = await caller.run(
        patients.register_patient,
        mrn=body.mrn,
        given_name=body.given_name,
        family_name=body.family_name,
        birth_date=body.birth_date,
        sex=body.sex,
    )
    return PatientOut.of(created)


@router.get("", responses=problem_responses(422))
async def list_patients(
    page: PageQuery,
    caller: Clinician,
    name: Annotated[str | None, Query(max_length=200, description="Part of a name.")] = None,
    mrn: Annotated[str | None, Query(max_length=64, description="Start of an MRN.")] = None,
    active: Annotated[bool | None, Query(description="Omit for all patients.")] = True,
) -> Page[PatientOut]:
    """List the clinic's patients, by family name, filtered by name, MRN and status."""
    where = patients.PatientFilter(name=name or None, mrn=mrn or None, active=active)
    found = await caller.run(patients.list_patients, where, limit=page.limit, offset=page.offset)
    return Page.of([PatientOut.of(p) for p in found.items], total=found.total, params=page)


@router.get("/{patient_id}", responses=problem_responses(404))
async def get_patient(patient_id: uuid.UUID, caller: Clinician) -> PatientSummaryOut:
    """A patient's identity and record as it stands today."""
    return PatientSummaryOut.of(await caller.run(patients.get_patient_summary, patient_id))


@router.post("/{patient_id}/amendments", responses=_WRITE_ERRORS)
async def amend_patient(patient_id: uuid.UUID, body: PatientAmend, caller: Clinician) -> PatientOut:
    """Correct a patient's names, birth date or sex, with the reason; the original stays."""
    changes = body.changes.model_dump(exclude_none=True)
    amended = await caller.run(patients.amend_patient, patient_id, changes, reason=body.reason)
    return PatientOut.of(amended)


@router.post("/{patient_id}/deactivate", responses=_WRITE_ERRORS)
async def deactivate_patient(
    patient_id: uuid.UUID, body: ReasonIn, caller: Clinician
) -> PatientOut:
    """Deactivate a patient, with the reason; nothing is deleted."""
    return PatientOut.of(
        await caller.run(patients.deactivate_patient, patient_id, reason=body.reason)
    )


@router.post("/{patient_id}/conditions", status_code=201, responses=_WRITE_ERRORS)
async def add_condition(
    patient_id: uuid.UUID, body: ConditionIn, caller: Clinician
) -> EntryCreated:
    """Record a diagnosis or a psychiatric history entry."""
    entry_id = await caller.run(
        patients.add_condition, patient_id, body.to_record(), section=body.section
    )
    return EntryCreated(id=entry_id)


@router.post("/{patient_id}/medications", status_code=201, responses=_WRITE_ERRORS)
async def add_medication(
    patient_id: uuid.UUID, body: MedicationIn, caller: Clinician
) -> EntryCreated:
    """Record a medication the patient takes."""
    entry_id = await caller.run(
        patients.add_medication, patient_id, body.to_record(), started_on=body.started_on
    )
    return EntryCreated(id=entry_id)


@router.post("/{patient_id}/substance-use", status_code=201, responses=_WRITE_ERRORS)
async def add_substance_use(
    patient_id: uuid.UUID, body: SubstanceUseIn, caller: Clinician
) -> EntryCreated:
    """Record an entry of the substance-use history."""
    entry_id = await caller.run(patients.add_substance_use, patient_id, body.to_record())
    return EntryCreated(id=entry_id)


@router.post("/{patient_id}/labs", status_code=201, responses=_WRITE_ERRORS)
async def add_lab_result(
    patient_id: uuid.UUID, body: LabResultIn, caller: Clinician
) -> EntryCreated:
    """Record a liver-test result."""
    entry_id = await caller.run(patients.add_lab_result, patient_id, body.to_record())
    return EntryCreated(id=entry_id)


@router.post("/{patient_id}/measurements", status_code=201, responses=_WRITE_ERRORS)
async def add_measurement(
    patient_id: uuid.UUID, body: MeasurementIn, caller: Clinician
) -> EntryCreated:
    """Record a weight (kg) and/or height (cm)."""
    entry_id = await caller.run(
        patients.add_measurement,
        patient_id,
        measured_at=body.measured_at,
        weight_kg=body.weight_kg,
        height_cm=body.height_cm,
    )
    return EntryCreated(id=entry_id)


@router.post("/{patient_id}/history-reviews", status_code=201, responses=_WRITE_ERRORS)
async def add_history_review(
    patient_id: uuid.UUID, body: HistoryReviewIn, caller: Clinician
) -> EntryCreated:
    """Record that a list was taken with the patient (an empty list then means "none")."""
    entry_id = await caller.run(
        patients.add_review, patient_id, body.section, reviewed_at=body.reviewed_at
    )
    return EntryCreated(id=entry_id)
