"""Research (researchers; physicians too): de-identified aggregate outcomes only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from ketapath.api.deps import Caller, UserRole, allow
from ketapath.api.problems import problem_responses
from ketapath.api.schemas.research import ResearchSummaryOut
from ketapath.services.clinic import research

router = APIRouter(prefix="/research", tags=["research"])

Researcher = Annotated[Caller, allow(UserRole.RESEARCHER, UserRole.PHYSICIAN)]


@router.get("/outcomes", responses=problem_responses(422))
async def summarise_outcomes(caller: Researcher) -> ResearchSummaryOut:
    """Counts, responder rates and relief duration by indication and protocol (cells < 5
    patients suppressed); never a name, birth date, MRN, free text or per-patient row."""
    return ResearchSummaryOut.of(await caller.run(research.summarise_outcomes))
