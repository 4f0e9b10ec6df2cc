"""Properties of the dose guardrails and the pump arithmetic (Hypothesis).

- No order over a HARD limit of the drug library is ever accepted, whatever the limit, care
  area, route, weight or margin: the limit's rule fires at HARD severity, no override passes it,
  and the order is never cleared.
- mg/kg/h -> mL/h -> mg/kg/h and µg/kg/min <-> mg/kg/h round-trip.

The example count comes from ``HYPOTHESIS_MAX_EXAMPLES`` (default 200).
"""

from __future__ import annotations

import math
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketapath.clinical.dosing.guardrails import apply_override, check_order, is_order_cleared
from ketapath.clinical.dosing.library import Comparison, Limit, load_library
from ketapath.clinical.dosing.orders import CareArea, DoseHistory, Order, Route
from ketapath.clinical.dosing.pump import (
    mcg_per_kg_per_min_to_mg_per_kg_per_h,
    mg_per_kg_per_h_to_mcg_per_kg_per_min,
    to_pump_rate_ml_per_h,
    to_rate_mg_per_kg_per_h,
)
from ketapath.clinical.dosing.quantities import Quantity
from ketapath.clinical.finding import Severity
from ketapath.clinical.records import Patient, PatientRecord, Sex
from ketapath.errors import InputError

EXAMPLES = int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "200"))
LIBRARY = load_library()

weights_kg = st.floats(min_value=2.0, max_value=350.0, allow_nan=False)
rates_mg_per_kg_per_h = st.floats(min_value=0.0, max_value=50.0, allow_nan=False)
concentrations_mg_per_ml = st.floats(min_value=0.1, max_value=100.0, allow_nan=False)


def _hard_limits() -> list[tuple[CareArea, Route, str | None, Limit]]:
    """Every HARD limit of the library, with where it applies (protocol limits in every area)."""
    found = []
    for area, routes in LIBRARY.care_areas.items():
        for route, profile in routes.items():
            found += [(area, route, None, x) for x in profile.limits if _is_hard(x)]
        for name, protocol in LIBRARY.protocols.items():
            found += [(area, protocol.route, name, x) for x in protocol.limits if _is_hard(x)]
    return found


def _is_hard(limit: Limit) -> bool:
    return limit.citation.strength is Severity.HARD


HARD_LIMITS = _hard_limits()


def _violating(limit: Limit, margin: float) -> float:
    """A value on the wrong side of ``limit``: ``margin`` 0 is the limit itself."""
    if limit.allowed is Comparison.BELOW:
        return limit.value * (1.0 + margin)
    if limit.allowed is Comparison.AT_MOST:
        return limit.value * (1.0 + 1e-6 + margin)
    return limit.value * (1.0 - 1e-6) / (1.0 + margin)  # AT_LEAST: strictly under the minimum


