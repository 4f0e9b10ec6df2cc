"""Plans: dosing a protocol, custom orders, overrides (physician only, never HARD), signing.

Custom orders are IV infusions in the outpatient clinic for a 70 kg patient; the usual range is
0.1–0.5 mg/kg/h (DA-3, SOFT) and the ceiling without intensive monitoring 1 mg/kg/h (DA-2, HARD).
"""

from __future__ import annotations

import uuid

import pytest
from tests.services.conftest import audit_count, count_rows, infusion, signed_plan

from ketapath.clinical.codes import Indication
from ketapath.clinical.dosing.orders import CareArea
from ketapath.clinical.finding import Severity
from ketapath.errors import AccessError, ConflictError, DataError, InputError, NotFoundError
from ketapath.services.care import plans
from ketapath.store.audit import verify_chain
from ketapath.store.repositories import TreatmentRepository
from ketapath.store.tables import AuditEntry, DoseOverride, OrderStatus, PlanStatus, TreatmentPlan

CLINIC = CareArea.OUTPATIENT_INFUSION_CLINIC


def _custom(world, patient_id, *orders):
    return plans.create_custom_plan(
        world.services, world.physician, patient_id=patient_id, orders=orders, care_area=CLINIC
    )


def _rules(plan):
    return [(f.record.rule_id, f.record.level) for order in plan.orders for f in order.findings]


def test_create_plan_from_protocol_stores_orders_as_a_draft(world, connection):
    patient_id = world.add_patient("MRN-1", weight_kg=70.0)
    plan = plans.create_plan(
        world.services,
        world.physician,
        patient_id=patient_id,
        protocol="outpatient_crps",
        care_area=CLINIC,
    )
    (order,) = plan.orders
    assert (plan.status, plan.protocol, plan.weight_kg) == (PlanStatus.DRAFT, "outpatient_crps", 70)
    assert order.order.rate_mg_per_h == pytest.approx(24.5)  # 0.35 mg/kg/h × 70 kg, under 25
    assert (order.status, order.findings) == (OrderStatus.PROPOSED, ())
    with world.services.unit_of_work() as session:
        assert verify_chain(session).ok
        created = session.query(AuditEntry).filter_by(resource_type="treatment_plan").one()
    assert (created.action, created.role) == ("create", "physician")


def test_create_plan_without_a_weight_is_refused_by_dc8(world, connection):
    patient_id = world.add_patient("MRN-1", weight_kg=None)
    with pytest.raises(DataError, match="DC-8"):
        plans.create_plan(
            world.services,
            world.physician,
            patient_id=patient_id,
            protocol="outpatient_crps",
            care_area=CLINIC,
        )
    assert count_rows(connection, TreatmentPlan) == 0


def test_create_plan_with_an_unknown_protocol_names_the_field(world):
    patient_id = world.add_patient("MRN-1")
    with pytest.raises(InputError) as raised:
        plans.create_plan(
            world.services,
            world.physician,
            patient_id=patient_id,
            protocol="home",
            care_area=CLINIC,
        )
    assert raised.value.field == "protocol"


@pytest.mark.parametrize(
    ("rate_mg_per_kg_per_h", "expected"),
    [
        (0.5, []),
        (0.6, [("DA-3", Severity.SOFT)]),
        (1.0, [("DA-3", Severity.SOFT)]),
        (1.01, [("DA-2", Severity.HARD), ("DA-3", Severity.SOFT)]),
    ],
    ids=[
        "0.5 mg/kg/h is within the usual range",
        "0.6 mg/kg/h is above the usual range",
        "1.0 mg/kg/h is at the hard ceiling",
        "1.01 mg/kg/h is above the hard ceiling",
    ],
)
def test_custom_order_is_stored_with_its_guardrail_findings(world, rate_mg_per_kg_per_h, expected):
    patient_id = world.add_patient("MRN-1")
    plan = _custom(world, patient_id, infusion(rate_mg_per_kg_per_h))
    assert _rules(plan) == expected
    assert plan.protocol is None


def test_custom_plan_counts_earlier_orders_in_the_session_total(world):
    patient_id = world.add_patient("MRN-1")
    # First session: at least 80 mg (DC-1, SOFT). 0.25 mg/kg/h × 70 kg × 2 h = 35 mg each.
    plan = _custom(world, patient_id, *[infusion(0.25, duration_h=2.0)] * 3)
    dc1 = [[f.record.rule_id for f in order.findings] for order in plan.orders]
    assert dc1 == [["DC-1"], ["DC-1"], []]  # 35, then 70 mg (< 80), then 105 mg


