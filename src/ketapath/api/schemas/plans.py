"""Plans as the API takes and shows them: protocols or custom orders, findings, overrides.

Every amount carries its unit in its name; bounds keep a request within what a pump or a
syringe can be asked for (the guardrails judge everything inside them).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from ketapath.api.schemas.common import (
    AmendmentOut,
    ApiModel,
    FindingModel,
    Reason,
    amendments_out,
    findings_out,
)
from ketapath.clinical.dosing.orders import CareArea, Drug, Order, Route
from ketapath.clinical.dosing.protocols import PROTOCOLS
from ketapath.clinical.finding import Finding
from ketapath.services.care.plans import (
    MAX_ORDERS,
    OrderStatus,
    PlanRecord,
    PlanStatus,
    Stored,
    StoredOrder,
)

__all__ = [
    "CustomPlanIn",
    "FindingOut",
    "OrderIn",
    "OrderOut",
    "OverrideIn",
    "OverrideOut",
    "PlanIn",
    "PlanOut",
]

Notes = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
ProtocolName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
    Field(description=f"One of: {', '.join(PROTOCOLS)}."),
]


class PlanIn(ApiModel):
    """Dose a named protocol for the patient (the weight is the latest recorded)."""

    protocol: ProtocolName
    care_area: CareArea
    concentration_mg_per_ml: float | None = Field(default=None, gt=0, le=100)
    notes: Notes | None = None


class OrderIn(ApiModel):
    """One custom order: exactly one amount (a dose, or a rate with a duration)."""

    route: Route
    dose_mg: float | None = Field(default=None, gt=0, le=10_000)
    dose_mg_per_kg: float | None = Field(default=None, gt=0, le=100)
    rate_mg_per_h: float | None = Field(default=None, gt=0, le=10_000)
    rate_mg_per_kg_per_h: float | None = Field(default=None, gt=0, le=100)
    duration_h: float | None = Field(default=None, gt=0, le=720)
    push_duration_s: float | None = Field(default=None, gt=0, le=3600)
    interval_h: float | None = Field(default=None, gt=0, le=168)
    concentration_mg_per_ml: float | None = Field(default=None, gt=0, le=100)
    drug: Drug = Drug.KETAMINE
    take_home: bool = False
    label: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""

    def to_order(self) -> Order:
        """Return the order as the rules take it (`InputError` when it is not a valid order)."""
        return Order(**self.model_dump())


class CustomPlanIn(ApiModel):
    """A plan written order by order; each order is checked against the drug library."""

    care_area: CareArea
    orders: list[OrderIn] = Field(min_length=1, max_length=MAX_ORDERS)
    notes: Notes | None = None


class OverrideIn(ApiModel):
    """Why a soft limit is passed: stored with the dose."""

    reason: Reason


class OverrideOut(ApiModel):
    """A physician's override: who, in what role, when and why."""

    id: uuid.UUID
    rule_id: str
    by_user_id: str
    role: str
    reason: str
    recorded_at: datetime


class FindingOut(FindingModel):
    """A guardrail finding of an order, with its override when a physician passed it."""

    id: uuid.UUID
    override: OverrideOut | None


class OrderOut(ApiModel):
    """An order as asked, with its status and findings."""

    id: uuid.UUID
    position: int
    route: Route
    drug: Drug
    dose_mg: float | None
    dose_mg_per_kg: float | None
    rate_mg_per_h: float | None
    rate_mg_per_kg_per_h: float | None
    duration_h: float | None
    push_duration_s: float | None
    interval_h: float | None
    concentration_mg_per_ml: float | None
    take_home: bool
    protocol: str | None
    label: str
    care_area: CareArea
    status: OrderStatus
    findings: list[FindingOut]
    amendments: list[AmendmentOut]

    @classmethod
    def of(cls, stored: StoredOrder) -> OrderOut:
        """Return `stored` as the API shows it."""
        order = stored.order
        return cls(
            id=stored.id,
            position=stored.position,
            route=order.route,
            drug=order.drug,
            dose_mg=order.dose_mg,
            dose_mg_per_kg=order.dose_mg_per_kg,
            rate_mg_per_h=order.rate_mg_per_h,
            rate_mg_per_kg_per_h=order.rate_mg_per_kg_per_h,
            duration_h=order.duration_h,
            push_duration_s=order.push_duration_s,
            interval_h=order.interval_h,
            concentration_mg_per_ml=order.concentration_mg_per_ml,
            take_home=order.take_home,
            protocol=order.protocol,
            label=order.label,
            care_area=stored.care_area,
            status=stored.status,
            findings=[_finding_out(f, stored) for f in stored.findings],
            amendments=amendments_out(stored.history),
        )


def _finding_out(stored: Stored[Finding], order: StoredOrder) -> FindingOut:
    (model,) = findings_out([stored.record])
    passed = next((o for o in order.overrides if o.record.finding == stored.record), None)
    override = None
    if passed is not None:
        override = OverrideOut(
            id=passed.id,
            rule_id=passed.record.rule_id,
            by_user_id=passed.record.by,
            role=str(passed.record.role),
            reason=passed.record.reason,
            recorded_at=passed.recorded_at,
        )
    return FindingOut(**model.model_dump(), id=stored.id, override=override)


class PlanOut(ApiModel):
    """A plan, its orders with their findings and overrides, and its status history."""

    id: uuid.UUID
    patient_id: uuid.UUID
    protocol: str | None
    care_area: CareArea
    weight_kg: float | None
    status: PlanStatus
    notes: str | None
    orders: list[OrderOut]
    recorded_at: datetime
    recorded_by: uuid.UUID
    amendments: list[AmendmentOut]

    @classmethod
    def of(cls, plan: PlanRecord) -> PlanOut:
        """Return `plan` as the API shows it."""
        return cls(
            id=plan.id,
            patient_id=plan.patient_id,
            protocol=plan.protocol,
            care_area=plan.care_area,
            weight_kg=plan.weight_kg,
            status=plan.status,
            notes=plan.notes,
            orders=[OrderOut.of(order) for order in plan.orders],
            recorded_at=plan.recorded_at,
            recorded_by=plan.recorded_by,
            amendments=amendments_out(plan.history),
        )
