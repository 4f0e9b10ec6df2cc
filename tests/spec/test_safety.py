"""Safety surveillance: dependence (DEP-1 … DEP-8), dose trends, exposure, liver (TOX-L1, L2,
L3, L6) and urinary (TOX-U1, TOX-U4) rules, with both sides of every threshold.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from ketapath.clinical.codes import ConditionConcept
from ketapath.clinical.dosing.orders import Route
from ketapath.clinical.finding import Severity
from ketapath.clinical.observations import AdministeredDose, InstrumentResponse
from ketapath.clinical.records import Condition, ConditionStatus, LabResult, LabTest
from ketapath.clinical.safety import (
    DependenceScreen,
    assess_dependence,
    calculate_dose_trend,
    calculate_exposure,
    calculate_interval_trend,
)
from ketapath.clinical.toxicity import (
    CourseContext,
    HypersensitivitySign,
    UrinaryScreen,
    assess_liver,
    assess_urinary,
)
from ketapath.errors import InputError

T0 = datetime(2024, 3, 1, 9, 0)
NO_SIGNALS = {
    "tolerance": False,
    "craving": False,
    "street_use": False,
    "social_withdrawal": False,
    "withdrawal_symptoms": False,
}


def sessions(doses_mg: list[float], days: list[float] | None = None) -> list[AdministeredDose]:
    """One IM dose per session, weekly unless `days` gives each session's day."""
    days = days if days is not None else [7.0 * i for i in range(len(doses_mg))]
    return [
        AdministeredDose(
            time=T0 + timedelta(days=day),
            route=Route.IM,
            dose_mg=mg,
            session_id=f"s{i}",
            course_id="c1",
        )
        for i, (mg, day) in enumerate(zip(doses_mg, days, strict=True))
    ]


def screen(**signals: bool) -> DependenceScreen:
    return DependenceScreen(time=T0, **{**NO_SIGNALS, **signals})


# ---------------------------------------------------------------- dependence signals

SIGNALS = [
    ({}, []),
    ({"tolerance": True}, [("DEP-1", Severity.SOFT), ("DEP-8", Severity.SOFT)]),
    ({"craving": True}, [("DEP-2", Severity.SOFT), ("DEP-8", Severity.SOFT)]),
    ({"street_use": True}, [("DEP-3", Severity.HARD), ("DEP-8", Severity.SOFT)]),
    ({"social_withdrawal": True}, [("DEP-4", Severity.SOFT), ("DEP-8", Severity.SOFT)]),
    ({"withdrawal_symptoms": True}, [("DEP-5", Severity.SOFT), ("DEP-8", Severity.SOFT)]),
]


@pytest.mark.parametrize(
    ("signals", "expected"),
    SIGNALS,
    ids=[
        "no signal: nothing",
        "tolerance: DEP-1",
        "craving: DEP-2",
        "street ketamine: DEP-3, HARD",
        "social withdrawal: DEP-4",
        "withdrawal symptoms: DEP-5",
    ],
)
def test_each_dependence_signal_fires_its_rule(signals, expected):
    findings = assess_dependence(screen(**signals))
    assert [(f.rule_id, f.level) for f in findings] == expected


RULE_OF_THUMB = [
    ({"craving": True}, "clinician review"),
    ({"craving": True, "tolerance": True}, "block take-home ketamine"),
    ({"street_use": True}, "block take-home ketamine"),
]


@pytest.mark.parametrize(
    ("signals", "advice"),
    RULE_OF_THUMB,
    ids=[
        "1 signal: clinician review",
        "2 signals: block take-home ketamine and refer",
        "street use alone: block take-home ketamine and refer",
    ],
)
def test_dep8_rule_of_thumb_escalates_with_signals(signals, advice):
    dep8 = assess_dependence(screen(**signals))[-1]
    assert dep8.rule_id == "DEP-8"
    assert advice in dep8.message
    assert "unverified" in dep8.message


