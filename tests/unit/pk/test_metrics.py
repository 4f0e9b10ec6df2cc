"""Summary quantities against closed forms written from the published micro-constants (pk.md)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ketapath.pk.metrics import (
    calculate_auc,
    calculate_half_lives_min,
    calculate_steady_state_mg_per_l,
    calculate_time_in_range_min,
    calculate_vss_l,
    find_peak,
)
from ketapath.pk.models import get_model
from ketapath.pk.patient import Covariates
from ketapath.pk.regimen import Infusion, Regimen, Route
from ketapath.pk.simulate import simulate

ADULT = Covariates(weight_kg=70.0, age_years=40.0, sex="male")


def _rates_2cmt(k10: float, k12: float, k21: float) -> np.ndarray:
    # λ² - (k10 + k12 + k21) λ + k10 k21 = 0 (pk.md §3.2)
    return np.sort(np.roots([1.0, -(k10 + k12 + k21), k10 * k21]).real)


def _rates_3cmt(k10: float, k12: float, k21: float, k13: float, k31: float) -> np.ndarray:
    a2 = k10 + k12 + k13 + k21 + k31
    a1 = k10 * k21 + k10 * k31 + k12 * k31 + k13 * k21 + k21 * k31
    a0 = k10 * k21 * k31
    return np.sort(np.roots([1.0, -a2, a1, -a0]).real)


# Micro-constants (1/min) from pk.md §1.1; Herd and Hornik from V, CL, Q per 70 kg (L, L/h).
RATES = {
    "clements250": _rates_2cmt(0.0109, 0.0186, 0.0137),
    "hijazi": _rates_2cmt(0.0333, 0.0088, 0.0030),
    "domino": _rates_3cmt(0.4381, 0.5921, 0.2470, 0.5900, 0.0146),
    "herd2007": _rates_2cmt(90 / 60 / 38.7, 215 / 60 / 38.7, 215 / 60 / 102),
    "hornik2018": _rates_2cmt(38.9 / 60 / 32.8, 54.9 / 60 / 32.8, 54.9 / 60 / 152),
    "kamp2020": _rates_3cmt(
        84 / 60 / 25, 161 / 60 / 25, 161 / 60 / 56, 79 / 60 / 25, 79 / 60 / 157
    ),
    "otto2021": _rates_3cmt(
        95.2 / 60 / 133, 23.2 / 60 / 133, 23.2 / 60 / 187, 157 / 60 / 133, 157 / 60 / 98.8
    ),
}


@pytest.mark.parametrize("key", list(RATES), ids=lambda k: f"model {k}")
def test_half_lives_are_the_roots_of_the_characteristic_polynomial(key: str) -> None:
    # eigh on the symmetrised matrix vs np.roots of the polynomial: both to ~1e-13.
    half_lives = calculate_half_lives_min(get_model(key).typical(ADULT))
    np.testing.assert_allclose(half_lives, np.sort(np.log(2) / RATES[key]), rtol=1e-9)


def test_vss_is_v1_times_one_plus_the_rate_constant_ratios() -> None:
    # Vss = V1 (1 + k12/k21 + k13/k31) (pk.md §3.2), Domino at 70 kg.
    expected = 0.063 * 70 * (1 + 0.5921 / 0.2470 + 0.5900 / 0.0146)
    assert math.isclose(
        calculate_vss_l(get_model("domino").typical(ADULT)), expected, rel_tol=1e-12
    )


def test_steady_state_is_rate_over_clearance() -> None:
    rate_mg_per_min = 0.5
    css = calculate_steady_state_mg_per_l(get_model("domino").typical(ADULT), rate_mg_per_min)
    assert math.isclose(css, rate_mg_per_min / (0.063 * 70 * 0.4381), rel_tol=1e-12)


def test_infusion_and_washout_match_the_closed_form() -> None:
    # Constant rate R over [0, T] (pk.md §3.2), Hijazi at 70 kg:
    # Cp = R Σ (A_i/λ_i)(1 - e^{-λ_i min(t, T)}) e^{-λ_i max(t - T, 0)}
    k10, k12, k21, v1 = 0.0333, 0.0088, 0.0030, 1.08 * 70
    lam = _rates_2cmt(k10, k12, k21)
    a = np.array([(k21 - lam[0]) / (lam[1] - lam[0]), (k21 - lam[1]) / (lam[0] - lam[1])]) / v1
    rate, end = 1.5, 240.0
    t = np.array([1.0, 30.0, 120.0, 240.0, 241.0, 300.0, 1440.0, 5000.0])
    during, after = np.minimum(t, end), np.maximum(t - end, 0.0)
    washout = np.exp(-lam[:, None] * after)
    expected = rate * (a[:, None] / lam[:, None] * (1 - np.exp(-lam[:, None] * during)) * washout)
    regimen = Regimen((Infusion(route=Route.IV, start_min=0.0, end_min=end, rate_mg_per_min=rate),))
    profile = simulate(get_model("hijazi"), ADULT, regimen, t)
    np.testing.assert_allclose(profile.ketamine_mg_per_l, expected.sum(axis=0), rtol=1e-9)


def test_auc_of_a_piecewise_linear_curve_is_exact() -> None:
    t = np.array([0.0, 1.0, 3.0, 7.0])
    c = np.array([0.0, 2.0, 2.0, 0.0])
    assert calculate_auc(t, c) == 1.0 + 4.0 + 4.0


def test_auc_of_an_exponential_on_a_fine_grid_is_one_minus_the_tail() -> None:
    t = np.linspace(0.0, 20.0, 20_001)
    # The trapezoid rule overestimates a convex curve by about h²/12 ∫ f'' = 8.3e-8 here.
    auc = calculate_auc(t, np.exp(-t))
    assert math.isclose(auc, (1 - math.exp(-20)) * (1 + 1e-3**2 / 12), rel_tol=1e-9)


def test_peak_is_the_largest_value_and_the_first_time_it_is_reached() -> None:
    t = np.array([0.0, 1.0, 2.0, 3.0])
    assert find_peak(t, np.array([0.1, 0.4, 0.4, 0.2])) == (0.4, 1.0)


IN_RANGE = [
    ("rising into range and staying: half of the first interval", [0.0, 0.2, 0.2], 15.0),
    ("constant exactly at the lower bound: in range", [0.1, 0.1, 0.1], 20.0),
    ("constant just below the lower bound: out", [0.0999, 0.0999, 0.0999], 0.0),
    ("constant exactly at the upper bound: in range", [0.3, 0.3, 0.3], 20.0),
    ("constant just above the upper bound: out", [0.3001, 0.3001, 0.3001], 0.0),
    ("crossing the whole range upwards: half of each interval", [0.0, 0.2, 0.4], 10.0),
    ("crossing the whole range downwards: the same", [0.4, 0.2, 0.0], 10.0),
]


@pytest.mark.parametrize(
    ("conc", "expected"), [row[1:] for row in IN_RANGE], ids=[row[0] for row in IN_RANGE]
)
def test_time_in_range_of_a_linear_interpolant(conc: list[float], expected: float) -> None:
    t = np.array([0.0, 10.0, 20.0])
    result = calculate_time_in_range_min(t, np.array(conc), 0.1, 0.3)
    assert math.isclose(result, expected, rel_tol=1e-12, abs_tol=1e-12)
