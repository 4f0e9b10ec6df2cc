"""How long pain relief lasted after each of a patient's finished courses.

A course is a signed plan (approved or completed) with its sessions; it is *finished* once at
least one of its sessions has stopped and none is still infusing. Its relief is measured with
`ketapath.clinical.outcomes.calculate_relief_duration`, as the clinic outcomes measure it:

- baseline: the last pain NRS at or before the course's first session;
- follow-ups: the pain NRS ratings after the course's last stop and before the next course's
  first session (a new course starts a new measurement, so its relief is not counted twice);
- relief: a rating at least 30 % below baseline (IMMPACT responder, OUT-2). It lasts, in days
  from the last stop, until the first follow-up without it (ended; 0 days when the first one
  already has none), or it is still there at the last follow-up (censored: at least that long).

A course without a baseline above 0, or without a follow-up rating, has no duration; `missing`
says which. Physicians and nurses only; every record read is audited by the repositories.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ketapath.clinical.finding import Rule
from ketapath.clinical.observations import InstrumentResponse
from ketapath.clinical.outcomes import (
    OUT_2,
    RESPONDER_PCT,
    ReliefDuration,
    calculate_relief_duration,
)
from ketapath.services.care.patients import CLINICAL_ROLES, require_patient
from ketapath.services.care.plans import SIGNED
from ketapath.services.care.sessions import list_patient_charts
from ketapath.services.context import RequestContext, Services, require_role
from ketapath.store.records import SessionRecord
from ketapath.store.repositories import FollowUpRepository, TreatmentRepository

__all__ = ["METHOD", "CourseRelief", "PatientRelief", "list_course_relief", "measure_courses"]


METHOD = (
    "Relief: a pain NRS at least {pct:g} % below the course's baseline (the last rating at or "
    "before its first session). Duration: days from the end of the course's last session to the "
    "first follow-up rating without relief (ended), or to the last rating before the next course "
    "while relief lasts (censored: at least that long)."
)
"""How the durations are measured, as the pages say it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CourseRelief:
    """One finished course and how long its relief lasted (None, and why, when unknown).

    ``protocol`` is None for a plan written order by order. ``follow_up_ratings`` counts the pain
    NRS ratings that measured the relief.
    """

    plan_id: uuid.UUID
    protocol: str | None
    sessions: int
    first_started_at: datetime
    ended_at: datetime
    baseline_nrs_points: float | None
    baseline_at: datetime | None
    first_follow_up_nrs_points: float | None
    follow_up_ratings: int
    relief: ReliefDuration | None
    missing: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientRelief:
    """A patient's finished courses, oldest first, and the rule the durations come from."""

    patient_id: uuid.UUID
    courses: tuple[CourseRelief, ...]
    rule: Rule
    threshold_pct: float
    method: str


@dataclass(frozen=True, slots=True)
class _Course:
    plan_id: uuid.UUID
    protocol: str | None
    sessions: tuple[SessionRecord, ...]

    @property
    def first_start(self) -> datetime:
        return min(s.started_at for s in self.sessions if s.started_at is not None)

    @property
    def finished(self) -> bool:
        stopped = [s for s in self.sessions if s.stopped_at is not None]
        infusing = [s for s in self.sessions if s.started_at and s.stopped_at is None]
        return bool(stopped) and not infusing


def _courses(session: Session, context: RequestContext, patient_id: uuid.UUID) -> list[_Course]:
    """Every signed course with a started session, by first start."""
    by_plan: dict[uuid.UUID, list[SessionRecord]] = {}
    for chart in list_patient_charts(session, context, patient_id):
        record = chart.session
        if record.plan_id is not None and record.started_at is not None:
            by_plan.setdefault(record.plan_id, []).append(record)
    treatment = TreatmentRepository(session, context.to_actor())
    courses = []
    for plan_id, records in by_plan.items():
        plan = treatment.get_plan(plan_id)
        if plan.status in SIGNED:
            courses.append(_Course(plan_id, plan.protocol, tuple(records)))
    return sorted(courses, key=lambda course: course.first_start)


def _missing(
    points: float | None, after: Sequence[InstrumentResponse], *, closed: bool
) -> str | None:
    """Why a course has no relief duration (None when it has one)."""
    if points is None:
        return "No pain NRS at or before the course's first session: no baseline."
    if points == 0:
        return "Baseline pain NRS is 0 points: relief cannot be measured from it."
    if not after and closed:
        return "No pain NRS between the course's last session and the next course."
    if not after:
        return "No pain NRS after the course's last session yet."
    return None


def _measure(
    course: _Course, ratings: Sequence[InstrumentResponse], until: datetime | None
) -> CourseRelief:
    ended = max(s.stopped_at for s in course.sessions if s.stopped_at is not None)
    before = [r for r in ratings if r.time <= course.first_start]
    after = [r for r in ratings if r.time > ended and (until is None or r.time < until)]
    baseline = before[-1] if before else None
    points = None if baseline is None else baseline.score().total
    missing = _missing(points, after, closed=until is not None)
    relief = None
    if missing is None and points is not None:
        relief = calculate_relief_duration(points, after, ended_at=ended)
    return CourseRelief(
        plan_id=course.plan_id,
        protocol=course.protocol,
        sessions=len(course.sessions),
        first_started_at=course.first_start,
        ended_at=ended,
        baseline_nrs_points=points,
        baseline_at=None if baseline is None else baseline.time,
        first_follow_up_nrs_points=after[0].score().total if after else None,
        follow_up_ratings=len(after),
        relief=relief,
        missing=missing,
    )


def measure_courses(
    session: Session, context: RequestContext, patient_id: uuid.UUID
) -> tuple[CourseRelief, ...]:
    """Measure each finished course of a patient, oldest first, inside the caller's transaction
    (the caller has checked the patient's clinic): the patient page and the clinic outcomes
    measure relief the same way."""
    responses = FollowUpRepository(session, context.to_actor()).list_responses(patient_id)
    courses = _courses(session, context, patient_id)
    ratings = sorted(
        (s.record for s in responses if s.record.instrument == "nrs"), key=lambda r: r.time
    )
    starts = [course.first_start for course in courses]
    return tuple(
        _measure(course, ratings, starts[index + 1] if index + 1 < len(starts) else None)
        for index, course in enumerate(courses)
        if course.finished
    )


def list_course_relief(
    services: Services, context: RequestContext, *, patient_id: uuid.UUID
) -> PatientRelief:
    """Return the relief duration (days) of each of a patient's finished courses, oldest first.

    Raises
    ------
    AccessError
        Unless the user is a physician or a nurse.
    NotFoundError
        When the patient is not in the user's clinic.
    """
    require_role(context, *CLINICAL_ROLES)
    with services.unit_of_work() as session:
        require_patient(session, context, patient_id)
        measured = measure_courses(session, context, patient_id)
    return PatientRelief(
        patient_id=patient_id,
        courses=measured,
        rule=OUT_2,
        threshold_pct=RESPONDER_PCT,
        method=METHOD.format(pct=RESPONDER_PCT),
    )
