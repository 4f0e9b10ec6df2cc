"""Target-controlled infusion (TCI): IV rates that bring plasma or effect-site ketamine to a target.

The target may change over time (a step function); the result holds the rate schedule and the
concentrations it predicts.

Every ``update_interval_min`` the controller reads the predicted state and sets one constant rate,
clipped to ``[0, max_rate_mg_per_min]``:

* plasma (Jacobs 1990): ``rate = (Ct - Cp_free(Δ)) / U(Δ)``, where ``Cp_free`` is the plasma
  concentration after Δ with no infusion and ``U`` the one after Δ of a unit rate from empty;
* effect site (Shafer & Gregg 1992, in PyTCI's form): ``rate = min_τ (Ct - B(τ)) / E(τ)``, where
  ``B`` is the effect-site concentration with no further drug and ``E`` the one after a unit rate
  held for Δ; the rate brings the next effect-site peak exactly to the target, and is 0 when the
  baseline already reaches it.

Only the ketamine states (central, peripherals, effect site) are propagated, exactly: a sub-step
``h <= 1 s`` divides Δ, ``exp(K h)`` and its input response come from one augmented
exponential (`ketapath.pk.solver.exact.affine_step`) and everything else is a product of them,
computed once: the per-update map (Φ, Γ), the free-decay rows ``e_Ceᵀ exp(K τ)`` on the horizon
grid and ``E(τ)``. An update then costs one small matrix-vector product.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np
from scipy.optimize import brentq

from ketapath.errors import InputError
from ketapath.pk.models.base import PKModel
from ketapath.pk.patient import Covariates
from ketapath.pk.regimen import Infusion, Regimen, Route
from ketapath.pk.solver.exact import affine_step
from ketapath.pk.solver.system import build_layout, build_matrix
from ketapath.pk.types import FloatArray

__all__ = ["TargetSite", "TciResult", "calculate_tci"]

_MAX_SUBSTEP_MIN = 1.0 / 60.0  # prediction and horizon grid: 1 s or finer
_MAX_HORIZON_MIN = 24 * 60.0  # the horizon doubles up to this when a peak lies beyond it
_MIN_HORIZON_MIN = 5.0
_WHOLE_TOLERANCE = 1e-6  # duration / interval counts as whole within this
_SERIES_TERMS = 30  # exp(K u) z as a power series: exact to rounding while |K| u <= 2
_SERIES_REACH = 2.0  # with |u| <= 1 s that is ke0 up to about 100 /min


class TargetSite(StrEnum):
    """Where the target concentration applies."""

    PLASMA = "plasma"
    EFFECT = "effect"


@dataclass(frozen=True, slots=True, kw_only=True)
class TciResult:
    """A TCI rate schedule and its prediction (mg/L; × 1000 for ng/mL).

    Attributes
    ----------
    model_key : str
        The model used (typical values for the patient).
    target_site : TargetSite
        Plasma or effect site.
    update_times_min, targets_mg_per_l, rates_mg_per_min : FloatArray
        For each update: its time (min), the target in force (mg/L) and the rate set (mg/min),
        held until the next update.
    regimen : Regimen or None
        The schedule as IV infusions (equal consecutive rates merged, zero rates left out), ready
        for `ketapath.pk.simulate.simulate`; None when no drug is given.
    times_min, plasma_mg_per_l, effect_site_mg_per_l : FloatArray
        The prediction on a grid of at most 1 s that contains every update time.
    ke0_per_min : float
        The effect-site rate constant used, 1/min.
    warnings : tuple of str
        Covariates outside the model's population, and the model's own caveats.
    """

    model_key: str
    target_site: TargetSite
    update_times_min: FloatArray
    targets_mg_per_l: FloatArray
    rates_mg_per_min: FloatArray
    regimen: Regimen | None
    times_min: FloatArray
    plasma_mg_per_l: FloatArray
    effect_site_mg_per_l: FloatArray
    ke0_per_min: float
    warnings: tuple[str, ...]

    @property
    def total_mg(self) -> float:
        """Total amount infused, mg."""
        return 0.0 if self.regimen is None else self.regimen.total_mg


@dataclass(frozen=True, slots=True)
class _Plant:
    """Ketamine states (central mg, peripherals mg, effect site mg/L) on a sub-step grid."""

    K: FloatArray  # (m, m)
    v1_l: float
    h_min: float
    powers: FloatArray  # (s + 1, m, m): exp(K i h)
    inputs: FloatArray  # (s + 1, m): state after i sub-steps of 1 mg/min from empty

    @property
    def substeps(self) -> int:
        return int(self.inputs.shape[0] - 1)


def _powers(rows: FloatArray, A: FloatArray, count: int) -> FloatArray:
    """``rows @ A**i`` for i = 0..count, by doubling: shape (count + 1, *rows.shape)."""
    out = rows[None]
    step = A
    while out.shape[0] < count + 1:
        out = np.concatenate([out, out @ step])
        step = step @ step
    return out[: count + 1]


def _plant(model: PKModel, covariates: Covariates, interval_min: float, ke0: float) -> _Plant:
    params = replace(model.typical(covariates), ke0_per_min=np.full(1, ke0))
    layout = build_layout(
        model.routes, frozenset({Route.IV}), n_compartments=model.disposition.n_compartments
    )
    idx = [layout.central, *layout.peripherals, layout.effect]
    K = build_matrix(params, layout, model.routes)[0][np.ix_(idx, idx)]
    m = K.shape[0]
    substeps = max(1, math.ceil(interval_min / _MAX_SUBSTEP_MIN - 1e-9))
    h = interval_min / substeps
    unit = np.zeros(m)
    unit[0] = 1.0
    step = affine_step(K[None], unit, h)[0]
    powers = _powers(np.eye(m), step[:m, :m], substeps)
    inputs = np.zeros((substeps + 1, m))
    inputs[1:] = np.cumsum(powers[:-1] @ step[:m, m], axis=0)
    return _Plant(K, float(params.v_l[0, 0]), h, powers, inputs)


class _Horizon:
    """Effect-site look-ahead: free-decay rows and the unit response E on the grid ``j h``."""

    def __init__(self, plant: _Plant, horizon_min: float) -> None:
        self.plant = plant
        s, m = plant.substeps, plant.K.shape[0]
        J = max(s + 2, math.ceil(horizon_min / plant.h_min))
        ends = np.zeros((2, m))
        ends[0, 0], ends[1, m - 1] = 1.0 / plant.v1_l, 1.0  # Cp and Ce rows
        rows = _powers(ends, plant.powers[1], J)  # (J + 1, 2, m)
        E = np.zeros(J + 1)
        E[1 : s + 1] = np.cumsum(rows[:s, 1] @ plant.inputs[1])
        E[s:] = rows[: J + 1 - s, 1] @ plant.inputs[-1]
        self.J, self.E = J, E
        self.ratio_denominator = E[1:]
        self.baseline_rows = np.vstack([rows[1:, 1], rows[J, 0]])  # B(h..Jh), Cp(Jh)
        self.peak_index = int(np.argmax(E))

    @property
    def horizon_min(self) -> float:
        return self.J * self.plant.h_min

    def widened(self) -> _Horizon:
        return _Horizon(self.plant, 2.0 * self.horizon_min)

    def unit_peak(self) -> float:
        """Peak of E (mg/L per mg/min), refined where dCe/dτ = ke0 (Cp - Ce) = 0.

        Near the sampled peak ``j h`` the unit response is ``exp(K u) z`` with ``z`` its state
        there, a power series in ``u`` (|u| <= h) whose coefficients ``Kⁿ z`` are computed once.
        """
        p, j, s = self.plant, self.peak_index, self.plant.substeps
        if float(np.abs(p.K).sum(axis=0).max()) * p.h_min > _SERIES_REACH:
            return float(self.E[j])  # rates too fast for the series: keep the sampled peak
        z = np.linalg.matrix_power(p.powers[1], j - s) @ p.inputs[-1]  # j >= s: after the input
        series = np.empty((_SERIES_TERMS, z.size))
        series[0] = z
        for n in range(1, _SERIES_TERMS):
            series[n] = p.K @ series[n - 1] / n
        ce = series[:, -1].tolist()
        slope = (series[:, 0] / p.v1_l - series[:, -1]).tolist()  # ∝ dCe/dτ

        def at(coefficients: list[float], u: float) -> float:
            return sum(c * u**n for n, c in enumerate(coefficients))

        lo, hi = max(-p.h_min, (s - j) * p.h_min), p.h_min
        if not at(slope, lo) > 0 > at(slope, hi):
            return float(self.E[j])
        return at(ce, brentq(lambda u: at(slope, u), lo, hi, xtol=1e-15))


class _EffectController:
    """Shafer–Gregg rates with a horizon that widens when the peak lies beyond it."""

    def __init__(self, plant: _Plant, ke0: float) -> None:
        interval = plant.h_min * plant.substeps
        horizon = _Horizon(plant, interval + max(4.0 / ke0, _MIN_HORIZON_MIN))
        while horizon.peak_index == horizon.J and horizon.horizon_min < _MAX_HORIZON_MIN:
            horizon = horizon.widened()
        self.horizon = horizon
        self.unit_peak = horizon.unit_peak()

    def rate(self, x: FloatArray, target: float) -> float:
        """Largest rate whose effect-site peak is at most ``target`` (may be > pump maximum)."""
        if not x.any():
            return target / self.unit_peak
        h = self.horizon
        y = h.baseline_rows @ x
        gap = target - y[:-1]
        if gap.min() <= 0.0:
            return 0.0
        ratio = gap / h.ratio_denominator
        j = int(np.argmin(ratio))
        beyond = j == ratio.size - 1 or y[-1] > y[-2]  # minimum at the end, or B still rising
        if beyond and h.horizon_min < _MAX_HORIZON_MIN:
            self.horizon = h.widened()
            return self.rate(x, target)
        return _vertex(ratio, j)


def _vertex(f: FloatArray, j: int) -> float:
    """Minimum of a sampled smooth function near sample ``j``, by a parabola through 3 points."""
    if 0 < j < f.size - 1:
        a, b, c = float(f[j - 1]), float(f[j]), float(f[j + 1])
        curvature = a - 2.0 * b + c
        if curvature > 0.0:
            return b - (c - a) ** 2 / (8.0 * curvature)
    return float(f[j])


def _plasma_rates(
    plant: _Plant, targets: FloatArray, max_rate: float
) -> tuple[FloatArray, FloatArray]:
    """Jacobs: each rate brings Cp to the target at the next update. Returns rates, states."""
    phi, gamma = plant.powers[-1], plant.inputs[-1]
    free_row, unit = phi[0] / plant.v1_l, float(gamma[0]) / plant.v1_l
    states = np.zeros((targets.size + 1, phi.shape[0]))
    rates = np.zeros(targets.size)
    x = states[0]
    for k, target in enumerate(targets.tolist()):
        rate = min(max((target - float(free_row @ x)) / unit, 0.0), max_rate)
        x = phi @ x + rate * gamma
        rates[k], states[k + 1] = rate, x
    return rates, states


def _effect_rates(
    plant: _Plant, controller: _EffectController, targets: FloatArray, max_rate: float
) -> tuple[FloatArray, FloatArray]:
    """Shafer–Gregg: each rate brings the next effect-site peak to the target."""
    phi, gamma = plant.powers[-1], plant.inputs[-1]
    states = np.zeros((targets.size + 1, phi.shape[0]))
    rates = np.zeros(targets.size)
    x = states[0]
    for k, target in enumerate(targets.tolist()):
        rate = min(max(controller.rate(x, target), 0.0), max_rate) if target > 0 else 0.0
        x = phi @ x + rate * gamma
        rates[k], states[k + 1] = rate, x
    return rates, states


def _predict(plant: _Plant, states: FloatArray, rates: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Cp and Ce (mg/L) at every sub-step, shape (n s + 1,), from the states at the updates."""
    sub = np.einsum("iab,kb->kia", plant.powers[1:], states[:-1])
    sub += rates[:, None, None] * plant.inputs[None, 1:]
    path = np.concatenate([states[:1], sub.reshape(-1, states.shape[1])])
    return path[:, 0] / plant.v1_l, path[:, -1]


