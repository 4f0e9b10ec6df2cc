"""Clinic outcomes (physicians and researchers): responder rates, relief curves, safety events.

Aggregates only; the numbers come from `ketapath.services.clinic.clinic_outcomes`, which decides
who may see them and suppresses small groups for researchers. The relief-duration curves are
drawn by ``static/js/outcomes_charts.js`` from each chart's ``data-relief-curve`` attribute
(JSON).
"""

from __future__ import annotations

import json

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ketapath.services.clinic.clinic_outcomes import ReliefCurve, summarise_clinic_outcomes
from ketapath.web.forms import context_of
from ketapath.web.pages import render, services_of, signed_in
from ketapath.web.sessions import PageUser

__all__ = ["routes"]


def _curve_json(curve: ReliefCurve) -> str:
    return json.dumps(
        {
            "label": curve.indication.label,
            "time_days": curve.time_days,
            "survival": curve.survival,
            "lower": curve.lower,
            "upper": curve.upper,
            "confidence_pct": round(curve.confidence * 100),
        }
    )


async def show_outcomes(request: Request, user: PageUser) -> Response:
    """The clinic's outcomes: tables and relief-duration charts."""
    context = context_of(request, user)
    summary = await run_in_threadpool(summarise_clinic_outcomes, services_of(request), context)
    charts = {curve.indication: _curve_json(curve) for curve in summary.curves}
    return render(request, "outcomes.html", user=user, summary=summary, charts=charts)


routes = (Route("/outcomes", signed_in(show_outcomes), methods=["GET"], name="outcomes"),)
