"""Treatment plans: dose a protocol or write custom orders, override soft findings, sign.

Each order is stored exactly as asked, with the guardrail findings `ketapath.clinical.dosing`
gave it. A physician writes a plan, which stays a draft until a physician signs it; it can be
signed only once no HARD finding remains and every SOFT one carries a physician's override with
a reason (the architecture's invariant: "a hard limit cannot be passed; a soft limit can be
passed only by a physician, with a reason that is stored with the dose"). Nurses read plans and
chart sessions against a signed one (`ketapath.services.care.sessions`).

Orders are checked against the drug library in force when the plan is written (the
newest version, `ketapath.services.clinic.drug_library`): a plan written after an admin changed
a limit meets the new limit.

Findings of a multi-session protocol that concern the whole course (its last session checked
with the earlier ones counted, DC-3) belong to no single step: they are stored with the plan's
last order, where the course total is crossed. Every signed earlier plan of the patient counts
as an earlier course (the repeat-course rule C4).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from ketapath.clinical.dosing.guardrails import check_order
from ketapath.clinical.dosing.library import DrugLibrary
from ketapath.clinical.dosing.orders import CareArea, DoseHistory, Order
from ketapath.clinical.dosing.overrides import apply_override
from ketapath.clinical.dosing.plan import create_plan as dose_protocol
from ketapath.clinical.finding import Finding, Severity
from ketapath.clinical.records import PatientRecord
from ketapath.errors import ConflictError, InputError, NotFoundError
from ketapath.services.care.patients import CLINICAL_ROLES, require_patient
from ketapath.services.clinic.drug_library import get_current_library
from ketapath.services.context import RequestContext, Services, UserRole, require_role
from ketapath.store.records import PlanRecord, Stored, StoredOrder
from ketapath.store.repositories import PatientRecordRepository, TreatmentRepository
from ketapath.store.repositories.history import patient_rows
from ketapath.store.tables import OrderStatus, PlanStatus, TreatmentPlan

__all__ = [
    "MAX_ORDERS",
    "SIGNED",
    "OrderStatus",
    "PlanRecord",
    "PlanStatus",
    "Stored",
    "StoredOrder",
    "check_rate_change",
    "count_previous_courses",
    "create_custom_plan",
    "create_plan",
    "find_blocking_findings",
    "get_plan",
    "list_plans",
    "override_finding",
    "sign_plan",
]

"""Who may read a patient's plans and charts, and chart a session."""

MAX_ORDERS = 20
"""The most orders one custom plan may hold."""

SIGNED = frozenset({PlanStatus.APPROVED, PlanStatus.COMPLETED})
"""The statuses of a plan that was signed (a course given under it counts)."""
_MINIMA = frozenset({">=", ">"})
_NOT_OVERRIDABLE = {
    Severity.HARD: "a hard limit can never be overridden",
    Severity.INFO: "an INFO finding needs no override",
}


def _plan_in_clinic(
    session: Session, context: RequestContext, plan_id: uuid.UUID, *, for_writing: bool = False
) -> PlanRecord:
    plan = TreatmentRepository(session, context.to_actor()).get_plan(plan_id)
    require_patient(session, context, plan.patient_id, for_writing=for_writing)
    return plan


def _patient_plans(
    session: Session, context: RequestContext, patient_id: uuid.UUID
) -> list[PlanRecord]:
    treatment = TreatmentRepository(session, context.to_actor())
    return [treatment.get_plan(row.id) for row in patient_rows(session, TreatmentPlan, patient_id)]


def count_previous_courses(
    session: Session,
    context: RequestContext,
    patient_id: uuid.UUID,
    *,
    before: datetime | None = None,
) -> int:
    """Count the patient's signed plans (recorded before `before`): each is an earlier course."""
    return sum(
        1
        for plan in _patient_plans(session, context, patient_id)
        if plan.status in SIGNED and (before is None or plan.recorded_at < before)
    )


