"""Discharge: assess readiness after a stopped session, and sign (nurse or physician)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from ketapath.api.deps import Clinician
from ketapath.api.problems import problem_responses
from ketapath.api.schemas.discharge import DischargeIn, DischargeOut, SignIn
from ketapath.services.care import discharge

router = APIRouter(tags=["discharge"])

_WRITE_ERRORS = problem_responses(404, 409, 422)


@router.post(
    "/sessions/{session_id}/discharge-assessments", status_code=201, responses=_WRITE_ERRORS
)
async def assess_readiness(
    session_id: uuid.UUID, body: DischargeIn, caller: Clinician
) -> DischargeOut:
    """Assess whether the patient may go home (DIS-1 to DIS-6); the result is stored."""
    assessment = await caller.run(
        discharge.assess_readiness,
        session_id=session_id,
        aldrete=body.aldrete.to_observation(),
        padss=body.padss.to_observation(),
        escort_present=body.escort_present,
        patient_driving=body.patient_driving,
        follow_up_booked=body.follow_up_booked,
    )
    return DischargeOut.assessed(assessment)


@router.get("/discharge-assessments/{assessment_id}", responses=problem_responses(404, 422))
async def get_discharge(assessment_id: uuid.UUID, caller: Clinician) -> DischargeOut:
    """A discharge assessment with its result and signature."""
    return DischargeOut.of(await caller.run(discharge.get_discharge, assessment_id=assessment_id))


@router.post("/discharge-assessments/{assessment_id}/sign", responses=_WRITE_ERRORS)
async def sign_discharge(assessment_id: uuid.UUID, body: SignIn, caller: Clinician) -> DischargeOut:
    """Sign out a patient the assessment found ready (nurse or physician)."""
    signed = await caller.run(
        discharge.sign_discharge, assessment_id=assessment_id, statement=body.statement
    )
    return DischargeOut.of(signed)
