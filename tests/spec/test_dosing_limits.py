"""Dose guardrails, rule by rule: each table gives orders on both sides of a limit.

Read a row as: *this order, for this patient, in this care area, after this history, fires these
findings*. A finding is written ``RULE SEVERITY quantity`` (the quantity over its limit, or
``route`` / ``take_home`` / ``concentration_mg_per_ml`` / ``previous_courses`` for the gates).
An empty list means the order is within every limit. Weights are 70 kg unless a row says
otherwise. Expected findings come from the clinical reference, not from the code.
"""

from __future__ import annotations

import pytest

from ketapath.clinical.codes import Indication
from ketapath.clinical.dosing.guardrails import check_order
from ketapath.clinical.dosing.library import load_library
from ketapath.clinical.dosing.orders import CareArea, DoseHistory, Drug, Order, Route
from ketapath.clinical.records import (
    Condition,
    ConditionStatus,
    Patient,
    PatientRecord,
    Sex,
)
from ketapath.errors import DataError, InputError

LIBRARY = load_library()
CLINIC = CareArea.OUTPATIENT_INFUSION_CLINIC
WARD = CareArea.WARD
PACU = CareArea.MONITORED_PACU
FIRST = DoseHistory()
LATER = DoseHistory(course_sessions=1)  # not the patient's first session: DC-1 does not apply


def _record(weight_kg: float | None, conditions: tuple[Condition, ...] = ()) -> PatientRecord:
    patient = Patient(patient_id="spec", age_years=50, sex=Sex.FEMALE, weight_kg=weight_kg)
    return PatientRecord(patient=patient, conditions=conditions)


def fired(order, *, area=CLINIC, weight_kg=70.0, history=LATER, conditions=()):
    findings = check_order(
        order, _record(weight_kg, conditions), LIBRARY, care_area=area, history=history
    )
    return sorted(f"{f.rule_id} {f.level} {next(iter(f.values))}" for f in findings)


def bolus(mg_per_kg=None, *, mg=None, push_s=60.0):
    return Order(route=Route.IV_BOLUS, dose_mg_per_kg=mg_per_kg, dose_mg=mg, push_duration_s=push_s)


def infusion(*, mg_per_kg_per_h=None, mg_per_h=None, hours=2.0, protocol=None, conc=None):
    return Order(
        route=Route.IV_INFUSION,
        rate_mg_per_kg_per_h=mg_per_kg_per_h,
        rate_mg_per_h=mg_per_h,
        duration_h=hours,
        protocol=protocol,
        concentration_mg_per_ml=conc,
    )


def crps(mg_per_h, hours=4.0):
    return infusion(mg_per_h=mg_per_h, hours=hours, protocol="outpatient_crps")


# ---------------------------------------------------------------- IV bolus: DA-1, DC-5, DC-6
BOLUS_TABLE = [
    pytest.param(bolus(0.35), WARD, 70.0, [], id="DA-1: a 0.35 mg/kg bolus on the ward passes"),
    pytest.param(
        bolus(0.36), WARD, 70.0, ["DA-1 HARD dose_mg_per_kg"], id="DA-1: 0.36 mg/kg is blocked"
    ),
    pytest.param(bolus(mg=24.5), PACU, 70.0, [], id="DA-1: 24.5 mg at 70 kg (0.35 mg/kg) passes"),
    pytest.param(
        bolus(mg=25.2),
        PACU,
        70.0,
        ["DA-1 HARD dose_mg_per_kg"],
        id="DA-1: 25.2 mg at 70 kg (0.36 mg/kg) is blocked",
    ),
    pytest.param(
        bolus(0.99),
        CLINIC,
        70.0,
        ["DA-1 HARD dose_mg_per_kg"],
        id="DC-5: 0.99 mg/kg in the clinic is under the anaesthetic boundary (DA-1 still blocks)",
    ),
    pytest.param(
        bolus(1.0),
        CLINIC,
        70.0,
        ["DA-1 HARD dose_mg_per_kg", "DC-5 HARD dose_mg_per_kg"],
        id="DC-5: 1.0 mg/kg in the clinic is anaesthetic and blocked",
    ),
    pytest.param(
        bolus(1.0),
        WARD,
        70.0,
        ["DA-1 HARD dose_mg_per_kg"],
        id="DC-5: the anaesthetic boundary is a clinic rule, not a ward rule",
    ),
    pytest.param(
        bolus(0.3, push_s=59.0),
        CLINIC,
        70.0,
        ["DC-6 HARD push_duration_s"],
        id="DC-6: a push over 59 s is blocked",
    ),
    pytest.param(bolus(0.3, push_s=60.0), CLINIC, 70.0, [], id="DC-6: a push over 60 s passes"),
]


