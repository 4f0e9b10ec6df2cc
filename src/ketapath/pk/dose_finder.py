"""Dose finding: a practical regimen that keeps plasma ketamine within a concentration range.

Pharmacokinetics only: the proposal is whatever keeps the predicted typical-patient plasma
concentration in range longest with its peak at or below the upper bound. It never checks
clinical dose limits, contraindications or monitoring; that is the clinical layer's job.

* IV: a loading bolus pushed over ``push_min`` (the label asks for >= 1 min), an optional loading
  infusion, then a maintenance rate ``Css × CL`` with ``Css`` the middle of the range. The loading
  infusion is the bolus–elimination–transfer (BET) idea in one step: over its duration ``T`` it
  runs at ``Css (CL + Σ Qj (1 - exp(-kj T)) / (kj T))``, the mean rate that holds ``Css`` while the
  peripheral compartments fill (``kj = Qj / Vj``). Without it a model whose central volume is
  small (Kamp 2020: V1 25 L) cannot be loaded by a 1-min push without overshooting. ``T`` is chosen
  among practical durations (0 = none); for each, the bolus is found by a bounded search over
  practical steps, from 0 to the largest that keeps the peak at or below the upper bound.
* Other routes: one dose repeated at a practical interval (4, 6, 8 or 12 h by default), the dose in
  practical steps (5 mg by default), every step up to the largest whose peak stays at or below the
  upper bound being tried.

Candidates are ranked by time in range, then by the mean distance from the middle of the range,
then by simplicity (shorter loading, longer interval). Time in range counts the grid intervals
(15 s by default) with both ends in range. Concentrations are linear in the doses, so each
candidate is a weighted sum of a few unit responses, computed once. Peaks are refined between grid
points, and a dose whose refined peak exceeds the bound is stepped down.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy.optimize import minimize_scalar

from ketapath.errors import InputError
from ketapath.pk.models.base import Parameters, PKModel
from ketapath.pk.patient import Covariates
from ketapath.pk.regimen import Bolus, Dose, Infusion, Regimen, Route
from ketapath.pk.simulate import route_notes, simulate_parameters
from ketapath.pk.types import FloatArray

__all__ = ["DoseProposal", "DoseSearch", "find_dose"]

_MAX_DURATION_MIN = 7 * 24 * 60.0
_MAX_GRID_POINTS = 100_000  # candidates x grid points must fit comfortably in memory
_PEAK_TOLERANCE = 1e-9  # relative: a refined peak this far above the bound is rounding


def _check_positive(name: str, value: float, unit: str, *, allow_zero: bool = False) -> None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if not (ok and (value >= 0 if allow_zero else value > 0)):
        bound = ">= 0" if allow_zero else "> 0"
        msg = f"`{name}` must be a finite number {bound} {unit} (got {value!r})."
        raise InputError(msg, field=name, value=value)


@dataclass(frozen=True, slots=True, kw_only=True)
class DoseSearch:
    """The practical choices the dose finder searches among.

    Parameters
    ----------
    grid_step_min : float
        Largest spacing of the evaluation grid, min.
    push_min : float
        IV bolus push duration, min.
    bolus_step_mg : float
        IV bolus step, mg.
    loading_durations_min : tuple of float
        Candidate IV loading-infusion durations, min (0: no loading infusion).
    dose_step_mg : float
        Step of a non-IV dose, mg.
    intervals_h : tuple of float
        Candidate non-IV dosing intervals, h.
    """

    grid_step_min: float = 0.25
    push_min: float = 1.0
    bolus_step_mg: float = 0.5
    loading_durations_min: tuple[float, ...] = (0, 5, 10, 15, 20, 30, 45, 60, 90, 120)
    dose_step_mg: float = 5.0
    intervals_h: tuple[float, ...] = (4.0, 6.0, 8.0, 12.0)

    def __post_init__(self) -> None:
        for name, unit in (
            ("grid_step_min", "min"),
            ("push_min", "min"),
            ("bolus_step_mg", "mg"),
            ("dose_step_mg", "mg"),
        ):
            _check_positive(name, getattr(self, name), unit)
        for name, unit, zero in (
            ("loading_durations_min", "min", True),
            ("intervals_h", "h", False),
        ):
            values = getattr(self, name)
            if not values:
                raise InputError(f"`{name}` must not be empty (got {values!r}).", field=name)
            for i, v in enumerate(values):
                _check_positive(f"{name}[{i}]", v, unit, allow_zero=zero)


_DEFAULT_SEARCH = DoseSearch()


@dataclass(frozen=True, slots=True, kw_only=True)
class DoseProposal:
    """A proposed regimen and what it predicts for the typical patient (mg/L; × 1000 ng/mL).

    IV proposals fill ``bolus_mg``, ``push_min``, ``loading_rate_mg_per_min``,
    ``loading_min`` and ``rate_mg_per_min`` (bolus and loading are 0 when not needed); other
    routes fill ``dose_mg``, ``interval_h`` and ``n_doses``. The others are None. The trough is
    the lowest concentration after the first peak (the last value when the profile only rises).
    """

    model_key: str
    route: Route
    regimen: Regimen
    bolus_mg: float | None = None
    push_min: float | None = None
    loading_rate_mg_per_min: float | None = None
    loading_min: float | None = None
    rate_mg_per_min: float | None = None
    dose_mg: float | None = None
    interval_h: float | None = None
    n_doses: int | None = None
    time_in_range_min: float
    time_in_range_percent: float
    peak_mg_per_l: float
    peak_time_min: float
    trough_mg_per_l: float
    times_min: FloatArray
    plasma_mg_per_l: FloatArray
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Problem:
    model: PKModel
    params: Parameters
    low: float
    high: float
    duration_min: float
    search: DoseSearch
    times: FloatArray
    warnings: tuple[str, ...]

    @property
    def middle(self) -> float:
        return 0.5 * (self.low + self.high)

    def plasma(self, doses: tuple[Dose, ...], times: FloatArray | None = None) -> FloatArray:
        """Plasma concentration (mg/L) of a regimen on the grid (or at ``times``)."""
        grid = self.times if times is None else times
        cp, _, _ = simulate_parameters(self.model, self.params, Regimen(doses), grid)
        return np.asarray(cp[0], dtype=np.float64)

    def rank(self, cp: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Time in range (min) and mean distance from the middle (mg/L), per row of ``cp``."""
        inside = (cp >= self.low) & (cp <= self.high)
        width = np.diff(self.times)
        in_range = (inside[:, 1:] & inside[:, :-1]) @ width
        distance = np.abs(cp - self.middle) @ np.gradient(self.times) / self.duration_min
        return in_range, distance