def test_custom_plan_needs_at_least_one_order(world):
    patient_id = world.add_patient("MRN-1")
    with pytest.raises(InputError) as raised:
        _custom(world, patient_id)
    assert raised.value.field == "orders"


@pytest.mark.parametrize("role", ["nurse", "researcher", "admin"])
def test_create_plan_by_a_non_physician_is_refused(world, connection, role):
    patient_id = world.add_patient("MRN-1")
    before = audit_count(connection)
    with pytest.raises(AccessError):
        plans.create_custom_plan(
            world.services,
            world.users[role],
            patient_id=patient_id,
            orders=[infusion(0.3)],
            care_area=CLINIC,
        )
    assert audit_count(connection) == before


def test_override_of_a_soft_finding_records_who_when_and_why(world):
    patient_id = world.add_patient("MRN-1")
    plan = _custom(world, patient_id, infusion(0.6))
    finding = plan.orders[0].findings[0]
    after = plans.override_finding(
        world.services,
        world.physician,
        plan_id=plan.id,
        finding_id=finding.id,
        reason="opioid-tolerant, reviewed with the patient",
    )
    (override,) = after.orders[0].overrides
    assert override.record.finding == finding.record
    assert override.record.reason == "opioid-tolerant, reviewed with the patient"
    assert override.recorded_by == world.physician.user_id
    assert override.recorded_at.tzinfo is not None
    assert str(override.record.role) == "physician"


def test_override_by_a_nurse_is_refused_and_writes_nothing(world, connection):
    patient_id = world.add_patient("MRN-1")
    plan = _custom(world, patient_id, infusion(0.6))
    before = audit_count(connection)
    with pytest.raises(AccessError):
        plans.override_finding(
            world.services,
            world.nurse,
            plan_id=plan.id,
            finding_id=plan.orders[0].findings[0].id,
            reason="the patient asked",
        )
    assert (count_rows(connection, DoseOverride), audit_count(connection)) == (0, before)


def test_override_of_a_hard_finding_is_refused_naming_the_rule(world, connection):
    patient_id = world.add_patient("MRN-1")
    plan = _custom(world, patient_id, infusion(1.2))
    hard = next(f for f in plan.orders[0].findings if f.record.level is Severity.HARD)
    with pytest.raises(InputError, match="HARD finding DA-2: a hard limit can never") as raised:
        plans.override_finding(
            world.services, world.physician, plan_id=plan.id, finding_id=hard.id, reason="needed"
        )
    assert raised.value.field == "finding_id"
    assert count_rows(connection, DoseOverride) == 0


@pytest.mark.parametrize("reason", ["", "   "], ids=["empty reason", "blank reason"])
def test_override_without_a_reason_is_refused(world, reason):
    patient_id = world.add_patient("MRN-1")
    plan = _custom(world, patient_id, infusion(0.6))
    with pytest.raises(InputError) as raised:
        plans.override_finding(
            world.services,
            world.physician,
            plan_id=plan.id,
            finding_id=plan.orders[0].findings[0].id,
            reason=reason,
        )
    assert raised.value.field == "reason"


def test_override_twice_is_a_conflict(world):
    patient_id = world.add_patient("MRN-1")
    plan = _custom(world, patient_id, infusion(0.6))
    finding_id = plan.orders[0].findings[0].id
    plans.override_finding(
        world.services, world.physician, plan_id=plan.id, finding_id=finding_id, reason="one"
    )
    with pytest.raises(ConflictError):
        plans.override_finding(
            world.services, world.physician, plan_id=plan.id, finding_id=finding_id, reason="two"
        )


def test_override_of_a_finding_of_another_plan_is_not_found(world):
    patient_id = world.add_patient("MRN-1")
    first = _custom(world, patient_id, infusion(0.6))
    second = _custom(world, patient_id, infusion(0.3))
    with pytest.raises(NotFoundError):
        plans.override_finding(
            world.services,
            world.physician,
            plan_id=second.id,
            finding_id=first.orders[0].findings[0].id,
            reason="wrong plan",
        )


def test_sign_refuses_a_soft_finding_without_override(world, connection):
    patient_id = world.add_patient("MRN-1")
    plan = _custom(world, patient_id, infusion(0.6))
    with pytest.raises(InputError, match=r"SOFT DA-3 on order 1 \(not overridden\)"):
        plans.sign_plan(world.services, world.physician, plan_id=plan.id)
    assert plans.get_plan(world.services, world.nurse, plan_id=plan.id).status is PlanStatus.DRAFT