def create_plan(
    services: Services,
    context: RequestContext,
    *,
    patient_id: uuid.UUID,
    protocol: str,
    care_area: CareArea | str,
    concentration_mg_per_ml: float | None = None,
    notes: str | None = None,
) -> PlanRecord:
    """Dose a named protocol for a patient and store it, with every finding, as a draft.

    Raises
    ------
    AccessError
        Unless the user is a physician.
    InputError
        For an unknown protocol, care area or a bad concentration.
    DataError
        When a weight-based step meets an unknown weight (DC-8).
    """
    require_role(context, UserRole.PHYSICIAN)
    with services.unit_of_work() as session:
        require_patient(session, context, patient_id, for_writing=True)
        record = PatientRecordRepository(session, context.to_actor()).get(
            patient_id, on=services.now().date()
        )
        result = dose_protocol(
            record,
            protocol,
            concentration_mg_per_ml=concentration_mg_per_ml,
            care_area=care_area,
            library=get_current_library(session, context),
            history=DoseHistory(
                previous_courses=count_previous_courses(session, context, patient_id)
            ),
        )
        orders = [(planned.order, list(planned.findings)) for planned in result.orders]
        stepwise = [finding for _, findings in orders for finding in findings]
        orders[-1][1].extend(f for f in result.findings if f not in stepwise)
        return TreatmentRepository(session, context.to_actor()).create_plan(
            patient_id,
            care_area=result.care_area,
            orders=orders,
            protocol=result.protocol.name,
            weight_kg=result.weight_kg,
            notes=_notes(notes),
        )


def create_custom_plan(
    services: Services,
    context: RequestContext,
    *,
    patient_id: uuid.UUID,
    orders: Sequence[Order],
    care_area: CareArea | str,
    notes: str | None = None,
) -> PlanRecord:
    """Check custom orders against the drug library (`check_order`) and store them as a draft.

    The orders are one session's, in time order: each is checked with the amounts of the
    orders before it already counted (session and 24-hour totals).

    Raises
    ------
    AccessError
        Unless the user is a physician.
    InputError
        With no order or more than `MAX_ORDERS`, or an unknown care area.
    DataError
        When a weight-based order or limit meets an unknown weight (DC-8).
    """
    require_role(context, UserRole.PHYSICIAN)
    if not 1 <= len(orders) <= MAX_ORDERS:
        msg = f"`orders` must hold 1 to {MAX_ORDERS} orders (got {len(orders)})."
        raise InputError(msg, field="orders", value=len(orders))
    with services.unit_of_work() as session:
        require_patient(session, context, patient_id, for_writing=True)
        record = PatientRecordRepository(session, context.to_actor()).get(
            patient_id, on=services.now().date()
        )
        courses = count_previous_courses(session, context, patient_id)
        library, checked, given_mg = get_current_library(session, context), [], 0.0
        weight_kg = record.patient.weight_kg
        for order in orders:
            before = DoseHistory(
                session_total_mg=given_mg,
                daily_total_mg=given_mg,
                course_total_mg=given_mg,
                previous_courses=courses,
            )
            findings = check_order(order, record, library, care_area=care_area, history=before)
            checked.append((order, findings))
            given_mg += _order_total_mg(order, weight_kg)
        return TreatmentRepository(session, context.to_actor()).create_plan(
            patient_id,
            care_area=care_area,
            orders=checked,
            protocol=None,
            weight_kg=weight_kg,
            notes=_notes(notes),
        )


def _order_total_mg(order: Order, weight_kg: float | None) -> float:
    """What one order gives, mg (its weight-based amounts need the weight, checked above)."""
    weight = float(weight_kg or 0.0)
    if order.is_infusion:
        rate = order.rate_mg_per_h or float(order.rate_mg_per_kg_per_h or 0.0) * weight
        return rate * float(order.duration_h or 0.0)
    return order.dose_mg or float(order.dose_mg_per_kg or 0.0) * weight


def _notes(notes: str | None) -> str | None:
    """Notes without surrounding blanks; None when there are none."""
    if notes is None or not notes.strip():
        return None
    return notes.strip()