@pytest.mark.parametrize(("order", "area", "weight_kg", "expected"), BOLUS_TABLE)
def test_iv_bolus_limits_fire_on_the_right_side_of_each_threshold(order, area, weight_kg, expected):
    assert fired(order, area=area, weight_kg=weight_kg) == expected


# ---------------------------------------------------------------- IV infusion: DA-2, DA-3
INFUSION_TABLE = [
    pytest.param(0.09, ["DA-3 SOFT rate_mg_per_kg_per_h"], id="DA-3: 0.09 mg/kg/h is below range"),
    pytest.param(0.1, [], id="DA-3: 0.1 mg/kg/h is the bottom of the range"),
    pytest.param(0.5, [], id="DA-3: 0.5 mg/kg/h is the top of the range"),
    pytest.param(0.51, ["DA-3 SOFT rate_mg_per_kg_per_h"], id="DA-3: 0.51 mg/kg/h is above range"),
    pytest.param(
        1.0, ["DA-3 SOFT rate_mg_per_kg_per_h"], id="DA-2: 1.0 mg/kg/h is the hard maximum"
    ),
    pytest.param(
        1.01,
        ["DA-2 HARD rate_mg_per_kg_per_h", "DA-3 SOFT rate_mg_per_kg_per_h"],
        id="DA-2: 1.01 mg/kg/h is blocked",
    ),
]


@pytest.mark.parametrize(("mg_per_kg_per_h", "expected"), INFUSION_TABLE)
def test_infusion_rate_limits_fire_on_the_right_side_of_each_threshold(mg_per_kg_per_h, expected):
    order = infusion(mg_per_kg_per_h=mg_per_kg_per_h)
    assert fired(order, area=PACU) == expected


# ---------------------------------------------------------------- DC-3 outpatient CRPS protocol
CRPS_TABLE = [
    pytest.param(crps(24.5, 2.0), 100.0, LATER, [], id="24.5 mg/h at 100 kg passes"),
    pytest.param(crps(25.0, 2.0), 100.0, LATER, [], id="25 mg/h at 100 kg is the cap"),
    pytest.param(
        crps(25.5, 2.0),
        100.0,
        LATER,
        ["DC-3 HARD rate_mg_per_h"],
        id="25.5 mg/h at 100 kg is over the 25 mg/h cap",
    ),
    pytest.param(
        infusion(mg_per_h=25.5, hours=2.0),
        100.0,
        LATER,
        [],
        id="25.5 mg/h outside the protocol is not held to the protocol cap",
    ),
    pytest.param(crps(21.0, 2.0), 60.0, LATER, [], id="21 mg/h at 60 kg is 0.35 mg/kg/h"),
    pytest.param(
        crps(21.6, 2.0),
        60.0,
        LATER,
        ["DC-3 HARD rate_mg_per_kg_per_h"],
        id="21.6 mg/h at 60 kg is 0.36 mg/kg/h, over min(0.35 mg/kg/h, 25 mg/h)",
    ),
    pytest.param(
        crps(25.0, 2.0),
        70.0,
        LATER,
        ["DC-3 HARD rate_mg_per_kg_per_h"],
        id="25 mg/h at 70 kg is 0.357 mg/kg/h: the per-kg cap binds first",
    ),
    pytest.param(crps(20.0, 4.0), 100.0, LATER, [], id="4 h a day passes"),
    pytest.param(
        crps(20.0, 4.1), 100.0, LATER, ["DC-3 HARD duration_h"], id="4.1 h is over 4 h a day"
    ),
    pytest.param(
        crps(20.0),
        100.0,
        DoseHistory(course_sessions=1, session_total_mg=20.0, daily_total_mg=20.0),
        [],
        id="20 mg already given plus 80 mg is the 100 mg session cap",
    ),
    pytest.param(
        crps(20.0),
        100.0,
        DoseHistory(course_sessions=1, session_total_mg=21.0, daily_total_mg=21.0),
        ["DC-3 HARD daily_total_mg", "DC-3 HARD session_total_mg"],
        id="21 mg already given plus 80 mg is 101 mg, over the session and day caps",
    ),
    pytest.param(
        crps(20.0),
        100.0,
        DoseHistory(course_sessions=1, daily_total_mg=21.0),
        ["DC-3 HARD daily_total_mg"],
        id="101 mg in 24 h over two sessions is over the one-session-a-day cap",
    ),
    pytest.param(
        crps(25.0),
        100.0,
        DoseHistory(course_sessions=9, course_total_mg=900.0),
        [],
        id="session 10 bringing the course to 1000 mg passes",
    ),
    pytest.param(
        crps(25.0),
        100.0,
        DoseHistory(course_sessions=9, course_total_mg=901.0),
        ["DC-3 HARD course_total_mg"],
        id="a course of 1001 mg is over the 1000 mg course cap",
    ),
    pytest.param(
        crps(10.0),
        100.0,
        DoseHistory(course_sessions=10, course_total_mg=400.0),
        ["DC-3 HARD course_sessions"],
        id="an 11th session is over the 10-session course",
    ),
]


