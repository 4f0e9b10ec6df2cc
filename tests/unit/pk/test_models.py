"""Published parameter sets, covariate scaling, variability and input validation.

Expected parameter values are typed in from the reference notes (pk.md §1.1 opentiva table, §1.2
Herd 2007, §1.3 Fanta/Otto 2021), never computed by the engine. They are checked at weights away
from 70 kg, where a wrong weight exponent shows; rtol 1e-12 allows only rounding.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from ketapath.errors import InputError
from ketapath.pk.models import MODELS, get_model
from ketapath.pk.patient import Covariates
from ketapath.pk.regimen import Bolus, Regimen, Route
from ketapath.pk.routes import RACEMIC_ROUTES
from ketapath.pk.simulate import simulate
from ketapath.pk.solver.system import build_layout

RTOL = 1e-12
ADULT = Covariates(weight_kg=70.0, age_years=40.0, sex="male")
ONE_HOUR = np.array([60.0])


def _micro(v1_per_kg: float, k10: float, k12: float, k21: float, k13: float = 0, k31: float = 0):
    """Volumes (L), CL and Q (L/min) of a model given per kg with micro-constants (1/min)."""

    def at(w: float) -> tuple[list[float], float, list[float]]:
        v1 = v1_per_kg * w
        v, q = [v1, v1 * k12 / k21], [v1 * k12]
        if k13:
            v.append(v1 * k13 / k31)
            q.append(v1 * k13)
        return v, v1 * k10, q

    return at


def _allometric(v: list[float], cl_l_per_h: float, q_l_per_h: list[float]):
    """Per-70-kg volumes (L) and clearances (L/h): V ∝ W, CL and Q ∝ W^0.75."""

    def at(w: float) -> tuple[list[float], float, list[float]]:
        f = w / 70.0
        return [x * f for x in v], cl_l_per_h / 60 * f**0.75, [x / 60 * f**0.75 for x in q_l_per_h]

    return at


def _otto(w: float) -> tuple[list[float], float, list[float]]:
    # Allometric scaling on the central volume and on clearance only (pk.md §1.3).
    f = w / 70.0
    return [133.0 * f, 187.0, 98.8], 95.2 / 60 * f**0.75, [23.2 / 60, 157.0 / 60]


# pk.md §1.1 table (opentiva) and §1.3 (Otto, S-ketamine fixed to Fanta).
PUBLISHED: dict[str, Callable[[float], tuple[list[float], float, list[float]]]] = {
    "clements250": _micro(1.7522, 0.0109, 0.0186, 0.0137),
    "domino": _micro(0.063, 0.4381, 0.5921, 0.2470, 0.5900, 0.0146),
    "hijazi": _micro(1.08, 0.0333, 0.0088, 0.0030),
    "herd2007": _allometric([38.7, 102.0], 90.0, [215.0]),
    "hornik2018": _allometric([32.8, 152.0], 38.9, [54.9]),
    # opentiva scales Kamp linearly; the engine uses 0.75 on clearances (pk.md §1.1 concern 6).
    "kamp2020": _allometric([25.0, 56.0, 157.0], 84.0, [161.0, 79.0]),
    "otto2021": _otto,
}
KE0_PER_MIN = {
    "clements250": 5.2,
    "domino": 0.652,
    "hijazi": 4.773,
    "herd2007": 2.995,
    "hornik2018": 4.212,
    "kamp2020": 2.791,
    "otto2021": math.log(2) / 6.1,  # Olofsen 2012: t½ke0 6.1 min
}


@pytest.mark.parametrize("weight_kg", [35.0, 70.0, 110.0], ids=lambda w: f"{w:g} kg")
@pytest.mark.parametrize("key", list(PUBLISHED), ids=lambda k: f"model {k}")
def test_typical_parameters_match_the_published_model(key: str, weight_kg: float) -> None:
    v, cl, q = PUBLISHED[key](weight_kg)
    p = get_model(key).typical(Covariates(weight_kg=weight_kg, age_years=40.0, sex="female"))
    np.testing.assert_allclose(p.v_l[0], v, rtol=RTOL)
    np.testing.assert_allclose(p.cl_l_per_min, [cl], rtol=RTOL)
    np.testing.assert_allclose(p.q_l_per_min[0], q, rtol=RTOL)
    np.testing.assert_allclose(p.ke0_per_min, [KE0_PER_MIN[key]], rtol=RTOL)


def test_every_model_has_published_parameters_here() -> None:
    assert set(MODELS) == set(PUBLISHED)


@pytest.mark.parametrize("weight_kg", [35.0, 110.0], ids=lambda w: f"{w:g} kg")
def test_otto_norketamine_scales_only_central_volume_and_clearance(weight_kg: float) -> None:
    # Otto 2021 (pk.md §1.3): S-norketamine V 98.6 L, CL 57.7 L/h, Vp 160 L, Q 42.8 L/h per
    # 70 kg, "allometric scaling on central V (exponent 1) and CL (0.75) only"; fm = 1.
    f = weight_kg / 70.0
    p = get_model("otto2021").typical(Covariates(weight_kg=weight_kg, age_years=40, sex="male"))
    np.testing.assert_allclose(p.nk_v_l[0], [98.6 * f, 160.0], rtol=RTOL)
    np.testing.assert_allclose(p.nk_cl_l_per_min, [57.7 / 60 * f**0.75], rtol=RTOL)
    np.testing.assert_allclose(p.nk_q_l_per_min[0], [42.8 / 60], rtol=RTOL)
    assert p.fm == 1.0


def test_otto_variability_is_the_published_omega() -> None:
    variability = get_model("otto2021").variability
    omega = dict(zip(variability.names, np.asarray(variability.omega), strict=True))
    assert omega["v1"][variability.names.index("v1")] == 0.084
    assert omega["cl"][variability.names.index("cl")] == 0.026
    assert omega["v1"][variability.names.index("cl")] == 0.023
    assert omega["nk_v1"][variability.names.index("nk_v1")] == 0.040
    assert omega["nk_cl"][variability.names.index("nk_cl")] == 0.103
    assert omega["nk_v1"][variability.names.index("nk_cl")] == 0.044


def test_herd_variability_is_log_normal_from_the_published_cvs() -> None:
    # Herd 2007 BSV: V1 64 %, V2 51.7 %, CL 38.1 %, Q 19 %; ω² = ln(1 + CV²) (pk.md §3.5).
    variability = get_model("herd2007").variability
    cvs = {"v1": 0.64, "v2": 0.517, "cl": 0.381, "q2": 0.19}
    omega = np.asarray(variability.omega)
    for i, name in enumerate(variability.names):
        assert math.isclose(omega[i, i], math.log1p(cvs[name] ** 2), rel_tol=RTOL)
    assert np.count_nonzero(omega - np.diag(np.diag(omega))) == 0


@pytest.mark.parametrize("key", list(MODELS), ids=lambda k: f"model {k}")
def test_cholesky_factor_reproduces_omega(key: str) -> None:
    variability = get_model(key).variability
    L = variability.cholesky()
    np.testing.assert_allclose(L @ L.T, variability.omega, rtol=RTOL, atol=1e-15)
    assert np.all(np.triu(L, 1) == 0)


def test_individual_parameters_are_typical_times_exp_eta() -> None:
    model = get_model("kamp2020")
    typical = model.typical(ADULT)
    eta = np.zeros((3, len(model.variability.names)))
    eta[1, model.variability.names.index("cl")] = 0.3
    eta[2, model.variability.names.index("v2")] = -0.5
    p = model.individual(ADULT, eta)
    assert p.n == 3
    np.testing.assert_allclose(p.cl_l_per_min, typical.cl_l_per_min[0] * np.exp([0, 0.3, 0]))
    np.testing.assert_allclose(p.v_l[:, 1], typical.v_l[0, 1] * np.exp([0, 0, -0.5]))
    np.testing.assert_allclose(p.v_l[:, 0], typical.v_l[0, 0])


COVARIATES_REFUSED = [
    ("weight 0 kg", {"weight_kg": 0.0}, "weight_kg"),
    ("weight 1.9 kg", {"weight_kg": 1.9}, "weight_kg"),
    ("weight 351 kg", {"weight_kg": 351.0}, "weight_kg"),
    ("weight NaN", {"weight_kg": math.nan}, "weight_kg"),
    ("age -1 year", {"age_years": -1.0}, "age_years"),
    ("age 121 years", {"age_years": 121.0}, "age_years"),
    ("height 29 cm", {"height_cm": 29.0}, "height_cm"),
    ("height 251 cm", {"height_cm": 251.0}, "height_cm"),
    ("sex 'unknown'", {"sex": "unknown"}, "sex"),
]


@pytest.mark.parametrize(
    ("changes", "field"),
    [(c, f) for _, c, f in COVARIATES_REFUSED],
    ids=[f"{what} is refused" for what, _, _ in COVARIATES_REFUSED],
)
def test_invalid_covariates_raise_input_error_naming_the_field(
    changes: dict[str, object], field: str
) -> None:
    values: dict[str, object] = {"weight_kg": 70.0, "age_years": 40.0, "sex": "male"} | changes
    with pytest.raises(InputError) as caught:
        Covariates(**values)
    assert caught.value.field == field
    assert f"`{field}`" in str(caught.value)


@pytest.mark.parametrize(
    "changes",
    [{"weight_kg": 2.0}, {"weight_kg": 350.0}, {"age_years": 0.0}, {"age_years": 120.0}],
    ids=["weight 2 kg", "weight 350 kg", "age 0", "age 120 years"],
)
def test_covariates_at_the_limits_are_accepted(changes: dict[str, float]) -> None:
    values: dict[str, object] = {"weight_kg": 70.0, "age_years": 40.0, "sex": "female"} | changes
    assert Covariates(**values)


def test_unknown_model_raises_input_error_naming_the_allowed_keys() -> None:
    with pytest.raises(InputError, match="`model`") as caught:
        get_model("propofol")
    assert caught.value.field == "model"
    assert all(key in str(caught.value) for key in MODELS)


def test_route_missing_from_the_route_table_raises_input_error_naming_route() -> None:
    iv_only = {Route.IV: RACEMIC_ROUTES[Route.IV]}
    with pytest.raises(InputError, match="`route`") as caught:
        build_layout(iv_only, frozenset({Route.IV, Route.ORAL}), n_compartments=3)
    assert caught.value.field == "route"


MISSING_ROUTES = [(k, r) for k, m in MODELS.items() for r in Route if r not in m.routes]


@pytest.mark.parametrize(
    ("key", "route"), MISSING_ROUTES, ids=[f"{r} with {k} is refused" for k, r in MISSING_ROUTES]
)
def test_simulating_a_route_the_model_lacks_raises_input_error(key: str, route: Route) -> None:
    regimen = Regimen((Bolus(route=route, at_min=0.0, dose_mg=10.0),))
    with pytest.raises(InputError) as caught:
        simulate(get_model(key), ADULT, regimen, ONE_HOUR)
    assert caught.value.field == "route"


HERD_COVARIATES = [
    ("30 kg, 8 years: inside", 30.0, 8.0, ()),
    ("74.8 kg, 14 years: at the limits", 74.8, 14.0, ()),
    ("74.9 kg: above the weight range", 74.9, 14.0, ("weight 74.9 kg",)),
    ("10.7 kg: below the weight range", 10.7, 1.0, ("weight 10.7 kg",)),
    ("15 years: above the age range", 50.0, 15.0, ("age 15 years",)),
    ("adult: outside both", 80.0, 40.0, ("weight 80 kg", "age 40 years")),
]


@pytest.mark.parametrize(
    ("weight_kg", "age_years", "expected"),
    [row[1:] for row in HERD_COVARIATES],
    ids=[row[0] for row in HERD_COVARIATES],
)
def test_patient_outside_the_model_population_is_warned_about(
    weight_kg: float, age_years: float, expected: tuple[str, ...]
) -> None:
    # Herd 2007: 10.8–74.8 kg, 1–14 years (pk.md §1.1).
    cov = Covariates(weight_kg=weight_kg, age_years=age_years, sex="male")
    warnings = get_model("herd2007").check_covariates(cov)
    assert len(warnings) == len(expected)
    for text, warning in zip(expected, warnings, strict=True):
        assert text in warning
        assert "extrapolation" in warning
    bolus = Regimen((Bolus(route=Route.IV, at_min=0.0, dose_mg=10.0),))
    profile = simulate(get_model("herd2007"), cov, bolus, ONE_HOUR)
    assert profile.warnings[: len(warnings)] == warnings


def test_hornik_simulation_carries_the_doubtful_clearance_warning() -> None:
    regimen = Regimen((Bolus(route=Route.IV, at_min=0.0, dose_mg=10.0),))
    warnings = simulate(get_model("hornik2018"), ADULT, regimen, ONE_HOUR).warnings
    assert any("clearance" in w.lower() for w in warnings)


@pytest.mark.parametrize(
    "key",
    [k for k, m in MODELS.items() if Route.SUBCUTANEOUS in m.routes],
    ids=lambda k: f"model {k}",
)
def test_subcutaneous_simulation_says_there_are_no_primary_data(key: str) -> None:
    regimen = Regimen((Bolus(route=Route.SUBCUTANEOUS, at_min=0.0, dose_mg=10.0),))
    warnings = simulate(get_model(key), ADULT, regimen, ONE_HOUR).warnings
    assert any("subcutaneous" in w and "no primary" in w.lower() for w in warnings)
