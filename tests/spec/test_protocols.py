"""Named protocols, dosed for patients of several weights: the orders, pump rates and findings.

Read a row as: *this protocol, for a patient of this weight, in this care area, gives these
orders and fires these findings*. Every expected number is worked by hand from the reference in
the row's id (rates in mg/h, doses in mg, durations in h).
"""

from __future__ import annotations

import json
from importlib import resources

import pytest

from ketapath.clinical.dosing.library import load_library
from ketapath.clinical.dosing.orders import CareArea, DoseHistory, Route
from ketapath.clinical.dosing.plan import create_plan
from ketapath.clinical.dosing.protocols import PROTOCOLS, RULES, ProtocolStep, find_protocol
from ketapath.clinical.records import Patient, PatientRecord, Sex
from ketapath.errors import DataError, InputError

CLINIC = CareArea.OUTPATIENT_INFUSION_CLINIC
WARD = CareArea.WARD
PACU = CareArea.MONITORED_PACU
REL = 1e-12  # hand-worked values; the tolerance only absorbs float rounding


def _record(weight_kg: float | None) -> PatientRecord:
    patient = Patient(patient_id="spec", age_years=50, sex=Sex.MALE, weight_kg=weight_kg)
    return PatientRecord(patient=patient)


def planned(protocol, weight_kg, area, **kwargs):
    plan = create_plan(_record(weight_kg), protocol, care_area=area, **kwargs)
    orders = [
        (o.order.route.value, o.order.dose_mg or o.order.rate_mg_per_h, o.order.duration_h)
        for o in plan.orders
    ]
    findings = sorted(f"{f.rule_id} {f.level}" for f in plan.findings)
    return plan, orders, findings


PROTOCOL_TABLE = [
    pytest.param(
        "outpatient_crps",
        70.0,
        CLINIC,
        [("iv_infusion", 24.5, 4.0)],
        [],
        id="CRPS at 70 kg: 0.35 x 70 = 24.5 mg/h for 4 h",
    ),
    pytest.param(
        "outpatient_crps",
        100.0,
        CLINIC,
        [("iv_infusion", 25.0, 4.0)],
        [],
        id="CRPS at 100 kg: 0.35 x 100 = 35 mg/h is capped at 25 mg/h",
    ),
    pytest.param(
        "outpatient_crps",
        50.0,
        CLINIC,
        [("iv_infusion", 17.5, 4.0)],
        ["DC-1 SOFT"],
        id="CRPS at 50 kg: 17.5 mg/h x 4 h = 70 mg, under the 80 mg first trial",
    ),
    pytest.param(
        "first_outpatient_trial",
        100.0,
        CLINIC,
        [("iv_infusion", 40.0, 2.0)],
        [],
        id="first trial at 100 kg: 80 mg over 2 h = 40 mg/h (0.4 mg/kg/h)",
    ),
    pytest.param(
        "first_outpatient_trial",
        70.0,
        CLINIC,
        [("iv_infusion", 32.0, 2.5)],
        [],
        id="first trial at 70 kg: 80/(0.5 x 70) = 2.29 h, rounded up to 2.5 h = 32 mg/h",
    ),
    pytest.param(
        "first_outpatient_trial",
        40.0,
        CLINIC,
        [("iv_infusion", 20.0, 4.0)],
        [],
        id="first trial at 40 kg: 80/(0.5 x 40) = 4 h = 20 mg/h",
    ),
    pytest.param(
        "inpatient_crps",
        70.0,
        WARD,
        [("iv_infusion", 10.0, 120.0)],
        [],
        id="inpatient CRPS on the ward: 10 mg/h for 5 days",
    ),
    pytest.param(
        "inpatient_crps",
        70.0,
        CLINIC,
        [("iv_infusion", 10.0, 120.0)],
        ["DC-4 HARD"],
        id="inpatient CRPS in the outpatient clinic is blocked (DC-4)",
    ),
    pytest.param(
        "acute_perioperative",
        70.0,
        WARD,
        [("iv_bolus", 24.5, None), ("iv_infusion", 7.0, 24.0)],
        [],
        id="peri-operative at 70 kg: 0.35 x 70 = 24.5 mg bolus, 0.1 x 70 = 7 mg/h",
    ),
    pytest.param(
        "ed_subdissociative_push",
        70.0,
        PACU,
        [("iv_bolus", 21.0, None), ("iv_bolus", 21.0, None)],
        [],
        id="ED push at 70 kg: 0.3 x 70 = 21 mg, repeat once",
    ),
    pytest.param(
        "ed_subdissociative_push",
        100.0,
        PACU,
        [("iv_bolus", 25.0, None), ("iv_bolus", 25.0, None)],
        [],
        id="ED push at 100 kg: 0.3 x 100 = 30 mg is capped at 25 mg",
    ),
    pytest.param(
        "oral_palliative",
        None,
        CLINIC,
        [("oral", 5.0, None)],
        [],
        id="oral palliative: 5 mg every 6 h needs no weight",
    ),
    pytest.param(
        "sublingual_wafer", 70.0, WARD, [("sublingual", 25.0, None)], [], id="one 25 mg wafer"
    ),
    pytest.param(
        "intranasal",
        70.0,
        WARD,
        [("intranasal", 49.0, None), ("intranasal", 21.0, None)],
        [],
        id="intranasal at 70 kg: 0.7 x 70 = 49 mg, top-up 0.3 x 70 = 21 mg",
    ),
]