def test_missing_abuse_risk_assessment_is_hard():
    findings = assess_dependence(None)
    assert [(f.rule_id, f.level) for f in findings] == [("DEP-7", Severity.HARD)]


# ---------------------------------------------------------------- dose and interval trends

DOSE_TRENDS = [
    ([92.5, 97.5, 102.5, 107.5], 0.05, True),
    ([92.65, 97.55, 102.45, 107.35], 0.049, False),
    ([100, 100, 100, 100], 0.0, False),
    ([107.5, 102.5, 97.5, 92.5], -0.05, False),
    ([500, 92.5, 97.5, 102.5, 107.5], 0.05, True),
]


@pytest.mark.parametrize(
    ("doses_mg", "relative_slope", "escalating"),
    DOSE_TRENDS,
    ids=[
        "+5 mg per session on a 100 mg mean (+5.0 %): escalating",
        "+4.9 mg per session on a 100 mg mean (+4.9 %): not escalating",
        "steady doses: not escalating",
        "falling doses: not escalating",
        "only the last 4 sessions count",
    ],
)
def test_dose_escalation_is_a_5_percent_slope(doses_mg, relative_slope, escalating):
    trend = calculate_dose_trend(sessions(doses_mg))
    assert trend is not None
    assert trend.relative_slope == pytest.approx(relative_slope, abs=1e-9)
    assert trend.flagged is escalating


def test_dose_trend_needs_three_sessions():
    assert calculate_dose_trend(sessions([100, 200])) is None


INTERVAL_TRENDS = [
    ([0, 11, 21, 30], -0.10, True),
    ([0, 10.9, 20.9, 30], -0.09, False),
    ([0, 7, 14, 21], 0.0, False),
]


@pytest.mark.parametrize(
    ("days", "relative_slope", "shortening"),
    INTERVAL_TRENDS,
    ids=[
        "intervals 11, 10, 9 days (-1 day on a 10-day mean, -10 %): shortening",
        "intervals 10.9, 10, 9.1 days (-9 %): not shortening",
        "weekly sessions: not shortening",
    ],
)
def test_shortening_intervals_is_a_minus_10_percent_slope(days, relative_slope, shortening):
    trend = calculate_interval_trend(sessions([50] * len(days), days))
    assert trend is not None
    assert trend.relative_slope == pytest.approx(relative_slope, abs=1e-9)
    assert trend.flagged is shortening


def test_interval_trend_needs_three_intervals():
    assert calculate_interval_trend(sessions([50, 50, 50], [0, 5, 8])) is None


def test_escalation_and_shortening_fire_dep1_from_history():
    history = sessions([92.5, 97.5, 102.5, 107.5], [0, 11, 21, 30])
    findings = assess_dependence(screen(), history)
    assert [f.rule_id for f in findings] == ["DEP-1", "DEP-1", "DEP-8"]
    assert "escalating" in findings[0].message
    assert "shortening" in findings[1].message
    assert "clinician review" in findings[2].message  # one distinct signal, DEP-1


# ---------------------------------------------------------------- cumulative exposure


def test_exposure_is_summed_per_course_and_calendar_year():
    doses = [
        AdministeredDose(
            time=datetime(2023, 12, 31, 22), end=datetime(2024, 1, 1, 2), rate_mg_per_h=25,
            route=Route.IV_INFUSION, session_id="s1", course_id="c1",
        ),
        AdministeredDose(
            time=datetime(2024, 6, 1, 9), dose_mg=50, route=Route.IM, session_id="s2",
            course_id="c2",
        ),
    ]  # fmt: skip
    exposure = calculate_exposure(doses)
    # 4 h at 25 mg/h = 100 mg, 2 h either side of midnight; then 50 mg IM in 2024.
    assert exposure.total_mg == pytest.approx(150.0, abs=1e-9)
    assert dict(exposure.by_course_mg) == pytest.approx({"c1": 100.0, "c2": 50.0}, abs=1e-9)
    assert dict(exposure.by_year_mg) == pytest.approx({2023: 50.0, 2024: 100.0}, abs=1e-9)


