"""The day's chair board, and a patient's course of sessions with their cumulative exposure.

`today_board` sorts the clinic's day into five columns:

- **booked**: a signed plan (``approved``) whose course still has a session to give, and none
  of whose sessions is on today's board. A course has its protocol's number of sessions (ten
  for outpatient CRPS; one for custom orders); it is booked while no session has started, or
  while one is scheduled and not started, or, once begun, until all its sessions have been
  given, as long as the latest started within `COURSE_LAPSE` (a week: the outpatient courses
  run on consecutive weekdays, so a longer gap means the course was interrupted and needs a
  new decision; its plan stays signed). A course whose sessions are all given is never booked
  again;
- **in session**: infusing now, or paused (since when, and why), with the elapsed time, the
  current rate, the last vital signs and the open alarms (those raised with the latest reading:
  a later reading that passes closes them, as the monitoring rules judge every reading);
- **in recovery**: stopped, with no assessment that found the patient ready;
- **ready for discharge**: the latest assessment found the patient ready and is not signed yet;
- **discharged today**: signed out (its assessment signed, or completed).

The sessions of the board are those started on the day, stopped on the day, or still running;
so a session discharged today shows under "discharged today" until midnight (UTC) and then
leaves the board (its course is booked again the next day if sessions remain).

`patient_course` lists a patient's sessions and the ketamine given in all, per course and per
calendar year (`ketapath.clinical.safety.calculate_exposure`). Physicians and nurses only.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy.orm import Session

from ketapath.clinical.dosing.protocols import find_protocol
from ketapath.clinical.observations import AdministeredDose
from ketapath.clinical.records import VitalSigns
from ketapath.clinical.safety import ExposureSummary, calculate_exposure
from ketapath.clinical.session.monitoring import Alarm
from ketapath.services.care.infusion import (
    calculate_given_mg,
    effective_doses,
    given_by,
    list_patient_charts,
    running_doses,
)
from ketapath.services.care.patients import CLINICAL_ROLES, require_patient
from ketapath.services.context import RequestContext, Services, require_role
from ketapath.store.records import PatientIdentity, PlanRecord, SessionChart, SessionRecord
from ketapath.store.repositories import (
    DischargeRepository,
    PatientRepository,
    SessionRepository,
    TreatmentRepository,
)
from ketapath.store.repositories.discharge import DischargeRecord
from ketapath.store.repositories.history import clinic_row_ids
from ketapath.store.tables import (
    PlanStatus,
    SessionStatus,
    TreatmentPlan,
    TreatmentSession,
)

__all__ = [
    "COURSE_LAPSE",
    "Board",
    "BookedPlan",
    "ChairState",
    "CourseSession",
    "PatientCourse",
    "SessionCard",
    "patient_course",
    "today_board",
]

_LOOKBACK = timedelta(hours=24)  # a session created the evening before may still be running
_INFUSING = frozenset({SessionStatus.IN_PROGRESS, SessionStatus.PAUSED})

COURSE_LAPSE = timedelta(days=7)
"""A begun course whose latest session started longer ago than this is no longer booked."""


class ChairState(StrEnum):
    """Where a session of the day stands on the board."""

    IN_SESSION = "in_session"
    IN_RECOVERY = "in_recovery"
    READY_FOR_DISCHARGE = "ready_for_discharge"
    DISCHARGED = "discharged"


@dataclass(frozen=True, slots=True, kw_only=True)
class BookedPlan:
    """A signed plan waiting for a session: the `session_number`-th of `course_sessions`."""

    plan_id: uuid.UUID
    patient: PatientIdentity
    protocol: str | None
    signed_at: datetime
    session_number: int
    course_sessions: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionCard:
    """One chair: the patient, the session and what a nurse looks at first."""

    session_id: uuid.UUID
    patient: PatientIdentity
    chair: str
    state: ChairState
    started_at: datetime | None
    stopped_at: datetime | None
    elapsed_min: float | None
    rate_mg_per_h: float | None
    given_mg: float
    last_vitals: VitalSigns | None
    open_alarms: tuple[Alarm, ...]
    discharge: DischargeRecord | None
    paused_at: datetime | None = None
    pause_reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Board:
    """The chair board of one day, at `as_of`."""

    day: date
    as_of: datetime
    booked: tuple[BookedPlan, ...]
    in_session: tuple[SessionCard, ...]
    in_recovery: tuple[SessionCard, ...]
    ready_for_discharge: tuple[SessionCard, ...]
    discharged_today: tuple[SessionCard, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class CourseSession:
    """One session of a patient's history, with the ketamine it gave (mg)."""

    session_id: uuid.UUID
    plan_id: uuid.UUID | None
    chair: str
    status: SessionStatus
    started_at: datetime | None
    stopped_at: datetime | None
    stop_reason: str | None
    given_mg: float
    alarm_count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientCourse:
    """A patient's sessions, oldest first, and their cumulative exposure."""

    patient_id: uuid.UUID
    sessions: tuple[CourseSession, ...]
    exposure: ExposureSummary