@pytest.mark.parametrize(("order", "weight_kg", "history", "expected"), CRPS_TABLE)
def test_outpatient_crps_protocol_caps_dc3_fire_on_the_right_side(
    order, weight_kg, history, expected
):
    assert fired(order, weight_kg=weight_kg, history=history) == expected


# ---------------------------------------------------------------- DC-1 first outpatient trial
TRIAL_TABLE = [
    pytest.param(40.0, 2.0, CLINIC, FIRST, [], id="80 mg over 2 h as a first session passes"),
    pytest.param(
        39.5,
        2.0,
        CLINIC,
        FIRST,
        ["DC-1 SOFT session_total_mg"],
        id="79 mg over 2 h as a first session is under 80 mg",
    ),
    pytest.param(
        41.0,
        1.99,
        CLINIC,
        FIRST,
        ["DC-1 SOFT duration_h"],
        id="81.6 mg over 1.99 h as a first session is under 2 h",
    ),
    pytest.param(39.5, 2.0, CLINIC, LATER, [], id="79 mg later in the course is not a trial"),
    pytest.param(39.5, 2.0, WARD, FIRST, [], id="the trial rule is an outpatient rule"),
]


@pytest.mark.parametrize(("mg_per_h", "hours", "area", "history", "expected"), TRIAL_TABLE)
def test_first_outpatient_trial_dc1_fires_on_the_right_side(
    mg_per_h, hours, area, history, expected
):
    order = infusion(mg_per_h=mg_per_h, hours=hours)
    assert fired(order, area=area, weight_kg=100.0, history=history) == expected


# ---------------------------------------------------------------- DC-4 multi-day infusions
MULTI_DAY_TABLE = [
    pytest.param(infusion(mg_per_h=10.0, hours=24.0), CLINIC, [], id="24 h in the clinic passes"),
    pytest.param(
        infusion(mg_per_h=10.0, hours=24.1),
        CLINIC,
        ["DC-4 HARD duration_h"],
        id="24.1 h in the clinic is a multi-day infusion: inpatient only",
    ),
    pytest.param(
        infusion(mg_per_h=10.0, hours=120.0), WARD, [], id="5 days at 10 mg/h on the ward passes"
    ),
    pytest.param(infusion(mg_per_h=40.0), WARD, [], id="40 mg/h on the ward is the top of range"),
    pytest.param(
        infusion(mg_per_h=40.5),
        WARD,
        ["DC-4 SOFT rate_mg_per_h"],
        id="40.5 mg/h on the ward is over the titration range",
    ),
    pytest.param(
        Order(
            route=Route.IV_INFUSION, rate_mg_per_h=10.0, duration_h=120.0, protocol="inpatient_crps"
        ),
        WARD,
        [],
        id="the inpatient CRPS protocol's 5 days pass",
    ),
    pytest.param(
        Order(
            route=Route.IV_INFUSION, rate_mg_per_h=10.0, duration_h=121.0, protocol="inpatient_crps"
        ),
        WARD,
        ["DC-4 SOFT duration_h"],
        id="121 h is longer than the inpatient CRPS protocol's 5 days",
    ),
]


