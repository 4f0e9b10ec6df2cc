"""The batched Taylor matrix exponential against `scipy.linalg.expm`, matrix by matrix.

Batches of more than 64 matrices take the vectorised Taylor path. Accuracy is compared
norm-wise: max |E - E_scipy| / max |E_scipy| per matrix below 1e-12. Both algorithms square
repeatedly, so entries far below the largest carry absolute rounding of about 1e-16 times the
norm, not relative rounding; a norm-wise bound is how matrix-exponential accuracy is stated
(Higham 2005).

Random non-normal matrices are drawn with norms up to about 20: beyond that the exponential
itself is ill-conditioned and 1e-12 would test the conditioning, not the algorithm (at norm 100,
against a 64-bit-mantissa reference, scipy is off by up to 2e-12 and the Taylor path by 2e-12).
The engine's own matrices (mammillary blocks, similar to symmetric ones, plus one-way couplings)
are checked up to ||K h|| of several hundred, where both agree to about 5e-14.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg

from ketapath.pk.models import MODELS, get_model
from ketapath.pk.patient import Covariates
from ketapath.pk.solver.exact import affine_step
from ketapath.pk.solver.linalg import expm
from ketapath.pk.solver.system import build_layout, build_matrix
from ketapath.pk.types import FloatArray

RTOL = 1e-12


def _scipy_one_by_one(a: FloatArray) -> FloatArray:
    return np.stack([scipy.linalg.expm(m) for m in a])


def _normwise_error(actual: FloatArray, expected: FloatArray) -> FloatArray:
    scale = np.abs(expected).max(axis=(-2, -1))
    return np.asarray(np.abs(actual - expected).max(axis=(-2, -1)) / scale)


def _random_stable(rng: np.random.Generator, batch: int, n: int, scale: float) -> FloatArray:
    """Random matrices shifted so that every eigenvalue has a real part <= -0.01 * scale."""
    a = rng.normal(size=(batch, n, n)) * scale / np.sqrt(n)
    shift = np.linalg.eigvals(a).real.max(axis=-1) + 0.01 * scale
    return a - shift[:, None, None] * np.eye(n)


@pytest.mark.parametrize("batch", [65, 500], ids=lambda b: f"batch of {b}")
@pytest.mark.parametrize("n", [2, 9, 16], ids=lambda n: f"{n}x{n}")
@pytest.mark.parametrize("scale", [0.1, 3.0, 20.0], ids=lambda s: f"norm about {s:g}")
def test_batched_expm_of_random_stable_matrices_matches_scipy(
    batch: int, n: int, scale: float
) -> None:
    a = _random_stable(np.random.default_rng(batch * n), batch, n, scale)
    assert _normwise_error(expm(a), _scipy_one_by_one(a)).max() < RTOL


def test_batched_expm_of_pharmacokinetic_steps_matches_scipy() -> None:
    # affine_step on > 64 patients goes through the Taylor path; K·h reaches ||·|| ≈ 300 with
    # ke0 = 5.2 /min over 60 min. Compare with scipy applied to the same augmented matrices.
    rng = np.random.default_rng(7)
    model = get_model("kamp2020")
    params = model.individual(
        Covariates(weight_kg=70.0, age_years=40.0, sex="male"),
        rng.normal(size=(200, len(model.variability.names))) * 0.5,
    )
    layout = build_layout(model.routes, frozenset(model.routes), n_compartments=3)
    K = build_matrix(params, layout, model.routes)
    rate = np.zeros(layout.n)
    rate[layout.central] = 1.0
    for h in (10 / 60, 1.0, 60.0, 600.0):
        step = affine_step(K, rate, h)
        a = np.zeros_like(step)
        a[:, :-1, :-1] = K * h
        a[:, :-1, -1] = rate * h
        assert _normwise_error(step, _scipy_one_by_one(a)).max() < RTOL


@pytest.mark.parametrize("key", list(MODELS), ids=lambda k: f"model {k}")
def test_batched_expm_of_every_model_matrix_matches_scipy(key: str) -> None:
    rng = np.random.default_rng(11)
    model = get_model(key)
    params = model.individual(
        Covariates(weight_kg=70.0, age_years=40.0, sex="male"),
        rng.normal(size=(100, len(model.variability.names))) * 0.5,
    )
    layout = build_layout(model.routes, frozenset(model.routes), n_compartments=params.v_l.shape[1])
    K = build_matrix(params, layout, model.routes)
    for h in (10 / 60, 60.0):
        assert _normwise_error(expm(K * h), _scipy_one_by_one(K * h)).max() < RTOL


def test_small_batches_and_single_matrices_use_scipy_exactly() -> None:
    a = _random_stable(np.random.default_rng(3), 64, 5, 3.0)
    np.testing.assert_array_equal(expm(a), scipy.linalg.expm(a))
    np.testing.assert_array_equal(expm(a[0]), scipy.linalg.expm(a[0]))


def test_batched_expm_of_zero_matrices_is_the_identity_even_beside_a_large_one() -> None:
    # One large matrix sets the number of squarings for the whole batch.
    a = np.zeros((100, 4, 4))
    a[0] = _random_stable(np.random.default_rng(5), 1, 4, 300.0)[0]
    result = expm(a)
    np.testing.assert_allclose(result[1:], np.broadcast_to(np.eye(4), (99, 4, 4)), atol=1e-15)


def test_batched_expm_of_diagonal_matrices_is_the_exponential_of_the_diagonal() -> None:
    rates = -np.geomspace(1e-4, 50.0, 100)
    a = np.zeros((100, 2, 2))
    a[:, 0, 0] = rates
    a[:, 1, 1] = 2 * rates
    result = expm(a)
    np.testing.assert_allclose(result[:, 0, 0], np.exp(rates), rtol=RTOL, atol=1e-300)
    np.testing.assert_allclose(result[:, 1, 1], np.exp(2 * rates), rtol=1e-10, atol=1e-300)
