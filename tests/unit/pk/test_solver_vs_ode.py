"""The exact solver (matrix exponentials) against an independent numerical integration.

`ketapath.pk.solver.ode.integrate` shares only the system construction (K and the schedule) with the
exact solver; it steps the ODE with scipy's implicit Radau method at rtol 1e-12, so any error in
the exponentials, the run planning, the doubling products or the handling of jumps shows up here.

Tolerance: relative error below 1e-6 wherever the reference concentration is above 1e-9 mg/L.
Radau at rtol 1e-12 is accurate to about 1e-11 relative on these systems and the exact solver to
about 1e-13, so 1e-6 leaves five orders of magnitude of margin for rounding while still catching
any real defect: a time step off by 1e-6 min or a dose misplaced by one state changes the values
far more. Below 1e-9 mg/L (1e-6 ng/mL, clinically nothing) the ODE's absolute tolerance of
1e-16 mg dominates, so relative errors there measure the reference, not the engine.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.strategies import covariates, examples, output_grids, regimens

from ketapath.pk.metrics import calculate_half_lives_min
from ketapath.pk.models import MODELS, get_model
from ketapath.pk.patient import Covariates
from ketapath.pk.regimen import Bolus, Infusion, Regimen, Route
from ketapath.pk.simulate import concentrations, simulate
from ketapath.pk.solver import ode
from ketapath.pk.solver.system import build_layout, build_matrix, build_schedule
from ketapath.pk.types import FloatArray

RTOL = 1e-6
FLOOR_MG_PER_L = 1e-9
ADULT = Covariates(weight_kg=70.0, age_years=40.0, sex="male")


def _reference(
    model_key: str, cov: Covariates, regimen: Regimen, times: FloatArray, ke0: float | None = None
) -> tuple[FloatArray, ...]:
    """Ketamine, effect-site and norketamine concentrations (mg/L) by Radau integration."""
    model = get_model(model_key)
    params = model.typical(cov)
    if ke0 is not None:
        params = replace(params, ke0_per_min=np.full(1, ke0))
    n_compartments = model.disposition.n_compartments
    layout = build_layout(model.routes, regimen.routes, n_compartments=n_compartments)
    K = build_matrix(params, layout, model.routes)
    schedule = build_schedule(regimen, layout, model.routes)
    # The exact solver accepts repeated output times; solve_ivp's t_eval does not. Times are
    # rounded to the engine's 1e-9-min resolution, which the reference does not do itself (see
    # test_radau_reference_reports_a_bolus_at_a_requested_time_on_a_one_second_grid).
    unique, where = np.unique(np.round(times, 9), return_inverse=True)
    states = ode.integrate(K[0], schedule, unique)[where]
    cp, ce, nk = concentrations(states[None], params, layout)
    return cp[0], ce[0], nk[0]


def _assert_agree(exact: FloatArray, reference: FloatArray, what: str) -> None:
    above = np.abs(reference) > FLOOR_MG_PER_L
    rel = np.abs(exact[above] - reference[above]) / np.abs(reference[above])
    worst = float(rel.max()) if rel.size else 0.0
    assert worst < RTOL, f"{what}: relative error {worst:.3g} (limit {RTOL:g})"


def _assert_profile_matches_reference(
    model_key: str, cov: Covariates, regimen: Regimen, times: FloatArray, ke0: float | None = None
) -> None:
    profile = simulate(get_model(model_key), cov, regimen, times, ke0_per_min=ke0)
    cp, ce, nk = _reference(model_key, cov, regimen, times, ke0)
    _assert_agree(profile.ketamine_mg_per_l, cp, "ketamine")
    _assert_agree(profile.effect_site_mg_per_l, ce, "effect site")
    _assert_agree(profile.norketamine_mg_per_l, nk, "norketamine")


@pytest.mark.parametrize("model_key", list(MODELS), ids=lambda k: f"model {k}")
# Each Radau reference costs up to 0.5 s: three regimens per model by default, more nightly.
@settings(max_examples=examples(divisor=8))
@given(cov=covariates(), data=st.data())
def test_exact_solution_on_random_regimens_matches_radau(
    model_key: str, cov: Covariates, data: st.DataObject
) -> None:
    regimen = data.draw(regimens(routes=tuple(get_model(model_key).routes)), label="regimen")
    times = data.draw(output_grids(regimen), label="times_min")
    _assert_profile_matches_reference(model_key, cov, regimen, times)


ALL_ROUTES = Regimen(
    (
        Bolus(route=Route.IV, at_min=0.0, dose_mg=35.0),
        Bolus(route=Route.IV, at_min=30.0, dose_mg=20.0, duration_min=1.0),
        Infusion(route=Route.IV, start_min=5.0, end_min=65.0, rate_mg_per_min=0.4),
        Infusion(route=Route.IV, start_min=65.0, end_min=125.0, rate_mg_per_min=0.2),
        Bolus(route=Route.ORAL, at_min=10.0, dose_mg=50.0),
        Bolus(route=Route.INTRANASAL, at_min=20.0, dose_mg=25.0),
        Bolus(route=Route.SUBLINGUAL, at_min=40.0, dose_mg=25.0),
        Bolus(route=Route.IM, at_min=50.0, dose_mg=25.0),
        Bolus(route=Route.RECTAL, at_min=60.0, dose_mg=25.0),
        Bolus(route=Route.SUBCUTANEOUS, at_min=70.0, dose_mg=25.0),
        Infusion(route=Route.SUBCUTANEOUS, start_min=80.0, end_min=100.0, rate_mg_per_min=0.5),
    )
)


@pytest.mark.parametrize(
    "model_key",
    ["kamp2020", "otto2021"],
    ids=["racemic route table", "S-ketamine route table"],
)
def test_exact_solution_with_every_route_of_the_model_at_once_matches_radau(
    model_key: str,
) -> None:
    # Output times fall on every bolus, rate change and end of a zero-order input (Otto's
    # sublingual and oral inputs last 13.1, 29.9 and 19.2 min).
    routes = get_model(model_key).routes
    regimen = Regimen(tuple(d for d in ALL_ROUTES.doses if d.route in routes))
    times = np.unique(np.concatenate([np.linspace(0.0, 480.0, 97), [13.1, 53.1, 69.9, 29.2]]))
    _assert_profile_matches_reference(model_key, ADULT, regimen, times)


@pytest.mark.parametrize("model_key", ["domino", "otto2021"], ids=lambda k: f"model {k}")
def test_exact_solution_with_ke0_equal_to_a_disposition_rate_matches_radau(
    model_key: str,
) -> None:
    # ke0 = λ makes the partial-fraction closed form divide by zero; the exponential must not care.
    slowest = float(np.log(2) / calculate_half_lives_min(get_model(model_key).typical(ADULT))[-1])
    regimen = Regimen((Bolus(route=Route.IV, at_min=0.0, dose_mg=70.0),))
    times = np.linspace(0.0, 1440.0, 49)
    _assert_profile_matches_reference(model_key, ADULT, regimen, times, ke0=slowest)


def test_exact_solution_on_runs_of_steps_4e_8_min_apart_matches_radau() -> None:
    # Output times are resolved to 1e-9 min, and steps that differ by more than 1e-8 min start a
    # new run, so a run of 0.10000004-min steps is not a run of 0.1-min steps: after 20,000 of
    # them the grid is 0.0008 min further on, which the terminal phase of Domino turns into a
    # relative change of about 5e-6 in Cp.
    times = np.concatenate([np.arange(101) * 0.1, 10.0 + np.arange(1, 20_001) * 0.10000004])
    regimen = Regimen((Bolus(route=Route.IV, at_min=0.0, dose_mg=70.0),))
    profile = simulate(get_model("domino"), ADULT, regimen, times)
    cp, _, _ = _reference("domino", ADULT, regimen, times[-3:])
    _assert_agree(profile.ketamine_mg_per_l[-3:], cp, "ketamine at 2010 min")


def test_radau_reference_reports_a_bolus_at_a_requested_time_on_a_one_second_grid() -> None:
    # Events and output times closer than 1e-9 min are the same instant, and a bolus at a
    # requested time is included in the value reported there, in both solvers. 1/60 min (one
    # second) is not a multiple of 1e-9: the schedule stores it as 0.016666667.
    model = get_model("hijazi")
    regimen = Regimen((Bolus(route=Route.IV, at_min=1 / 60, dose_mg=1.0),))
    params = model.typical(ADULT)
    layout = build_layout(model.routes, regimen.routes, n_compartments=2)
    K = build_matrix(params, layout, model.routes)
    schedule = build_schedule(regimen, layout, model.routes)
    states = ode.integrate(K[0], schedule, np.array([0.0, 1 / 60]))
    assert states[1, layout.central] == pytest.approx(1.0, rel=1e-9)  # the whole bolus, at once
