"""Golden checks: the engine against published values and against independent closed forms.

* ``data/published_values.json``: values typed in from the reference notes and the papers they
  cite, each with its source and a tolerance the source supports (see README.md). A value the
  engine does not meet is a finding about the engine or its parameters, never a reason to widen
  the band.
* ``data/closed_form_70kg.generated.json``: plasma and effect-site concentrations at 70 kg by
  the sum-of-exponentials closed forms of pk.md §3.2, computed here from parameters typed in from
  pk.md §1.1/§1.3. Regenerated only with ``--update-golden``.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ketapath.pk.effect import calculate_tpeak_min
from ketapath.pk.metrics import calculate_auc, calculate_half_lives_min, calculate_vss_l, find_peak
from ketapath.pk.models import MODELS, get_model
from ketapath.pk.patient import Covariates
from ketapath.pk.regimen import Bolus, Infusion, Regimen, Route
from ketapath.pk.simulate import Profile, simulate
from ketapath.pk.types import FloatArray

DATA = Path(__file__).parent / "data"
PUBLISHED = json.loads((DATA / "published_values.json").read_text(encoding="utf-8"))
CHECKS: list[dict[str, Any]] = PUBLISHED["checks"]

# Dense enough for the trapezoid rule to hold AUC ratios to 1e-4 (fastest rate 1.7 /min, step
# 0.01 min at first), long enough (2e4 min = 45 Otto half-lives) to leave no tail.
AUC_GRID = np.unique(
    np.concatenate(
        [np.linspace(0, 60, 6001), np.linspace(60, 600, 5401), np.linspace(600, 20_000, 19_401)]
    )
)
PEAK_GRID = np.linspace(0.0, 600.0, 12_001)  # Tmax and Cmax to 0.05 min
LONG_INFUSION_MIN = 100_000.0  # over 150 of the slowest half-life of any model at 70 kg


@functools.cache
def _covariates(weight_kg: float) -> Covariates:
    return Covariates(weight_kg=weight_kg, age_years=40.0, sex="male")


@functools.cache
def _single_dose(key: str, route: str, times: tuple[float, float, int] | None = None) -> Profile:
    """50 mg by ``route`` at time 0, on the AUC grid (or linspace(*times))."""
    grid = AUC_GRID if times is None else np.linspace(*times)
    regimen = Regimen((Bolus(route=Route(route), at_min=0.0, dose_mg=50.0),))
    return simulate(get_model(key), _covariates(70.0), regimen, grid)


def _auc(conc: FloatArray, window_min: float | None = None) -> float:
    end = (
        AUC_GRID.size if window_min is None else int(np.searchsorted(AUC_GRID, window_min, "right"))
    )
    return calculate_auc(AUC_GRID[:end], conc[:end])


def _bioavailability(key: str, entry: dict[str, Any]) -> float:
    route = _single_dose(key, entry["route"]).ketamine_mg_per_l
    return _auc(route) / _auc(_single_dose(key, "iv").ketamine_mg_per_l)


def _nk_k_auc_ratio(key: str, entry: dict[str, Any]) -> float:
    profile = _single_dose(key, entry["route"])
    window = entry["window_min"]
    return _auc(profile.norketamine_mg_per_l, window) / _auc(profile.ketamine_mg_per_l, window)


def _tmax_min(key: str, entry: dict[str, Any]) -> float:
    profile = _single_dose(key, entry["route"], (0.0, 600.0, 12_001))
    return find_peak(profile.times_min, profile.ketamine_mg_per_l)[1]


def _cmax_ng_per_ml(key: str, entry: dict[str, Any]) -> float:
    # 0.5 mg/kg over 40 min at 70 kg (Zarate 2006 protocol; pk.md §1.1 concern 5).
    regimen = Regimen(
        (Infusion(route=Route.IV, start_min=0.0, end_min=40.0, rate_mg_per_min=0.5 * 70 / 40),)
    )
    profile = simulate(get_model(key), _covariates(70.0), regimen, PEAK_GRID)
    return 1000.0 * find_peak(profile.times_min, profile.ketamine_mg_per_l)[0]


def _rate_over_css_l_per_h(key: str, entry: dict[str, Any]) -> float:
    regimen = Regimen(
        (Infusion(route=Route.IV, start_min=0.0, end_min=LONG_INFUSION_MIN, rate_mg_per_min=1.0),)
    )
    profile = simulate(get_model(key), _covariates(70.0), regimen, np.array([LONG_INFUSION_MIN]))
    return 60.0 / float(profile.ketamine_mg_per_l[0])


def _from_parameters(key: str, entry: dict[str, Any]) -> float:
    weight = float(entry.get("weight_kg", 70.0))
    model = get_model(key)
    p = model.typical(_covariates(weight))
    cl = float(p.cl_l_per_min[0])
    half_lives = calculate_half_lives_min(p)
    values = {
        "cl_l_per_min": lambda: cl,
        "cl_l_per_h": lambda: cl * 60.0,
        "cl_ml_per_kg_per_min": lambda: cl * 1000.0 / weight,
        "vss_l": lambda: calculate_vss_l(p),
        "half_life_min": lambda: float(half_lives[entry.get("index", -1)]),
        "terminal_half_life_h": lambda: float(half_lives[-1]) / 60.0,
        "v_beta_l_per_kg": lambda: cl / (math.log(2) / float(half_lives[-1])) / weight,
        "tpeak_min": lambda: calculate_tpeak_min(model, p),
    }
    return float(values[entry["quantity"]]())


ENGINE_VALUE = {
    "bioavailability": _bioavailability,
    "nk_k_auc_ratio": _nk_k_auc_ratio,
    "tmax_min": _tmax_min,
    "cmax_ng_per_ml": _cmax_ng_per_ml,
    "rate_over_css_l_per_h": _rate_over_css_l_per_h,
}


def _band(entry: dict[str, Any]) -> tuple[float, float]:
    if "factor" in entry:
        return entry["value"] / entry["factor"], entry["value"] * entry["factor"]
    tol = entry.get("abs_tol", 0.0)
    if "low" in entry:
        return entry["low"] - tol, entry["high"] + tol
    return entry["value"] - tol, entry["value"] + tol


@pytest.mark.parametrize("entry", CHECKS, ids=[c["id"] for c in CHECKS])
def test_engine_reproduces_published_value(entry: dict[str, Any]) -> None:
    compute = ENGINE_VALUE.get(entry["quantity"], _from_parameters)
    actual = compute(entry["model"], entry)
    low, high = _band(entry)
    assert low <= actual <= high, (
        f"{entry['id']}: the engine gives {actual:.4g}, the source supports {low:.4g}–{high:.4g}"
        f" ({PUBLISHED['why'][entry['why']]}). Source: {entry['source']}."
    )


def test_every_published_check_names_its_source_and_tolerance() -> None:
    for entry in CHECKS:
        assert entry["source"]
        assert entry["why"] in PUBLISHED["why"]
        assert entry["model"] in MODELS
        assert ("value" in entry) != ("low" in entry)
        assert "abs_tol" in entry or "factor" in entry


# --------------------------------------------------------------------------- closed forms
GENERATED = DATA / "closed_form_70kg.generated.json"
TIMES_MIN = [0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 61.0, 120.0, 240.0, 480.0, 1440.0]
BOLUS_MG, RATE_MG_PER_MIN, INFUSION_END_MIN = 70.0, 1.0, 60.0

# V1 (L), k10 and (k1j, kj1) pairs (1/min), ke0 (1/min) at 70 kg, typed from pk.md §1.1/§1.3.
PARAMETERS: dict[str, tuple[float, float, list[tuple[float, float]], float]] = {
    "clements250": (1.7522 * 70, 0.0109, [(0.0186, 0.0137)], 5.2),
    "domino": (0.063 * 70, 0.4381, [(0.5921, 0.2470), (0.5900, 0.0146)], 0.652),
    "hijazi": (1.08 * 70, 0.0333, [(0.0088, 0.0030)], 4.773),
    "herd2007": (38.7, 90 / 60 / 38.7, [(215 / 60 / 38.7, 215 / 60 / 102)], 2.995),
    "hornik2018": (32.8, 38.9 / 60 / 32.8, [(54.9 / 60 / 32.8, 54.9 / 60 / 152)], 4.212),
    "kamp2020": (
        25.0,
        84 / 60 / 25,
        [(161 / 60 / 25, 161 / 60 / 56), (79 / 60 / 25, 79 / 60 / 157)],
        2.791,
    ),
    "otto2021": (
        133.0,
        95.2 / 60 / 133,
        [(23.2 / 60 / 133, 23.2 / 60 / 187), (157 / 60 / 133, 157 / 60 / 98.8)],
        math.log(2) / 6.1,
    ),
}


def _closed_form(key: str) -> dict[str, list[float]]:
    """Cp, Ce after a bolus and Cp under and after an infusion (pk.md §3.2), in mg/L."""
    v1, k10, pairs, ke0 = PARAMETERS[key]
    # The disposition rates λ_i: eigenvalues of the micro-constant matrix (pk.md §3.1), negated.
    m = np.diag([-(k10 + sum(a for a, _ in pairs))] + [-b for _, b in pairs])
    for j, (a, b) in enumerate(pairs, start=1):
        m[0, j], m[j, 0] = b, a
    lam = np.sort(-np.linalg.eigvals(m).real)
    coef = np.array(
        [
            np.prod([b - li for _, b in pairs]) / np.prod([lj - li for lj in lam if lj != li]) / v1
            for li in lam
        ]
    )[:, None]
    t, lam_ = np.asarray(TIMES_MIN), lam[:, None]
    during, after = np.minimum(t, INFUSION_END_MIN), np.maximum(t - INFUSION_END_MIN, 0.0)
    decay = np.exp(-lam_ * t)
    return {
        "bolus_cp": (BOLUS_MG * coef * decay).sum(0).tolist(),
        "bolus_ce": (BOLUS_MG * ke0 * coef * (decay - np.exp(-ke0 * t)) / (ke0 - lam_))
        .sum(0)
        .tolist(),
        "infusion_cp": (
            RATE_MG_PER_MIN * coef / lam_ * (1 - np.exp(-lam_ * during)) * np.exp(-lam_ * after)
        )
        .sum(0)
        .tolist(),
    }


@pytest.fixture(scope="module")
def closed_form_golden(update_golden: bool) -> dict[str, Any]:
    if update_golden:
        data = {
            "about": "Generated by tests/golden/test_published_values.py (closed forms of pk.md "
            "§3.2, parameters typed from pk.md §1.1/§1.3) with --update-golden; review the diff.",
            "times_min": TIMES_MIN,
            "bolus_mg": BOLUS_MG,
            "rate_mg_per_min": RATE_MG_PER_MIN,
            "infusion_end_min": INFUSION_END_MIN,
            "models": {key: _closed_form(key) for key in PARAMETERS},
        }
        GENERATED.write_text(
            json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    if not GENERATED.exists():
        pytest.fail(f"{GENERATED.name} is missing: run `pytest tests/golden --update-golden`.")
    return dict(json.loads(GENERATED.read_text(encoding="utf-8")))


@pytest.mark.parametrize("key", list(PARAMETERS), ids=lambda k: f"model {k}")
def test_engine_matches_the_closed_form_golden(
    key: str, closed_form_golden: dict[str, Any]
) -> None:
    # Both sides are exact to ~1e-13; 1e-9 allows for the polynomial roots.
    golden = closed_form_golden["models"][key]
    times = np.asarray(closed_form_golden["times_min"])
    model, cov = get_model(key), _covariates(70.0)
    bolus = Regimen((Bolus(route=Route.IV, at_min=0.0, dose_mg=closed_form_golden["bolus_mg"]),))
    infusion = Regimen(
        (
            Infusion(
                route=Route.IV,
                start_min=0.0,
                end_min=closed_form_golden["infusion_end_min"],
                rate_mg_per_min=closed_form_golden["rate_mg_per_min"],
            ),
        )
    )
    after_bolus = simulate(model, cov, bolus, times)
    np.testing.assert_allclose(after_bolus.ketamine_mg_per_l, golden["bolus_cp"], rtol=1e-9)
    np.testing.assert_allclose(after_bolus.effect_site_mg_per_l, golden["bolus_ce"], rtol=1e-9)
    under_infusion = simulate(model, cov, infusion, times)
    np.testing.assert_allclose(under_infusion.ketamine_mg_per_l, golden["infusion_cp"], rtol=1e-9)


def test_closed_form_golden_is_up_to_date_with_its_generator(
    closed_form_golden: dict[str, Any],
) -> None:
    # A changed generator or parameter table must be regenerated (and reviewed) on purpose.
    for key in PARAMETERS:
        fresh = _closed_form(key)
        for name, values in fresh.items():
            np.testing.assert_allclose(closed_form_golden["models"][key][name], values, rtol=1e-12)
