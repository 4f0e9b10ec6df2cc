"""Virtual populations: the block-wise percentile summary equals a brute-force simulation of every
patient, is reproducible from its seed, and samples the model's (correlated) variability."""

from __future__ import annotations

import numpy as np
import pytest

from ketapath.errors import InputError
from ketapath.pk.models import get_model
from ketapath.pk.patient import Covariates, Sex
from ketapath.pk.population import PERCENTILES, VirtualPopulation, sample_eta
from ketapath.pk.regimen import Bolus, Infusion, Regimen, Route
from ketapath.pk.simulate import simulate_parameters

ADULT = Covariates(weight_kg=70, age_years=40, sex=Sex.MALE)
INFUSION = Regimen(
    (Infusion(route=Route.IV, start_min=0, end_min=240, rate_mg_per_min=0.5 * 70 / 60),)
)
MIXED = Regimen(
    (
        Bolus(route=Route.IV, at_min=0, dose_mg=20),
        Bolus(route=Route.ORAL, at_min=10.5, dose_mg=50),
        Infusion(route=Route.IV, start_min=30, end_min=90, rate_mg_per_min=0.3),
    )
)


def _brute_force(model_key: str, regimen: Regimen, times: np.ndarray, n: int, seed: int):
    model = get_model(model_key)
    params = model.individual(ADULT, sample_eta(model, n, seed))
    return [
        np.percentile(c, PERCENTILES, axis=0)
        for c in simulate_parameters(model, params, regimen, times)
    ]


@pytest.mark.parametrize(
    ("model_key", "regimen", "times", "n"),
    [
        ("domino", INFUSION, np.arange(0.0, 481.0, 5.0), 3000),
        # a bolus at an output time, an oral dose off the grid, norketamine, more patients
        # than one chunk: every path of the block-wise engine
        ("otto2021", MIXED, np.array([0.0, 5.0, 10.5, 11.0, 60.0, 120.0, 600.0]), 20_000),
    ],
    ids=["domino infusion on a 5-min grid", "otto bolus, oral and infusion, 20,000 patients"],
)
def test_population_percentiles_equal_brute_force_simulation(model_key, regimen, times, n):
    summary = VirtualPopulation(get_model(model_key), ADULT, n_patients=n, seed=3, chunk_size=7000)
    result = summary.summarise(regimen, times, include_norketamine=True)
    cp, ce, nk = _brute_force(model_key, regimen, times, n, seed=3)
    # identical arithmetic up to the order of a few additions: agreement to rounding
    np.testing.assert_allclose(result.ketamine_mg_per_l, cp, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(result.effect_site_mg_per_l, ce, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(result.norketamine_mg_per_l, nk, rtol=1e-12, atol=1e-15)


def test_population_is_reproducible_from_its_seed_and_changes_with_it():
    times = np.arange(0.0, 241.0, 10.0)

    def run(seed: int) -> np.ndarray:
        pop = VirtualPopulation(get_model("kamp2020"), ADULT, n_patients=2000, seed=seed)
        return pop.summarise(INFUSION, times).ketamine_mg_per_l

    np.testing.assert_array_equal(run(11), run(11))
    assert not np.allclose(run(11), run(12))


def test_population_without_norketamine_leaves_ketamine_unchanged():
    times = np.arange(0.0, 481.0, 30.0)
    pop = VirtualPopulation(get_model("otto2021"), ADULT, n_patients=1000, seed=5)
    with_nk = pop.summarise(MIXED, times, include_norketamine=True)
    without = pop.summarise(MIXED, times)
    assert without.norketamine_mg_per_l is None
    np.testing.assert_allclose(without.ketamine_mg_per_l, with_nk.ketamine_mg_per_l, rtol=1e-13)


def test_sampled_variability_reproduces_the_correlated_omega_of_otto():
    model = get_model("otto2021")
    eta = sample_eta(model, 400_000, seed=1)
    omega = np.asarray(model.variability.omega)
    # standard error of a sample covariance ~ sqrt((s_ii s_jj + s_ij^2) / n) <= 2e-4 here
    np.testing.assert_allclose(np.cov(eta, rowvar=False), omega, atol=1e-3)


def test_population_median_is_ordered_between_its_percentiles():
    pop = VirtualPopulation(get_model("domino"), ADULT, n_patients=5000, seed=2)
    p05, p50, p95 = pop.summarise(INFUSION, np.arange(1.0, 481.0, 20.0)).ketamine_mg_per_l
    assert np.all(p05 < p50)
    assert np.all(p50 < p95)


def test_population_reports_progress_to_completion():
    calls: list[tuple[int, int]] = []
    pop = VirtualPopulation(get_model("domino"), ADULT, n_patients=100, seed=0)
    pop.summarise(INFUSION, np.arange(0.0, 481.0), progress=lambda d, t: calls.append((d, t)))
    done, total = calls[-1]
    assert done == total == len(calls)
    assert total > 1


@pytest.mark.parametrize("n", [0, 2_000_001, 2.5], ids=["zero", "too many", "not an integer"])
def test_population_size_outside_the_range_is_an_error_naming_the_field(n):
    with pytest.raises(InputError, match="`n_patients`") as caught:
        VirtualPopulation(get_model("domino"), ADULT, n_patients=n)
    assert caught.value.field == "n_patients"