@pytest.mark.parametrize(("protocol", "weight_kg", "area", "orders", "findings"), PROTOCOL_TABLE)
def test_protocol_doses_patient_as_the_reference_gives(protocol, weight_kg, area, orders, findings):
    _, actual_orders, actual_findings = planned(protocol, weight_kg, area)
    assert [(route, pytest.approx(amount, rel=REL), h) for route, amount, h in actual_orders] == (
        orders
    )
    assert actual_findings == findings


TOTALS_TABLE = [
    pytest.param("outpatient_crps", 70.0, CLINIC, 98.0, 98.0, 980.0, id="CRPS: 98 mg x 10"),
    pytest.param("outpatient_crps", 100.0, CLINIC, 100.0, 100.0, 1000.0, id="CRPS: 100 mg x 10"),
    pytest.param("oral_palliative", 70.0, WARD, 5.0, 20.0, 5.0, id="oral: 4 x 5 mg = 20 mg a day"),
    pytest.param("inpatient_crps", 70.0, WARD, 1200.0, 240.0, 1200.0, id="inpatient: 240 mg/day"),
    pytest.param("intranasal", 70.0, WARD, 70.0, 70.0, 70.0, id="intranasal: 49 + 21 = 70 mg"),
]


@pytest.mark.parametrize(
    ("protocol", "weight_kg", "area", "session_mg", "daily_mg", "course_mg"), TOTALS_TABLE
)
def test_plan_totals_match_hand_calculation(
    protocol, weight_kg, area, session_mg, daily_mg, course_mg
):
    plan, _, _ = planned(protocol, weight_kg, area)
    assert plan.session_total_mg == pytest.approx(session_mg, rel=REL)
    assert plan.daily_total_mg == pytest.approx(daily_mg, rel=REL)
    assert plan.course_total_mg == pytest.approx(course_mg, rel=REL)


PUMP_TABLE = [
    pytest.param(None, 24.5, 98.0, id="default 1 mg/mL: 24.5 mL/h, 98 mL a session"),
    pytest.param(2.0, 12.25, 49.0, id="2 mg/mL: 12.25 mL/h, 49 mL a session"),
    pytest.param(10.0, 2.45, 9.8, id="10 mg/mL: 2.45 mL/h, 9.8 mL a session"),
]


@pytest.mark.parametrize(("conc", "pump_ml_per_h", "volume_ml"), PUMP_TABLE)
def test_crps_plan_pump_rate_at_70_kg_matches_hand_calculation(conc, pump_ml_per_h, volume_ml):
    plan, _, _ = planned("outpatient_crps", 70.0, CLINIC, concentration_mg_per_ml=conc)
    [item] = plan.orders
    assert item.pump_rate_ml_per_h == pytest.approx(pump_ml_per_h, rel=REL)
    assert item.volume_ml == pytest.approx(volume_ml, rel=REL)
    assert item.rate_mg_per_kg_per_h == pytest.approx(0.35, rel=REL)


