"""After the session: questionnaires, follow-up contacts, safety screens and outcomes.

- An instrument response is scored by `INSTRUMENTS` when it is recorded. A HARD or SOFT finding
  of the score becomes a safety flag at once; a HARD one (PHQ-9 item 9 > 0, OUT-5) also books a
  follow-up due the same day, so that the suicide-risk assessment is on today's list.
- The dependence screen (DEP-1 to DEP-8, with the dose trends of every session given) and the
  urinary symptom screen (TOX-U1, TOX-U4) are stored, answers and findings, whatever they found,
  and raise a safety flag per HARD or SOFT finding in the same transaction. A patient with no
  dependence screen on record has the DEP-7 finding (abuse-risk assessment required, HARD).
- Outcomes: each pain NRS after baseline, as change from baseline with its IMMPACT category
  (OUT-1, OUT-2). Baseline is the last NRS at or before the patient's first session; without a
  session, the first NRS recorded.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from ketapath.clinical.finding import Finding, Severity
from ketapath.clinical.instruments import InstrumentScore
from ketapath.clinical.observations import InstrumentResponse
from ketapath.clinical.outcomes import PainChange, calculate_change
from ketapath.clinical.safety import DependenceScreen, assess_dependence
from ketapath.clinical.toxicity import UrinaryScreen, assess_urinary
from ketapath.errors import ConflictError, InputError, NotFoundError
from ketapath.services.care.patients import CLINICAL_ROLES, require_patient
from ketapath.services.care.sessions import effective_doses, list_patient_charts
from ketapath.services.context import RequestContext, Services, require_role
from ketapath.store.records import SafetyScreenRecord, ScreenKind, Stored
from ketapath.store.repositories import FollowUpRepository
from ketapath.store.repositories.followup import (
    ContactMethod,
    FollowUpRecord,
    SafetyFlagRecord,
)

__all__ = [
    "ContactMethod",
    "FollowUpRecord",
    "OutcomePoint",
    "PatientOutcomes",
    "PatientScreens",
    "RaisedFlag",
    "ResponseRecorded",
    "SafetyFlagRecord",
    "SafetyScreenRecord",
    "ScoredResponse",
    "ScreenKind",
    "ScreenResult",
    "Stored",
    "list_outcomes",
    "list_screens",
    "record_contact",
    "record_dependence_screen",
    "record_response",
    "record_urinary_screen",
    "schedule_follow_up",
]

_FLAGGED = frozenset({Severity.HARD, Severity.SOFT})


def _method(value: ContactMethod | str) -> ContactMethod:
    try:
        return ContactMethod(value)
    except ValueError:
        allowed = ", ".join(ContactMethod)
        msg = f"`method` must be one of {allowed} (got {value!r})."
        raise InputError(msg, field="method", value=value) from None


@dataclass(frozen=True, slots=True, kw_only=True)
class RaisedFlag:
    """A safety flag just raised: its id and the finding."""

    id: uuid.UUID
    finding: Finding


@dataclass(frozen=True, slots=True, kw_only=True)
class ResponseRecorded:
    """A stored questionnaire, its score, the flags it raised and the same-day follow-up."""

    response_id: uuid.UUID
    score: InstrumentScore
    flags: tuple[RaisedFlag, ...]
    follow_up_id: uuid.UUID | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ScreenResult:
    """A stored safety screen: its id, what it found, and the flags raised."""

    screen_id: uuid.UUID
    findings: tuple[Finding, ...]
    flags: tuple[RaisedFlag, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientScreens:
    """A patient's safety screens, newest first, and whether an abuse-risk assessment is done.

    Parameters
    ----------
    patient_id : uuid.UUID
        The patient.
    screens : tuple of Stored[SafetyScreenRecord]
        Every dependence and urinary screen, newest (by the time it was asked) first.
    abuse_risk_findings : tuple of Finding
        The DEP-7 finding (HARD, with its reason and source) when no dependence screen is
        recorded; empty once one is.
    """

    patient_id: uuid.UUID
    screens: tuple[Stored[SafetyScreenRecord], ...]
    abuse_risk_findings: tuple[Finding, ...]

    @property
    def last_dependence(self) -> Stored[SafetyScreenRecord] | None:
        """The newest dependence (abuse-risk) screen, None when none is recorded."""
        dependence = (s for s in self.screens if s.record.kind is ScreenKind.DEPENDENCE)
        return next(dependence, None)


@dataclass(frozen=True, slots=True, kw_only=True)
class ScoredResponse:
    """A stored questionnaire with its score."""

    id: uuid.UUID
    instrument: str
    completed_at: datetime
    score: InstrumentScore


@dataclass(frozen=True, slots=True, kw_only=True)
class OutcomePoint:
    """One pain rating after baseline and its change from baseline (None when baseline is 0)."""

    completed_at: datetime
    nrs_points: float
    change: PainChange | None


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientOutcomes:
    """A patient's outcomes: baseline pain, the change at each rating, scores, flags."""

    patient_id: uuid.UUID
    baseline_nrs_points: float | None
    baseline_at: datetime | None
    points: tuple[OutcomePoint, ...]
    responses: tuple[ScoredResponse, ...]
    flags: tuple[Stored[SafetyFlagRecord], ...]


