"""The clinic-day steps of the demonstration seed: plans, charted sessions, discharges, follow-ups.

Each step calls the use case a nurse or physician would, with the clock set to the event's time
(`Staff.at`), and counts what it wrote in a `Tally`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ketapath.clinical.dosing.orders import CareArea
from ketapath.clinical.observations import AdministeredDose, DissociationScore, SedationScore
from ketapath.clinical.records import VitalSigns
from ketapath.interop.synthetic import SyntheticPatient, SyntheticSession
from ketapath.services.care import discharge, followups, plans, sessions
from ketapath.services.care.discharge import AldreteObservation, PadssObservation
from ketapath.services.context import RequestContext, Services

__all__ = ["Staff", "Tally", "chart_session", "record_follow_ups", "respond", "signed_plan"]

_DISCHARGE_AFTER = timedelta(minutes=5)
_GOOD_ALDRETE = AldreteObservation(activity=2, respiration=2, consciousness=2, on_oxygen=False)
_GOOD_PADSS = PadssObservation(activity=2, pain_nausea=2, bleeding=2, intake_output=2)


@dataclass(slots=True)
class Tally:
    """Counts of what the seeding wrote."""

    screenings: int = 0
    plans: int = 0
    sessions: int = 0
    alarms: int = 0
    discharges: int = 0
    follow_ups: int = 0
    flags: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Staff:
    """The services and the two clinicians who act in the seed."""

    services: Services
    physician: RequestContext
    nurse: RequestContext

    def at(self, when: datetime) -> Services:
        """The services with the clock stopped at `when`."""
        return replace(self.services, clock=lambda: when)


def respond(
    staff: Staff,
    patient_id: uuid.UUID,
    instrument: str,
    answers: Sequence[int | None],
    at: datetime,
    tally: Tally,
    session_id: uuid.UUID | None = None,
) -> None:
    recorded = followups.record_response(
        staff.at(at),
        staff.nurse,
        patient_id=patient_id,
        instrument=instrument,
        answers=answers,
        completed_at=at,
        session_id=session_id,
    )
    tally.flags += len(recorded.flags)


def signed_plan(staff: Staff, patient_id: uuid.UUID, protocol: str, at: datetime) -> uuid.UUID:
    services, ctx = staff.at(at), staff.physician
    plan = plans.create_plan(
        services,
        ctx,
        patient_id=patient_id,
        protocol=protocol,
        care_area=CareArea.OUTPATIENT_INFUSION_CLINIC,
    )
    for order in plan.orders:
        for finding in order.findings:
            plans.override_finding(
                services,
                ctx,
                plan_id=plan.id,
                finding_id=finding.id,
                reason="Reviewed at the treatment planning meeting.",
            )
    return plans.sign_plan(services, ctx, plan_id=plan.id).id


_Event = AdministeredDose | VitalSigns | DissociationScore | str


def _step(
    services: Services,
    nurse: RequestContext,
    sid: uuid.UUID,
    item: _Event,
    sedation: SedationScore | None,
) -> int:
    """Chart one event of a session (a rate, a reading, a CADSS-6, the stop); return its alarms."""
    if isinstance(item, AdministeredDose):
        rate = float(item.rate_mg_per_h or 0.0)
        sessions.change_rate(services, nurse, session_id=sid, rate_mg_per_h=rate)
    elif isinstance(item, VitalSigns):
        result = sessions.record_vitals(
            services, nurse, session_id=sid, vitals=item, sedation=sedation
        )
        return len(result.alarms)
    elif isinstance(item, DissociationScore):
        sessions.record_dissociation(services, nurse, session_id=sid, score=item)
    else:
        sessions.stop_session(services, nurse, session_id=sid, reason=item)
    return 0


def chart_session(staff: Staff, plan_id: uuid.UUID, given: SyntheticSession, tally: Tally) -> None:
    """Chart one given session from the chair to the signed discharge."""
    nurse = staff.nurse
    first = given.vitals[0]
    started = sessions.start_session(
        staff.at(first.time), nurse, plan_id=plan_id, chair=given.plan.chair, baseline=first
    )
    sid, patient_id = started.session.id, started.session.patient_id
    tally.sessions += 1
    tally.alarms += len(started.alarms)
    if given.pain_before is not None:
        pain = given.pain_before
        respond(staff, patient_id, pain.instrument, pain.answers, pain.time, tally, sid)
    scores = {score.time: score for score in given.sedation}
    if first.time in scores:
        sessions.record_sedation(
            staff.at(first.time), nurse, session_id=sid, score=scores[first.time]
        )
    stop_at = max(dose.end_time for dose in given.doses)
    events: list[tuple[datetime, int, _Event]] = [
        *((d.time, 0, d) for d in given.doses),
        *((v.time, 1, v) for v in given.vitals[1:]),
        *((c.time, 2, c) for c in given.dissociation),
        (stop_at, 3, "Infusion stopped early." if given.event else "Infusion completed."),
    ]
    for at, _, item in sorted(events, key=lambda event: event[:2]):
        tally.alarms += _step(staff.at(at), nurse, sid, item, scores.get(at))
    _discharge(staff, sid, given.vitals[-1].time + _DISCHARGE_AFTER, tally)


def _discharge(staff: Staff, session_id: uuid.UUID, at: datetime, tally: Tally) -> None:
    assessed = discharge.assess_readiness(
        staff.at(at),
        staff.nurse,
        session_id=session_id,
        aldrete=_GOOD_ALDRETE,
        padss=_GOOD_PADSS,
        escort_present=True,
        patient_driving=False,
        follow_up_booked=True,
    )
    if assessed.record.result.ready:
        discharge.sign_discharge(
            staff.at(at),
            staff.physician,
            assessment_id=assessed.record.id,
            statement="Discharged home with an escort; follow-up call booked.",
        )
        tally.discharges += 1


def record_follow_ups(
    staff: Staff, patient_id: uuid.UUID, patient: SyntheticPatient, tally: Tally
) -> None:
    for contact in patient.follow_ups:
        services, at = staff.at(contact.time), contact.time
        for response in contact.responses:
            respond(staff, patient_id, response.instrument, response.answers, at, tally)
        dependence = followups.record_dependence_screen(
            services, staff.nurse, patient_id=patient_id, screen=contact.dependence
        )
        urinary = followups.record_urinary_screen(
            services, staff.nurse, patient_id=patient_id, screen=contact.urinary
        )
        tally.flags += len(dependence.flags) + len(urinary.flags)
        followups.record_contact(
            services,
            staff.nurse,
            patient_id=patient_id,
            notes="Follow-up call: questionnaires and safety screens taken.",
        )
        tally.follow_ups += 1