@pytest.mark.parametrize(("order", "area", "expected"), MULTI_DAY_TABLE)
def test_multi_day_infusion_dc4_fires_on_the_right_side(order, area, expected):
    assert fired(order, area=area, weight_kg=100.0) == expected


# ---------------------------------------------------------------- other routes (reference §3c)
def dose(route, *, mg=None, mg_per_kg=None, every_h=None):
    return Order(route=route, dose_mg=mg, dose_mg_per_kg=mg_per_kg, interval_h=every_h)


def subcutaneous(mg_per_h, hours):
    return Order(route=Route.SUBCUTANEOUS, rate_mg_per_h=mg_per_h, duration_h=hours)


ROUTE_TABLE = [
    pytest.param(dose(Route.IM, mg_per_kg=0.35), FIRST, [], id="RT-IM: 0.35 mg/kg IM passes"),
    pytest.param(
        dose(Route.IM, mg_per_kg=0.36),
        FIRST,
        ["RT-IM SOFT dose_mg_per_kg"],
        id="RT-IM: 0.36 mg/kg IM is over the chosen soft limit",
    ),
    pytest.param(
        dose(Route.IM, mg_per_kg=2.99),
        FIRST,
        ["RT-IM SOFT dose_mg_per_kg"],
        id="RT-IM: 2.99 mg/kg IM is under the anaesthetic range",
    ),
    pytest.param(
        dose(Route.IM, mg_per_kg=3.0),
        FIRST,
        ["RT-IM HARD dose_mg_per_kg", "RT-IM SOFT dose_mg_per_kg"],
        id="RT-IM: 3 mg/kg IM is anaesthetic and blocked",
    ),
    pytest.param(dose(Route.INTRANASAL, mg_per_kg=0.7), FIRST, [], id="RT-IN: 0.7 mg/kg passes"),
    pytest.param(
        dose(Route.INTRANASAL, mg_per_kg=0.71),
        FIRST,
        ["RT-IN SOFT dose_mg_per_kg"],
        id="RT-IN: 0.71 mg/kg is over the first intranasal dose",
    ),
    pytest.param(
        dose(Route.INTRANASAL, mg_per_kg=0.3),
        DoseHistory(session_total_mg=49.0),
        [],
        id="RT-IN: a 0.3 mg/kg top-up after 0.7 mg/kg makes 1.0 mg/kg",
    ),
    pytest.param(
        dose(Route.INTRANASAL, mg_per_kg=0.31),
        DoseHistory(session_total_mg=49.0),
        ["RT-IN SOFT session_total_mg_per_kg"],
        id="RT-IN: a 0.31 mg/kg top-up makes 1.01 mg/kg",
    ),
    pytest.param(dose(Route.SUBLINGUAL, mg=25.0), FIRST, [], id="RT-SL: the 25 mg wafer passes"),
    pytest.param(
        dose(Route.SUBLINGUAL, mg=26.0),
        FIRST,
        ["RT-SL SOFT dose_mg"],
        id="RT-SL: 26 mg sublingual was not studied",
    ),
    pytest.param(
        dose(Route.ORAL, mg=100.0, every_h=6.0), FIRST, [], id="RT-ORAL: 100 mg four times a day"
    ),
    pytest.param(
        dose(Route.ORAL, mg=101.0),
        FIRST,
        ["RT-ORAL HARD dose_mg"],
        id="RT-ORAL: a single 101 mg oral dose is blocked",
    ),
    pytest.param(
        dose(Route.ORAL, mg=100.0, every_h=5.0),
        FIRST,
        ["RT-ORAL HARD daily_total_mg"],
        id="RT-ORAL: 100 mg every 5 h is 500 mg a day, blocked",
    ),
    pytest.param(
        dose(Route.ORAL, mg=100.0, every_h=6.0),
        DoseHistory(daily_total_mg=1.0),
        ["RT-ORAL HARD daily_total_mg"],
        id="RT-ORAL: 1 mg earlier today plus 4 x 100 mg is 401 mg, blocked",
    ),
    pytest.param(subcutaneous(10.0, 24.0), FIRST, [], id="RT-SC: 240 mg a day passes"),
    pytest.param(
        subcutaneous(10.5, 24.0),
        FIRST,
        ["RT-SC SOFT daily_total_mg"],
        id="RT-SC: 252 mg a day is over 250 mg",
    ),
    pytest.param(subcutaneous(5.0, 144.0), FIRST, [], id="RT-SC: a 6-day burst passes"),
    pytest.param(
        subcutaneous(5.0, 145.0),
        FIRST,
        ["RT-SC SOFT duration_h"],
        id="RT-SC: 145 h is longer than a 6-day burst",
    ),
    pytest.param(
        dose(Route.RECTAL, mg=10.0),
        FIRST,
        ["RT-RECTAL SOFT route"],
        id="RT-RECTAL: any rectal dose needs caution (unverified)",
    ),
]