def _grid(duration_min: float, search: DoseSearch, route: Route) -> FloatArray:
    """Evaluation times (min): a regular grid plus every candidate's dose and rate changes."""
    if route is Route.IV:
        events = [search.push_min, *search.loading_durations_min]
    else:
        events = [
            k * 60.0 * h
            for h in search.intervals_h
            for k in range(1, 1 + int(duration_min / (60.0 * h)))
        ]
    n = math.ceil(duration_min / search.grid_step_min - 1e-9)
    if n > _MAX_GRID_POINTS:
        msg = (
            f"`grid_step_min` {search.grid_step_min:g} min gives {n} grid points over "
            f"{duration_min:g} min (at most {_MAX_GRID_POINTS}); use a coarser step."
        )
        raise InputError(msg, field="grid_step_min", value=search.grid_step_min)
    inside = [t for t in events if 0 < t < duration_min]
    return np.unique(np.round(np.concatenate([np.linspace(0, duration_min, n + 1), inside]), 9))


def _best(in_range: FloatArray, distance: FloatArray) -> int:
    """Index of the longest time in range, ties to the smallest distance from the middle."""
    return int(np.lexsort((distance, -in_range))[0])


def _loading_rate(problem: _Problem, duration_min: float) -> float:
    """BET mean rate over ``duration_min`` that holds the middle of the range, mg/min."""
    p = problem.params
    q = p.q_l_per_min[0]
    k = q / p.v_l[0, 1:]
    transfer = float(np.sum(q * -np.expm1(-k * duration_min) / (k * duration_min)))
    return problem.middle * (float(p.cl_l_per_min[0]) + transfer)