def _to_regimen(edges_min: FloatArray, rates: FloatArray) -> Regimen | None:
    """IV infusions, one per run of equal non-zero rates."""
    starts = np.flatnonzero(np.diff(rates, prepend=np.nan) != 0)
    ends = np.append(starts[1:], rates.size)
    doses = tuple(
        Infusion(
            route=Route.IV,
            start_min=float(edges_min[a]),
            end_min=float(edges_min[b]),
            rate_mg_per_min=float(rates[a]),
        )
        for a, b in zip(starts.tolist(), ends.tolist(), strict=True)
        if rates[a] > 0
    )
    return Regimen(doses) if doses else None


def _positive(name: str, value: float, unit: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise InputError(f"`{name}` must be > 0 {unit} (got {value!r}).", field=name, value=value)
    if not math.isfinite(value):
        raise InputError(f"`{name}` must be finite (got {value!r}).", field=name, value=value)
    return float(value)


def _validate_targets(targets: Sequence[tuple[float, float]]) -> tuple[FloatArray, FloatArray]:
    """Change times (min) and targets (mg/L) of the step function, checked."""
    try:
        table = np.asarray(targets, dtype=np.float64)
    except (TypeError, ValueError):
        table = np.empty((0, 0))
    if table.ndim != 2 or table.shape[0] == 0 or table.shape[1] != 2:
        msg = (
            "`targets` must be a non-empty sequence of (t_min, target_mg_per_l) pairs "
            f"(got {targets!r})."
        )
        raise InputError(msg, field="targets", value=targets)
    bad = np.flatnonzero(~np.isfinite(table).all(axis=1) | (table < 0).any(axis=1))
    if bad.size:
        i = int(bad[0])
        msg = (
            f"`targets[{i}]` must hold a finite time >= 0 min and a finite target >= 0 mg/L "
            f"(got {tuple(table[i].tolist())})."
        )
        raise InputError(msg, field=f"targets[{i}]", value=tuple(table[i].tolist()))
    back = np.flatnonzero(np.diff(table[:, 0]) <= 0)
    if back.size:
        i = int(back[0]) + 1
        msg = (
            f"`targets[{i}]` must come after `targets[{i - 1}]`: times must increase "
            f"(got {table[i, 0]:g} min after {table[i - 1, 0]:g} min)."
        )
        raise InputError(msg, field=f"targets[{i}]", value=float(table[i, 0]))
    return table[:, 0], table[:, 1]


def _count_updates(duration_min: float, interval_min: float) -> int:
    count = duration_min / interval_min
    whole = round(count)
    if whole < 1 or abs(count - whole) > _WHOLE_TOLERANCE * max(1.0, count):
        msg = (
            f"`duration_min` must be a whole number (>= 1) of update intervals of "
            f"{interval_min:g} min (got {duration_min:g} min, {count:.4g} intervals)."
        )
        raise InputError(msg, field="duration_min", value=duration_min)
    return int(whole)


def _site(target_site: TargetSite | str) -> TargetSite:
    try:
        return TargetSite(target_site)
    except ValueError:
        msg = f"`target_site` must be one of plasma, effect (got {target_site!r})."
        raise InputError(msg, field="target_site", value=target_site) from None


def calculate_tci(  # noqa: PLR0913  # the keyword-only signature is the published API
    model: PKModel,
    covariates: Covariates,
    *,
    targets: Sequence[tuple[float, float]],
    target_site: TargetSite | str,
    duration_min: float,
    update_interval_min: float = 10.0 / 60.0,
    max_rate_mg_per_min: float,
    ke0_per_min: float | None = None,
) -> TciResult:
    """Compute a target-controlled IV infusion schedule and its predicted concentrations.

    Parameters
    ----------
    model : PKModel
        A published model (see `ketapath.pk.models.MODELS`); its typical values are used.
    covariates : Covariates
        The patient.
    targets : sequence of (float, float)
        The target as a step function: ``(t_min, target_mg_per_l)`` pairs, times increasing,
        from ``t_min`` (min) onwards. Before the first time the target is 0. A change takes effect
        at the first update at or after its time.
    target_site : {"plasma", "effect"}
        Target the plasma (Jacobs) or the effect-site (Shafer–Gregg) concentration.
    duration_min : float
        Length of the schedule, min: a whole number of update intervals.
    update_interval_min : float
        Time between rate updates, min (default 10 s).
    max_rate_mg_per_min : float
        The pump's maximum rate, mg/min.
    ke0_per_min : float, optional
        Effect-site rate constant, 1/min; defaults to the model's.

    Returns
    -------
    TciResult
        Update times, targets and rates, the regimen, and Cp and Ce (mg/L) on a grid of <= 1 s.

    Raises
    ------
    InputError
        Targets negative, not finite or not increasing in time; a non-positive or non-finite
        rate, interval, duration or ke0; a duration that is not a whole number of intervals.

    Notes
    -----
    Plasma: ``rate = clip((Ct - Cp_free(Δ)) / U(Δ), 0, max)``. Effect site:
    ``rate = clip(min_τ (Ct - B(τ)) / E(τ), 0, max)``; from empty compartments this is
    ``Ct / max_τ E(τ)``, with the peak refined where ``Cp = Ce``. The search horizon starts at
    ``Δ + max(4 / ke0, 5 min)`` and doubles while the minimum lies at its end or the baseline is
    still rising there. Propagation is exact (matrix exponentials), so replaying the regimen with
    `ketapath.pk.simulate.simulate` gives the same concentrations.

    References
    ----------
    Jacobs JR. Algorithm for optimal linear model-based control with application to
    pharmacokinetic model-driven drug delivery. IEEE Trans Biomed Eng 1990;37:107-9,
    doi:10.1109/10.43622. Shafer SL, Gregg KM. Algorithms to rapidly achieve and maintain stable
    drug concentrations at the site of drug effect with a computer-controlled infusion pump.
    J Pharmacokinet Biopharm 1992;20:147-69, doi:10.1007/BF01070999.

    Examples
    --------
    >>> from ketapath.pk.models import get_model
    >>> tci = calculate_tci(get_model("domino"), Covariates(weight_kg=70, age_years=40, sex="male"),
    ...                     targets=[(0.0, 0.15)], target_site="plasma", duration_min=60,
    ...                     max_rate_mg_per_min=50.0)
    >>> round(float(tci.plasma_mg_per_l[-1]), 4)  # mg/L at 60 min
    0.15
    """
    site = _site(target_site)
    change_min, level = _validate_targets(targets)
    interval = _positive("update_interval_min", update_interval_min, "min")
    duration = _positive("duration_min", duration_min, "min")
    max_rate = _positive("max_rate_mg_per_min", max_rate_mg_per_min, "mg/min")
    ke0 = model.ke0_per_min if ke0_per_min is None else ke0_per_min
    ke0 = _positive("ke0_per_min", ke0, "1/min")
    n = _count_updates(duration, interval)
    edges = np.arange(n + 1, dtype=np.float64) * interval
    edges[-1] = duration
    which = np.searchsorted(change_min, edges[:-1] + 1e-9, side="right") - 1
    wanted = np.where(which >= 0, level[np.maximum(which, 0)], 0.0)
    plant = _plant(model, covariates, interval, ke0)
    if site is TargetSite.PLASMA:
        rates, states = _plasma_rates(plant, wanted, max_rate)
    else:
        rates, states = _effect_rates(plant, _EffectController(plant, ke0), wanted, max_rate)
    cp, ce = _predict(plant, states, rates)
    return TciResult(
        model_key=model.key,
        target_site=site,
        update_times_min=edges[:-1],
        targets_mg_per_l=wanted,
        rates_mg_per_min=rates,
        regimen=_to_regimen(edges, rates),
        times_min=np.arange(cp.size) / plant.substeps * interval,
        plasma_mg_per_l=cp,
        effect_site_mg_per_l=ce,
        ke0_per_min=ke0,
        warnings=model.check_covariates(covariates) + model.notes,
    )
