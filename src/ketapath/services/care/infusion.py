"""The infusion of a session: the doses as given, and a new rate checked against the order.

These run inside a use case's transaction (`ketapath.services.care.sessions` owns the use cases).

The store keeps each segment as first written, except that a pause ends the running segment at
the pause time (an amendment). This module holds the one reading of the chart as given:
`effective_doses` ends a segment at the next rate change of the same route or at the session's
stop, whichever comes first; a segment runs from its start (included) to that end (excluded)
(`running_doses`, `running_segments`); and what has been given by a time counts a running
segment up to that time (`given_by`, `calculate_given_mg`).

A new rate (a titration, or the rate a paused infusion resumes at) runs from now to the order's
planned end, and is checked against the drug library: a HARD finding refuses it; so does a SOFT
one, unless the physician overrode that rule on the order and the new value goes no further past
the limit than the value overridden. Minimum limits (the first trial's 80 mg and 2 h, the bottom
of a usual range) are the plan's business and are not applied to a titration.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from ketapath.clinical.dosing.orders import DoseHistory
from ketapath.clinical.finding import Finding
from ketapath.clinical.observations import AdministeredDose
from ketapath.errors import ConflictError, InputError
from ketapath.services.care.patients import require_patient
from ketapath.services.care.plans import check_rate_change, count_previous_courses
from ketapath.services.clinic.drug_library import get_current_library
from ketapath.services.context import RequestContext
from ketapath.store.records import PlanRecord, SessionChart, SessionRecord, StoredOrder
from ketapath.store.repositories import (
    PatientRecordRepository,
    SessionRepository,
    TreatmentRepository,
)
from ketapath.store.repositories.history import patient_rows
from ketapath.store.tables import SessionStatus, TreatmentSession

__all__ = [
    "RateChange",
    "calculate_given_mg",
    "effective_doses",
    "given_by",
    "list_patient_charts",
    "read_chart",
    "require_status",
    "running_doses",
    "running_segments",
    "set_rate",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class RateChange:
    """A new administration segment and the findings that did not block it."""

    segment_id: uuid.UUID
    order_id: uuid.UUID
    rate_mg_per_h: float
    started_at: datetime
    planned_end_at: datetime
    findings: tuple[Finding, ...]


def _as_given(chart: SessionChart) -> list[tuple[uuid.UUID, AdministeredDose]]:
    """Each dose of the chart with its id, as `effective_doses` reads it."""
    stop = chart.session.stopped_at
    given = []
    for stored in chart.doses:
        dose = stored.record
        if dose.end is None:
            given.append((stored.id, dose))
            continue
        later = [
            d.record.time
            for d in chart.doses
            if d.record.end is not None
            and d.record.route is dose.route
            and d.record.time > dose.time
        ]
        end = min([dose.end, *later, *([] if stop is None else [stop])])
        if end > dose.time:
            given.append((stored.id, replace(dose, end=end)))
    return given


def effective_doses(chart: SessionChart) -> tuple[AdministeredDose, ...]:
    """Return the doses of a session as given, in the chart's order.

    A rate segment ends at the first of: its end as stored (the planned end, or the pause that
    ended it), the start of the next segment of the same route, and the session's stop. A
    segment that gave nothing by then (it started at or after that end) is left out. Single
    doses are kept as they are.
    """
    return tuple(dose for _, dose in _as_given(chart))


def _running(chart: SessionChart, now: datetime) -> list[tuple[uuid.UUID, AdministeredDose]]:
    return [
        (segment_id, dose)
        for segment_id, dose in _as_given(chart)
        if dose.end is not None and dose.time <= now < dose.end
    ]


def running_doses(chart: SessionChart, now: datetime) -> tuple[AdministeredDose, ...]:
    """Return the rate segments running at `now`, as given (one per route at most).

    A segment runs from its start (included) to its end as `effective_doses` reads it
    (excluded): at a rate change the new segment runs and the old one does not; at a pause, the
    stop or the planned end, none does.
    """
    return tuple(dose for _, dose in _running(chart, now))


def running_segments(chart: SessionChart, now: datetime) -> tuple[uuid.UUID, ...]:
    """Return the ids of the rate segments running at `now` (as `running_doses` reads them).

    Raises
    ------
    ConflictError
        When a segment starts at `now`: it cannot be ended before it gave anything.
    """
    running = _running(chart, now)
    if any(dose.time == now for _, dose in running):
        msg = f"Session {chart.session.id}: the rate set at {now.isoformat()} has not run."
        raise ConflictError(msg + " Pause after it has started, or stop the session.")
    return tuple(segment_id for segment_id, _ in running)


def given_by(doses: Sequence[AdministeredDose], now: datetime) -> tuple[AdministeredDose, ...]:
    """Return what of `doses` was given before `now`: a segment still running ends at `now`.

    `doses` are read as given already (`effective_doses`); doses from `now` on are left out.
    """
    return tuple(
        dose if dose.end is None or dose.end <= now else replace(dose, end=now)
        for dose in doses
        if dose.time < now
    )


def calculate_given_mg(doses: Sequence[AdministeredDose], now: datetime) -> float:
    """Return the ketamine of `doses` given before `now`, mg (see `given_by`)."""
    return sum((dose.amount_mg for dose in given_by(doses, now)), 0.0)


def read_chart(
    session: Session, context: RequestContext, session_id: uuid.UUID, *, for_writing: bool = False
) -> SessionChart:
    """Read a session's chart inside a use case's transaction, if its patient is in the clinic.

    With `for_writing`, a deactivated patient's chart is refused (`ConflictError`), and the
    session is locked first (`SessionRepository.lock`): what the caller checks on the chart
    stays true until it commits.
    """
    repo = SessionRepository(session, context.to_actor())
    if for_writing:
        repo.lock(session_id)
    chart = repo.get_chart(session_id)
    require_patient(session, context, chart.session.patient_id, for_writing=for_writing)
    return chart


def list_patient_charts(
    session: Session, context: RequestContext, patient_id: uuid.UUID
) -> list[SessionChart]:
    """Read every session chart of a patient (the caller has checked the patient's clinic)."""
    repo = SessionRepository(session, context.to_actor())
    return [repo.get_chart(row.id) for row in patient_rows(session, TreatmentSession, patient_id)]


def require_status(record: SessionRecord, allowed: Collection[SessionStatus], what: str) -> None:
    """Refuse (`ConflictError`, naming the status) a use case the session's status does not
    allow."""
    if record.status not in allowed:
        raise ConflictError(f"Session {record.id} is {record.status}: cannot {what}.")


def _rate_order(plan: PlanRecord, order_id: uuid.UUID | None) -> StoredOrder:
    rated = [o for o in plan.orders if o.order.is_infusion]
    chosen = [o for o in rated if order_id is None or o.id == order_id]
    if not chosen:
        which = "an infusion order" if order_id is None else f"infusion order {order_id}"
        raise InputError(f"`order_id` must name {which} of plan {plan.id}.", field="order_id")
    return chosen[0]


def _course_before(
    session: Session, context: RequestContext, others: Sequence[SessionChart], plan: PlanRecord
) -> DoseHistory:
    """The plan's earlier sessions (mg given, how many) and the signed plans before it."""
    earlier = [other for other in others if other.session.plan_id == plan.id]
    return DoseHistory(
        course_total_mg=sum(d.amount_mg for c in earlier for d in effective_doses(c)),
        course_sessions=len(earlier),
        previous_courses=count_previous_courses(
            session, context, plan.patient_id, before=plan.recorded_at
        ),
    )


def _plan_id(chart: SessionChart) -> uuid.UUID:
    if chart.session.plan_id is None:
        msg = f"Session {chart.session.id} has no plan: a rate needs a signed infusion order."
        raise InputError(msg, field="session_id", value=str(chart.session.id))
    return chart.session.plan_id


def _history(
    session: Session, context: RequestContext, chart: SessionChart, plan: PlanRecord, now: datetime
) -> DoseHistory:
    """What was given before `now`: this session (paused time gives nothing), the course, and
    the day over every session of the patient (the daily limits: a dose split across two
    sessions of one day counts whole). The day is the calendar day in UTC, so that sessions on
    consecutive days at the same hour (a 10-session course) each have the day's allowance."""
    given_mg = calculate_given_mg(effective_doses(chart), now)
    others = [
        other
        for other in list_patient_charts(session, context, plan.patient_id)
        if other.session.id != chart.session.id and other.session.started_at is not None
    ]
    day_start = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    other_day_mg = sum(
        calculate_given_mg(doses, now) - calculate_given_mg(doses, day_start)
        for doses in (effective_doses(other) for other in others)
    )
    before = _course_before(session, context, others, plan)
    return replace(
        before,
        session_total_mg=given_mg,
        daily_total_mg=given_mg + other_day_mg,
        course_total_mg=before.course_total_mg + given_mg,
    )


def set_rate(
    session: Session,
    context: RequestContext,
    chart: SessionChart,
    *,
    now: datetime,
    rate_mg_per_h: float,
    order_id: uuid.UUID | None = None,
) -> RateChange:
    """Chart a new rate segment from `now` to the order's planned end, once the limits pass.

    The planned end is the start of the order's first segment plus its duration (a pause does
    not move it).

    Raises
    ------
    InputError
        When a limit refuses the rate (the message names each rule), the order's time has run
        out, or the plan has no such infusion order.
    """
    plan = TreatmentRepository(session, context.to_actor()).get_plan(_plan_id(chart))
    order = _rate_order(plan, order_id)
    doses = [d for d in effective_doses(chart) if d.route is order.order.route]
    end = min((d.time for d in doses), default=now) + timedelta(
        hours=float(order.order.duration_h or 0.0)
    )
    if end <= now:
        msg = f"`order_id` {order.id} ran its planned time (ended {end.isoformat()})."
        raise InputError(msg, field="order_id", value=str(order.id))
    record = PatientRecordRepository(session, context.to_actor()).get(
        plan.patient_id, on=now.date()
    )
    findings = check_rate_change(
        order,
        rate_mg_per_h,
        record=record,
        care_area=plan.care_area,
        history=_history(session, context, chart, plan, now),
        duration_h=(end - now) / timedelta(hours=1),
        library=get_current_library(session, context),
    )
    dose = AdministeredDose(
        time=now,
        route=order.order.route,
        session_id=str(chart.session.id),
        course_id=str(plan.id),
        drug=order.order.drug,
        rate_mg_per_h=rate_mg_per_h,
        end=end,
    )
    segment_id = SessionRepository(session, context.to_actor()).add_dose(dose, order_id=order.id)
    return RateChange(
        segment_id=segment_id,
        order_id=order.id,
        rate_mg_per_h=rate_mg_per_h,
        started_at=now,
        planned_end_at=end,
        findings=tuple(findings),
    )
