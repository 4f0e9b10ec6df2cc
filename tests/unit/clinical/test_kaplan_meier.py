"""Kaplan–Meier with Greenwood band, checked against a textbook example worked by hand.

The oracle is the 6-mercaptopurine arm of the Freireich et al. (1963) leukaemia trial: 21
patients, remission times in weeks, 9 relapses and 12 censored. Its Kaplan–Meier table is
worked in Kleinbaum & Klein, *Survival Analysis: A Self-Learning Text* (ch. 2), and the Greenwood
standard errors are those R's `survfit` prints for the same data (`MASS::gehan`, 6-MP arm).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketapath.clinical.survival import estimate_kaplan_meier
from ketapath.errors import InputError

RELAPSED = [6, 6, 6, 7, 10, 13, 16, 22, 23]
CENSORED = [6, 9, 10, 11, 17, 19, 20, 25, 32, 32, 34, 35]
DURATIONS = RELAPSED + CENSORED
EVENTS = [True] * len(RELAPSED) + [False] * len(CENSORED)

# Hand-worked: at each relapse time, (n at risk, d relapses). The patient censored at 6 and
# the one censored at 10 are still at risk at 6 and 10.
TABLE = [(6, 21, 3), (7, 17, 1), (10, 15, 1), (13, 12, 1), (16, 11, 1), (22, 7, 1), (23, 6, 1)]
HAND_SURVIVAL = [
    18 / 21,
    18 / 21 * 16 / 17,
    18 / 21 * 16 / 17 * 14 / 15,
    18 / 21 * 16 / 17 * 14 / 15 * 11 / 12,
    18 / 21 * 16 / 17 * 14 / 15 * 11 / 12 * 10 / 11,
    18 / 21 * 16 / 17 * 14 / 15 * 11 / 12 * 10 / 11 * 6 / 7,
    18 / 21 * 16 / 17 * 14 / 15 * 11 / 12 * 10 / 11 * 6 / 7 * 5 / 6,
]
# As printed (4 decimals): S(t) by the textbook, and its Greenwood standard error.
PRINTED = [
    (0.8571, 0.0764),
    (0.8067, 0.0869),
    (0.7529, 0.0963),
    (0.6902, 0.1068),
    (0.6275, 0.1141),
    (0.5378, 0.1282),
    (0.4482, 0.1346),
]
PRINTED_ATOL = 5e-5  # the printed values are rounded to 4 decimals


def hand_band(row: int, z: float = 1.959964) -> tuple[float, float]:
    """The log(-log) band at TABLE[row], from the formula, one scalar step at a time."""
    greenwood = sum(d / (n * (n - d)) for _, n, d in TABLE[: row + 1])
    s = HAND_SURVIVAL[row]
    half = z * math.sqrt(greenwood) / abs(math.log(s))
    return s ** math.exp(half), s ** math.exp(-half)


@pytest.fixture(scope="module")
def curve():
    return estimate_kaplan_meier(DURATIONS, EVENTS)


def test_kaplan_meier_risk_table_matches_hand_count(curve):
    assert curve.time.tolist() == [t for t, _, _ in TABLE]
    assert curve.at_risk.tolist() == [n for _, n, _ in TABLE]
    assert curve.events.tolist() == [d for _, _, d in TABLE]


def test_kaplan_meier_survival_matches_hand_product(curve):
    np.testing.assert_allclose(curve.survival, HAND_SURVIVAL, rtol=1e-12)  # float rounding


def test_kaplan_meier_matches_printed_textbook_table(curve):
    printed = np.array(PRINTED)
    np.testing.assert_allclose(curve.survival, printed[:, 0], atol=PRINTED_ATOL)
    np.testing.assert_allclose(curve.std_err, printed[:, 1], atol=PRINTED_ATOL)


def test_greenwood_band_matches_log_log_formula(curve):
    expected = np.array([hand_band(row) for row in range(len(TABLE))])
    # 1e-6: z is written to 6 decimals here.
    np.testing.assert_allclose(curve.lower, expected[:, 0], atol=1e-6)
    np.testing.assert_allclose(curve.upper, expected[:, 1], atol=1e-6)


def test_greenwood_band_at_first_time_matches_hand_arithmetic(curve):
    # Σ = 3/(21×18) = 0.0079365; log S = −0.15415; v = Σ/(log S)² = 0.33400; 1.96√v = 1.13274;
    # lower = S^exp(1.13274) = 0.6197, upper = S^exp(−1.13274) = 0.9516.
    assert (curve.lower[0], curve.upper[0]) == pytest.approx((0.6197, 0.9516), abs=5e-5)


def test_greenwood_standard_error_at_first_time_matches_hand_calculation(curve):
    # SE = S √(d / (n (n − d))) = (18/21) √(3 / (21 × 18))
    assert curve.std_err[0] == pytest.approx(18 / 21 * math.sqrt(3 / (21 * 18)), rel=1e-12)


def test_kaplan_meier_median_is_first_time_at_or_below_half(curve):
    assert curve.median == 23.0  # S(22) = 0.538 > 0.5, S(23) = 0.448
    assert curve.survival_at(5.9) == 1.0
    assert curve.survival_at(22.5) == pytest.approx(HAND_SURVIVAL[5], rel=1e-12)


def test_kaplan_meier_with_no_event_has_an_empty_curve():
    curve = estimate_kaplan_meier([3, 5], [False, False])
    assert curve.time.size == 0
    assert curve.survival_at(10) == 1.0
    assert curve.median is None


def test_kaplan_meier_band_is_undefined_once_survival_reaches_zero():
    curve = estimate_kaplan_meier([1, 2], [True, True])
    assert curve.survival.tolist() == [0.5, 0.0]
    assert math.isnan(curve.std_err[1])
    assert math.isnan(curve.lower[1])


def test_kaplan_meier_wider_confidence_gives_wider_band(curve):
    wide = estimate_kaplan_meier(DURATIONS, EVENTS, confidence=0.99)
    assert np.all(wide.lower < curve.lower)
    assert np.all(wide.upper > curve.upper)


@pytest.mark.parametrize(
    ("durations", "events", "confidence", "message"),
    [
        ([], [], 0.95, r"non-empty and of equal length \(got 0 and 0\)"),
        ([1, 2], [True], 0.95, r"non-empty and of equal length \(got 2 and 1\)"),
        ([1, -2], [True, True], 0.95, r"`durations\[1\]` must be a finite number >= 0"),
        ([1, math.nan], [True, True], 0.95, r"`durations\[1\]` must be a finite number"),
        ([1], [True], 1.0, r"`confidence` must be between 0 and 1 \(got 1.0\)"),
    ],
    ids=["no subjects", "unequal lengths", "negative duration", "NaN duration", "confidence 1"],
)
def test_kaplan_meier_refuses_bad_input(durations, events, confidence, message):
    with pytest.raises(InputError, match=message):
        estimate_kaplan_meier(durations, events, confidence=confidence)


subjects = st.lists(
    st.tuples(st.integers(0, 30).map(float), st.booleans()), min_size=1, max_size=40
)


@given(subjects)
def test_kaplan_meier_property_curve_is_a_non_increasing_probability(data):
    durations, events = zip(*data, strict=True)
    curve = estimate_kaplan_meier(list(durations), list(events))
    assert np.all((curve.survival >= 0) & (curve.survival <= 1))
    assert np.all(np.diff(curve.survival) <= 0)
    defined = curve.survival > 0
    assert np.all(curve.lower[defined] <= curve.survival[defined] + 1e-12)
    assert np.all(curve.survival[defined] <= curve.upper[defined] + 1e-12)


@given(st.lists(st.integers(0, 30).map(float), min_size=1, max_size=40))
def test_kaplan_meier_property_without_censoring_is_the_empirical_survival(durations):
    # With every event observed, S(t) is the share of subjects still event-free after t.
    curve = estimate_kaplan_meier(durations, [True] * len(durations))
    for t, s in zip(curve.time, curve.survival, strict=True):
        assert s == pytest.approx(sum(d > t for d in durations) / len(durations), abs=1e-12)
