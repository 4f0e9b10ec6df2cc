"""Treatment sessions: start against a signed plan, chart, change the rate, stop.

Nurses chart (physicians may too). Each use case is one transaction:

- **start**: the pre-dose vital signs pass the baseline gate (`assess_baseline`): a HARD finding
  (MON-2) refuses the start and nothing is written; a SOFT one (MON-1) is charted as an alarm.
- **vital signs**: every reading is checked as it is written (`assess_reading`, with the sedation
  score taken with it, or the last one charted in the `SEDATION_WINDOW` before it); the alarms are
  stored with the reading and returned at once, each with what to do.
- **rate change**: a new administration segment from now to the order's planned end, checked
  against the drug library. A HARD finding refuses it; so does a SOFT one, unless the physician
  overrode that rule on the order and the new value goes no further past the limit than the
  value overridden. Minimum limits (the first trial's 80 mg and 2 h, the bottom of a usual range)
  are the plan's business and are not applied to a titration.
- **scores** (MOAA/S, RASS: sedation alarms; CADSS, CADSS-6), **adverse events**, **stop**.

The store keeps each segment as first written; `effective_doses` reads a segment as running
until the next rate change of the same route, or the session's stop, whichever comes first.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ketapath.clinical.dosing.orders import DoseHistory
from ketapath.clinical.finding import Finding, Severity
from ketapath.clinical.observations import AdministeredDose, DissociationScore, SedationScore
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
from ketapath.services.care.patients import check_patient_access, require_patient
from ketapath.services.care.plans import CLINICAL_READERS, check_rate_change, count_previous_courses
from ketapath.services.clinic.drug_library import get_current_library
from ketapath.services.context import RequestContext, Services, require_role
from ketapath.store.records import (
    AdverseEventRecord,
    PlanRecord,
    SessionChart,
    SessionRecord,
    StoredOrder,
)
from ketapath.store.repositories import (
    PatientRecordRepository,
    SessionRepository,
    TreatmentRepository,
)
from ketapath.store.repositories.history import patient_rows
from ketapath.store.tables import PlanStatus, SessionStatus, TreatmentSession

__all__ = [
    "SEDATION_WINDOW",
    "AdverseEventRecord",
    "ChartedAlarm",
    "RateChange",
    "ReadingResult",
    "SessionChart",
    "SessionRecord",
    "SessionStarted",
    "SessionStatus",
    "change_rate",
    "effective_doses",
    "get_chart",
    "list_patient_charts",
    "read_chart",
    "record_adverse_event",
    "record_dissociation",
    "record_sedation",
    "record_vitals",
    "start_session",
    "stop_session",
]

SEDATION_WINDOW = timedelta(minutes=15)
"""A sedation score counts with a reading taken up to 15 min after it (NIBP q15 min, MON-5)."""

_CHARTING = frozenset({SessionStatus.IN_PROGRESS, SessionStatus.STOPPED})
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
class RateChange:
    """A new administration segment and the findings that did not block it."""

    segment_id: uuid.UUID
    order_id: uuid.UUID
    rate_mg_per_h: float
    started_at: datetime
    planned_end_at: datetime
    findings: tuple[Finding, ...]


def effective_doses(chart: SessionChart) -> tuple[AdministeredDose, ...]:
    """Return the doses of a session as given: rate segments cut at the next change or the stop."""
    doses = [stored.record for stored in chart.doses]
    stop = chart.session.stopped_at
    effective = []
    for dose in doses:
        if dose.end is None:
            effective.append(dose)
            continue
        later = [d.time for d in doses if d.end is not None and d.route is dose.route]
        end = min([dose.end, *(t for t in later if t > dose.time)])
        end = min(end, stop) if stop is not None else end
        if end > dose.time:
            effective.append(replace(dose, end=end))
    return tuple(effective)


def _given_mg(doses: Sequence[AdministeredDose], until: datetime) -> float:
    total = 0.0
    for dose in doses:
        if dose.time >= until:
            continue
        if dose.end is None:
            total += dose.amount_mg
        else:
            total += replace(dose, end=min(dose.end, until)).amount_mg
    return total


def read_chart(
    session: Session, context: RequestContext, session_id: uuid.UUID, *, for_writing: bool = False
) -> SessionChart:
    """Read a session's chart inside a use case's transaction, if its patient is in the clinic.

    With `for_writing`, a deactivated patient's chart is refused (`ConflictError`).
    """
    chart = SessionRepository(session, context.to_actor()).get_chart(session_id)
    require_patient(session, context, chart.session.patient_id, for_writing=for_writing)
    return chart


def list_patient_charts(
    session: Session, context: RequestContext, patient_id: uuid.UUID
) -> list[SessionChart]:
    """Read every session chart of a patient (the caller has checked the patient's clinic)."""
    repo = SessionRepository(session, context.to_actor())
    return [repo.get_chart(row.id) for row in patient_rows(session, TreatmentSession, patient_id)]


def _require_status(record: SessionRecord, allowed: Collection[SessionStatus], what: str) -> None:
    if record.status not in allowed:
        raise ConflictError(f"Session {record.id} is {record.status}: cannot {what}.")


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
    require_role(context, *CLINICAL_READERS)
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
    require_role(context, *CLINICAL_READERS)
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
        _require_status(recent.session, _CHARTING, "chart vital signs")
        if sedation is not None:
            repo.add_sedation(session_id, sedation)
        latest = max(recent.sedation, key=lambda score: score.time, default=None)
        taken = sedation if sedation is not None else latest
        result = assess_reading([*recent.vitals, vitals], sedation=taken, symptoms=symptoms)
        entry_id = repo.add_vitals(recent.session.patient_id, vitals, session_id=session_id)
        alarms = _store_alarms(repo, session_id, result.alarms, vitals.time)
        return ReadingResult(entry_id=entry_id, action=result.action, alarms=alarms)


def record_sedation(
    services: Services, context: RequestContext, *, session_id: uuid.UUID, score: SedationScore
) -> ReadingResult:
    """Chart a MOAA/S and/or RASS score; a sedation or agitation alarm (MON-9, MON-10) is raised
    and returned at once."""
    require_role(context, *CLINICAL_READERS)
    with services.unit_of_work() as session:
        chart = read_chart(session, context, session_id, for_writing=True)
        _require_status(chart.session, _CHARTING, "chart a sedation score")
        repo = SessionRepository(session, context.to_actor())
        entry_id = repo.add_sedation(session_id, score)
        readings = [stored.record for stored in chart.vitals]
        fired = assess_reading(readings, sedation=score).alarms if readings else ()
        sedation_alarms = [a for a in fired if a.finding.rule_id in _SEDATION_RULES]
        alarms = _store_alarms(repo, session_id, sedation_alarms, score.time)
        return ReadingResult(entry_id=entry_id, action=_action(alarms), alarms=alarms)


def record_dissociation(
    services: Services,
    context: RequestContext,
    *,
    session_id: uuid.UUID,
    score: DissociationScore,
) -> uuid.UUID:
    """Chart a CADSS or CADSS-6 total (MON-11: tracked per session, no alarm)."""
    require_role(context, *CLINICAL_READERS)
    with services.unit_of_work() as session:
        chart = read_chart(session, context, session_id, for_writing=True)
        _require_status(chart.session, _CHARTING, "chart a dissociation score")
        return SessionRepository(session, context.to_actor()).add_dissociation(session_id, score)


def record_adverse_event(
    services: Services,
    context: RequestContext,
    *,
    session_id: uuid.UUID,
    event: AdverseEventRecord,
) -> uuid.UUID:
    """Chart an adverse event: what happened, how bad, what was done."""
    require_role(context, *CLINICAL_READERS)
    with services.unit_of_work() as session:
        chart = read_chart(session, context, session_id, for_writing=True)
        _require_status(chart.session, _CHARTING, "chart an adverse event")
        return SessionRepository(session, context.to_actor()).add_adverse_event(session_id, event)


def stop_session(
    services: Services, context: RequestContext, *, session_id: uuid.UUID, reason: str
) -> SessionRecord:
    """Stop the infusion now, with the reason (completed, an alarm, the patient's wish)."""
    require_role(context, *CLINICAL_READERS)
    if not isinstance(reason, str) or not reason.strip():
        msg = f"`reason` must be a non-empty text to stop a session (got {reason!r})."
        raise InputError(msg, field="reason", value=reason)
    with services.unit_of_work() as session:
        chart = read_chart(session, context, session_id, for_writing=True)
        _require_status(chart.session, {SessionStatus.IN_PROGRESS}, "stop it")
        repo = SessionRepository(session, context.to_actor())
        return repo.stop(session_id, at=services.now(), reason=reason.strip())


def get_chart(
    services: Services, context: RequestContext, *, session_id: uuid.UUID
) -> SessionChart:
    """Return a session's chart: segments, vital signs, scores, alarms, adverse events."""
    require_role(context, *CLINICAL_READERS)
    with services.unit_of_work() as session:
        return read_chart(session, context, session_id)


def _rate_order(plan: PlanRecord, order_id: uuid.UUID | None) -> StoredOrder:
    rated = [o for o in plan.orders if o.order.is_infusion]
    chosen = [o for o in rated if order_id is None or o.id == order_id]
    if not chosen:
        which = "an infusion order" if order_id is None else f"infusion order {order_id}"
        raise InputError(f"`order_id` must name {which} of plan {plan.id}.", field="order_id")
    return chosen[0]


def _course_before(
    session: Session, context: RequestContext, chart: SessionChart, plan: PlanRecord
) -> DoseHistory:
    """The plan's earlier sessions (mg given, how many) and the signed plans before it."""
    earlier = [
        other
        for other in list_patient_charts(session, context, plan.patient_id)
        if other.session.plan_id == plan.id
        and other.session.id != chart.session.id
        and other.session.started_at is not None
    ]
    return DoseHistory(
        course_total_mg=sum(d.amount_mg for c in earlier for d in effective_doses(c)),
        course_sessions=len(earlier),
        previous_courses=count_previous_courses(
            session, context, plan.patient_id, before=plan.recorded_at
        ),
    )


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
        When the session is not in progress.
    """
    require_role(context, *CLINICAL_READERS)
    with services.unit_of_work() as session:
        chart = read_chart(session, context, session_id, for_writing=True)
        _require_status(chart.session, {SessionStatus.IN_PROGRESS}, "change the rate")
        plan = TreatmentRepository(session, context.to_actor()).get_plan(_plan_id(chart))
        order = _rate_order(plan, order_id)
        now = services.now()
        doses = [d for d in effective_doses(chart) if d.route is order.order.route]
        first = min((d.time for d in doses), default=now)
        end = first + timedelta(hours=float(order.order.duration_h or 0.0))
        if end <= now:
            msg = f"`order_id` {order.id} ran its planned time (ended {end.isoformat()})."
            raise InputError(msg, field="order_id", value=str(order.id))
        given_mg = _given_mg(effective_doses(chart), now)
        before = _course_before(session, context, chart, plan)
        history = replace(
            before,
            session_total_mg=given_mg,
            daily_total_mg=given_mg,
            course_total_mg=before.course_total_mg + given_mg,
        )
        record = PatientRecordRepository(session, context.to_actor()).get(
            plan.patient_id, on=now.date()
        )
        findings = check_rate_change(
            order,
            rate_mg_per_h,
            record=record,
            care_area=plan.care_area,
            history=history,
            duration_h=(end - now) / timedelta(hours=1),
            library=get_current_library(session, context),
        )
        dose = AdministeredDose(
            time=now,
            route=order.order.route,
            session_id=str(session_id),
            course_id=str(plan.id),
            drug=order.order.drug,
            rate_mg_per_h=rate_mg_per_h,
            end=end,
        )
        segment_id = SessionRepository(session, context.to_actor()).add_dose(
            dose, order_id=order.id
        )
        return RateChange(
            segment_id=segment_id,
            order_id=order.id,
            rate_mg_per_h=rate_mg_per_h,
            started_at=now,
            planned_end_at=end,
            findings=tuple(findings),
        )


def _plan_id(chart: SessionChart) -> uuid.UUID:
    if chart.session.plan_id is None:
        msg = f"Session {chart.session.id} has no plan: a rate needs a signed infusion order."
        raise InputError(msg, field="session_id", value=str(chart.session.id))
    return chart.session.plan_id