def _rate_now(chart: SessionChart, now: datetime) -> float | None:
    """The rate of the segment running at `now` (the latest started, if two routes run)."""
    latest = max(running_doses(chart, now), key=lambda d: d.time, default=None)
    return None if latest is None else latest.rate_mg_per_h


def _open_alarms(chart: SessionChart) -> tuple[Alarm, ...]:
    """The alarms raised with the latest reading (a later reading that passes closes them)."""
    if not chart.alarms:
        return ()
    latest = max(a.record.raised_at for a in chart.alarms)
    cutoff = max((v.record.time for v in chart.vitals), default=latest)
    return tuple(a.record.alarm for a in chart.alarms if a.record.raised_at >= cutoff)


def _state(chart: SessionChart, discharge: DischargeRecord | None) -> ChairState | None:
    status = chart.session.status
    if status in _INFUSING:
        return ChairState.IN_SESSION
    if status is SessionStatus.COMPLETED or (discharge and discharge.signature is not None):
        return ChairState.DISCHARGED
    if status is SessionStatus.STOPPED:
        ready = discharge is not None and discharge.result.ready
        return ChairState.READY_FOR_DISCHARGE if ready else ChairState.IN_RECOVERY
    return None


def _card(
    session: Session, context: RequestContext, chart: SessionChart, now: datetime
) -> SessionCard | None:
    discharge = DischargeRepository(session, context.to_actor()).find_latest(chart.session.id)
    state = _state(chart, discharge)
    if state is None:
        return None
    record, doses = chart.session, effective_doses(chart)
    end = record.stopped_at or now
    elapsed = (
        None if record.started_at is None else (end - record.started_at) / timedelta(minutes=1)
    )
    live = state is ChairState.IN_SESSION
    return SessionCard(
        session_id=record.id,
        patient=PatientRepository(session, context.to_actor()).get(record.patient_id),
        chair=record.chair,
        state=state,
        started_at=record.started_at,
        stopped_at=record.stopped_at,
        elapsed_min=elapsed,
        rate_mg_per_h=_rate_now(chart, now) if live else None,
        given_mg=calculate_given_mg(doses, now),
        last_vitals=chart.vitals[-1].record if chart.vitals else None,
        open_alarms=_open_alarms(chart) if live else (),
        discharge=discharge,
        paused_at=record.paused_at if record.status is SessionStatus.PAUSED else None,
        pause_reason=record.pause_reason if record.status is SessionStatus.PAUSED else None,
    )


def _on_board(record: SessionRecord, day: date) -> bool:
    """Started or stopped on `day`, or still running (a session past midnight stays)."""
    if record.started_at is None:
        return False
    stopped = record.stopped_at
    return record.started_at.date() == day or stopped is None or stopped.date() == day


def _course_sessions(plan: PlanRecord) -> int:
    protocol = None if plan.protocol is None else find_protocol(plan.protocol)
    return 1 if protocol is None else protocol.sessions