def _raise_flags(
    repo: FollowUpRepository, patient_id: uuid.UUID, findings: Sequence[Finding], at: datetime
) -> tuple[RaisedFlag, ...]:
    return tuple(
        RaisedFlag(id=repo.raise_flag(patient_id, finding, raised_at=at), finding=finding)
        for finding in findings
        if finding.level in _FLAGGED
    )


def _check_session(
    session: Session, context: RequestContext, patient_id: uuid.UUID, session_id: uuid.UUID | None
) -> None:
    if session_id is None:
        return
    if session_id not in {c.session.id for c in list_patient_charts(session, context, patient_id)}:
        raise NotFoundError(f"Patient {patient_id} has no session with id {session_id}.")


def record_response(  # the response's fields, all keyword-only
    services: Services,
    context: RequestContext,
    *,
    patient_id: uuid.UUID,
    instrument: str,
    answers: Sequence[int | None],
    completed_at: datetime,
    session_id: uuid.UUID | None = None,
) -> ResponseRecorded:
    """Score and store a questionnaire; flag what it found (PHQ-9 item 9: same-day follow-up).

    Raises
    ------
    InputError
        For an unknown instrument, a wrong item count or an answer out of range.
    """
    require_role(context, *CLINICAL_ROLES)
    response = InstrumentResponse(instrument=instrument, answers=answers, time=completed_at)
    score = response.score()
    with services.unit_of_work() as session:
        require_patient(session, context, patient_id, for_writing=True)
        _check_session(session, context, patient_id, session_id)
        repo = FollowUpRepository(session, context.to_actor())
        response_id = repo.add_response(patient_id, response, session_id=session_id)
        now = services.now()
        flags = _raise_flags(repo, patient_id, score.findings, now)
        urgent = [flag.finding.rule_id for flag in flags if flag.finding.level is Severity.HARD]
        follow_up_id = None
        if urgent:
            notes = f"Same-day safety follow-up ({', '.join(urgent)})."
            due = FollowUpRecord(due_on=now.date(), method=ContactMethod.PHONE, notes=notes)
            follow_up_id = repo.schedule(patient_id, due)
        return ResponseRecorded(
            response_id=response_id, score=score, flags=flags, follow_up_id=follow_up_id
        )


