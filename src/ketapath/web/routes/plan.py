"""The plan page: choose a protocol or write an order, see the guardrail findings and the
predicted concentrations, override a soft limit with a reason (physicians), and sign.

Who may do what is decided by the services (`ketapath.services.care.plans`): a nurse sees the plan
but not the override and sign controls, and a request she sends anyway is refused there.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ketapath.clinical.dosing.orders import CareArea, Order
from ketapath.clinical.dosing.orders import Route as OrderRoute
from ketapath.clinical.dosing.protocols import PROTOCOLS
from ketapath.clinical.dosing.pump import to_pump_rate_ml_per_h
from ketapath.errors import AccessError
from ketapath.services.care import plans, prediction
from ketapath.services.context import UserRole
from ketapath.web.forms import context_of, parse_id, parse_number
from ketapath.web.pages import render, services_of, signed_in
from ketapath.web.sessions import PageUser

__all__ = ["routes"]


def _pump_ml_per_h(order: plans.StoredOrder, weight_kg: float | None) -> float | None:
    asked = order.order
    concentration = asked.concentration_mg_per_ml
    if not asked.is_infusion or not concentration:
        return None
    if asked.rate_mg_per_h is not None:
        return asked.rate_mg_per_h / concentration
    if weight_kg is None or asked.rate_mg_per_kg_per_h is None:
        return None
    return to_pump_rate_ml_per_h(asked.rate_mg_per_kg_per_h, weight_kg, concentration)


def prediction_chart_json(found: prediction.ConcentrationPrediction | None) -> str:
    """The predicted curves as the chart script reads them (empty when there is none)."""
    if found is None:
        return ""
    return json.dumps(
        {
            "times_min": found.times_min,
            "median": found.plasma_median_ng_per_ml,
            "p5": found.plasma_p5_ng_per_ml,
            "p95": found.plasma_p95_ng_per_ml,
            "typical": found.plasma_typical_ng_per_ml,
            "effect": found.effect_site_ng_per_ml,
            "band": found.analgesic_band_ng_per_ml,
            "dissociation": found.dissociation_range_ng_per_ml,
        }
    )


async def new_plan(request: Request, user: PageUser) -> Response:
    """The form: a protocol, or a custom IV infusion order (physicians only)."""
    if user.role is not UserRole.PHYSICIAN:
        raise AccessError(f"The {user.role} role may not write a plan (allowed: physician).")
    patient_id = parse_id(request.path_params["patient_id"], "patient_id")
    return render(
        request,
        "plan_new.html",
        user=user,
        patient_id=patient_id,
        protocols=sorted(PROTOCOLS),
        care_areas=[area.value for area in CareArea],
    )


def _custom_order(form: FormData) -> Order:
    return Order(
        route=OrderRoute.IV_INFUSION,
        rate_mg_per_kg_per_h=parse_number(form, "rate_mg_per_kg_per_h"),
        duration_h=parse_number(form, "duration_h"),
        concentration_mg_per_ml=parse_number(form, "concentration_mg_per_ml"),
        label="custom infusion",
    )


async def create(request: Request, user: PageUser) -> Response:
    """Create a draft plan from a protocol or a custom order, then show it."""
    form = await request.form()
    patient_id = parse_id(request.path_params["patient_id"], "patient_id")
    services, context = services_of(request), context_of(request, user)
    care_area = str(form.get("care_area", CareArea.OUTPATIENT_INFUSION_CLINIC))
    protocol = str(form.get("protocol", "")).strip()
    if protocol:
        plan = await run_in_threadpool(
            plans.create_plan,
            services,
            context,
            patient_id=patient_id,
            protocol=protocol,
            care_area=care_area,
            concentration_mg_per_ml=parse_number(form, "concentration_mg_per_ml"),
        )
    else:
        plan = await run_in_threadpool(
            plans.create_custom_plan,
            services,
            context,
            patient_id=patient_id,
            orders=[_custom_order(form)],
            care_area=care_area,
        )
    return RedirectResponse(f"/plans/{plan.id}", status_code=303)


def _plan_context(plan: plans.PlanRecord, user: PageUser) -> dict[str, Any]:
    return {
        "plan": plan,
        "can_decide": user.role is UserRole.PHYSICIAN,
        "pump": {order.id: _pump_ml_per_h(order, plan.weight_kg) for order in plan.orders},
        "blocking": len(plans.find_blocking_findings(plan)),
    }


async def show(request: Request, user: PageUser) -> Response:
    """A plan: its orders, findings and overrides, the predicted concentrations, signing."""
    plan_id = parse_id(request.path_params["plan_id"], "plan_id")
    services, context = services_of(request), context_of(request, user)
    plan = await run_in_threadpool(plans.get_plan, services, context, plan_id=plan_id)
    found = await run_in_threadpool(prediction.predict_plan, services, context, plan_id=plan_id)
    return render(
        request,
        "plan.html",
        user=user,
        prediction=found,
        chart_json=prediction_chart_json(found),
        **_plan_context(plan, user),
    )


async def override(request: Request, user: PageUser) -> Response:
    """Override one soft finding with a reason; HTMX gets the findings part of the page back."""
    form = await request.form()
    plan_id = parse_id(request.path_params["plan_id"], "plan_id")
    plan = await run_in_threadpool(
        plans.override_finding,
        services_of(request),
        context_of(request, user),
        plan_id=plan_id,
        finding_id=parse_id(form.get("finding_id"), "finding_id"),
        reason=str(form.get("reason", "")),
    )
    if request.headers.get("HX-Request") == "true":
        return render(request, "plan_orders.html", user=user, **_plan_context(plan, user))
    return RedirectResponse(f"/plans/{plan_id}", status_code=303)


async def sign(request: Request, user: PageUser) -> Response:
    """Sign a draft plan (physicians; the service refuses while a finding blocks it)."""
    plan_id = parse_id(request.path_params["plan_id"], "plan_id")
    await run_in_threadpool(
        plans.sign_plan, services_of(request), context_of(request, user), plan_id=plan_id
    )
    return RedirectResponse(f"/plans/{plan_id}", status_code=303)


routes = (
    Route("/patients/{patient_id}/plans/new", signed_in(new_plan), methods=["GET"]),
    Route("/patients/{patient_id}/plans", signed_in(create), methods=["POST"]),
    Route("/plans/{plan_id}", signed_in(show), methods=["GET"], name="plan"),
    Route("/plans/{plan_id}/overrides", signed_in(override), methods=["POST"]),
    Route("/plans/{plan_id}/sign", signed_in(sign), methods=["POST"]),
)