def _iv_doses(problem: _Problem, bolus_mg: float, loading_min: float) -> tuple[Dose, ...]:
    end, push = problem.duration_min, problem.search.push_min
    rate = problem.middle * float(problem.params.cl_l_per_min[0])
    doses: list[Dose] = []
    if bolus_mg > 0:
        doses.append(Bolus(route=Route.IV, at_min=0.0, dose_mg=bolus_mg, duration_min=push))
    if loading_min > 0:
        loading = _loading_rate(problem, loading_min)
        doses.append(
            Infusion(route=Route.IV, start_min=0.0, end_min=loading_min, rate_mg_per_min=loading)
        )
    doses.append(Infusion(route=Route.IV, start_min=loading_min, end_min=end, rate_mg_per_min=rate))
    return tuple(doses)


def _search_iv(problem: _Problem) -> tuple[float, float]:
    """(bolus mg, loading-infusion min) with the best time in range and peak <= upper bound."""
    step = problem.search.bolus_step_mg
    push = problem.search.push_min
    unit = problem.plasma((Bolus(route=Route.IV, at_min=0.0, dose_mg=1.0, duration_min=push),))
    best: tuple[float, float, float, float] | None = None  # (in range, -distance, bolus, loading)
    durations = sorted({float(t) for t in problem.search.loading_durations_min})
    for loading_min in (t for t in durations if t < problem.duration_min):
        base = problem.plasma(_iv_doses(problem, 0.0, loading_min))
        room = (problem.high - base[unit > 0]) / unit[unit > 0]
        if base.max() > problem.high or room.min() < 0:
            continue
        boluses = np.arange(math.floor(room.min() / step) + 1) * step
        in_range, distance = problem.rank(boluses[:, None] * unit + base)
        i = _best(in_range, distance)
        key = (float(in_range[i]), -float(distance[i]), float(boluses[i]), loading_min)
        if best is None or key[:2] > best[:2]:
            best = key
    if best is None:
        msg = (
            f"`target_high_mg_per_l` {problem.high:g} mg/L is below what the maintenance rate "
            "alone reaches; widen the range."
        )
        raise InputError(msg, field="target_high_mg_per_l", value=problem.high)
    return best[2], best[3]


def _dose_times(problem: _Problem, interval_h: float) -> FloatArray:
    """Dose times (min) every ``interval_h`` hours within the session."""
    interval_min = 60.0 * interval_h
    count = math.ceil(problem.duration_min / interval_min - 1e-9)
    return np.arange(count, dtype=np.float64) * interval_min


def _repeated_doses(
    problem: _Problem, route: Route, dose_mg: float, interval_h: float
) -> tuple[Dose, ...]:
    return tuple(
        Bolus(route=route, at_min=float(t), dose_mg=dose_mg)
        for t in _dose_times(problem, interval_h)
    )