def _find(plan: PlanRecord, finding_id: uuid.UUID) -> tuple[StoredOrder, Stored[Finding]]:
    for order in plan.orders:
        for finding in order.findings:
            if finding.id == finding_id:
                return order, finding
    raise NotFoundError(f"Plan {plan.id} has no finding with id {finding_id}.")


def _require_draft(plan: PlanRecord) -> None:
    if plan.status is not PlanStatus.DRAFT:
        msg = f"Plan {plan.id} is {plan.status}: only a draft plan can be changed or signed."
        raise ConflictError(msg)


def override_finding(
    services: Services,
    context: RequestContext,
    *,
    plan_id: uuid.UUID,
    finding_id: uuid.UUID,
    reason: str,
) -> PlanRecord:
    """Record a physician's override, with a reason, of one SOFT finding of a draft plan.

    Raises
    ------
    AccessError
        Unless the user is a physician (a nurse can never override).
    InputError
        When the finding is HARD (the message names its rule: a hard limit is never passed) or
        INFO (nothing to override), or the reason is empty.
    ConflictError
        When the plan is signed or the finding already overridden.
    NotFoundError
        When the plan or the finding does not exist.
    """
    require_role(context, UserRole.PHYSICIAN)
    if not isinstance(reason, str) or not reason.strip():
        msg = f"`reason` must be a non-empty text to override a soft limit (got {reason!r})."
        raise InputError(msg, field="reason", value=reason)
    with services.unit_of_work() as session:
        plan = _plan_in_clinic(session, context, plan_id, for_writing=True)
        _require_draft(plan)
        order, finding = _find(plan, finding_id)
        level = finding.record.level
        if level is not Severity.SOFT:
            why = _NOT_OVERRIDABLE[level]
            msg = f"`finding_id` names {level} finding {finding.record.rule_id}: {why}."
            raise InputError(msg, field="finding_id", value=str(finding_id))
        if any(o.record.finding == finding.record for o in order.overrides):
            raise ConflictError(f"Finding {finding_id} ({finding.record.rule_id}) is overridden.")
        (override,) = apply_override(
            [finding.record], role=str(context.role), reason=reason, by=str(context.user_id)
        )
        treatment = TreatmentRepository(session, context.to_actor())
        treatment.add_override(finding_id, override)
        return treatment.get_plan(plan_id)


def _numbers(finding: Finding) -> dict[str, float]:
    """The measured values of a limit finding (not the limit itself)."""
    return {
        key: float(value)
        for key, value in finding.values.items()
        if isinstance(value, int | float)
        and not isinstance(value, bool)
        and not key.startswith("limit_")
    }


def _is_covered(finding: Finding, order: StoredOrder) -> bool:
    """True when a physician overrode this rule on the order at a value at least as far out."""
    new = _numbers(finding)
    for override in order.overrides:
        passed = override.record.finding
        if passed.rule_id != finding.rule_id:
            continue
        old = _numbers(passed)
        shared = new.keys() & old.keys()
        if shared == new.keys() and all(new[k] <= old[k] + 1e-9 for k in shared):
            return True
    return False


