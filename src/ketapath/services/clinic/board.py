"""The day's chair board, and a patient's course of sessions with their cumulative exposure.

`today_board` sorts the clinic's day into four columns:

- **booked**: a signed plan (``approved``) with no session started today;
- **in session**: infusing now, with the elapsed time, the current rate, the last vital signs
  and the open alarms (those raised with the latest reading: a later reading that passes
  closes them, as the monitoring rules judge every reading);
- **in recovery**: stopped, with no assessment that found the patient ready;
- **ready for discharge**: the latest assessment found the patient ready and is not signed yet.

A session signed out (its assessment signed) leaves the board. `patient_course` lists a
patient's sessions and the ketamine given in all, per course and per calendar year
(`ketapath.clinical.safety.calculate_exposure`). Physicians and nurses only.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketapath.clinical.observations import AdministeredDose
from ketapath.clinical.records import VitalSigns
from ketapath.clinical.safety import ExposureSummary, calculate_exposure
from ketapath.clinical.session.monitoring import Alarm
from ketapath.services.care.patients import require_patient
from ketapath.services.care.plans import CLINICAL_READERS
from ketapath.services.care.sessions import effective_doses, list_patient_charts
from ketapath.services.context import RequestContext, Services, require_role
from ketapath.store.records import PatientIdentity, SessionChart, SessionRecord
from ketapath.store.repositories import (
    DischargeRepository,
    PatientRepository,
    SessionRepository,
    TreatmentRepository,
)
from ketapath.store.repositories.discharge import DischargeRecord
from ketapath.store.tables import (
    DischargeAssessment,
    Patient,
    PlanStatus,
    SessionAlarm,
    SessionStatus,
    TreatmentPlan,
    TreatmentSession,
)

__all__ = [
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


class ChairState(StrEnum):
    """Where a session of the day stands on the board."""

    IN_SESSION = "in_session"
    IN_RECOVERY = "in_recovery"
    READY_FOR_DISCHARGE = "ready_for_discharge"
    DISCHARGED = "discharged"


@dataclass(frozen=True, slots=True, kw_only=True)
class BookedPlan:
    """A signed plan waiting for today's session."""

    plan_id: uuid.UUID
    patient: PatientIdentity
    protocol: str | None
    signed_at: datetime


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


@dataclass(frozen=True, slots=True, kw_only=True)
class Board:
    """The chair board of one day, at `as_of`."""

    day: date
    as_of: datetime
    booked: tuple[BookedPlan, ...]
    in_session: tuple[SessionCard, ...]
    in_recovery: tuple[SessionCard, ...]
    ready_for_discharge: tuple[SessionCard, ...]


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


def _rate_now(doses: Sequence[AdministeredDose], now: datetime) -> float | None:
    running = [
        d for d in doses if d.rate_mg_per_h is not None and d.time <= now and (d.end or now) >= now
    ]
    latest = max(running, key=lambda d: d.time, default=None)
    return None if latest is None else latest.rate_mg_per_h


def _until(dose: AdministeredDose, now: datetime) -> AdministeredDose:
    """The part of `dose` given by `now` (a running infusion counts up to now)."""
    if dose.end is None or dose.end <= now:
        return dose
    return replace(dose, end=now)


def _given_mg(doses: Sequence[AdministeredDose], now: datetime) -> float:
    return sum(_until(dose, now).amount_mg for dose in doses if dose.time < now)


def _open_alarms(session: Session, chart: SessionChart) -> tuple[Alarm, ...]:
    """The alarms raised with the latest reading (a later reading that passes closes them)."""
    if not chart.alarms:
        return ()
    query = select(SessionAlarm.id, SessionAlarm.raised_at)
    rows = session.execute(query.where(SessionAlarm.session_id == chart.session.id))
    raised = {row[0]: row[1] for row in rows}
    cutoff = max((v.record.time for v in chart.vitals), default=max(raised.values()))
    return tuple(a.record for a in chart.alarms if raised[a.id] >= cutoff)


def _latest_discharge(
    session: Session, context: RequestContext, session_id: uuid.UUID
) -> DischargeRecord | None:
    query = (
        select(DischargeAssessment.id)
        .where(DischargeAssessment.session_id == session_id)
        .order_by(DischargeAssessment.assessed_at.desc(), DischargeAssessment.id)
    )
    found = session.scalars(query).first()
    return None if found is None else DischargeRepository(session, context.to_actor()).get(found)


