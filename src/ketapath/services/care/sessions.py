"""Treatment sessions: start against a signed plan, chart, change the rate, pause, resume, stop.

Nurses chart (physicians may too). Each use case is one transaction:

- **start**: the pre-dose vital signs pass the baseline gate (`assess_baseline`): a HARD finding
  (MON-2) refuses the start and nothing is written; a SOFT one (MON-1) is charted as an alarm.
- **vital signs**: every reading is checked as it is written (`assess_reading`, with the sedation
  score taken with it, or the last one charted in the `SEDATION_WINDOW` before it); the alarms are
  stored with the reading and returned at once, each with what to do.
- **rate change**: a new administration segment from now to the order's planned end, checked
  against the drug library (`ketapath.services.care.infusion.set_rate`).
- **pause** (a side effect, a PAUSE alarm), only while in progress: the running segment ends at
  the pause time, so no ketamine is charted as given while paused, and the status change keeps
  the reason. Readings and scores can still be charted, and the session can be stopped.
- **resume**: a new segment at the rate given, checked exactly as a rate change is (never above a
  hard limit, never clamped), and the session is in progress again.
- **scores** (MOAA/S, RASS: sedation alarms; CADSS, CADSS-6), **adverse events**, **stop**.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from ketapath.clinical.finding import Finding, Severity
from ketapath.clinical.observations import DissociationScore, SedationScore
from ketapath.clinical.records import VitalSigns
from ketapath.clinical.session.monitoring import (
    MON_9,
    MON_10,
    Alarm,
    CrisisSymptom,
    SessionAction,
    assess_baseline,
    assess_reading,
)
from ketapath.errors import ConflictError, InputError
from ketapath.services.care.infusion import (
    RateChange,
    effective_doses,
    list_patient_charts,
    read_chart,
    require_status,
    running_segments,
    set_rate,
)
from ketapath.services.care.patients import CLINICAL_ROLES, check_patient_access, require_patient
from ketapath.services.context import RequestContext, Services, require_role
from ketapath.store.records import AdverseEventRecord, SessionChart, SessionRecord
from ketapath.store.repositories import SessionRepository, TreatmentRepository
from ketapath.store.tables import PlanStatus, SessionStatus

__all__ = [
    "SEDATION_WINDOW",
    "AdverseEventRecord",
    "ChartedAlarm",
    "RateChange",
    "ReadingResult",
    "Resumed",
    "SessionChart",
    "SessionRecord",
    "SessionStarted",
    "SessionStatus",
    "change_rate",
    "effective_doses",
    "get_chart",
    "list_patient_charts",
    "pause_session",
    "read_chart",
    "record_adverse_event",
    "record_dissociation",
    "record_scores",
    "record_sedation",
    "record_vitals",
    "resume_session",
    "start_session",
    "stop_session",
]

SEDATION_WINDOW = timedelta(minutes=15)
"""A sedation score counts with a reading taken up to 15 min after it (NIBP q15 min, MON-5)."""

_CHARTING = frozenset({SessionStatus.IN_PROGRESS, SessionStatus.PAUSED, SessionStatus.STOPPED})
_INFUSING = frozenset({SessionStatus.IN_PROGRESS, SessionStatus.PAUSED})
_SEDATION_RULES = frozenset({MON_9.id, MON_10.id})


@dataclass(frozen=True, slots=True, kw_only=True)
class ChartedAlarm:
    """An alarm as stored: its id, when it was raised, the finding and what to do."""

    id: uuid.UUID
    raised_at: datetime
    alarm: Alarm


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionStarted:
    """A started session, with the baseline findings that did not block it."""

    session: SessionRecord
    baseline_findings: tuple[Finding, ...]
    alarms: tuple[ChartedAlarm, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadingResult:
    """A charted reading or score, and the alarms its write raised (most severe action first)."""

    entry_id: uuid.UUID
    action: SessionAction
    alarms: tuple[ChartedAlarm, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Resumed:
    """A paused session in progress again, and the new rate segment it resumed at."""

    session: SessionRecord
    change: RateChange


def _reason(reason: object, what: str) -> str:
    if not isinstance(reason, str) or not reason.strip():
        msg = f"`reason` must be a non-empty text to {what} (got {reason!r})."
        raise InputError(msg, field="reason", value=reason)
    return reason.strip()


def _store_alarms(
    repo: SessionRepository, session_id: uuid.UUID, alarms: Sequence[Alarm], at: datetime
) -> tuple[ChartedAlarm, ...]:
    ordered = sorted(alarms, key=lambda alarm: -alarm.action.rank)
    return tuple(
        ChartedAlarm(id=repo.add_alarm(session_id, alarm, raised_at=at), raised_at=at, alarm=alarm)
        for alarm in ordered
    )


def _action(alarms: Sequence[ChartedAlarm]) -> SessionAction:
    actions = (charted.alarm.action for charted in alarms)
    return max(actions, key=lambda action: action.rank, default=SessionAction.CONTINUE)


def start_session(
    services: Services,
    context: RequestContext,
    *,
    plan_id: uuid.UUID,
    chair: str,
    baseline: VitalSigns,
) -> SessionStarted:
    """Start a session of a signed plan once the pre-dose vital signs pass (MON-1, MON-2).

    Raises
    ------
    InputError
        When a HARD baseline finding (MON-2) refuses the start; the message names each.
    DataError
        When SBP, DBP, HR or RR is missing from the baseline.
    ConflictError
        When the plan is not signed.
    """
    require_role(context, *CLINICAL_ROLES)
    if not isinstance(chair, str) or not chair.strip():
        raise InputError(f"`chair` must be a non-empty text (got {chair!r}).", field="chair")
    with services.unit_of_work() as session:
        plan = TreatmentRepository(session, context.to_actor()).get_plan(plan_id)
        require_patient(session, context, plan.patient_id, for_writing=True)
        if plan.status is not PlanStatus.APPROVED:
            raise ConflictError(f"Plan {plan_id} is {plan.status}: sign it before a session.")
        findings = assess_baseline(baseline)
        hard = [f for f in findings if f.level is Severity.HARD]
        if hard:
            named = " ".join(f"{f.rule_id} (HARD): {f.message}" for f in hard)
            field = f"baseline.{next(iter(hard[0].values), 'vitals')}"
            raise InputError(f"The session cannot start. {named}", field=field)
        repo = SessionRepository(session, context.to_actor())
        created = repo.create(
            plan.patient_id, chair=chair.strip(), care_area=plan.care_area, plan_id=plan.id
        )
        started = repo.start(created.id, at=services.now())
        repo.add_vitals(plan.patient_id, baseline, session_id=created.id)
        soft = [Alarm(finding=f, action=SessionAction.ALERT) for f in findings]
        alarms = _store_alarms(repo, created.id, soft, baseline.time)
        return SessionStarted(session=started, baseline_findings=tuple(findings), alarms=alarms)


def record_vitals(
    services: Services,
    context: RequestContext,
    *,
    session_id: uuid.UUID,
    vitals: VitalSigns,
    sedation: SedationScore | None = None,
    symptoms: Collection[CrisisSymptom] = (),
) -> ReadingResult:
    """Chart a set of vital signs (and the sedation score taken with it); return its alarms.

    Raises
    ------
    ConflictError
        When the session has not started, or is completed.
    """
    require_role(context, *CLINICAL_ROLES)
    with services.unit_of_work() as session:
        repo = SessionRepository(session, context.to_actor())
        # Only what the rules read (the latest readings, recent sedation), not the whole chart:
        # a write costs the same at the first reading of a session as at the three-hundredth.
        # A reading charted late is judged with the readings before it, not those after it.
        recent = repo.get_recent(
            session_id, until=vitals.time, sedation_since=vitals.time - SEDATION_WINDOW
        )
        check_patient_access(
            context,
            recent.session.patient_id,
            clinic_id=recent.patient_clinic_id,
            active=recent.patient_active,
            for_writing=True,
        )
        require_status(recent.session, _CHARTING, "chart vital signs")
        if sedation is not None:
            repo.add_sedation(session_id, sedation)
        latest = max(recent.sedation, key=lambda score: score.time, default=None)
        taken = sedation if sedation is not None else latest
        result = assess_reading([*recent.vitals, vitals], sedation=taken, symptoms=symptoms)
        entry_id = repo.add_vitals(recent.session.patient_id, vitals, session_id=session_id)
        alarms = _store_alarms(repo, session_id, result.alarms, vitals.time)
        return ReadingResult(entry_id=entry_id, action=result.action, alarms=alarms)


@contextmanager
def _charting(
    services: Services, context: RequestContext, session_id: uuid.UUID, what: str
) -> Iterator[tuple[SessionRepository, SessionChart]]:
    """The transaction of a score or an event charted in a session (in progress, paused or
    stopped): its repository and the chart as it stands."""
    require_role(context, *CLINICAL_ROLES)
    with services.unit_of_work() as session:
        chart = read_chart(session, context, session_id, for_writing=True)
        require_status(chart.session, _CHARTING, what)
        yield SessionRepository(session, context.to_actor()), chart


def record_sedation(
    services: Services, context: RequestContext, *, session_id: uuid.UUID, score: SedationScore
) -> ReadingResult:
    """Chart a MOAA/S and/or RASS score; a sedation or agitation alarm (MON-9, MON-10) is raised
    and returned at once."""
    with _charting(services, context, session_id, "chart a sedation score") as (repo, chart):
        return _chart_sedation(repo, chart, score)


def _chart_sedation(
    repo: SessionRepository, chart: SessionChart, score: SedationScore
) -> ReadingResult:
    session_id = chart.session.id
    entry_id = repo.add_sedation(session_id, score)
    readings = [stored.record for stored in chart.vitals]
    fired = assess_reading(readings, sedation=score).alarms if readings else ()
    sedation_alarms = [a for a in fired if a.finding.rule_id in _SEDATION_RULES]
    alarms = _store_alarms(repo, session_id, sedation_alarms, score.time)
    return ReadingResult(entry_id=entry_id, action=_action(alarms), alarms=alarms)


def record_scores(
    services: Services,
    context: RequestContext,
    *,
    session_id: uuid.UUID,
    sedation: SedationScore | None = None,
    dissociation: DissociationScore | None = None,
    event: AdverseEventRecord | None = None,
) -> ReadingResult | None:
    """Chart what was assessed together (a sedation score, a dissociation score, a side effect)
    in one transaction: all of it or, when one is refused, none. Returns the sedation score's
    result as `record_sedation` does (None without one)."""
    with _charting(services, context, session_id, "chart scores") as (repo, chart):
        if dissociation is not None:
            repo.add_dissociation(session_id, dissociation)
        if event is not None:
            repo.add_adverse_event(session_id, event)
        return None if sedation is None else _chart_sedation(repo, chart, sedation)


def record_dissociation(
    services: Services,
    context: RequestContext,
    *,
    session_id: uuid.UUID,
    score: DissociationScore,
) -> uuid.UUID:
    """Chart a CADSS or CADSS-6 total (MON-11: tracked per session, no alarm)."""
    with _charting(services, context, session_id, "chart a dissociation score") as (repo, _):
        return repo.add_dissociation(session_id, score)


def record_adverse_event(
    services: Services,
    context: RequestContext,
    *,
    session_id: uuid.UUID,
    event: AdverseEventRecord,
) -> uuid.UUID:
    """Chart an adverse event: what happened, how bad, what was done."""
    with _charting(services, context, session_id, "chart an adverse event") as (repo, _):
        return repo.add_adverse_event(session_id, event)


def stop_session(
    services: Services, context: RequestContext, *, session_id: uuid.UUID, reason: str
) -> SessionRecord:
    """Stop the infusion now (running or paused), with the reason (completed, an alarm, the
    patient's wish)."""
    require_role(context, *CLINICAL_ROLES)
    reason = _reason(reason, "stop a session")
    with services.unit_of_work() as session:
        chart = read_chart(session, context, session_id, for_writing=True)
        require_status(chart.session, _INFUSING, "stop it")
        repo = SessionRepository(session, context.to_actor())
        return repo.stop(session_id, at=services.now(), reason=reason)


def get_chart(
    services: Services, context: RequestContext, *, session_id: uuid.UUID
) -> SessionChart:
    """Return a session's chart: segments, vital signs, scores, alarms, adverse events."""
    require_role(context, *CLINICAL_ROLES)
    with services.unit_of_work() as session:
        return read_chart(session, context, session_id)


def change_rate(
    services: Services,
    context: RequestContext,
    *,
    session_id: uuid.UUID,
    rate_mg_per_h: float,
    order_id: uuid.UUID | None = None,
) -> RateChange:
    """Set the infusion rate from now to the order's planned end (the first rate starts it).

    The planned end is the start of the order's first segment plus its duration.

    Raises
    ------
    InputError
        When a limit refuses the rate (the message names each rule), the order's time has run
        out, or the plan has no such infusion order.
    ConflictError
        When the session is not in progress (a paused one is resumed, with its rate).
    """
    require_role(context, *CLINICAL_ROLES)
    with services.unit_of_work() as session:
        chart = read_chart(session, context, session_id, for_writing=True)
        require_status(chart.session, {SessionStatus.IN_PROGRESS}, "change the rate")
        return set_rate(
            session,
            context,
            chart,
            now=services.now(),
            rate_mg_per_h=rate_mg_per_h,
            order_id=order_id,
        )


def pause_session(
    services: Services, context: RequestContext, *, session_id: uuid.UUID, reason: str
) -> SessionRecord:
    """Pause the infusion now, with the reason: the running segment ends now.

    Raises
    ------
    InputError
        When the reason is empty.
    ConflictError
        When the session is not in progress (the message names its status), or a rate was set
        at this very time.
    """
    require_role(context, *CLINICAL_ROLES)
    reason = _reason(reason, "pause a session")
    with services.unit_of_work() as session:
        chart = read_chart(session, context, session_id, for_writing=True)
        require_status(chart.session, {SessionStatus.IN_PROGRESS}, "pause it")
        now = services.now()
        repo = SessionRepository(session, context.to_actor())
        for segment_id in running_segments(chart, now):
            repo.end_segment(segment_id, at=now, reason=f"Infusion paused: {reason}")
        return repo.pause(session_id, at=now, reason=reason)


def resume_session(
    services: Services,
    context: RequestContext,
    *,
    session_id: uuid.UUID,
    rate_mg_per_h: float,
    order_id: uuid.UUID | None = None,
) -> Resumed:
    """Resume a paused infusion at `rate_mg_per_h` from now, checked as a rate change is.

    Raises
    ------
    InputError
        When a limit refuses the rate (nothing is written, and the session stays paused), the
        order's time has run out, or the plan has no such infusion order.
    ConflictError
        When the session is not paused (the message names its status).
    """
    require_role(context, *CLINICAL_ROLES)
    with services.unit_of_work() as session:
        chart = read_chart(session, context, session_id, for_writing=True)
        require_status(chart.session, {SessionStatus.PAUSED}, "resume it")
        change = set_rate(
            session,
            context,
            chart,
            now=services.now(),
            rate_mg_per_h=rate_mg_per_h,
            order_id=order_id,
        )
        reason = f"Resumed at {rate_mg_per_h:g} mg/h."
        record = SessionRepository(session, context.to_actor()).resume(session_id, reason=reason)
        return Resumed(session=record, change=change)
