"""Screenings (physicians and nurses): screen a patient from the stored record; read them back."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from ketapath.api.deps import Clinician
from ketapath.api.pagination import Page, PageQuery
from ketapath.api.problems import problem_responses
from ketapath.api.schemas.screenings import ScreeningOut, ScreeningRequest
from ketapath.services.care import screening

router = APIRouter(tags=["screenings"])


@router.post(
    "/patients/{patient_id}/screenings",
    status_code=201,
    responses=problem_responses(404, 409, 422),
)
async def run_screening(
    patient_id: uuid.UUID, body: ScreeningRequest, caller: Clinician
) -> ScreeningOut:
    """Screen a patient for ketamine therapy from their stored record; the result is stored."""
    stored = await caller.run(
        screening.run_screening, patient_id, answers=body.answers.to_answers(), on=body.on
    )
    return ScreeningOut.of(stored)


@router.get("/patients/{patient_id}/screenings", responses=problem_responses(404, 422))
async def list_screenings(
    patient_id: uuid.UUID, page: PageQuery, caller: Clinician
) -> Page[ScreeningOut]:
    """A patient's screenings, newest first."""
    found = await caller.run(
        screening.list_screenings, patient_id, limit=page.limit, offset=page.offset
    )
    return Page.of([ScreeningOut.of(s) for s in found.items], total=found.total, params=page)


@router.get("/screenings/{screening_id}", responses=problem_responses(404, 422))
async def get_screening(screening_id: uuid.UUID, caller: Clinician) -> ScreeningOut:
    """A screening as it was stored."""
    return ScreeningOut.of(await caller.run(screening.get_screening, screening_id))
