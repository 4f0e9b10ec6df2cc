"""Exact propagation of dx/dt = K x + r between breakpoints; no ODE stepping.

Over a step h with constant input r, the affine map ``[x; 1] -> M [x; 1]`` with
``M = expm([[K, r], [0, 0]] h)`` is exact (Van Loan): its top-left block is ``exp(K h)`` and its
last column ``∫0^h exp(K s) r ds``. It needs no inverse of K and is indifferent to repeated
eigenvalues (ka = λ, ke0 = λ). On a run of m equal steps the states ``M^k z0`` (k = 1..m) are
built by doubling: ``[z0..z_{L-1}]`` and ``M^L`` give ``[z_L..z_{2L-1}]`` in one product, so a
run costs log2(m) small matrix products, vectorised over patients and times.
"""

from __future__ import annotations

import numpy as np

from ketapath.errors import InputError
from ketapath.pk.solver.linalg import expm
from ketapath.pk.solver.system import Schedule
from ketapath.pk.types import FloatArray

__all__ = ["Runs", "affine_step", "plan_runs", "propagate", "step_key"]

_DECIMALS = 9
_STEP_TOLERANCE_MIN = 1e-8  # neighbouring steps this close may share a run...
_POSITION_TOLERANCE_MIN = 2e-9  # ...if every grid point of the run lies this close to t0 + k h


def affine_step(K: FloatArray, rate: FloatArray, h_min: float) -> FloatArray:
    """The exact one-step affine map for N patients: shape (N, n + 1, n + 1)."""
    N, n, _ = K.shape
    a = np.zeros((N, n + 1, n + 1))
    a[:, :n, :n] = K * h_min
    a[:, :n, n] = rate * h_min
    return expm(a)


class Runs:
    """The merged time grid split into runs of equal steps under one input.

    Attributes
    ----------
    grid : FloatArray
        All output times and breakpoints, sorted and unique, from 0.
    jump_at : IntArray
        For each grid point, the index of the breakpoint jumping there, or -1.
    runs : list of (g0, g1, h, b)
        Steps g0..g1-1 of length h under the rates of breakpoint b.
    output_index : IntArray
        Where each requested time sits in ``grid``.
    """

    def __init__(self, schedule: Schedule, times_min: FloatArray) -> None:
        times = np.asarray(times_min, dtype=np.float64)
        if times.ndim != 1 or times.size == 0 or not np.all(np.isfinite(times)):
            msg = "`times_min` must be a non-empty 1-D array of finite times."
            raise InputError(msg, field="times_min", value=times_min)
        if times[0] < 0 or np.any(np.diff(times) < 0):
            msg = "`times_min` must be >= 0 and sorted ascending."
            raise InputError(msg, field="times_min", value=times_min)
        rounded = np.round(times, _DECIMALS)
        self.grid = np.unique(np.concatenate(([0.0], rounded, schedule.times)))
        self.output_index = np.searchsorted(self.grid, rounded)
        brk = np.searchsorted(schedule.times, self.grid, side="right") - 1
        self.jump_at = np.full(self.grid.size, -1)
        for i, g in enumerate(np.searchsorted(self.grid, schedule.times)):
            if np.any(schedule.jumps[i] != 0):
                self.jump_at[g] = i
        steps = np.diff(self.grid)
        cut = np.zeros(steps.size + 1, dtype=bool)  # cut[g]: a run starts at grid point g
        cut[0] = cut[-1] = True
        cut[1:-1] = (
            (np.abs(np.diff(steps)) > _STEP_TOLERANCE_MIN)
            | (brk[1:-1] != brk[:-2])
            | (self.jump_at[1:-1] >= 0)
        )
        starts = np.flatnonzero(cut)
        self.runs: list[tuple[int, int, float, int]] = []
        for g0, g1 in zip(starts[:-1].tolist(), starts[1:].tolist(), strict=True):
            m = g1 - g0
            h = float(self.grid[g1] - self.grid[g0]) / m
            drift = self.grid[g0 : g1 + 1] - (self.grid[g0] + h * np.arange(m + 1))
            if np.abs(drift).max() > _POSITION_TOLERANCE_MIN:  # uneven steps: one run each
                self.runs.extend((g, g + 1, float(steps[g]), int(brk[g])) for g in range(g0, g1))
            else:
                self.runs.append((g0, g1, h, int(brk[g0])))


def step_key(h_min: float, breakpoint: int) -> tuple[float, int]:
    """Cache key of a step map: steps equal to 1e-12 min under the same input share a map."""
    return (round(h_min, 12), breakpoint)


def _powers_applied(M: FloatArray, z0: FloatArray, m: int) -> FloatArray:
    """States z_1..z_m = M^k z0 for N patients, shape (N, n + 1, m), by doubling."""
    Z = z0[:, :, None]
    P = M
    while Z.shape[2] < m + 1:
        Z = np.concatenate([Z, np.matmul(P, Z)], axis=2)
        if Z.shape[2] < m + 1:
            P = np.matmul(P, P)
    return Z[:, :, 1 : m + 1]


def plan_runs(schedule: Schedule, times_min: FloatArray) -> Runs:
    """Merge output times with the schedule's breakpoints."""
    return Runs(schedule, times_min)


def propagate(K: FloatArray, schedule: Schedule, times_min: FloatArray) -> FloatArray:
    """States at the requested times for N patients, shape (N, T, n), starting from zero.

    A jump (bolus) at a requested time is included in the value reported at that time.
    """
    runs = plan_runs(schedule, times_min)
    N, n, _ = K.shape
    X = np.empty((N, runs.grid.size, n + 1))
    z = np.zeros((N, n + 1))
    z[:, n] = 1.0
    cache: dict[tuple[float, int], FloatArray] = {}
    for g0, g1, h, b in runs.runs:
        if runs.jump_at[g0] >= 0:
            z[:, :n] += schedule.jumps[runs.jump_at[g0]]
        X[:, g0] = z
        key = step_key(h, b)
        if key not in cache:
            cache[key] = affine_step(K, schedule.rates[b], h)
        Z = _powers_applied(cache[key], z, g1 - g0)
        X[:, g0 + 1 : g1 + 1] = Z.transpose(0, 2, 1)
        z = Z[:, :, -1].copy()
    last = runs.grid.size - 1
    if runs.jump_at[last] >= 0:
        z[:, :n] += schedule.jumps[runs.jump_at[last]]
    X[:, last] = z
    return X[:, runs.output_index, :n]
