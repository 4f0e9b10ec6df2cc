"""Treatment plans: their orders as asked, each order's guardrail findings, and overrides.

An override is stored only for a SOFT finding of the same order, by the signed-in physician;
a HARD finding can never be overridden, here as in `ketapath.clinical.dosing.overrides`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select

from ketapath.clinical.dosing.orders import CareArea, Drug, Order, Route
from ketapath.clinical.dosing.overrides import Override, Role
from ketapath.clinical.finding import Finding, Severity
from ketapath.errors import InputError
from ketapath.store.amendments import AmendedRow, AmendmentKind
from ketapath.store.audit import AuditAction
from ketapath.store.columns import utc_now
from ketapath.store.findings import finding_from_columns, finding_to_columns
from ketapath.store.records import PlanRecord, Stored, StoredOrder
from ketapath.store.repositories.base import Repository, require_user
from ketapath.store.tables import (
    DoseOverride,
    OrderFinding,
    OrderStatus,
    PlanStatus,
    TreatmentOrder,
    TreatmentPlan,
    UserRole,
)

__all__ = ["TreatmentRepository"]

_AMOUNTS = (
    "dose_mg",
    "dose_mg_per_kg",
    "rate_mg_per_h",
    "rate_mg_per_kg_per_h",
    "duration_h",
    "push_duration_s",
    "interval_h",
    "concentration_mg_per_ml",
)


def _order(a: AmendedRow) -> Order:
    amounts = {name: a.find(name, float) for name in _AMOUNTS}
    return Order(
        route=Route(a.get("route", str)),
        drug=Drug(a.get("drug", str)),
        take_home=a.get("take_home", bool),
        protocol=a.find("protocol", str),
        label=a.get("label", str),
        **amounts,
    )


def _override(row: DoseOverride, finding: Finding) -> Stored[Override]:
    override = Override(
        finding=finding, role=Role(row.role), by=str(row.by_user_id), reason=row.reason
    )
    return Stored(
        id=row.id, record=override, recorded_at=row.recorded_at, recorded_by=row.recorded_by
    )


class TreatmentRepository(Repository):
    """Plans, orders, findings and overrides. Every method appends an audit entry."""

    def create_plan(  # the plan's fields, all keyword-only
        self,
        patient_id: uuid.UUID,
        *,
        care_area: CareArea | str,
        orders: Sequence[tuple[Order, Sequence[Finding]]],
        protocol: str | None = None,
        weight_kg: float | None = None,
        notes: str | None = None,
    ) -> PlanRecord:
        """Store a plan (status ``draft``) with its orders (``proposed``) and their findings."""
        user, area = require_user(self.actor), str(CareArea(care_area))
        plan = TreatmentPlan(
            patient_id=patient_id,
            protocol=protocol,
            care_area=area,
            weight_kg=weight_kg,
            status=str(PlanStatus.DRAFT),
            notes=notes,
            recorded_by=user,
        )
        self._add(plan, what="treatment plan")
        for position, (order, findings) in enumerate(orders):
            amounts = {name: getattr(order, name) for name in _AMOUNTS}
            row = TreatmentOrder(
                plan_id=plan.id,
                position=position,
                route=str(order.route),
                drug=str(order.drug),
                care_area=area,
                take_home=order.take_home,
                protocol=order.protocol,
                label=order.label,
                status=str(OrderStatus.PROPOSED),
                recorded_by=user,
                **amounts,
            )
            self._add(row, what="treatment order")
            self._add(
                *(
                    OrderFinding(order_id=row.id, recorded_by=user, **finding_to_columns(f, i))
                    for i, f in enumerate(findings)
                ),
                what="order findings",
            )
        self._audit(AuditAction.CREATE, plan, plan.id, patient_id=patient_id)
        return self._plan(plan)

    def add_override(self, finding_id: uuid.UUID, override: Override) -> Stored[Override]:
        """Store a physician's override of one SOFT finding of an order."""
        finding_row = self._get(OrderFinding, finding_id)
        if finding_row.severity != Severity.SOFT or finding_row.rule_id != override.rule_id:
            msg = (
                f"`finding_id` must name a SOFT finding of rule {override.rule_id} "
                f"(got {finding_row.severity} {finding_row.rule_id}): a hard limit is never passed."
            )
            raise InputError(msg, field="finding_id", value=str(finding_id))
        roles = (str(override.role), self.actor.role)
        if roles != (Role.PHYSICIAN, UserRole.PHYSICIAN) or not override.reason.strip():
            msg = f"`role` must be physician, with a reason, to override (got {roles[1]})."
            raise InputError(msg, field="role", value=roles[1])
        order = self._get(TreatmentOrder, finding_row.order_id)
        plan = self._get(TreatmentPlan, order.plan_id)
        row = DoseOverride(
            order_id=order.id,
            finding_id=finding_row.id,
            rule_id=finding_row.rule_id,
            by_user_id=require_user(self.actor),
            role=str(override.role),
            reason=override.reason.strip(),
            overridden_at=utc_now(),
            recorded_by=require_user(self.actor),
        )
        self._add(row, what=f"override of {finding_row.rule_id}")
        self._audit(
            AuditAction.OVERRIDE, row, row.id, patient_id=plan.patient_id, detail=row.reason
        )
        return _override(row, finding_from_columns(finding_row))

    def set_plan_status(self, plan_id: uuid.UUID, status: PlanStatus, *, reason: str) -> PlanRecord:
        """Move a plan on (approved, completed, cancelled): an amendment of its status."""
        plan = self._get(TreatmentPlan, plan_id)
        self._amend(
            plan,
            changes={"status": PlanStatus(status)},
            reason=reason,
            patient_id=plan.patient_id,
            kind=AmendmentKind.STATUS_CHANGE,
        )
        return self._plan(plan)

    def set_order_status(
        self, order_id: uuid.UUID, status: OrderStatus, *, reason: str
    ) -> PlanRecord:
        """Move an order on (approved, given, cancelled): an amendment of its status."""
        order = self._get(TreatmentOrder, order_id)
        plan = self._get(TreatmentPlan, order.plan_id)
        self._amend(
            order,
            changes={"status": OrderStatus(status)},
            reason=reason,
            patient_id=plan.patient_id,
            kind=AmendmentKind.STATUS_CHANGE,
        )
        return self._plan(plan)

    def get_plan(self, plan_id: uuid.UUID) -> PlanRecord:
        """Return a plan with its orders, findings and overrides, as amended."""
        plan = self._get(TreatmentPlan, plan_id)
        self._audit(AuditAction.READ, plan, plan.id, patient_id=plan.patient_id)
        return self._plan(plan)

    def _plan(self, plan: TreatmentPlan) -> PlanRecord:
        order_rows = list(
            self.session.scalars(
                select(TreatmentOrder)
                .where(TreatmentOrder.plan_id == plan.id)
                .order_by(TreatmentOrder.position)
            )
        )
        ids = [row.id for row in order_rows]
        finding_rows = list(
            self.session.scalars(
                select(OrderFinding)
                .where(OrderFinding.order_id.in_(ids))
                .order_by(OrderFinding.position)
            )
        )
        overrides = {
            row.finding_id: row
            for row in self.session.scalars(
                select(DoseOverride).where(DoseOverride.order_id.in_(ids))
            )
        }
        orders = tuple(
            self._stored_order(row, amended, finding_rows, overrides)
            for row, amended in self._amended(order_rows)
        )
        amended_plan = self._amended([plan])[0][1]
        return PlanRecord(
            id=plan.id,
            patient_id=plan.patient_id,
            protocol=plan.protocol,
            care_area=CareArea(plan.care_area),
            weight_kg=plan.weight_kg,
            status=PlanStatus(amended_plan.get("status", str)),
            notes=plan.notes,
            orders=orders,
            recorded_at=plan.recorded_at,
            recorded_by=plan.recorded_by,
            history=amended_plan.history,
        )

    @staticmethod
    def _stored_order(
        row: TreatmentOrder,
        amended: AmendedRow,
        finding_rows: Sequence[OrderFinding],
        overrides: dict[uuid.UUID, DoseOverride],
    ) -> StoredOrder:
        findings, passed = [], []
        for finding_row in (f for f in finding_rows if f.order_id == row.id):
            finding = finding_from_columns(finding_row)
            findings.append(
                Stored(
                    id=finding_row.id,
                    record=finding,
                    recorded_at=finding_row.recorded_at,
                    recorded_by=finding_row.recorded_by,
                )
            )
            if finding_row.id in overrides:
                passed.append(_override(overrides[finding_row.id], finding))
        return StoredOrder(
            id=row.id,
            position=row.position,
            order=_order(amended),
            care_area=CareArea(row.care_area),
            status=OrderStatus(amended.get("status", str)),
            findings=tuple(findings),
            overrides=tuple(passed),
            history=amended.history,
        )