def _state(chart: SessionChart, discharge: DischargeRecord | None) -> ChairState | None:
    status = chart.session.status
    if status is SessionStatus.IN_PROGRESS:
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
    discharge = _latest_discharge(session, context, chart.session.id)
    state = _state(chart, discharge)
    if state is None or state is ChairState.DISCHARGED:
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
        rate_mg_per_h=_rate_now(doses, now) if live else None,
        given_mg=_given_mg(doses, now),
        last_vitals=chart.vitals[-1].record if chart.vitals else None,
        open_alarms=_open_alarms(session, chart) if live else (),
        discharge=discharge,
    )


def _clinic_ids(
    session: Session,
    table: type[TreatmentPlan | TreatmentSession],
    clinic: uuid.UUID,
    since: datetime | None = None,
) -> list[uuid.UUID]:
    query = select(table.id).join(Patient, Patient.id == table.patient_id)
    query = query.where(Patient.clinic_id == clinic, Patient.active.is_(True))
    if since is not None:
        query = query.where(table.recorded_at >= since)
    return list(session.scalars(query.order_by(table.recorded_at, table.id)))


def _on_board(record: SessionRecord, day: date) -> bool:
    """Started on `day`, or still infusing (a session that runs past midnight stays)."""
    started = record.started_at is not None and record.started_at.date() == day
    return started or record.status is SessionStatus.IN_PROGRESS


def today_board(services: Services, context: RequestContext, *, day: date | None = None) -> Board:
    """Return the chair board of `day` (today, UTC, by default) for the user's clinic.

    Sessions started on `day` count, and any still infusing (a physician or a nurse asks).
    """
    require_role(context, *CLINICAL_READERS)
    clinic, now = context.require_clinic(), services.now()
    day = day or now.date()
    since = datetime.combine(day, time(0), tzinfo=UTC) - _LOOKBACK
    with services.unit_of_work() as session:
        repo = SessionRepository(session, context.to_actor())
        charts = [repo.get_chart(i) for i in _clinic_ids(session, TreatmentSession, clinic, since)]
        today = [c for c in charts if _on_board(c.session, day)]
        cards = [c for c in (_card(session, context, ch, now) for ch in today) if c is not None]
        seen = {c.session.plan_id for c in today}
        treatment = TreatmentRepository(session, context.to_actor())
        plans = [treatment.get_plan(i) for i in _clinic_ids(session, TreatmentPlan, clinic)]
        booked = tuple(
            BookedPlan(
                plan_id=plan.id,
                patient=PatientRepository(session, context.to_actor()).get(plan.patient_id),
                protocol=plan.protocol,
                signed_at=plan.history[-1].amended_at if plan.history else plan.recorded_at,
            )
            for plan in plans
            if plan.status is PlanStatus.APPROVED and plan.id not in seen
        )

    def column(state: ChairState) -> tuple[SessionCard, ...]:
        return tuple(sorted((c for c in cards if c.state is state), key=lambda c: c.chair))

    return Board(
        day=day,
        as_of=now,
        booked=booked,
        in_session=column(ChairState.IN_SESSION),
        in_recovery=column(ChairState.IN_RECOVERY),
        ready_for_discharge=column(ChairState.READY_FOR_DISCHARGE),
    )


def patient_course(
    services: Services, context: RequestContext, *, patient_id: uuid.UUID
) -> PatientCourse:
    """Return a patient's sessions, oldest first, and the ketamine given in all (mg), per
    course and per calendar year."""
    require_role(context, *CLINICAL_READERS)
    now = services.now()
    with services.unit_of_work() as session:
        require_patient(session, context, patient_id)
        charts = list_patient_charts(session, context, patient_id)
    rows: list[CourseSession] = []
    doses: list[AdministeredDose] = []
    for chart in charts:
        given = effective_doses(chart)
        doses.extend(d for d in given if d.time < now)
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
                given_mg=_given_mg(given, now),
                alarm_count=len(chart.alarms),
            )
        )
    exposure = calculate_exposure([_until(d, now) for d in doses])
    return PatientCourse(patient_id=patient_id, sessions=tuple(rows), exposure=exposure)