def test_non_standard_concentration_is_planned_with_a_soft_finding():
    plan, _, findings = planned("outpatient_crps", 70.0, CLINIC, concentration_mg_per_ml=5.0)
    assert findings == ["RT-CONC SOFT"]
    assert plan.orders[0].pump_rate_ml_per_h == pytest.approx(4.9, rel=REL)  # 24.5 / 5


@pytest.mark.parametrize("name", list(PROTOCOLS), ids=lambda name: f"{name} in its own areas")
@pytest.mark.parametrize("weight_kg", [45.0, 70.0, 120.0], ids=lambda w: f"at {w:g} kg")
def test_protocol_in_its_own_care_areas_is_never_blocked(name, weight_kg):
    for area in PROTOCOLS[name].care_areas:
        plan, _, _ = planned(name, weight_kg, area)
        assert not plan.is_blocked, (area, [f.message for f in plan.findings])


def test_course_that_would_pass_a_course_cap_is_caught_when_planned(tmp_path):
    # A library whose course cap is 900 mg: ten 100 mg sessions (100 kg) break it at session 10.
    packaged = resources.files("ketapath.clinical.dosing") / "data" / "drug_library.json"
    data = json.loads(packaged.read_text("utf-8"))
    for limit in data["protocols"]["outpatient_crps"]["limits"]:
        if limit["quantity"] == "course_total_mg":
            limit["value"] = 900
    path = tmp_path / "library.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    plan, _, findings = planned("outpatient_crps", 100.0, CLINIC, library=load_library(path))
    assert findings == ["DC-3 HARD"]
    assert "Course total 1000 mg asked; hard limit 900 mg (DC-3)" in plan.findings[0].message


def test_repeat_course_plan_without_crps_warns_c4():
    history = DoseHistory(previous_courses=1)
    _, _, findings = planned("outpatient_crps", 70.0, CLINIC, history=history)
    assert findings == ["C4 SOFT"]


@pytest.mark.parametrize(
    ("protocol", "kwargs", "message"),
    [
        ("home_esketamine", {}, "`protocol` must be one of"),
        ("sublingual_wafer", {"concentration_mg_per_ml": 10.0}, "does not apply"),
        ("outpatient_crps", {"concentration_mg_per_ml": 0.0}, "`concentration_mg_per_ml` must be"),
        ("outpatient_crps", {"care_area": "icu"}, "`care_area` must be one of"),
    ],
    ids=[
        "an unknown protocol",
        "a concentration for a wafer",
        "a zero concentration",
        "an unknown care area",
    ],
)
def test_plan_with_bad_input_raises_input_error(protocol, kwargs, message):
    kwargs = {"care_area": CLINIC, **kwargs}
    with pytest.raises(InputError, match=message):
        create_plan(_record(70.0), protocol, **kwargs)


def test_weight_based_protocol_without_weight_raises_data_error():
    with pytest.raises(DataError, match="`weight_kg` is needed to dose the 4-h infusion"):
        create_plan(_record(None), "outpatient_crps", care_area=CLINIC)


def test_protocol_limits_in_library_name_existing_protocols():
    assert set(load_library().protocols) <= set(PROTOCOLS)


def test_protocol_lookup_finds_known_and_misses_unknown_names():
    assert find_protocol("intranasal") is PROTOCOLS["intranasal"]
    assert find_protocol("neuraxial") is None


def test_protocol_rules_are_the_displayed_premedication_and_follow_up_rules():
    assert [rule.id for rule in RULES] == ["DC-7", "DC-9"]


def test_fixed_total_step_without_rate_ceiling_runs_over_its_minimum_duration():
    step = ProtocolStep(label="80 mg", route=Route.IV_INFUSION, total_mg=80.0, min_duration_h=2.0)
    order = step.create_order(None, protocol="custom", concentration_mg_per_ml=1.0)
    assert (order.rate_mg_per_h, order.duration_h) == (40.0, 2.0)  # 80 mg / 2 h