def test_sign_after_every_soft_finding_is_overridden_approves_plan_and_orders(world):
    patient_id = world.add_patient("MRN-1")
    plan = signed_plan(world, patient_id, orders=[infusion(0.6)])
    assert plan.status is PlanStatus.APPROVED
    assert [order.status for order in plan.orders] == [OrderStatus.APPROVED]
    (change,) = plan.history
    assert (change.field, change.new_value) == ("status", "approved")
    assert change.amended_by == world.physician.user_id


def test_sign_is_refused_while_a_hard_finding_remains_even_with_soft_ones_overridden(world):
    patient_id = world.add_patient("MRN-1")
    plan = _custom(world, patient_id, infusion(1.2))
    soft = next(f for f in plan.orders[0].findings if f.record.level is Severity.SOFT)
    plans.override_finding(
        world.services, world.physician, plan_id=plan.id, finding_id=soft.id, reason="ok"
    )
    with pytest.raises(InputError, match=r"HARD DA-2 on order 1 \(never overridable\)"):
        plans.sign_plan(world.services, world.physician, plan_id=plan.id)


def test_sign_twice_is_a_conflict_and_a_signed_plan_takes_no_override(world):
    patient_id = world.add_patient("MRN-1")
    plan = signed_plan(world, patient_id, orders=[infusion(0.6)])
    with pytest.raises(ConflictError):
        plans.sign_plan(world.services, world.physician, plan_id=plan.id)
    with pytest.raises(ConflictError):
        plans.override_finding(
            world.services,
            world.physician,
            plan_id=plan.id,
            finding_id=plan.orders[0].findings[0].id,
            reason="late",
        )


def test_sign_by_a_nurse_is_refused(world):
    patient_id = world.add_patient("MRN-1")
    plan = _custom(world, patient_id, infusion(0.3))
    with pytest.raises(AccessError):
        plans.sign_plan(world.services, world.nurse, plan_id=plan.id)


def test_repeat_course_outside_crps_is_flagged_only_after_a_signed_course(world):
    patient_id = world.add_patient("MRN-1", indication=Indication.FIBROMYALGIA)
    first = _custom(world, patient_id, infusion(0.4))
    assert "C4" not in [rule for rule, _ in _rules(first)]
    plans.sign_plan(world.services, world.physician, plan_id=first.id)
    second = _custom(world, patient_id, infusion(0.4))
    assert ("C4", Severity.SOFT) in _rules(second)


def test_list_plans_returns_every_plan_oldest_first_with_findings(world):
    patient_id = world.add_patient("MRN-1")
    first = _custom(world, patient_id, infusion(0.6))
    second = _custom(world, patient_id, infusion(0.3))
    listed = plans.list_plans(world.services, world.nurse, patient_id=patient_id)
    assert [plan.id for plan in listed] == [first.id, second.id]
    assert _rules(listed[0]) == [("DA-3", Severity.SOFT)]


def test_plans_of_another_clinic_are_not_found(world):
    patient_id = world.add_patient("MRN-9", clinic_id=world.other_clinic_id)
    with pytest.raises(NotFoundError):
        plans.list_plans(world.services, world.physician, patient_id=patient_id)
    with pytest.raises(NotFoundError):
        plans.get_plan(world.services, world.physician, plan_id=uuid.uuid4())


@pytest.mark.parametrize("role", ["researcher", "admin"])
def test_plans_are_not_shown_to_researchers_or_admins(world, role):
    patient_id = world.add_patient("MRN-1")
    with pytest.raises(AccessError):
        plans.list_plans(world.services, world.users[role], patient_id=patient_id)


def test_failed_override_leaves_nothing_half_written(world, connection, monkeypatch):
    patient_id = world.add_patient("MRN-1")
    plan = _custom(world, patient_id, infusion(0.6))
    before = audit_count(connection)

    original, calls = TreatmentRepository.get_plan, []

    def read_once_then_fail(self, plan_id):
        calls.append(plan_id)
        if len(calls) > 1:
            raise RuntimeError("connection lost")
        return original(self, plan_id)

    # The plan is read, the override written and audited; reading the plan back then fails.
    monkeypatch.setattr(TreatmentRepository, "get_plan", read_once_then_fail)
    with pytest.raises(RuntimeError):
        plans.override_finding(
            world.services,
            world.physician,
            plan_id=plan.id,
            finding_id=plan.orders[0].findings[0].id,
            reason="reviewed",
        )
    assert (count_rows(connection, DoseOverride), audit_count(connection)) == (0, before)
