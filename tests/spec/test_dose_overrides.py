"""Overrides of dose-limit findings: who may pass a soft limit, and that nobody passes a hard one.

Architecture invariant: "A hard limit cannot be passed. A soft limit can be passed only by a
physician, with a reason that is stored with the dose." Each row names who tries, and why.
"""

from __future__ import annotations

import pytest

from ketapath.clinical.dosing.guardrails import (
    Role,
    apply_override,
    check_order,
    is_order_cleared,
)
from ketapath.clinical.dosing.library import load_library
from ketapath.clinical.dosing.orders import CareArea, Order, Route
from ketapath.clinical.records import Patient, PatientRecord, Sex
from ketapath.errors import InputError

LIBRARY = load_library()
PACU = CareArea.MONITORED_PACU


def _record(weight_kg: float) -> PatientRecord:
    patient = Patient(patient_id="spec", age_years=50, sex=Sex.FEMALE, weight_kg=weight_kg)
    return PatientRecord(patient=patient)


def infusion(mg_per_kg_per_h):
    return Order(route=Route.IV_INFUSION, rate_mg_per_kg_per_h=mg_per_kg_per_h, duration_h=2.0)


def _findings_of(order, area=PACU):
    return check_order(order, _record(70.0), LIBRARY, care_area=area)


OVERRIDE_TABLE = [
    pytest.param("physician", "opioid-tolerant", None, id="a physician with a reason may override"),
    pytest.param("nurse", "opioid-tolerant", "`role` must be physician", id="a nurse may not"),
    pytest.param("pharmacist", "reviewed", "`role` must be physician", id="a pharmacist may not"),
    pytest.param("physician", "  ", "`reason` must be a non-empty", id="no override without why"),
    pytest.param("surgeon", "x", "`role` must be one of", id="an unknown role is refused"),
]


@pytest.mark.parametrize(("role", "reason", "error"), OVERRIDE_TABLE)
def test_soft_finding_override_needs_physician_and_reason(role, reason, error):
    soft = _findings_of(infusion(0.6))
    if error is None:
        [override] = apply_override(soft, role=role, reason=reason, by="dr-lee")
        assert (override.rule_id, override.role, override.by, override.reason) == (
            "DA-3",
            Role.PHYSICIAN,
            "dr-lee",
            reason,
        )
        assert is_order_cleared(soft, [override])
    else:
        with pytest.raises(InputError, match=error):
            apply_override(soft, role=role, reason=reason, by="dr-lee")


def test_hard_finding_override_raises_input_error_naming_the_rule():
    findings = _findings_of(infusion(1.2))
    with pytest.raises(InputError, match="HARD finding DA-2: a hard limit can never be overridden"):
        apply_override(findings, role="physician", reason="I insist", by="dr-lee")


def test_order_with_hard_finding_is_never_cleared():
    findings = _findings_of(infusion(1.2))
    soft = [f for f in findings if f.rule_id == "DA-3"]
    overrides = apply_override(soft, role="physician", reason="titrating", by="dr-lee")
    assert not is_order_cleared(findings, overrides)


def test_order_with_soft_finding_is_not_cleared_without_override():
    assert not is_order_cleared(_findings_of(infusion(0.6)), [])


def test_override_skips_info_findings_and_info_alone_clears_the_order():
    order = Order(
        route=Route.IV_BOLUS,
        dose_mg=30.0,
        push_duration_s=300.0,
        protocol="ed_subdissociative_push",
    )
    info = check_order(order, _record(100.0), LIBRARY, care_area=PACU)
    assert [(f.rule_id, f.level) for f in info] == [("DA-4", "INFO")]
    assert apply_override(info, role="physician", reason="noted", by="dr-lee") == ()
    assert is_order_cleared(info, ())