def schedule_follow_up(  # the follow-up's fields, all keyword-only
    services: Services,
    context: RequestContext,
    *,
    patient_id: uuid.UUID,
    due_on: date,
    method: ContactMethod | str,
    session_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """Book a follow-up contact for a day."""
    require_role(context, *CLINICAL_ROLES)
    planned = FollowUpRecord(due_on=due_on, method=_method(method), session_id=session_id)
    with services.unit_of_work() as session:
        require_patient(session, context, patient_id, for_writing=True)
        _check_session(session, context, patient_id, session_id)
        return FollowUpRepository(session, context.to_actor()).schedule(patient_id, planned)


def record_contact(  # the contact's fields, all keyword-only
    services: Services,
    context: RequestContext,
    *,
    patient_id: uuid.UUID,
    notes: str,
    method: ContactMethod | str = ContactMethod.PHONE,
    follow_up_id: uuid.UUID | None = None,
) -> Stored[FollowUpRecord]:
    """Record a follow-up contact made now: a booked one completed, or an unplanned one.

    Raises
    ------
    InputError
        When `notes` is empty.
    NotFoundError
        When `follow_up_id` is not one of the patient's follow-ups.
    ConflictError
        When that follow-up was already completed.
    """
    require_role(context, *CLINICAL_ROLES)
    if not isinstance(notes, str) or not notes.strip():
        msg = f"`notes` must say what the contact found (got {notes!r})."
        raise InputError(msg, field="notes", value=notes)
    with services.unit_of_work() as session:
        require_patient(session, context, patient_id, for_writing=True)
        repo = FollowUpRepository(session, context.to_actor())
        now = services.now()
        if follow_up_id is None:
            follow_up_id = repo.schedule(
                patient_id, FollowUpRecord(due_on=now.date(), method=_method(method))
            )
        else:
            booked = {f.id: f.record for f in repo.list_follow_ups(patient_id)}
            if follow_up_id not in booked:
                msg = f"Patient {patient_id} has no follow-up with id {follow_up_id}."
                raise NotFoundError(msg)
            if booked[follow_up_id].completed_at is not None:
                raise ConflictError(f"Follow-up {follow_up_id} is already completed.")
        return repo.complete(follow_up_id, at=now, notes=notes.strip())


def _store_screen(
    repo: FollowUpRepository,
    patient_id: uuid.UUID,
    screen: DependenceScreen | UrinaryScreen,
    *,
    findings: Sequence[Finding],
    now: datetime,
) -> ScreenResult:
    """Store the screen, answers as given, then the flags of its findings (one transaction)."""
    kind = ScreenKind.DEPENDENCE if isinstance(screen, DependenceScreen) else ScreenKind.URINARY
    answers = {name: bool(value) for name, value in asdict(screen).items() if name != "time"}
    record = SafetyScreenRecord(
        kind=kind, screened_at=screen.time, answers=answers, findings=tuple(findings)
    )
    screen_id = repo.add_screen(patient_id, record)
    flags = _raise_flags(repo, patient_id, findings, now)
    return ScreenResult(screen_id=screen_id, findings=tuple(findings), flags=flags)


def record_dependence_screen(
    services: Services, context: RequestContext, *, patient_id: uuid.UUID, screen: DependenceScreen
) -> ScreenResult:
    """Store the dependence screen, checked with every dose given (DEP-1 to DEP-8); flag what
    it found. A screen with no signal is stored too: it is the abuse-risk assessment (DEP-7)."""
    require_role(context, *CLINICAL_ROLES)
    with services.unit_of_work() as session:
        require_patient(session, context, patient_id, for_writing=True)
        charts = list_patient_charts(session, context, patient_id)
        doses = [dose for chart in charts for dose in effective_doses(chart)]
        findings = assess_dependence(screen, doses)
        repo = FollowUpRepository(session, context.to_actor())
        return _store_screen(repo, patient_id, screen, findings=findings, now=services.now())


def record_urinary_screen(
    services: Services, context: RequestContext, *, patient_id: uuid.UUID, screen: UrinaryScreen
) -> ScreenResult:
    """Store the urinary symptom screen (TOX-U1, TOX-U4), negative or not; flag a positive one."""
    require_role(context, *CLINICAL_ROLES)
    with services.unit_of_work() as session:
        require_patient(session, context, patient_id, for_writing=True)
        charts = list_patient_charts(session, context, patient_id)
        prior = sum(
            1 for c in charts if c.session.started_at and c.session.started_at < screen.time
        )
        findings = assess_urinary(screen, prior_sessions=prior)
        repo = FollowUpRepository(session, context.to_actor())
        return _store_screen(repo, patient_id, screen, findings=findings, now=services.now())


def list_screens(
    services: Services, context: RequestContext, *, patient_id: uuid.UUID
) -> PatientScreens:
    """Return a patient's dependence and urinary screens, newest first, with the DEP-7 finding
    when no dependence (abuse-risk) screen is recorded."""
    require_role(context, *CLINICAL_ROLES)
    with services.unit_of_work() as session:
        require_patient(session, context, patient_id)
        stored = FollowUpRepository(session, context.to_actor()).list_screens(patient_id)
    screens = tuple(
        sorted(stored, key=lambda s: (s.record.screened_at, s.recorded_at), reverse=True)
    )
    assessed = any(s.record.kind is ScreenKind.DEPENDENCE for s in screens)
    return PatientScreens(
        patient_id=patient_id,
        screens=screens,
        # With no screen and no doses, the rules give exactly the DEP-7 finding.
        abuse_risk_findings=() if assessed else tuple(assess_dependence(None)),
    )


def _baseline(
    ratings: Sequence[ScoredResponse], first_start: datetime | None
) -> ScoredResponse | None:
    if first_start is None:
        return ratings[0] if ratings else None
    before = [r for r in ratings if r.completed_at <= first_start]
    return before[-1] if before else None


def list_outcomes(
    services: Services, context: RequestContext, *, patient_id: uuid.UUID
) -> PatientOutcomes:
    """Return a patient's pain change from baseline (IMMPACT category), scores and flags."""
    require_role(context, *CLINICAL_ROLES)
    with services.unit_of_work() as session:
        require_patient(session, context, patient_id)
        repo = FollowUpRepository(session, context.to_actor())
        scored = sorted(
            (
                ScoredResponse(
                    id=stored.id,
                    instrument=stored.record.instrument,
                    completed_at=stored.record.time,
                    score=stored.record.score(),
                )
                for stored in repo.list_responses(patient_id)
            ),
            key=lambda response: response.completed_at,
        )
        starts = [
            c.session.started_at
            for c in list_patient_charts(session, context, patient_id)
            if c.session.started_at is not None
        ]
        ratings = [r for r in scored if r.instrument == "nrs"]
        baseline = _baseline(ratings, min(starts, default=None))
        points = () if baseline is None else _points(baseline, ratings)
        return PatientOutcomes(
            patient_id=patient_id,
            baseline_nrs_points=None if baseline is None else baseline.score.total,
            baseline_at=None if baseline is None else baseline.completed_at,
            points=points,
            responses=tuple(scored),
            flags=repo.list_flags(patient_id),
        )


def _points(
    baseline: ScoredResponse, ratings: Sequence[ScoredResponse]
) -> tuple[OutcomePoint, ...]:
    base = baseline.score.total
    return tuple(
        OutcomePoint(
            completed_at=rating.completed_at,
            nrs_points=rating.score.total,
            change=None if base == 0 else calculate_change(base, rating.score.total),
        )
        for rating in ratings
        if rating.completed_at > baseline.completed_at
    )
