"""Treatment sessions: nurses (and physicians) start, chart, titrate, pause, resume and stop them.

Every write that can raise an alarm answers with it at once; a HARD baseline finding refuses the
start (422 naming the rule), and a rate above a hard limit is refused (422 naming the rule), a
resume rate as a rate change. Pausing a session that is not in progress, or resuming one that is
not paused, is a conflict (409 naming its status).
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from ketapath.api.deps import Clinician
from ketapath.api.problems import problem_responses
from ketapath.api.schemas.sessions import (
    AdverseEventIn,
    ChartOut,
    DissociationIn,
    EntryCreated,
    PauseIn,
    RateChangeIn,
    RateChangeOut,
    ReadingOut,
    ResumedOut,
    SedationIn,
    SessionOut,
    SessionStartedOut,
    SessionStartIn,
    StopIn,
    VitalsReadingIn,
)
from ketapath.services.care import sessions

router = APIRouter(tags=["sessions"])

_WRITE_ERRORS = problem_responses(404, 409, 422)


@router.post("/plans/{plan_id}/sessions", status_code=201, responses=_WRITE_ERRORS)
async def start_session(
    plan_id: uuid.UUID, body: SessionStartIn, caller: Clinician
) -> SessionStartedOut:
    """Start a session of a signed plan once the pre-dose vital signs pass (MON-1, MON-2)."""
    started = await caller.run(
        sessions.start_session,
        plan_id=plan_id,
        chair=body.chair,
        baseline=body.baseline.to_record(),
    )
    return SessionStartedOut.of(started)


@router.get("/sessions/{session_id}", responses=problem_responses(404, 422))
async def get_chart(session_id: uuid.UUID, caller: Clinician) -> ChartOut:
    """A session's chart: segments, vital signs, scores, alarms and adverse events."""
    return ChartOut.of(await caller.run(sessions.get_chart, session_id=session_id))


@router.post("/sessions/{session_id}/vitals", status_code=201, responses=_WRITE_ERRORS)
async def record_vitals(
    session_id: uuid.UUID, body: VitalsReadingIn, caller: Clinician
) -> ReadingOut:
    """Chart vital signs; the alarms they raise come back at once, with what to do."""
    result = await caller.run(
        sessions.record_vitals,
        session_id=session_id,
        vitals=body.to_record(),
        sedation=None if body.sedation is None else body.sedation.to_record(),
        symptoms=frozenset(body.symptoms),
    )
    return ReadingOut.of(result)


@router.post("/sessions/{session_id}/rate", status_code=201, responses=_WRITE_ERRORS)
async def change_rate(
    session_id: uuid.UUID, body: RateChangeIn, caller: Clinician
) -> RateChangeOut:
    """Set the infusion rate from now; a rate past a hard limit is refused."""
    change = await caller.run(
        sessions.change_rate,
        session_id=session_id,
        rate_mg_per_h=body.rate_mg_per_h,
        order_id=body.order_id,
    )
    return RateChangeOut.of(change)


@router.post("/sessions/{session_id}/sedation", status_code=201, responses=_WRITE_ERRORS)
async def record_sedation(session_id: uuid.UUID, body: SedationIn, caller: Clinician) -> ReadingOut:
    """Chart a MOAA/S and/or RASS score; a sedation alarm comes back at once."""
    result = await caller.run(
        sessions.record_sedation, session_id=session_id, score=body.to_record()
    )
    return ReadingOut.of(result)


@router.post("/sessions/{session_id}/dissociation", status_code=201, responses=_WRITE_ERRORS)
async def record_dissociation(
    session_id: uuid.UUID, body: DissociationIn, caller: Clinician
) -> EntryCreated:
    """Chart a CADSS or CADSS-6 total."""
    entry_id = await caller.run(
        sessions.record_dissociation, session_id=session_id, score=body.to_record()
    )
    return EntryCreated(id=entry_id)


@router.post("/sessions/{session_id}/adverse-events", status_code=201, responses=_WRITE_ERRORS)
async def record_adverse_event(
    session_id: uuid.UUID, body: AdverseEventIn, caller: Clinician
) -> EntryCreated:
    """Chart an adverse event."""
    entry_id = await caller.run(
        sessions.record_adverse_event, session_id=session_id, event=body.to_record()
    )
    return EntryCreated(id=entry_id)


@router.post("/sessions/{session_id}/stop", responses=_WRITE_ERRORS)
async def stop_session(session_id: uuid.UUID, body: StopIn, caller: Clinician) -> SessionOut:
    """Stop the infusion now, with the reason."""
    return SessionOut.of(
        await caller.run(sessions.stop_session, session_id=session_id, reason=body.reason)
    )


@router.post("/sessions/{session_id}/pause", responses=_WRITE_ERRORS)
async def pause_session(session_id: uuid.UUID, body: PauseIn, caller: Clinician) -> SessionOut:
    """Pause the infusion now, with the reason; the running segment ends now."""
    return SessionOut.of(
        await caller.run(sessions.pause_session, session_id=session_id, reason=body.reason)
    )


@router.post("/sessions/{session_id}/resume", status_code=201, responses=_WRITE_ERRORS)
async def resume_session(
    session_id: uuid.UUID, body: RateChangeIn, caller: Clinician
) -> ResumedOut:
    """Resume a paused infusion at a rate, checked as a rate change is."""
    resumed = await caller.run(
        sessions.resume_session,
        session_id=session_id,
        rate_mg_per_h=body.rate_mg_per_h,
        order_id=body.order_id,
    )
    return ResumedOut.of(resumed)