def _search_repeated(problem: _Problem, route: Route) -> tuple[float, float]:
    """(dose mg, interval h) with the best time in range and peak <= upper bound."""
    step = problem.search.dose_step_mg
    best: tuple[float, float, float, float] | None = None  # (in range, -distance, interval, dose)
    for interval_h in sorted({float(h) for h in problem.search.intervals_h}, reverse=True):
        unit = problem.plasma(_repeated_doses(problem, route, 1.0, interval_h))
        n = math.floor(problem.high / float(unit.max()) / step)
        if n < 1:
            continue
        doses = np.arange(1, n + 1) * step
        in_range, distance = problem.rank(doses[:, None] * unit)
        i = _best(in_range, distance)
        key = (float(in_range[i]), -float(distance[i]), interval_h, float(doses[i]))
        if best is None or key[:2] > best[:2]:
            best = key
    if best is None:
        msg = (
            f"`target_high_mg_per_l` {problem.high:g} mg/L is below the peak of the smallest "
            f"dose step ({step:g} mg) by route {route.value}; widen the range or lower "
            "`dose_step_mg`."
        )
        raise InputError(msg, field="target_high_mg_per_l", value=problem.high)
    return best[3], best[2]


def _peak(problem: _Problem, doses: tuple[Dose, ...], cp: FloatArray) -> tuple[float, float]:
    """Peak (mg/L) and its time (min), refined between grid points."""
    t = problem.times
    i = int(np.argmax(cp))
    if not 0 < i < t.size - 1:
        return float(cp[i]), float(t[i])
    found = minimize_scalar(
        lambda s: -float(problem.plasma(doses, np.array([s]))[0]),
        bounds=(float(t[i - 1]), float(t[i + 1])),
        method="bounded",
        options={"xatol": 1e-6},
    )
    if -found.fun > cp[i]:
        return float(-found.fun), float(found.x)
    return float(cp[i]), float(t[i])


def _proposal(problem: _Problem, route: Route, doses: tuple[Dose, ...]) -> DoseProposal:
    """The predicted profile of ``doses`` and its summary; the choice fields are left None."""
    cp = problem.plasma(doses)
    in_range, _ = problem.rank(cp[None])
    peak, peak_time = _peak(problem, doses, cp)
    falling = np.flatnonzero(np.diff(cp) < 0)
    first_peak = int(falling[0]) if falling.size else cp.size - 1
    return DoseProposal(
        model_key=problem.model.key,
        route=route,
        regimen=Regimen(doses),
        time_in_range_min=float(in_range[0]),
        time_in_range_percent=100.0 * float(in_range[0]) / problem.duration_min,
        peak_mg_per_l=peak,
        peak_time_min=peak_time,
        trough_mg_per_l=float(cp[first_peak:].min()),
        times_min=problem.times,
        plasma_mg_per_l=cp,
        warnings=problem.warnings + route_notes(problem.model, Regimen(doses)),
    )


def _propose_iv(problem: _Problem) -> DoseProposal:
    bolus, loading_min = _search_iv(problem)
    proposal = _proposal(problem, Route.IV, _iv_doses(problem, bolus, loading_min))
    while bolus > 0 and proposal.peak_mg_per_l > problem.high * (1.0 + _PEAK_TOLERANCE):
        bolus = max(0.0, bolus - problem.search.bolus_step_mg)  # a peak between grid points
        proposal = _proposal(problem, Route.IV, _iv_doses(problem, bolus, loading_min))
    return replace(
        proposal,
        bolus_mg=bolus,
        push_min=problem.search.push_min,
        loading_rate_mg_per_min=_loading_rate(problem, loading_min) if loading_min else 0.0,
        loading_min=loading_min,
        rate_mg_per_min=problem.middle * float(problem.params.cl_l_per_min[0]),
    )


def _propose_repeated(problem: _Problem, route: Route) -> DoseProposal:
    step = problem.search.dose_step_mg
    dose, interval_h = _search_repeated(problem, route)
    proposal = _proposal(problem, route, _repeated_doses(problem, route, dose, interval_h))
    while dose > step and proposal.peak_mg_per_l > problem.high * (1.0 + _PEAK_TOLERANCE):
        dose -= step  # a peak between grid points
        proposal = _proposal(problem, route, _repeated_doses(problem, route, dose, interval_h))
    n_doses = int(_dose_times(problem, interval_h).size)
    return replace(proposal, dose_mg=dose, interval_h=interval_h, n_doses=n_doses)