@pytest.mark.parametrize(("order", "history", "expected"), ROUTE_TABLE)
def test_route_limits_fire_on_the_right_side_of_each_threshold(order, history, expected):
    assert fired(order, area=WARD, history=history) == expected


# ---------------------------------------------------------------- gates: C8, C2, STAFF-2
GATE_TABLE = [
    pytest.param(
        Order(route=Route.NEURAXIAL, dose_mg=5.0), area, ["C8 HARD route"], id=f"C8: {area}"
    )
    for area in CareArea
] + [
    pytest.param(
        Order(route=Route.INTRANASAL, dose_mg=28.0, drug=Drug.ESKETAMINE, take_home=True),
        CLINIC,
        ["C2 HARD take_home"],
        id="C2: home esketamine is blocked",
    ),
    pytest.param(
        Order(route=Route.INTRANASAL, dose_mg=28.0, drug=Drug.ESKETAMINE),
        CLINIC,
        [],
        id="C2: supervised esketamine in the clinic is not a home order",
    ),
    pytest.param(
        Order(route=Route.INTRANASAL, dose_mg=28.0, take_home=True),
        CLINIC,
        ["STAFF-2 HARD take_home"],
        id="STAFF-2: take-home intranasal ketamine is blocked",
    ),
    pytest.param(
        Order(route=Route.ORAL, dose_mg=5.0, interval_h=6.0, take_home=True),
        CLINIC,
        [],
        id="STAFF-2: take-home oral palliative ketamine is allowed",
    ),
]


@pytest.mark.parametrize(("order", "area", "expected"), GATE_TABLE)
def test_route_and_take_home_gates_block_as_the_conflicts_decide(order, area, expected):
    assert fired(order, area=area, history=FIRST) == expected


# ---------------------------------------------------------------- RT-CONC standard concentrations
CONCENTRATION_TABLE = [
    pytest.param(Route.IV_INFUSION, 1.0, [], id="1 mg/mL bag passes"),
    pytest.param(Route.IV_INFUSION, 2.0, [], id="2 mg/mL bag passes"),
    pytest.param(
        Route.IV_INFUSION, 5.0, ["RT-CONC SOFT concentration_mg_per_ml"], id="5 mg/mL is unusual"
    ),
    pytest.param(
        Route.IV_INFUSION,
        100.0,
        ["RT-CONC SOFT concentration_mg_per_ml"],
        id="100 mg/mL undiluted in a pump is unusual",
    ),
    pytest.param(Route.IM, 100.0, [], id="100 mg/mL IM passes"),
]


@pytest.mark.parametrize(("route", "conc", "expected"), CONCENTRATION_TABLE)
def test_non_standard_concentration_fires_a_soft_unverified_finding(route, conc, expected):
    if route is Route.IV_INFUSION:
        order = infusion(mg_per_kg_per_h=0.2, conc=conc)
    else:
        order = Order(route=route, dose_mg_per_kg=0.2, concentration_mg_per_ml=conc)
    assert fired(order, area=WARD) == expected


# ---------------------------------------------------------------- C4 repeat courses
CRPS_ACTIVE = (Condition(concept=Indication.CRPS, status=ConditionStatus.ACTIVE),)
FIBROMYALGIA = (Condition(concept=Indication.FIBROMYALGIA, status=ConditionStatus.ACTIVE),)
REPEAT_COURSE = DoseHistory(previous_courses=1)

