"""Outcome rules: change from baseline (OUT-1, OUT-2), positive response (OUT-9), relief duration
and the cohort summaries.

Percent changes in the tables are worked by hand: (baseline − follow-up) / baseline × 100.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from ketapath.clinical.codes import Indication
from ketapath.clinical.finding import Severity
from ketapath.clinical.observations import InstrumentResponse
from ketapath.clinical.outcomes import (
    ChangeCategory,
    CourseOutcome,
    ReliefDuration,
    assess_response,
    calculate_change,
    calculate_relief_duration,
    calculate_responder_rates,
    estimate_relief_curves,
)
from ketapath.errors import DataError, InputError

END = datetime(2024, 5, 1, 13, 0)

CHANGES = [
    (10, 10, 0.0, ChangeCategory.NO_IMPORTANT_CHANGE),
    (10, 9.1, 9.0, ChangeCategory.NO_IMPORTANT_CHANGE),
    (10, 9, 10.0, ChangeCategory.MINIMAL),
    (10, 8, 20.0, ChangeCategory.MINIMAL),
    (10, 7.1, 29.0, ChangeCategory.MINIMAL),
    (10, 7, 30.0, ChangeCategory.MODERATE),
    (10, 5.1, 49.0, ChangeCategory.MODERATE),
    (10, 5, 50.0, ChangeCategory.SUBSTANTIAL),
    (10, 0, 100.0, ChangeCategory.SUBSTANTIAL),
    (7, 5, 28.571429, ChangeCategory.MINIMAL),
    (7, 4, 42.857143, ChangeCategory.MODERATE),
    (6, 7, -16.666667, ChangeCategory.WORSE),
]


@pytest.mark.parametrize(
    ("baseline", "follow_up", "percent", "category"),
    CHANGES,
    ids=[
        "10 -> 10: no change",
        "10 -> 9.1 is 9 %: not important",
        "10 -> 9 is 10 %: minimally important",
        "10 -> 8 is 20 %: minimally important",
        "10 -> 7.1 is 29 %: minimally important, not a responder",
        "10 -> 7 is 30 %: moderately important, a responder",
        "10 -> 5.1 is 49 %: moderately important",
        "10 -> 5 is 50 %: substantial",
        "10 -> 0 is 100 %: substantial",
        "7 -> 5 is 28.6 %: minimally important",
        "7 -> 4 is 42.9 %: moderately important",
        "6 -> 7 is -16.7 %: worse",
    ],
)
def test_change_from_baseline_follows_immpact_thresholds(baseline, follow_up, percent, category):
    change = calculate_change(baseline, follow_up)
    assert change.reduction_pct == pytest.approx(percent, abs=1e-6)
    assert change.category is category
    assert change.is_responder is (percent >= 30)


@pytest.mark.parametrize(
    ("baseline", "follow_up", "message"),
    [
        (0, 0, r"`baseline_points` must be > 0"),
        (11, 5, r"`baseline_points` must be between 0 and 10 points \(got 11\)"),
        (5, -1, r"`follow_up_points` must be between 0 and 10 points \(got -1\)"),
    ],
    ids=["baseline 0 has no relative change", "baseline 11", "follow-up -1"],
)
def test_change_refuses_impossible_ratings(baseline, follow_up, message):
    with pytest.raises(InputError, match=message):
        calculate_change(baseline, follow_up)


RESPONSES = [
    ((10, 7), {}, True),
    ((10, 7.1), {}, False),
    ((10, 7.1), {"interference_drop_points": 1.0}, True),
    ((10, 7.1), {"interference_drop_points": 0.9}, False),
    ((10, 8), {"odi_drop_points": 10.0}, True),
    ((10, 8), {"odi_drop_points": 9.0}, False),
]


@pytest.mark.parametrize(
    ("ratings", "function", "positive"),
    RESPONSES,
    ids=[
        "30 % relief: positive",
        "29 % relief and no functional data: not positive",
        "29 % relief with a 1-point BPI interference drop: positive",
        "29 % relief with a 0.9-point drop: not positive",
        "20 % relief with a 10-point ODI drop: positive",
        "20 % relief with a 9-point ODI drop: not positive",
    ],
)
def test_positive_response_needs_30_percent_relief_or_functional_gain(ratings, function, positive):
    result = assess_response(*ratings, **function)
    assert result.positive is positive
    expected = [("OUT-2", Severity.INFO)] + ([] if positive else [("OUT-9", Severity.SOFT)])
    assert [(f.rule_id, f.level) for f in result.findings] == expected


def test_non_response_finding_says_its_definition_is_unverified():
    (_, finding) = assess_response(10, 9).findings
    assert "unverified" in finding.message


# ---------------------------------------------------------------- relief duration


def nrs(days: float, rating: int) -> InstrumentResponse:
    return InstrumentResponse(instrument="nrs", answers=[rating], time=END + timedelta(days=days))


RELIEF = [
    ([(1, 3), (7, 4), (14, 6)], ReliefDuration(days=14.0, censored=False)),
    ([(1, 3), (7, 5), (14, 5)], ReliefDuration(days=14.0, censored=True)),
    ([(1, 3), (7, 6), (14, 2)], ReliefDuration(days=7.0, censored=False)),
    ([(2, 6)], ReliefDuration(days=0.0, censored=False)),
    ([(14, 6), (1, 3), (7, 4)], ReliefDuration(days=14.0, censored=False)),
]


@pytest.mark.parametrize(
    ("ratings", "expected"),
    RELIEF,
    ids=[
        "baseline 8: 3, 4 keep relief; 6 (25 %) on day 14 ends it",
        "baseline 8: still 5 (37.5 %) on day 14: censored at 14 days",
        "relief lost on day 7 stays lost, whatever follows",
        "no relief at the first follow-up: 0 days",
        "follow-ups in any order",
    ],
)
def test_relief_lasts_until_the_first_rating_below_30_percent(ratings, expected):
    follow_ups = [nrs(day, rating) for day, rating in ratings]
    assert calculate_relief_duration(8, follow_ups, ended_at=END) == expected


def test_relief_duration_refuses_other_instruments_and_early_ratings():
    pgic = InstrumentResponse(instrument="pgic", answers=[2], time=END + timedelta(days=1))
    with pytest.raises(InputError, match=r"`follow_ups\[0\]` must be an NRS rating"):
        calculate_relief_duration(8, [pgic], ended_at=END)
    with pytest.raises(InputError, match=r"`follow_ups\[0\]` must be an NRS rating"):
        calculate_relief_duration(8, [nrs(-1, 3)], ended_at=END)


def test_relief_duration_needs_a_follow_up():
    with pytest.raises(DataError, match=r"at least one follow-up"):
        calculate_relief_duration(8, [], ended_at=END)


# ---------------------------------------------------------------- cohort summaries


def course(
    patient: str, indication: Indication, protocol: str, after: float, relief: float | None
) -> CourseOutcome:
    duration = None if relief is None else ReliefDuration(days=abs(relief), censored=relief < 0)
    return CourseOutcome(
        patient_id=patient,
        indication=indication,
        protocol=protocol,
        change=calculate_change(8, after),
        relief=duration,
    )


# Baseline 8 for everyone; a negative relief value is a censored duration.
COHORT = [
    course("a", Indication.CRPS, "10-day", 4, 30),
    course("b", Indication.CRPS, "10-day", 5.6, 10),
    course("c", Indication.CRPS, "10-day", 5.7, -20),
    course("d", Indication.CRPS, "10-day", 8, None),
    course("e", Indication.FIBROMYALGIA, "single", 3, 5),
    course("f", Indication.CRPS, "inpatient", 2, 60),
]


def test_responder_rates_by_indication_and_protocol():
    rates = {(r.indication, r.protocol): (r.courses, r.responders) for r in
             calculate_responder_rates(COHORT)}  # fmt: skip
    # 8 -> 4 (50 %) and 8 -> 5.6 (30 %) respond; 8 -> 5.7 (28.75 %) and 8 -> 8 do not.
    assert rates == {
        (Indication.CRPS, "10-day"): (4, 2),
        (Indication.CRPS, "inpatient"): (1, 1),
        (Indication.FIBROMYALGIA, "single"): (1, 1),
    }


def test_relief_curves_by_group_use_censoring():
    curves = estimate_relief_curves(COHORT)
    assert set(curves) == {
        (Indication.CRPS, "10-day"),
        (Indication.CRPS, "inpatient"),
        (Indication.FIBROMYALGIA, "single"),
    }
    crps = curves[(Indication.CRPS, "10-day")]
    # Durations 10, 20+ and 30 (patient d has none): S = 2/3 after day 10, then 0 at day 30.
    assert crps.time.tolist() == [10.0, 30.0]
    assert crps.at_risk.tolist() == [3.0, 1.0]
    assert crps.survival.tolist() == pytest.approx([2 / 3, 0.0], abs=1e-12)