def _is_booked(plan: PlanRecord, sessions: Sequence[SessionRecord], now: datetime) -> bool:
    """The booked rule of the module's docstring (the plan has no session on today's board)."""
    if plan.status is not PlanStatus.APPROVED:
        return False
    if any(s.status is SessionStatus.SCHEDULED for s in sessions):
        return True
    started = [s.started_at for s in sessions if s.started_at is not None]
    if len(started) >= _course_sessions(plan):
        return False
    return not started or now - max(started) <= COURSE_LAPSE


def _booked(
    session: Session,
    context: RequestContext,
    clinic: uuid.UUID,
    *,
    seen: set[uuid.UUID | None],
    now: datetime,
) -> tuple[BookedPlan, ...]:
    actor = context.to_actor()
    treatment, patients = TreatmentRepository(session, actor), PatientRepository(session, actor)
    plans = [treatment.get_plan(i) for i in clinic_row_ids(session, TreatmentPlan, clinic)]
    waiting = [p for p in plans if p.status is PlanStatus.APPROVED and p.id not in seen]
    given = SessionRepository(session, actor).list_for_plans([p.id for p in waiting])
    booked = []
    for plan in waiting:
        of_plan = [s for s in given if s.plan_id == plan.id]
        if _is_booked(plan, of_plan, now):
            started = sum(1 for s in of_plan if s.started_at is not None)
            booked.append(
                BookedPlan(
                    plan_id=plan.id,
                    patient=patients.get(plan.patient_id),
                    protocol=plan.protocol,
                    signed_at=plan.history[-1].amended_at if plan.history else plan.recorded_at,
                    session_number=started + 1,
                    course_sessions=_course_sessions(plan),
                )
            )
    return tuple(booked)


def today_board(services: Services, context: RequestContext, *, day: date | None = None) -> Board:
    """Return the chair board of `day` (today, UTC, by default) for the user's clinic.

    Sessions started or stopped on `day` count, and any still running; the columns follow
    the module's rules (a physician or a nurse asks).
    """
    require_role(context, *CLINICAL_ROLES)
    clinic, now = context.require_clinic(), services.now()
    day = day or now.date()
    since = datetime.combine(day, time(0), tzinfo=UTC) - _LOOKBACK
    with services.unit_of_work() as session:
        repo = SessionRepository(session, context.to_actor())
        charts = [
            repo.get_chart(i)
            for i in clinic_row_ids(session, TreatmentSession, clinic, since=since)
        ]
        today = [c for c in charts if _on_board(c.session, day)]
        cards = [c for c in (_card(session, context, ch, now) for ch in today) if c is not None]
        seen = {c.session.plan_id for c in today}
        booked = _booked(session, context, clinic, seen=seen, now=now)

    def column(state: ChairState) -> tuple[SessionCard, ...]:
        return tuple(sorted((c for c in cards if c.state is state), key=lambda c: c.chair))

    return Board(
        day=day,
        as_of=now,
        booked=booked,
        in_session=column(ChairState.IN_SESSION),
        in_recovery=column(ChairState.IN_RECOVERY),
        ready_for_discharge=column(ChairState.READY_FOR_DISCHARGE),
        discharged_today=column(ChairState.DISCHARGED),
    )


def patient_course(
    services: Services, context: RequestContext, *, patient_id: uuid.UUID
) -> PatientCourse:
    """Return a patient's sessions, oldest first, and the ketamine given in all (mg), per
    course and per calendar year."""
    require_role(context, *CLINICAL_ROLES)
    now = services.now()
    with services.unit_of_work() as session:
        require_patient(session, context, patient_id)
        charts = list_patient_charts(session, context, patient_id)
    rows: list[CourseSession] = []
    doses: list[AdministeredDose] = []
    for chart in charts:
        given = given_by(effective_doses(chart), now)
        doses.extend(given)
        record = chart.session
        rows.append(
            CourseSession(
                session_id=record.id,
                plan_id=record.plan_id,
                chair=record.chair,
                status=record.status,
                started_at=record.started_at,
                stopped_at=record.stopped_at,
                stop_reason=record.stop_reason,
                given_mg=calculate_given_mg(given, now),
                alarm_count=len(chart.alarms),
            )
        )
    exposure = calculate_exposure(doses)
    return PatientCourse(patient_id=patient_id, sessions=tuple(rows), exposure=exposure)