def check_rate_change(
    order: StoredOrder,
    rate_mg_per_h: float,
    *,
    record: PatientRecord,
    care_area: CareArea,
    history: DoseHistory,
    duration_h: float,
    library: DrugLibrary,
) -> list[Finding]:
    """Check the rest of a signed infusion order at a new rate against the drug library.

    Parameters
    ----------
    order : StoredOrder
        The signed order, with its overrides.
    rate_mg_per_h : float
        The new rate, mg/h.
    record : PatientRecord
        The patient (weight for the per-kg limits).
    care_area : CareArea
        Where it runs.
    history : DoseHistory
        What was given before the change (session, 24 h, course).
    duration_h : float
        How long the new rate runs: to the order's planned end, h.
    library : DrugLibrary
        The drug library in force (`ketapath.services.clinic.drug_library.get_current_library`).

    Returns
    -------
    list of Finding
        The findings that do not refuse the rate (INFO, SOFT ones covered by an override);
        minimum limits (the first trial's 80 mg and 2 h, the bottom of a usual range) are left
        out: they are the plan's, not a titration's.

    Raises
    ------
    InputError
        On a HARD finding, or a SOFT one not covered by an override of the same rule on the
        order at a value at least as far past the limit; the message names each rule.
    """
    asked = order.order
    check = Order(
        route=asked.route,
        rate_mg_per_h=rate_mg_per_h,
        duration_h=duration_h,
        concentration_mg_per_ml=asked.concentration_mg_per_ml,
        drug=asked.drug,
        protocol=asked.protocol,
        label="rate change",
    )
    found = check_order(check, record, library, care_area=care_area, history=history)
    relevant = [f for f in found if f.values.get("allowed") not in _MINIMA]
    refused = [
        f
        for f in relevant
        if f.level is Severity.HARD or (f.level is Severity.SOFT and not _is_covered(f, order))
    ]
    if refused:
        named = " ".join(
            f"{f.rule_id} ({f.level}"
            + ("" if f.level is Severity.HARD else ", not overridden on this order")
            + f"): {f.message}"
            for f in refused
        )
        msg = f"`rate_mg_per_h` {rate_mg_per_h:g} mg/h is refused. {named}"
        raise InputError(msg, field="rate_mg_per_h", value=rate_mg_per_h)
    return relevant


def find_blocking_findings(plan: PlanRecord) -> list[tuple[StoredOrder, Finding]]:
    """Return what stops a plan from being signed: HARD findings, SOFT ones not overridden."""
    blocking = []
    for order in plan.orders:
        passed = [override.record.finding for override in order.overrides]
        for stored in order.findings:
            finding = stored.record
            if finding.level is Severity.HARD or (
                finding.level is Severity.SOFT and finding not in passed
            ):
                blocking.append((order, finding))
    return blocking


def sign_plan(services: Services, context: RequestContext, *, plan_id: uuid.UUID) -> PlanRecord:
    """Sign a draft plan: it and its orders become ``approved``, and sessions may start.

    Raises
    ------
    AccessError
        Unless the user is a physician.
    InputError
        While a HARD finding, or a SOFT one without an override, remains (each is named).
    ConflictError
        When the plan is not a draft.
    """
    require_role(context, UserRole.PHYSICIAN)
    with services.unit_of_work() as session:
        plan = _plan_in_clinic(session, context, plan_id, for_writing=True)
        _require_draft(plan)
        blocking = find_blocking_findings(plan)
        if blocking:
            named = "; ".join(
                f"{f.level} {f.rule_id} on order {order.position + 1}"
                + (" (never overridable)" if f.level is Severity.HARD else " (not overridden)")
                for order, f in blocking
            )
            msg = f"Plan {plan_id} cannot be signed: {named}."
            raise InputError(msg, field="plan_id", value=str(plan_id))
        treatment = TreatmentRepository(session, context.to_actor())
        reason = f"signed by {context.username}"
        for order in plan.orders:
            treatment.set_order_status(order.id, OrderStatus.APPROVED, reason=reason)
        return treatment.set_plan_status(plan_id, PlanStatus.APPROVED, reason=reason)


def get_plan(services: Services, context: RequestContext, *, plan_id: uuid.UUID) -> PlanRecord:
    """Return a plan with its orders, findings and overrides (who, when, why)."""
    require_role(context, *CLINICAL_ROLES)
    with services.unit_of_work() as session:
        return _plan_in_clinic(session, context, plan_id)


def list_plans(
    services: Services, context: RequestContext, *, patient_id: uuid.UUID
) -> tuple[PlanRecord, ...]:
    """Return a patient's plans, oldest first, each with its findings and overrides."""
    require_role(context, *CLINICAL_ROLES)
    with services.unit_of_work() as session:
        require_patient(session, context, patient_id)
        return tuple(_patient_plans(session, context, patient_id))
