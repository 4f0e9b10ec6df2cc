"""Summary quantities: disposition half-lives, clearance, volumes, AUC, peak and time to peak."""

from __future__ import annotations

import numpy as np

from ketapath.pk.models.base import Parameters
from ketapath.pk.types import FloatArray

__all__ = [
    "calculate_auc",
    "calculate_half_lives_min",
    "calculate_steady_state_mg_per_l",
    "calculate_time_in_range_min",
    "calculate_vss_l",
    "find_peak",
]


def calculate_half_lives_min(params: Parameters) -> FloatArray:
    """Disposition half-lives (min) of patient 0, shortest first.

    Notes
    -----
    The mammillary matrix is similar to a symmetric one, S_ij = Q_ij / sqrt(V_i V_j), so its
    eigenvalues λ come from `numpy.linalg.eigh`; t½ = ln 2 / λ.

    Examples
    --------
    >>> from ketapath.pk.models import get_model
    >>> from ketapath.pk.patient import Covariates
    >>> p = get_model("clements250").typical(Covariates(weight_kg=70, age_years=40, sex="male"))
    >>> np.round(calculate_half_lives_min(p), 0)
    array([ 18., 183.])
    """
    v = params.v_l[0]
    q = params.q_l_per_min[0]
    n = v.size
    S = np.zeros((n, n))
    S[0, 0] = -(params.cl_l_per_min[0] + q.sum()) / v[0]
    for j in range(1, n):
        S[0, j] = S[j, 0] = q[j - 1] / np.sqrt(v[0] * v[j])
        S[j, j] = -q[j - 1] / v[j]
    rates = -np.linalg.eigvalsh(S)
    return np.sort(np.log(2) / rates)


def calculate_vss_l(params: Parameters) -> float:
    """Volume of distribution at steady state of patient 0, L (the sum of the volumes)."""
    return float(params.v_l[0].sum())


def calculate_steady_state_mg_per_l(params: Parameters, rate_mg_per_min: float) -> float:
    """Plasma concentration at steady state under a constant IV rate: Css = R / CL, mg/L.

    Examples
    --------
    >>> from ketapath.pk.models import get_model
    >>> from ketapath.pk.patient import Covariates
    >>> p = get_model("kamp2020").typical(Covariates(weight_kg=70, age_years=40, sex="male"))
    >>> round(calculate_steady_state_mg_per_l(p, 0.35 * 70 / 60) * 1000)  # ng/mL
    292
    """
    return rate_mg_per_min / float(params.cl_l_per_min[0])


def calculate_auc(times_min: FloatArray, conc_mg_per_l: FloatArray) -> float:
    """Area under the curve by the trapezoidal rule, mg·min/L."""
    return float(np.trapezoid(conc_mg_per_l, times_min))


def find_peak(times_min: FloatArray, conc_mg_per_l: FloatArray) -> tuple[float, float]:
    """Peak concentration (mg/L) and its time (min) on the given grid."""
    i = int(np.argmax(conc_mg_per_l))
    return float(conc_mg_per_l[i]), float(times_min[i])


def calculate_time_in_range_min(
    times_min: FloatArray, conc_mg_per_l: FloatArray, low_mg_per_l: float, high_mg_per_l: float
) -> float:
    """Time (min) the concentration spends within [low, high], on a grid.

    Each interval between grid points counts in proportion to how much of it lies in range,
    with the concentration taken as linear between the two points.

    Examples
    --------
    >>> t = np.array([0.0, 10.0, 20.0])
    >>> calculate_time_in_range_min(t, np.array([0.0, 0.2, 0.2]), 0.1, 0.3)
    15.0
    """
    t = np.asarray(times_min, dtype=np.float64)
    c = np.asarray(conc_mg_per_l, dtype=np.float64)
    total = 0.0
    for t0, t1, c0, c1 in zip(t[:-1], t[1:], c[:-1], c[1:], strict=True):
        if c0 == c1:
            total += (t1 - t0) if low_mg_per_l <= c0 <= high_mg_per_l else 0.0
            continue
        # the fraction of the segment where the linear interpolant lies in [low, high]
        a = (low_mg_per_l - c0) / (c1 - c0)
        b = (high_mg_per_l - c0) / (c1 - c0)
        lo, hi = max(0.0, min(a, b)), min(1.0, max(a, b))
        total += max(0.0, hi - lo) * (t1 - t0)
    return float(total)