REPEAT_TABLE = [
    pytest.param(
        FIBROMYALGIA,
        REPEAT_COURSE,
        ["C4 SOFT previous_courses"],
        id="a repeat course for fibromyalgia warns",
    ),
    pytest.param(CRPS_ACTIVE, REPEAT_COURSE, [], id="a repeat course for CRPS does not warn"),
    pytest.param(FIBROMYALGIA, LATER, [], id="a first course does not warn"),
    pytest.param(
        FIBROMYALGIA,
        DoseHistory(previous_courses=1, course_sessions=1),
        [],
        id="the warning is given once, at the start of the repeat course",
    ),
]


@pytest.mark.parametrize(("conditions", "history", "expected"), REPEAT_TABLE)
def test_repeat_course_outside_crps_warns_c4(conditions, history, expected):
    order = infusion(mg_per_kg_per_h=0.3)
    assert fired(order, area=WARD, conditions=conditions, history=history) == expected


# ---------------------------------------------------------------- DC-8 weight
def test_weight_based_order_without_weight_raises_data_error_naming_weight():
    with pytest.raises(DataError, match=r"`weight_kg`.*DC-8"):
        fired(bolus(0.3), weight_kg=None)


def test_absolute_bolus_without_weight_raises_data_error_for_per_kg_limit():
    with pytest.raises(DataError, match=r"`weight_kg`.*single dose limit in mg/kg"):
        fired(bolus(mg=20.0), weight_kg=None)


def test_oral_dose_without_weight_is_checked_against_absolute_limits():
    assert fired(dose(Route.ORAL, mg=101.0), weight_kg=None) == ["RT-ORAL HARD dose_mg"]


def test_unknown_care_area_raises_input_error_naming_care_area():
    with pytest.raises(InputError, match="`care_area` must be one of"):
        check_order(bolus(0.3), _record(70.0), LIBRARY, care_area="icu")


# ---------------------------------------------------------------- messages
def test_finding_message_states_value_asked_limit_and_soft_range():
    order = infusion(mg_per_kg_per_h=0.6)
    [finding] = check_order(order, _record(70.0), LIBRARY, care_area=PACU)
    assert finding.message.startswith(
        "Infusion rate 0.6 mg/kg/h (42 mg/h) asked; soft range 0.1–0.5 mg/kg/h (DA-3); "
        "hard limit 1.0 mg/kg/h (DA-2)."
    )
    assert finding.values["rate_mg_per_kg_per_h"] == pytest.approx(0.6)


def test_order_over_hard_limit_is_returned_unchanged():
    order = infusion(mg_per_kg_per_h=2.0)
    check_order(order, _record(70.0), LIBRARY, care_area=PACU)
    assert order.rate_mg_per_kg_per_h == 2.0


# ---------------------------------------------------------------- DA-4 ED push (INFO)
def ed_push(mg, push_s=300.0):
    return Order(
        route=Route.IV_BOLUS,
        dose_mg=mg,
        push_duration_s=push_s,
        protocol="ed_subdissociative_push",
    )


ED_TABLE = [
    pytest.param(ed_push(25.0), FIRST, [], id="a 25 mg push passes"),
    pytest.param(ed_push(25.5), FIRST, ["DA-4 INFO dose_mg"], id="25.5 mg is over the 25 mg max"),
    pytest.param(
        ed_push(20.0, push_s=299.0),
        FIRST,
        ["DA-4 INFO push_duration_s"],
        id="a push over 299 s is faster than 5 min",
    ),
    pytest.param(
        ed_push(25.0),
        DoseHistory(session_total_mg=25.0),
        [],
        id="the one repeat makes 50 mg",
    ),
    pytest.param(
        ed_push(25.0),
        DoseHistory(session_total_mg=26.0),
        ["DA-4 INFO session_total_mg"],
        id="51 mg is more than two 25 mg pushes",
    ),
]


@pytest.mark.parametrize(("order", "history", "expected"), ED_TABLE)
def test_ed_push_protocol_da4_informs_on_the_right_side(order, history, expected):
    assert fired(order, area=PACU, weight_kg=100.0, history=history) == expected
