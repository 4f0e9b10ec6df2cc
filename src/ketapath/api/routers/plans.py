"""Treatment plans: physicians write, override and sign them; nurses read them.

A nurse asking to override or sign gets 403; a HARD finding can never be overridden (422 naming
its rule); a plan is signed only when no HARD finding and no un-overridden SOFT one remains.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from ketapath.api.deps import Clinician, Physician
from ketapath.api.pagination import Page, PageQuery
from ketapath.api.problems import problem_responses
from ketapath.api.schemas.plans import CustomPlanIn, OverrideIn, PlanIn, PlanOut
from ketapath.services.care import plans

router = APIRouter(tags=["plans"])

_WRITE_ERRORS = problem_responses(404, 409, 422)


@router.post("/patients/{patient_id}/plans", status_code=201, responses=_WRITE_ERRORS)
async def create_plan(patient_id: uuid.UUID, body: PlanIn, caller: Physician) -> PlanOut:
    """Dose a named protocol for the patient; the orders are stored with their findings."""
    plan = await caller.run(
        plans.create_plan,
        patient_id=patient_id,
        protocol=body.protocol,
        care_area=body.care_area,
        concentration_mg_per_ml=body.concentration_mg_per_ml,
        notes=body.notes,
    )
    return PlanOut.of(plan)


@router.post("/patients/{patient_id}/custom-plans", status_code=201, responses=_WRITE_ERRORS)
async def create_custom_plan(
    patient_id: uuid.UUID, body: CustomPlanIn, caller: Physician
) -> PlanOut:
    """Write custom orders; each is checked against the drug library and stored as a draft."""
    plan = await caller.run(
        plans.create_custom_plan,
        patient_id=patient_id,
        orders=[order.to_order() for order in body.orders],
        care_area=body.care_area,
        notes=body.notes,
    )
    return PlanOut.of(plan)


@router.get("/patients/{patient_id}/plans", responses=problem_responses(404, 422))
async def list_plans(patient_id: uuid.UUID, page: PageQuery, caller: Clinician) -> Page[PlanOut]:
    """A patient's plans, oldest first, with findings and overrides."""
    found = await caller.run(plans.list_plans, patient_id=patient_id)
    items = found[page.offset : page.offset + page.limit]
    return Page.of([PlanOut.of(plan) for plan in items], total=len(found), params=page)


@router.get("/plans/{plan_id}", responses=problem_responses(404, 422))
async def get_plan(plan_id: uuid.UUID, caller: Clinician) -> PlanOut:
    """A plan with its orders, findings and overrides (who, when, why)."""
    return PlanOut.of(await caller.run(plans.get_plan, plan_id=plan_id))


@router.post("/plans/{plan_id}/findings/{finding_id}/override", responses=_WRITE_ERRORS)
async def override_finding(
    plan_id: uuid.UUID,
    finding_id: uuid.UUID,
    body: OverrideIn,
    caller: Physician,
) -> PlanOut:
    """Override one SOFT finding of a draft plan, with the reason (physicians only)."""
    plan = await caller.run(
        plans.override_finding, plan_id=plan_id, finding_id=finding_id, reason=body.reason
    )
    return PlanOut.of(plan)


@router.post("/plans/{plan_id}/sign", responses=_WRITE_ERRORS)
async def sign_plan(plan_id: uuid.UUID, caller: Physician) -> PlanOut:
    """Sign a draft plan once every finding is cleared; sessions may then start."""
    return PlanOut.of(await caller.run(plans.sign_plan, plan_id=plan_id))
