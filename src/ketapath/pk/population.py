"""Virtual populations: N patients with log-normal inter-individual variability, summarised.

Each patient's parameters are ``P_i = P_typical * exp(eta_i)`` with ``eta ~ N(0, omega)``
(correlated where the model says), drawn from a seeded generator. The exact one-step maps
``[x; 1] -> M [x; 1]`` are computed once per patient and distinct step (batched matrix
exponentials); the states are then advanced along the time grid, chunk by chunk of patients, on
worker threads (numpy releases the GIL). Percentiles are taken block by block of output times, so
the full set of curves is never held in memory: peak memory is O(N x states), not O(N x times).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ketapath.errors import InputError
from ketapath.pk.models.base import NORKETAMINE_PER_KETAMINE_MASS, PKModel
from ketapath.pk.patient import Covariates
from ketapath.pk.quantiles import calculate_percentiles
from ketapath.pk.regimen import Regimen
from ketapath.pk.solver.exact import Runs, plan_runs, step_key
from ketapath.pk.solver.linalg import expm
from ketapath.pk.solver.system import build_layout, build_matrix, build_schedule
from ketapath.pk.types import FloatArray

__all__ = ["PERCENTILES", "PopulationSummary", "VirtualPopulation", "sample_eta"]

PERCENTILES = (5.0, 50.0, 95.0)
_MAX_PATIENTS = 2_000_000
_BLOCK_OUTPUTS = 32  # output times summarised together

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True, kw_only=True)
class PopulationSummary:
    """5th, 50th and 95th percentiles over N virtual patients at each time (mg/L).

    Each concentration array has shape (3, T): rows are the 5th, 50th and 95th percentiles.
    """

    model_key: str
    n_patients: int
    seed: int
    times_min: FloatArray
    ketamine_mg_per_l: FloatArray
    effect_site_mg_per_l: FloatArray
    norketamine_mg_per_l: FloatArray | None
    variability_source: str


def sample_eta(model: PKModel, n_patients: int, seed: int) -> FloatArray:
    """Random effects (N, k) for the model's variability, reproducible from ``seed``.

    Examples
    --------
    >>> from ketapath.pk.models import get_model
    >>> eta = sample_eta(get_model("otto2021"), 200_000, seed=1)
    >>> round(float(np.cov(eta[:, 0], eta[:, 1])[0, 1]), 3)  # omega V-CL covariance 0.023
    0.023
    """
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n_patients, len(model.variability.names)))
    return z @ model.variability.cholesky().T


def _chunks(n: int, size: int) -> list[slice]:
    return [slice(s, min(s + size, n)) for s in range(0, n, size)]


@dataclass(frozen=True, slots=True)
class _StepMaps:
    """Exact one-step maps per distinct (step, input), per-entry vectors over patients.

    One step is ``x_i <- sum_j phi[k][i][j] * x_j + gamma[k][i]``.
    """

    phi: list[list[list[FloatArray | None]]]  # None: zero for every patient (structural)
    gamma: list[list[FloatArray]]
    step_key: npt.NDArray[np.intp]  # per grid step: which map


def _step_maps(
    K: FloatArray, rates: FloatArray, runs: Runs, *, pool: ThreadPoolExecutor, workers: int
) -> _StepMaps:
    """Compute the step maps: one augmented exponential per distinct step length.

    ``expm([[K, R], [0, 0]] h)`` holds exp(K h) and the integrated inputs of every input vector R
    used with that step (Van Loan).
    """
    by_step: dict[float, list[int]] = {}
    for _, _, h, b in runs.runs:
        inputs = by_step.setdefault(step_key(h, b)[0], [])
        if b not in inputs:
            inputs.append(b)
    N, q, _ = K.shape
    phi: list[list[list[FloatArray | None]]] = []
    gamma: list[list[FloatArray]] = []
    index: dict[tuple[float, int], int] = {}
    for h, inputs in by_step.items():
        driven = [b for b in inputs if rates[b].any()]  # a zero input adds nothing to integrate
        a = np.zeros((N, q + len(driven), q + len(driven)))
        a[:, :q, :q] = K * h
        a[:, :q, q:] = rates[driven].T * h
        # the exponentials of the patients are independent: split them among the workers
        parts = np.array_split(np.arange(N), workers)
        M = np.concatenate(list(pool.map(expm, [a[rows] for rows in parts])))
        entries = [
            [np.ascontiguousarray(M[:, i, j]) if M[:, i, j].any() else None for j in range(q)]
            for i in range(q)
        ]
        zero = [np.zeros(N)] * q
        for b in inputs:
            index[(h, b)] = len(phi)
            phi.append(entries)
            col = q + driven.index(b) if b in driven else None
            gamma.append(
                zero if col is None else [np.ascontiguousarray(M[:, i, col]) for i in range(q)]
            )
    key_of_step = np.empty(max(runs.grid.size - 1, 0), dtype=np.intp)
    for g0, g1, h, b in runs.runs:
        key_of_step[g0:g1] = index[step_key(h, b)]
    return _StepMaps(phi, gamma, key_of_step)


def _advance(
    x: list[FloatArray],
    maps: _StepMaps,
    jumps: FloatArray,
    runs: Runs,
    span: tuple[int, int, slice],
) -> list[FloatArray]:
    """Advance the states (one vector over the chunk per state) from g_from to g_to.

    Each grid point's state includes the jumps at its time.
    """
    g_from, g_to, cols = span
    q = len(x)
    tmp = np.empty_like(x[0])
    for g in range(g_from, g_to):
        k = maps.step_key[g]
        phi, gamma = maps.phi[k], maps.gamma[k]
        new = []
        for i in range(q):
            y = gamma[i][cols].copy()
            for j in range(q):
                entry = phi[i][j]
                if entry is not None:
                    np.multiply(entry[cols], x[j], out=tmp)
                    y += tmp
            new.append(y)
        x = new
        b = runs.jump_at[g + 1]
        if b >= 0:
            x = [xi + jumps[b][i] for i, xi in enumerate(x)]
    return x


@dataclass(frozen=True, slots=True)
class _Block:
    """Concentrations of one block of output times for all patients: (quantity, time, patient)."""

    grid_points: npt.NDArray[np.intp]
    values: FloatArray


class VirtualPopulation:
    """N virtual patients drawn from a model's variability for one set of covariates.

    Parameters
    ----------
    model : PKModel
        The model; its ``variability`` gives omega.
    covariates : Covariates
        Covariates shared by the virtual patients.
    n_patients : int
        Number of virtual patients (1 – 2,000,000).
    seed : int
        Seed of the random generator; the same seed gives the same patients.
    chunk_size, threads : int
        Patients advanced together, and worker threads (memory and speed only).
    """

    def __init__(
        self,
        model: PKModel,
        covariates: Covariates,
        *,
        n_patients: int,
        seed: int = 0,
        chunk_size: int = 25000,
        threads: int = 2,
    ) -> None:
        if not (isinstance(n_patients, int) and 1 <= n_patients <= _MAX_PATIENTS):
            msg = (
                f"`n_patients` must be an integer from 1 to {_MAX_PATIENTS:,} (got {n_patients!r})."
            )
            raise InputError(msg, field="n_patients", value=n_patients)
        self.model, self.n, self.seed = model, n_patients, seed
        self.params = model.individual(covariates, sample_eta(model, n_patients, seed))
        self.chunks = _chunks(n_patients, chunk_size)
        self.threads = threads

    def summarise(
        self,
        regimen: Regimen,
        times_min: FloatArray,
        *,
        include_norketamine: bool = False,
        progress: Progress | None = None,
    ) -> PopulationSummary:
        """Simulate every patient on ``regimen`` and return percentiles at ``times_min``.

        Norketamine states are only computed when ``include_norketamine`` is set (they never
        feed back on ketamine, so leaving them out changes nothing else).
        """
        model, params = self.model, self.params
        layout = build_layout(
            model.routes, regimen.routes, n_compartments=model.disposition.n_compartments
        )
        schedule = build_schedule(regimen, layout, model.routes)
        q = layout.n if include_norketamine else layout.effect + 1  # norketamine states last
        K = build_matrix(params, layout, model.routes)[:, :q, :q]
        runs = plan_runs(schedule, np.asarray(times_min, dtype=np.float64))
        jumps = schedule.jumps[:, :q]
        out_grid = np.unique(runs.output_index)
        scale = np.stack(
            [1.0 / params.v_l[:, 0], np.ones(self.n)]
            + ([NORKETAMINE_PER_KETAMINE_MASS / params.nk_v_l[:, 0]] if include_norketamine else [])
        )
        which = [layout.central, layout.effect, layout.norketamine[0]][: scale.shape[0]]
        start = jumps[runs.jump_at[0]] if runs.jump_at[0] >= 0 else np.zeros(q)
        states = [[np.full(c.stop - c.start, v) for v in start] for c in self.chunks]
        summary = np.full((3, len(PERCENTILES), out_grid.size), np.nan)
        blocks = [out_grid[i : i + _BLOCK_OUTPUTS] for i in range(0, out_grid.size, _BLOCK_OUTPUTS)]
        g_now = 0
        # Advancing block k + 1 (numpy-bound, on the pool) overlaps with the percentiles of block
        # k (many small calls, on their own thread): two buffers alternate between the two.
        buffers = [np.empty((scale.shape[0], _BLOCK_OUTPUTS, self.n)) for _ in range(2)]
        pending: Future[None] | None = None
        with ThreadPoolExecutor(self.threads) as pool, ThreadPoolExecutor(1) as summariser:
            maps = _step_maps(K, schedule.rates[:, :q], runs, pool=pool, workers=self.threads)
            for k, points in enumerate(blocks):
                block = _Block(points, buffers[k % 2][:, : points.size])

                def advance_chunk(j: int, block: _Block = block, g_from: int = g_now) -> None:
                    cols, g = self.chunks[j], g_from
                    for row, g_out in enumerate(block.grid_points.tolist()):
                        states[j] = _advance(states[j], maps, jumps, runs, (g, g_out, cols))
                        g = g_out
                        for quantity, state in enumerate(which):
                            block.values[quantity, row, cols] = (
                                states[j][state] * scale[quantity, cols]
                            )

                list(pool.map(advance_chunk, range(len(self.chunks))))
                g_now = int(points[-1])
                if pending is not None:
                    pending.result()  # the other buffer is free again
                i0 = int(np.searchsorted(out_grid, points[0]))
                pending = summariser.submit(self._summarise_block, block, summary, i0)
                if progress is not None:
                    progress(k + 1, len(blocks))
            if pending is not None:
                pending.result()
        idx = np.searchsorted(out_grid, runs.output_index)
        return PopulationSummary(
            model_key=model.key,
            n_patients=self.n,
            seed=self.seed,
            times_min=np.asarray(times_min, dtype=np.float64),
            ketamine_mg_per_l=summary[0][:, idx],
            effect_site_mg_per_l=summary[1][:, idx],
            norketamine_mg_per_l=summary[2][:, idx] if include_norketamine else None,
            variability_source=model.variability.source,
        )

    def _summarise_block(self, block: _Block, summary: FloatArray, i0: int) -> None:
        """Write the percentiles of a block into ``summary`` (quantity, percentile, time)."""
        n_q, n_t = block.values.shape[:2]
        pct = calculate_percentiles(block.values.reshape(-1, self.n), PERCENTILES)
        summary[:n_q, :, i0 : i0 + n_t] = pct.reshape(len(PERCENTILES), n_q, n_t).transpose(1, 0, 2)
