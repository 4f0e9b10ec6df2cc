"""De-identified aggregate outcomes for research: counts, responder rates, relief duration.

What leaves this module is a table of cells, one per indication and protocol, never a row per
patient: no name, birth date, MRN, identifier, date or free text. A cell with fewer than
`MIN_CELL_PATIENTS` patients is suppressed (its numbers are withheld and it says so), and no grand
total is given, so that a suppressed cell cannot be recovered by subtraction.

A course is a signed plan with at least one stopped session. Its indication is the patient's
first recorded present pain indication; its baseline the last pain NRS at or before the course's
first session; its primary follow-up the first NRS after its last session stopped. Responders
have >= 30 % relief (OUT-2); relief lasts until the first follow-up below that (Kaplan–Meier
median, days). Courses lacking an indication, a baseline above 0 or a follow-up are left out.
Every record read to build the table is read through the repositories, and so audited.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ketapath.clinical.codes import Indication
from ketapath.clinical.outcomes import (
    CourseOutcome,
    calculate_change,
    calculate_responder_rates,
    estimate_relief_curves,
)
from ketapath.services.care.relief import measure_courses
from ketapath.services.context import RequestContext, Services, UserRole, require_role
from ketapath.store.repositories import (
    HistoryRepository,
    PatientRepository,
)
from ketapath.store.repositories.history import HistoryEntry

__all__ = [
    "MIN_CELL_PATIENTS",
    "ResearchCell",
    "ResearchSummary",
    "patient_courses",
    "summarise_cell",
    "summarise_outcomes",
]

MIN_CELL_PATIENTS = 5
"""Cells with fewer patients are suppressed."""

CUSTOM_PROTOCOL = "custom"
"""The protocol name of a plan written order by order."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ResearchCell:
    """One indication and protocol: counts, responders and relief, or suppressed (all None)."""

    indication: Indication
    protocol: str
    suppressed: bool
    patients: int | None
    courses: int | None
    responders: int | None
    responder_rate: float | None
    relief_courses: int | None
    relief_median_days: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ResearchSummary:
    """The aggregate table and how it was made safe."""

    min_cell_patients: int
    cells: tuple[ResearchCell, ...]
    suppressed_cells: int
    note: str


def _indication(
    session: Session, context: RequestContext, patient_id: uuid.UUID
) -> Indication | None:
    entries = HistoryRepository(session, context.to_actor()).list_entries(
        HistoryEntry.CONDITION, patient_id
    )
    present = [e.record.concept for e in entries if e.record.is_present]
    return next((c for c in present if isinstance(c, Indication)), None)


def patient_courses(
    session: Session, context: RequestContext, patient_id: uuid.UUID
) -> list[CourseOutcome]:
    """Each finished course of a patient with its pain outcome, measured as the patient page
    measures it (`ketapath.services.care.relief.measure_courses`: the ratings after a course and
    before the next one); empty without an indication."""
    indication = _indication(session, context, patient_id)
    if indication is None:
        return []
    return [
        CourseOutcome(
            patient_id=str(patient_id),
            indication=indication,
            protocol=course.protocol or CUSTOM_PROTOCOL,
            change=calculate_change(course.baseline_nrs_points, course.first_follow_up_nrs_points),
            relief=course.relief,
        )
        for course in measure_courses(session, context, patient_id)
        if course.relief is not None
        and course.baseline_nrs_points is not None
        and course.first_follow_up_nrs_points is not None
    ]


def summarise_cell(
    key: tuple[Indication, str], group: Sequence[CourseOutcome], median: float | None
) -> ResearchCell:
    """One indication x protocol cell, its numbers suppressed under MIN_CELL_PATIENTS patients."""
    patients = len({outcome.patient_id for outcome in group})
    if patients < MIN_CELL_PATIENTS:
        return ResearchCell(
            indication=key[0],
            protocol=key[1],
            suppressed=True,
            patients=None,
            courses=None,
            responders=None,
            responder_rate=None,
            relief_courses=None,
            relief_median_days=None,
        )
    responders = sum(outcome.change.is_responder for outcome in group)
    return ResearchCell(
        indication=key[0],
        protocol=key[1],
        suppressed=False,
        patients=patients,
        courses=len(group),
        responders=responders,
        responder_rate=round(responders / len(group), 4),
        relief_courses=sum(outcome.relief is not None for outcome in group),
        relief_median_days=median,
    )


def summarise_outcomes(services: Services, context: RequestContext) -> ResearchSummary:
    """Return the de-identified outcome table of the user's clinic (cells < 5 suppressed).

    Raises
    ------
    AccessError
        Unless the user is a researcher or a physician, of a clinic.
    """
    require_role(context, UserRole.RESEARCHER, UserRole.PHYSICIAN)
    clinic_id = context.require_clinic()
    with services.unit_of_work() as session:
        patients = PatientRepository(session, context.to_actor()).ids_in_clinic(clinic_id)
        outcomes = [
            outcome
            for patient_id in patients
            for outcome in patient_courses(session, context, patient_id)
        ]
    curves = estimate_relief_curves(outcomes)
    cells = []
    for rate in calculate_responder_rates(outcomes):
        key = (rate.indication, rate.protocol)
        group = [o for o in outcomes if (o.indication, o.protocol) == key]
        curve = curves.get(key)
        cells.append(summarise_cell(key, group, None if curve is None else curve.median))
    suppressed = sum(cell.suppressed for cell in cells)
    note = (
        f"Aggregates only. Cells with fewer than {MIN_CELL_PATIENTS} patients are suppressed "
        f"({suppressed} here) and no total is given, so that none can be recovered. Responder: "
        ">= 30 % pain relief at the first rating after the course (IMMPACT, OUT-2); relief "
        "duration: Kaplan–Meier median, days (None when the curve never falls to 0.5)."
    )
    return ResearchSummary(
        min_cell_patients=MIN_CELL_PATIENTS,
        cells=tuple(cells),
        suppressed_cells=suppressed,
        note=note,
    )
