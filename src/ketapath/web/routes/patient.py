"""The patient page: summary (with the last abuse-risk screen, or the DEP-7 finding while none is
recorded), screening findings, safety flags, sessions, outcome trends, the relief duration of
each finished course and cumulative exposure.

The outcome trends (pain NRS, BPI interference, PHQ-9, ODI) are drawn by uPlot from the series
in each chart's ``data-series`` attribute; the IMMPACT lines are 30 % and 50 % below the first
value of each series (moderate and substantial improvement, OUT-2). The page only formats: the
scores, the findings and the exposure come from the services.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ketapath.services.care import followups, patients, relief, screening
from ketapath.services.care.followups import PatientOutcomes
from ketapath.services.clinic import board
from ketapath.services.context import RequestContext, Services
from ketapath.web.forms import context_of, parse_id
from ketapath.web.pages import render, services_of, signed_in
from ketapath.web.sessions import PageUser

__all__ = ["TRENDS", "routes"]

TRENDS = (
    ("nrs", None, "Pain NRS", "points"),
    ("bpi", "interference", "BPI interference", "points"),
    ("phq9", None, "PHQ-9", "points"),
    ("odi", None, "ODI", "%"),
)
"""The outcome charts: instrument, subscore (None: the total), title, unit."""

IMMPACT_REDUCTIONS = (0.3, 0.5)
"""The IMMPACT thresholds drawn on each trend: 30 % and 50 % below the first value."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Trend:
    """One chart: its title, unit and points (epoch seconds, value), as JSON for the page."""

    key: str
    title: str
    unit: str
    count: int
    series_json: str


def _trends(outcomes: PatientOutcomes) -> list[Trend]:
    trends = []
    for instrument, subscore, title, unit in TRENDS:
        points = [
            (r.completed_at.timestamp(), r.score.subscores[subscore] if subscore else r.score.total)
            for r in outcomes.responses
            if r.instrument == instrument and (subscore is None or subscore in r.score.subscores)
        ]
        first = points[0][1] if points else None
        lines = (
            {f"{int(p * 100)} % better": first * (1 - p) for p in IMMPACT_REDUCTIONS}
            if first
            else {}
        )
        payload = {"title": title, "unit": unit, "points": points, "thresholds": lines}
        trends.append(
            Trend(
                key=instrument,
                title=title,
                unit=unit,
                count=len(points),
                series_json=json.dumps(payload),
            )
        )
    return trends


def _load(services: Services, context: RequestContext, patient_id: uuid.UUID) -> dict[str, Any]:
    summary = patients.get_patient_summary(services, context, patient_id)
    screenings = screening.list_screenings(services, context, patient_id, limit=10, offset=0)
    outcomes = followups.list_outcomes(services, context, patient_id=patient_id)
    course = board.patient_course(services, context, patient_id=patient_id)
    return {
        "summary": summary,
        "age_years": summary.identity.age_years(summary.as_of),
        "screenings": screenings.items,
        "latest": screenings.items[0] if screenings.items else None,
        "outcomes": outcomes,
        "course": course,
        "trends": _trends(outcomes),
        "relief": relief.list_course_relief(services, context, patient_id=patient_id),
        "screens": followups.list_screens(services, context, patient_id=patient_id),
    }


async def show_patient(request: Request, user: PageUser) -> Response:
    """The patient page."""
    context = context_of(request, user)
    patient_id = parse_id(request.path_params["patient_id"], "patient_id")
    values = await run_in_threadpool(_load, services_of(request), context, patient_id)
    return render(request, "patient.html", user=user, **values)


routes = (
    Route("/patients/{patient_id:uuid}", signed_in(show_patient), methods=["GET"], name="patient"),
)