# ---------------------------------------------------------------- liver (TOX-L)

COURSE = CourseContext(started_at=T0, multi_day=False, repeat=False, inpatient=False)


def lab(test: LabTest, times_uln: float, day: float = 1.0) -> LabResult:
    return LabResult(
        test=test, value_u_per_l=40 * times_uln, uln_u_per_l=40, time=T0 + timedelta(days=day)
    )


LIVER_STOP = [
    (lab(LabTest.ALT, 2.9), []),
    (lab(LabTest.ALT, 3.0), ["TOX-L1"]),
    (lab(LabTest.ALP, 2.9), []),
    (lab(LabTest.ALP, 3.0), ["TOX-L1"]),
    (lab(LabTest.AST, 5.0), []),
    (lab(LabTest.ALT, 4.0, day=-3), []),
]


@pytest.mark.parametrize(
    ("result", "rule_ids"),
    LIVER_STOP,
    ids=[
        "ALT 2.9× ULN: continue",
        "ALT 3.0× ULN: STOP",
        "ALP 2.9× ULN: continue",
        "ALP 3.0× ULN: STOP",
        "AST is not a stop test",
        "ALT 4× ULN before the course started: not TOX-L1 (a screening matter)",
    ],
)
def test_alt_or_alp_at_three_times_uln_stops_the_course(result, rule_ids):
    findings = assess_liver([result], course=COURSE, now=T0 + timedelta(days=2))
    assert [f.rule_id for f in findings] == rule_ids
    assert all(f.level is Severity.HARD for f in findings)


def test_signs_of_liver_injury_stop_the_course():
    findings = assess_liver(
        [], course=COURSE, now=T0, signs={HypersensitivitySign.RASH, HypersensitivitySign.FEVER}
    )
    assert [(f.rule_id, f.level) for f in findings] == [("TOX-L1", Severity.HARD)]
    assert "fever, rash" in findings[0].message


BASELINE_LFT = [
    (None, ["TOX-L2"]),
    (-30, []),
    (-31, ["TOX-L2"]),
]


@pytest.mark.parametrize(
    ("days_before", "rule_ids"),
    BASELINE_LFT,
    ids=[
        "repeat course without liver tests: baseline needed",
        "liver tests 30 days before the course: baseline done",
        "liver tests 31 days before: baseline needed",
    ],
)
def test_repeat_course_needs_baseline_liver_tests(days_before, rule_ids):
    course = CourseContext(started_at=T0, multi_day=False, repeat=True, inpatient=False)
    labs = [] if days_before is None else [lab(LabTest.ALT, 1.0, day=days_before)]
    findings = assess_liver(labs, course=course, now=T0)
    assert [(f.rule_id, f.level) for f in findings] == [(r, Severity.SOFT) for r in rule_ids]


@pytest.mark.parametrize(
    ("hours_since", "rule_ids"),
    [(48, []), (49, ["TOX-L3"])],
    ids=["last liver tests 48 h ago: not yet due", "49 h ago: due"],
)
def test_inpatient_multi_day_course_needs_liver_tests_every_48_h(hours_since, rule_ids):
    course = CourseContext(started_at=T0, multi_day=True, repeat=False, inpatient=True)
    baseline = lab(LabTest.ALT, 1.0, day=-1)
    now = T0 + timedelta(days=5)
    latest = LabResult(
        test=LabTest.ALT, value_u_per_l=30, uln_u_per_l=40, time=now - timedelta(hours=hours_since)
    )
    findings = assess_liver([baseline, latest], course=course, now=now)
    assert [f.rule_id for f in findings] == rule_ids