def _order_and_history(
    route: Route, protocol: str | None, quantity: Quantity, value: float
) -> tuple[Order, DoseHistory]:
    """An order of ``route`` (and protocol) whose ``quantity`` is ``value``."""
    infusion = route in (Route.IV_INFUSION, Route.SUBCUTANEOUS)
    amounts = {
        Quantity.DOSE_MG_PER_KG: {"dose_mg_per_kg": value},
        Quantity.DOSE_MG: {"dose_mg": value},
        Quantity.RATE_MG_PER_KG_PER_H: {"rate_mg_per_kg_per_h": value, "duration_h": 1.0},
        Quantity.RATE_MG_PER_H: {"rate_mg_per_h": value, "duration_h": 1.0},
        Quantity.DURATION_H: {"rate_mg_per_h": 1.0, "duration_h": value},
    }
    one_mg = {"rate_mg_per_h": 1.0, "duration_h": 1.0} if infusion else {"dose_mg": 1.0}
    fields = amounts.get(quantity, one_mg)
    push = {"push_duration_s": 60.0} if route is Route.IV_BOLUS else {}
    if quantity is Quantity.PUSH_DURATION_S:
        push = {"push_duration_s": value}
    order = Order(route=route, protocol=protocol, **fields, **push)
    totals = {
        Quantity.SESSION_TOTAL_MG: "session_total_mg",
        Quantity.DAILY_TOTAL_MG: "daily_total_mg",
        Quantity.COURSE_TOTAL_MG: "course_total_mg",
    }
    if quantity in totals:  # the order gives 1 mg; the history brings the total to `value`
        history = DoseHistory(course_sessions=1, **{totals[quantity]: value - 1.0})
    elif quantity is Quantity.COURSE_SESSIONS:  # this session is number course_sessions + 1
        history = DoseHistory(course_sessions=math.ceil(value - 1e-9))
    else:
        history = DoseHistory(course_sessions=1)
    return order, history


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    target=st.sampled_from(HARD_LIMITS),
    margin=st.one_of(st.just(0.0), st.floats(min_value=0.0, max_value=5.0, allow_nan=False)),
    weight_kg=st.floats(min_value=40.0, max_value=150.0, allow_nan=False),
)
def test_order_over_any_hard_limit_is_never_accepted(target, margin, weight_kg):
    area, route, protocol, limit = target
    value = _violating(limit, margin)
    order, history = _order_and_history(route, protocol, limit.quantity, value)
    patient = Patient(patient_id="prop", age_years=50, sex=Sex.FEMALE, weight_kg=weight_kg)
    findings = check_order(
        order, PatientRecord(patient=patient), LIBRARY, care_area=area, history=history
    )
    hard = [
        f
        for f in findings
        if f.level is Severity.HARD
        and f.rule_id == limit.citation.rule.id
        and limit.quantity.value in f.values
    ]
    assert hard, (limit, value, [f.message for f in findings])
    assert not is_order_cleared(findings, [])
    with pytest.raises(InputError, match="hard limit can never be overridden"):
        apply_override(findings, role="physician", reason="clinical need", by="dr-prop")


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    rate=rates_mg_per_kg_per_h,
    weight_kg=weights_kg,
    concentration=concentrations_mg_per_ml,
)
def test_weight_based_rate_round_trips_through_pump_rate(rate, weight_kg, concentration):
    pump_ml_per_h = to_pump_rate_ml_per_h(rate, weight_kg, concentration)
    back = to_rate_mg_per_kg_per_h(pump_ml_per_h, weight_kg, concentration)
    # Two multiplications and two divisions: a few ulps of relative error at most.
    assert back == pytest.approx(rate, rel=1e-12, abs=1e-15)


@settings(max_examples=EXAMPLES, deadline=None)
@given(rate=st.floats(min_value=0.0, max_value=1e4, allow_nan=False))
def test_microgram_per_minute_rate_round_trips_through_mg_per_kg_per_h(rate):
    there = mcg_per_kg_per_min_to_mg_per_kg_per_h(rate)
    assert mg_per_kg_per_h_to_mcg_per_kg_per_min(there) == pytest.approx(rate, rel=1e-12)
    back = mg_per_kg_per_h_to_mcg_per_kg_per_min(rate)
    assert mcg_per_kg_per_min_to_mg_per_kg_per_h(back) == pytest.approx(rate, rel=1e-12)


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    rate=st.floats(min_value=0.0, max_value=1.0, allow_nan=False),
    weight_kg=weights_kg,
    concentration=concentrations_mg_per_ml,
)
def test_pump_rate_is_linear_in_the_dose_rate(rate, weight_kg, concentration):
    single = to_pump_rate_ml_per_h(rate, weight_kg, concentration)
    double = to_pump_rate_ml_per_h(2.0 * rate, weight_kg, concentration)
    assert double == pytest.approx(2.0 * single, rel=1e-12, abs=1e-15)


def test_hard_limit_table_covers_every_hard_rule_of_the_library():
    rules = {limit.citation.rule.id for _, _, _, limit in HARD_LIMITS}
    assert rules == {"DA-1", "DA-2", "DC-3", "DC-4", "DC-5", "DC-6", "RT-IM", "RT-ORAL"}
