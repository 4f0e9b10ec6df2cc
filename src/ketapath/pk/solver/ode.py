"""Reference solution by numerical integration (scipy `solve_ivp`), for tests and benchmarks only.

It integrates the same dx/dt = K x + r(t) between breakpoints, applying jumps at them, with tight
tolerances. It shares the system construction with the exact solver but none of its numerics.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
from scipy.integrate import solve_ivp

from ketapath.errors import ComputationError
from ketapath.pk.solver.system import Schedule
from ketapath.pk.types import FloatArray

__all__ = ["integrate"]


def _rhs(K: FloatArray, rate: FloatArray) -> Callable[[float, FloatArray], FloatArray]:
    def rhs(_t: float, y: FloatArray) -> FloatArray:
        return K @ y + rate

    return rhs


def integrate(
    K: FloatArray,
    schedule: Schedule,
    times_min: FloatArray,
    *,
    rtol: float = 1e-12,
    atol: float = 1e-16,
    method: Literal["Radau", "BDF", "LSODA", "DOP853", "RK45"] = "Radau",
) -> FloatArray:
    """States (T, n) at ``times_min`` for one patient (K of shape (n, n)), from zero.

    A jump at a requested time is included in the value reported there (as in the exact solver).
    The default is the implicit Radau method with the exact Jacobian K: the fastest distribution
    phases make some models mildly stiff, and explicit DOP853 then loses about 6 digits.

    Examples
    --------
    >>> K = np.array([[-0.1]])
    >>> s = Schedule(np.array([0.0]), np.array([[10.0]]), np.zeros((1, 1)))
    >>> round(float(integrate(K, s, np.array([10.0]))[0, 0]), 6)  # 10 e^-1
    3.678794
    """
    # the same convention as the exact solver: instants closer than 1e-9 min are one instant
    requested = np.round(np.asarray(times_min, dtype=np.float64), 9)
    times, back = np.unique(requested, return_inverse=True)
    n = K.shape[0]
    edges = np.append(schedule.times, max(times[-1], schedule.times[-1]) + 1.0)
    out = np.zeros((times.size, n))
    x = np.zeros(n)
    for i in range(schedule.times.size):
        t0, t1 = edges[i], edges[i + 1]
        x = x + schedule.jumps[i]
        rate = schedule.rates[i]
        inside = (times >= t0) & (times < t1)
        if i == schedule.times.size - 1:
            inside = times >= t0
        if t1 <= t0:
            continue
        span_end = max(t1, times[inside].max()) if inside.any() else t1
        sol = solve_ivp(
            _rhs(K, rate),
            (t0, span_end),
            x,
            method=method,
            rtol=rtol,
            atol=atol,
            t_eval=times[inside] if inside.any() else None,
            dense_output=True,
            jac=K,
        )
        if not sol.success:
            raise ComputationError(f"reference integration failed: {sol.message}")
        if inside.any():
            out[inside] = sol.y.T
        dense = sol.sol
        if dense is None:  # pragma: no cover -- dense_output=True always sets it
            raise ComputationError("reference integration returned no dense output")
        x = dense(t1)
    return out[back]