def _route(model: PKModel, route: Route | str) -> Route:
    try:
        chosen = Route(route)
    except ValueError:
        chosen = None
    if chosen is None or chosen not in model.routes:
        allowed = ", ".join(r.value for r in model.routes)
        msg = f"`route` must be one of {allowed} for model {model.key} (got {route!r})."
        raise InputError(msg, field="route", value=route)
    return chosen


def find_dose(
    model: PKModel,
    covariates: Covariates,
    route: Route | str,
    *,
    target_low_mg_per_l: float = 0.100,
    target_high_mg_per_l: float = 0.200,
    duration_min: float,
    search: DoseSearch = _DEFAULT_SEARCH,
) -> DoseProposal:
    """Propose a regimen that keeps plasma ketamine within a range for a session.

    Pharmacokinetics only, for the typical patient of ``model``: this never checks clinical dose
    limits (mg/kg caps, maximum rates, contraindications); the clinical layer does.

    Parameters
    ----------
    model : PKModel
        A published model (see `ketapath.pk.models.MODELS`).
    covariates : Covariates
        The patient.
    route : Route or str
        Route of administration; must be in the model's route table.
    target_low_mg_per_l, target_high_mg_per_l : float
        The concentration range, mg/L (default 0.100–0.200 mg/L = 100–200 ng/mL).
    duration_min : float
        The session (or dosing period) over which time in range is counted, min (<= 7 days).
    search : DoseSearch
        The practical steps searched (push duration, bolus and dose steps, intervals...).

    Returns
    -------
    DoseProposal
        The regimen, the choices it is made of, time in range (min and % of ``duration_min``),
        peak (mg/L) and its time (min), trough (mg/L) and the predicted plasma profile.

    Raises
    ------
    InputError
        A route the model lacks; a range that is not finite, positive and increasing; a duration
        out of range; a range so narrow that no practical dose keeps the peak below its top.

    Notes
    -----
    IV: maintenance rate ``R = Css × CL`` with ``Css`` the middle of the range; an optional
    loading infusion at the BET mean rate; the bolus (pushed over ``push_min``) by a bounded
    search over practical steps. Other routes: repeated doses at a practical interval. The
    choice maximises time in range subject to peak <= ``target_high_mg_per_l``; ties go to the
    profile closest to the middle of the range. See the module notes.

    Examples
    --------
    >>> from ketapath.pk.models import get_model
    >>> p = find_dose(get_model("kamp2020"), Covariates(weight_kg=70, age_years=40, sex="male"),
    ...               "iv", duration_min=240)
    >>> p.time_in_range_percent > 90 and p.peak_mg_per_l <= 0.200
    True
    """
    chosen = _route(model, route)
    _check_positive("target_low_mg_per_l", target_low_mg_per_l, "mg/L")
    _check_positive("target_high_mg_per_l", target_high_mg_per_l, "mg/L")
    if not target_high_mg_per_l > target_low_mg_per_l:
        msg = (
            f"`target_high_mg_per_l` must be above `target_low_mg_per_l` "
            f"({target_low_mg_per_l:g} mg/L) (got {target_high_mg_per_l:g} mg/L)."
        )
        raise InputError(msg, field="target_high_mg_per_l", value=target_high_mg_per_l)
    _check_positive("duration_min", duration_min, "min")
    if duration_min > _MAX_DURATION_MIN:
        msg = f"`duration_min` must be <= {_MAX_DURATION_MIN:g} min (got {duration_min!r})."
        raise InputError(msg, field="duration_min", value=duration_min)
    problem = _Problem(
        model=model,
        params=model.typical(covariates),
        low=float(target_low_mg_per_l),
        high=float(target_high_mg_per_l),
        duration_min=float(duration_min),
        search=search,
        times=_grid(float(duration_min), search, chosen),
        warnings=model.check_covariates(covariates) + model.notes,
    )
    if chosen is Route.IV:
        return _propose_iv(problem)
    return _propose_repeated(problem, chosen)
