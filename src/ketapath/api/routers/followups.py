"""Follow-up (physicians, nurses): questionnaires, contacts, safety screens and outcomes.

A PHQ-9 with item 9 above 0 answers with its same-day safety flag and the follow-up booked. Every
safety screen is stored, one that finds nothing too (the abuse-risk assessment, DEP-7).
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from ketapath.api.deps import Clinician
from ketapath.api.problems import problem_responses
from ketapath.api.schemas.followups import (
    ContactIn,
    DependenceScreenIn,
    FollowUpIn,
    FollowUpOut,
    OutcomesOut,
    ResponseIn,
    ResponseOut,
    ScreenOut,
    ScreensOut,
    UrinaryScreenIn,
)
from ketapath.api.schemas.sessions import EntryCreated
from ketapath.services.care import followups

router = APIRouter(prefix="/patients/{patient_id}", tags=["follow-up"])

_WRITE_ERRORS = problem_responses(404, 409, 422)


@router.post("/responses", status_code=201, responses=_WRITE_ERRORS)
async def record_response(
    patient_id: uuid.UUID, body: ResponseIn, caller: Clinician
) -> ResponseOut:
    """Score and store a questionnaire; what it finds is flagged at once."""
    recorded = await caller.run(
        followups.record_response,
        patient_id=patient_id,
        instrument=body.instrument,
        answers=body.answers,
        completed_at=body.completed_at,
        session_id=body.session_id,
    )
    return ResponseOut.of(recorded)


@router.post("/follow-ups", status_code=201, responses=_WRITE_ERRORS)
async def schedule_follow_up(
    patient_id: uuid.UUID, body: FollowUpIn, caller: Clinician
) -> EntryCreated:
    """Book a follow-up contact."""
    follow_up_id = await caller.run(
        followups.schedule_follow_up,
        patient_id=patient_id,
        due_on=body.due_on,
        method=body.method,
        session_id=body.session_id,
    )
    return EntryCreated(id=follow_up_id)


@router.post("/contacts", status_code=201, responses=_WRITE_ERRORS)
async def record_contact(patient_id: uuid.UUID, body: ContactIn, caller: Clinician) -> FollowUpOut:
    """Record a follow-up contact made now (a booked one, or an unplanned one)."""
    done = await caller.run(
        followups.record_contact,
        patient_id=patient_id,
        notes=body.notes,
        method=body.method,
        follow_up_id=body.follow_up_id,
    )
    return FollowUpOut.of(done)


@router.post("/dependence-screens", status_code=201, responses=_WRITE_ERRORS)
async def record_dependence_screen(
    patient_id: uuid.UUID, body: DependenceScreenIn, caller: Clinician
) -> ScreenOut:
    """Store a dependence screen, checked with the dose trends (DEP-1 to DEP-8); flag findings."""
    result = await caller.run(
        followups.record_dependence_screen, patient_id=patient_id, screen=body.to_screen()
    )
    return ScreenOut.of(result)


@router.post("/urinary-screens", status_code=201, responses=_WRITE_ERRORS)
async def record_urinary_screen(
    patient_id: uuid.UUID, body: UrinaryScreenIn, caller: Clinician
) -> ScreenOut:
    """Store a urinary symptom screen (TOX-U1, TOX-U4); a positive one is flagged."""
    result = await caller.run(
        followups.record_urinary_screen, patient_id=patient_id, screen=body.to_screen()
    )
    return ScreenOut.of(result)


@router.get("/safety-screens", responses=problem_responses(404, 422))
async def list_screens(patient_id: uuid.UUID, caller: Clinician) -> ScreensOut:
    """A patient's dependence and urinary screens, newest first; DEP-7 while none is recorded."""
    return ScreensOut.of(await caller.run(followups.list_screens, patient_id=patient_id))


@router.get("/outcomes", responses=problem_responses(404, 422))
async def list_outcomes(patient_id: uuid.UUID, caller: Clinician) -> OutcomesOut:
    """A patient's pain change from baseline (IMMPACT category), scores and safety flags."""
    return OutcomesOut.of(await caller.run(followups.list_outcomes, patient_id=patient_id))