@pytest.mark.parametrize(
    ("status", "rule_ids"),
    [(ConditionStatus.ACTIVE, ["TOX-L6"]), (ConditionStatus.HISTORY, [])],
    ids=["liver disease without recent tests: check them", "resolved hepatitis: nothing"],
)
def test_liver_disease_needs_liver_tests(status, rule_ids):
    conditions = [Condition(concept=ConditionConcept.HEPATITIS, status=status)]
    findings = assess_liver([], course=COURSE, now=T0, conditions=conditions)
    assert [f.rule_id for f in findings] == rule_ids
    assert all("unverified" in f.message for f in findings)


# ---------------------------------------------------------------- urinary tract (TOX-U)

NO_SYMPTOMS = {
    "frequency_or_nocturia": False,
    "urgency": False,
    "bladder_pain": False,
    "dysuria": False,
    "haematuria": False,
    "incontinence": False,
}

URINARY = [
    (None, 0, []),
    (None, 1, [("TOX-U1", Severity.SOFT)]),
    ({}, 5, []),
    ({"frequency_or_nocturia": True}, 5, [("TOX-U4", Severity.HARD)]),
    ({"haematuria": True}, 5, [("TOX-U4", Severity.HARD)]),
    ({"incontinence": True, "dysuria": True}, 5, [("TOX-U4", Severity.HARD)]),
]


@pytest.mark.parametrize(
    ("symptoms", "prior_sessions", "expected"),
    URINARY,
    ids=[
        "first visit without the screen: nothing",
        "repeat visit without the screen: ask it",
        "repeat visit, all six items no: continue",
        "frequency: suspend and work up",
        "haematuria: suspend and work up",
        "incontinence and dysuria: suspend and work up",
    ],
)
def test_urinary_screen_at_repeat_visits(symptoms, prior_sessions, expected):
    screen_ = None if symptoms is None else UrinaryScreen(time=T0, **{**NO_SYMPTOMS, **symptoms})
    findings = assess_urinary(screen_, prior_sessions=prior_sessions)
    assert [(f.rule_id, f.level) for f in findings] == expected


# ---------------------------------------------------------------- dose records


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"route": "spinal", "dose_mg": 10},
            r"`route` must be one of iv_bolus, .* \(got 'spinal'\)",
        ),
        ({"route": Route.IM}, r"Exactly one of `dose_mg` or `rate_mg_per_h` .* \(got neither\)"),
        (
            {"route": Route.IV_INFUSION, "dose_mg": 10, "rate_mg_per_h": 20},
            r"Exactly one of `dose_mg` or `rate_mg_per_h` .* \(got both\)",
        ),
        ({"route": Route.IM, "rate_mg_per_h": 20}, r"`rate_mg_per_h` needs route iv_infusion"),
        ({"route": Route.IV_INFUSION, "rate_mg_per_h": 20}, r"`end` must be after `time`"),
        ({"route": Route.IM, "dose_mg": 0}, r"`dose_mg` must be > 0 mg \(got 0\)"),
        ({"route": Route.IM, "dose_mg": 10, "end": T0}, r"`end` applies to rate segments only"),
        ({"route": Route.IM, "dose_mg": 10, "drug": "arketamine"}, r"`drug` must be one of"),
    ],
    ids=[
        "unknown route",
        "no amount",
        "a dose and a rate",
        "a rate by a single-dose route",
        "a rate segment without an end",
        "a zero dose",
        "an end on a single dose",
        "unknown drug",
    ],
)
def test_administered_dose_refuses_impossible_records(fields, message):
    with pytest.raises(InputError, match=message):
        AdministeredDose(time=T0, session_id="s1", course_id="c1", **fields)


def test_instrument_response_refuses_unknown_instrument_and_bad_answers():
    with pytest.raises(InputError, match=r"`instrument` must be one of nrs, "):
        InstrumentResponse(instrument="hads", answers=[1], time=T0)
    with pytest.raises(InputError, match=r"`nrs.rating` must be 0–10 \(got 12\)"):
        InstrumentResponse(instrument="nrs", answers=[12], time=T0)
