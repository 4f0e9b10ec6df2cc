"""The clinic outcomes page's numbers: responder rates, relief-duration curves, safety events.

Aggregates only, for physicians and researchers of one clinic. The courses are built exactly as
the research table builds them (`ketapath.services.clinic.research`): a signed plan with a stopped
session, an indication, a baseline pain NRS above 0 and a follow-up rating; responders have
>= 30 % relief (IMMPACT, OUT-2). Relief-duration curves are Kaplan–Meier estimates by indication
(all protocols together) with the Greenwood band; safety events are the stored safety flags and
session alarms, counted by rule.

Researchers get de-identified numbers: a group with fewer than `MIN_CELL_PATIENTS` patients is
suppressed (its numbers withheld) and no totals are given. Physicians may see identified clinic
data, so their small groups are shown, marked as too small to judge.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from ketapath.clinical.codes import Indication
from ketapath.clinical.finding import Finding
from ketapath.clinical.outcomes import CourseOutcome, calculate_responder_rates
from ketapath.clinical.outcomes import estimate_relief_curves as estimate_curves
from ketapath.services.care.sessions import list_patient_charts
from ketapath.services.clinic.research import (
    MIN_CELL_PATIENTS,
    ResearchCell,
    patient_courses,
    summarise_cell,
)
from ketapath.services.context import RequestContext, Services, UserRole, require_role
from ketapath.store.repositories import FollowUpRepository, PatientRepository

__all__ = [
    "ALL_PROTOCOLS",
    "MIN_CELL_PATIENTS",
    "ClinicOutcomes",
    "ReliefCurve",
    "SafetyCount",
    "summarise_clinic_outcomes",
]

ALL_PROTOCOLS = "all protocols"
"""The protocol of a relief curve: every protocol of the indication together."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReliefCurve:
    """The relief-duration curve of one indication (days), or suppressed (empty, numbers None).

    ``time_days`` starts at 0 with S = 1; each later point is S(t) just after an event time, so
    the curve is a right-continuous step function. Band values are None where undefined.
    """

    indication: Indication
    suppressed: bool
    few_patients: bool
    patients: int | None
    courses: int | None
    median_days: float | None
    confidence: float
    time_days: tuple[float, ...]
    survival: tuple[float, ...]
    lower: tuple[float | None, ...]
    upper: tuple[float | None, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class SafetyCount:
    """How often one rule fired (events) and in how many patients; None when suppressed."""

    rule_id: str
    rule_title: str
    suppressed: bool
    few_patients: bool
    events: int | None
    patients: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ClinicOutcomes:
    """What the outcomes page shows, and whether small groups were suppressed."""

    deidentified: bool
    min_cell_patients: int
    responders: tuple[ResearchCell, ...]
    curves: tuple[ReliefCurve, ...]
    flags: tuple[SafetyCount, ...]
    alarms: tuple[SafetyCount, ...]
    note: str


def _unsuppressed(
    cell: ResearchCell, group: Sequence[CourseOutcome], median: float | None
) -> ResearchCell:
    if not cell.suppressed:
        return cell
    responders = sum(outcome.change.is_responder for outcome in group)
    return replace(
        cell,
        suppressed=False,
        patients=len({outcome.patient_id for outcome in group}),
        courses=len(group),
        responders=responders,
        responder_rate=round(responders / len(group), 4),
        relief_courses=sum(outcome.relief is not None for outcome in group),
        relief_median_days=median,
    )


def _responders(outcomes: Sequence[CourseOutcome], *, suppress: bool) -> tuple[ResearchCell, ...]:
    curves = estimate_curves(outcomes)
    cells = []
    for rate in calculate_responder_rates(outcomes):
        key = (rate.indication, rate.protocol)
        group = [o for o in outcomes if (o.indication, o.protocol) == key]
        curve = curves.get(key)
        median = None if curve is None else curve.median
        cell = summarise_cell(key, group, median)
        cells.append(cell if suppress else _unsuppressed(cell, group, median))
    return tuple(cells)


def _finite(values: Iterable[float]) -> tuple[float | None, ...]:
    return tuple(round(float(v), 4) if math.isfinite(v) else None for v in values)


def _curves(outcomes: Sequence[CourseOutcome], *, suppress: bool) -> tuple[ReliefCurve, ...]:
    pooled = [replace(outcome, protocol=ALL_PROTOCOLS) for outcome in outcomes]
    found = []
    for (indication, _), curve in estimate_curves(pooled).items():
        group = [o for o in pooled if o.indication is indication and o.relief is not None]
        patients = len({o.patient_id for o in group})
        few = patients < MIN_CELL_PATIENTS
        hidden = few and suppress
        found.append(
            ReliefCurve(
                indication=indication,
                suppressed=hidden,
                few_patients=few,
                patients=None if hidden else patients,
                courses=None if hidden else len(group),
                median_days=None if hidden else curve.median,
                confidence=curve.confidence,
                time_days=() if hidden else (0.0, *(float(t) for t in curve.time)),
                survival=() if hidden else (1.0, *(float(s) for s in curve.survival)),
                lower=() if hidden else (1.0, *_finite(curve.lower)),
                upper=() if hidden else (1.0, *_finite(curve.upper)),
            )
        )
    return tuple(found)


def _counts(fired: Iterable[tuple[str, Finding]], *, suppress: bool) -> tuple[SafetyCount, ...]:
    events: dict[str, int] = {}
    patients: dict[str, set[str]] = {}
    titles: dict[str, str] = {}
    for patient_id, finding in fired:
        events[finding.rule_id] = events.get(finding.rule_id, 0) + 1
        patients.setdefault(finding.rule_id, set()).add(patient_id)
        titles.setdefault(finding.rule_id, finding.rule.title)
    counts = []
    for rule_id in sorted(events):
        few = len(patients[rule_id]) < MIN_CELL_PATIENTS
        hidden = few and suppress
        counts.append(
            SafetyCount(
                rule_id=rule_id,
                rule_title=titles[rule_id],
                suppressed=hidden,
                few_patients=few,
                events=None if hidden else events[rule_id],
                patients=None if hidden else len(patients[rule_id]),
            )
        )
    return tuple(counts)


def _safety_events(
    session: Session, context: RequestContext, patient_id: uuid.UUID
) -> tuple[list[tuple[str, Finding]], list[tuple[str, Finding]]]:
    key = str(patient_id)
    flags = FollowUpRepository(session, context.to_actor()).list_flags(patient_id)
    charts = list_patient_charts(session, context, patient_id)
    alarms = [(key, stored.record.finding) for chart in charts for stored in chart.alarms]
    return [(key, stored.record.finding) for stored in flags], alarms


def _note(deidentified: bool) -> str:
    small = (
        f"Groups with fewer than {MIN_CELL_PATIENTS} patients are suppressed and no totals "
        "are given, so that none can be recovered."
        if deidentified
        else f"Groups with fewer than {MIN_CELL_PATIENTS} patients are shown but marked: too "
        "few to judge."
    )
    return (
        f"Aggregates only. {small} Responder: >= 30 % pain relief at the first rating after the "
        "course (IMMPACT, OUT-2). Relief duration: Kaplan–Meier, days, with the Greenwood band."
    )


def summarise_clinic_outcomes(services: Services, context: RequestContext) -> ClinicOutcomes:
    """Return the user's clinic's responder rates, relief curves and safety event counts.

    Researchers get de-identified numbers (groups < 5 patients suppressed); physicians get
    every group, small ones marked.

    Raises
    ------
    AccessError
        Unless the user is a physician or a researcher, of a clinic.
    """
    require_role(context, UserRole.PHYSICIAN, UserRole.RESEARCHER)
    clinic_id = context.require_clinic()
    suppress = context.role is not UserRole.PHYSICIAN
    outcomes: list[CourseOutcome] = []
    flags: list[tuple[str, Finding]] = []
    alarms: list[tuple[str, Finding]] = []
    with services.unit_of_work() as session:
        for patient_id in PatientRepository(session, context.to_actor()).ids_in_clinic(clinic_id):
            outcomes.extend(patient_courses(session, context, patient_id))
            patient_flags, patient_alarms = _safety_events(session, context, patient_id)
            flags.extend(patient_flags)
            alarms.extend(patient_alarms)
    return ClinicOutcomes(
        deidentified=suppress,
        min_cell_patients=MIN_CELL_PATIENTS,
        responders=_responders(outcomes, suppress=suppress),
        curves=_curves(outcomes, suppress=suppress),
        flags=_counts(flags, suppress=suppress),
        alarms=_counts(alarms, suppress=suppress),
        note=_note(suppress),
    )
