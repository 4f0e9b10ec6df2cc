"""The effect site: closed forms after a bolus, time to peak, and ke0 from a time to peak.

The closed forms are those of pk.md §3.2, written here from the published micro-constants
(pk.md §1.1) with their own polynomial roots, so they share nothing with the engine but the
numbers typed into the model tables.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import numpy as np
import pytest

from ketapath.errors import ComputationError, InputError
from ketapath.pk.effect import calculate_ke0_for_tpeak, calculate_tpeak_min
from ketapath.pk.models import get_model
from ketapath.pk.patient import Covariates
from ketapath.pk.regimen import Bolus, Regimen, Route
from ketapath.pk.simulate import simulate
from ketapath.pk.types import FloatArray

ADULT = Covariates(weight_kg=70.0, age_years=40.0, sex="male")
TIMES = np.array([0.25, 1.0, 2.0, 5.0, 15.0, 60.0, 240.0, 720.0])

# pk.md §1.1: V1 (L/kg), k10, (k12, k21), (k13, k31) in 1/min, and ke0 in 1/min.
MICRO = {
    "clements250": (1.7522, 0.0109, [(0.0186, 0.0137)], 5.2),
    "hijazi": (1.08, 0.0333, [(0.0088, 0.0030)], 4.773),
    "domino": (0.063, 0.4381, [(0.5921, 0.2470), (0.5900, 0.0146)], 0.652),
}


def _product(factors: list[np.poly1d]) -> np.poly1d:
    result = np.poly1d([1.0])
    for f in factors:
        result = result * f
    return result


def _closed_form(key: str, t: FloatArray, dose_mg: float) -> tuple[FloatArray, FloatArray]:
    """Cp and Ce (mg/L) after an IV bolus at 70 kg: Σ A_i e^{-λ_i t} and its convolution."""
    v1_per_kg, k10, pairs, ke0 = MICRO[key]
    v1 = v1_per_kg * 70.0
    lam_ = np.poly1d([1.0, 0.0])  # the polynomial variable λ
    # The rates λ solve (k10 + Σ k1j - λ) Π (kj1 - λ) = Σ k1j kj1 Π_{l≠j} (kl1 - λ).
    poly = (k10 + sum(k1j for k1j, _ in pairs) - lam_) * _product([kj1 - lam_ for _, kj1 in pairs])
    for j, (k1j, kj1) in enumerate(pairs):
        poly = poly - k1j * kj1 * _product(
            [kl1 - lam_ for i, (_, kl1) in enumerate(pairs) if i != j]
        )
    lam = np.sort(np.roots(poly.coeffs).real)
    coef = []
    for i, li in enumerate(lam):
        numerator = np.prod([kj1 - li for _, kj1 in pairs])
        denominator = np.prod([lj - li for j, lj in enumerate(lam) if j != i])
        coef.append(numerator / denominator / v1)
    a = np.array(coef)[:, None] * dose_mg
    cp = (a * np.exp(-lam[:, None] * t)).sum(axis=0)
    ce = (ke0 * a * (np.exp(-lam[:, None] * t) - np.exp(-ke0 * t)) / (ke0 - lam[:, None])).sum(0)
    return cp, ce


@pytest.mark.parametrize("key", list(MICRO), ids=lambda k: f"model {k}")
def test_plasma_and_effect_site_after_a_bolus_match_the_closed_form(key: str) -> None:
    # Closed form and exact solution are both accurate to ~1e-14; 1e-9 allows for the roots.
    cp, ce = _closed_form(key, TIMES, 100.0)
    profile = simulate(
        get_model(key), ADULT, Regimen((Bolus(route=Route.IV, at_min=0.0, dose_mg=100.0),)), TIMES
    )
    np.testing.assert_allclose(profile.ketamine_mg_per_l, cp, rtol=1e-9)
    np.testing.assert_allclose(profile.effect_site_mg_per_l, ce, rtol=1e-9)


def test_closed_form_coefficients_sum_to_one_over_v1() -> None:
    # A guard on the test's own closed form (pk.md §3.2: the A_i sum to 1/V1).
    cp, _ = _closed_form("domino", np.array([0.0]), 1.0)
    assert math.isclose(cp[0], 1 / (0.063 * 70), rel_tol=1e-12)


@pytest.mark.parametrize("tpeak_min", [0.5, 1.0, 2.0, 5.0], ids=lambda t: f"tpeak {t:g} min")
def test_ke0_solved_for_a_tpeak_puts_the_peak_there(tpeak_min: float) -> None:
    model = get_model("kamp2020")
    params = model.typical(ADULT)
    ke0 = calculate_ke0_for_tpeak(model, params, tpeak_min)
    solved = replace(params, ke0_per_min=np.full(1, ke0))
    # brentq stops within 1e-10 min; 1e-8 relative covers it.
    assert math.isclose(calculate_tpeak_min(model, solved), tpeak_min, rel_tol=1e-8)


def test_later_tpeak_needs_smaller_ke0() -> None:
    model = get_model("domino")
    params = model.typical(ADULT)
    ke0s = [calculate_ke0_for_tpeak(model, params, t) for t in (0.8, 1.0, 2.0, 4.0)]
    assert all(a > b for a, b in itertools.pairwise(ke0s))


@pytest.mark.parametrize(
    "tpeak_min", [0.0, -1.0, math.nan], ids=["tpeak 0", "tpeak negative", "tpeak NaN"]
)
def test_invalid_tpeak_raises_input_error_naming_tpeak(tpeak_min: float) -> None:
    model = get_model("kamp2020")
    with pytest.raises(InputError, match="`tpeak_min`") as caught:
        calculate_ke0_for_tpeak(model, model.typical(ADULT), tpeak_min)
    assert caught.value.field == "tpeak_min"


@pytest.mark.parametrize(
    "tpeak_min", [1e-3, 5000.0], ids=["too early for ke0 <= 100", "too late for ke0 >= 1e-4"]
)
def test_unreachable_tpeak_raises_input_error_naming_tpeak(tpeak_min: float) -> None:
    model = get_model("kamp2020")
    with pytest.raises(InputError, match="`tpeak_min`") as caught:
        calculate_ke0_for_tpeak(model, model.typical(ADULT), tpeak_min)
    assert caught.value.field == "tpeak_min"


def test_peak_beyond_the_search_horizon_raises_computation_error() -> None:
    model = get_model("otto2021")  # ke0 0.114 /min: the effect-site peak comes after 16 min
    with pytest.raises(ComputationError):
        calculate_tpeak_min(model, model.typical(ADULT), horizon_min=5.0)
