"""The linear state-space form of a model and a regimen: dx/dt = K x + r(t), with jumps.

States are amounts (mg) in depots, the central and peripheral compartments and the norketamine
compartments (parent-equivalent mg), plus the effect-site concentration (mg/L), which has no
volume and removes no drug. The input r(t) is piecewise constant between breakpoints; boluses are
jumps at breakpoints.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ketapath.errors import InputError
from ketapath.pk.models.base import Parameters
from ketapath.pk.regimen import Bolus, Infusion, Regimen, Route
from ketapath.pk.routes import RouteProfile
from ketapath.pk.types import FloatArray

__all__ = ["Layout", "Schedule", "build_layout", "build_matrix", "build_schedule"]

_DIRECT, _GUT = "direct", "gut"
_TIME_DECIMALS = 9  # event times closer than 1e-9 min are the same instant


@dataclass(frozen=True, slots=True)
class Layout:
    """Where each quantity lives in the state vector."""

    n: int
    central: int
    peripherals: tuple[int, ...]
    effect: int
    norketamine: tuple[int, ...]
    depots: Mapping[tuple[Route, str], int]


@dataclass(frozen=True, slots=True)
class Schedule:
    """Inputs as breakpoints.

    ``jumps[i]`` happen at ``times[i]``; ``rates[i]`` (mg/min per state) hold on
    ``[times[i], times[i + 1])``, and the last one for ever after.
    """

    times: FloatArray
    jumps: FloatArray
    rates: FloatArray


def _profile(profiles: Mapping[Route, RouteProfile], route: Route) -> RouteProfile:
    try:
        return profiles[route]
    except KeyError:
        allowed = ", ".join(r.value for r in profiles)
        msg = f"`route` {route.value!r} is not available for this model (allowed: {allowed})."
        raise InputError(msg, field="route", value=route.value) from None


def build_layout(
    profiles: Mapping[Route, RouteProfile], routes: frozenset[Route], *, n_compartments: int
) -> Layout:
    """Lay out the state vector for the routes a regimen uses."""
    depots: dict[tuple[Route, str], int] = {}
    for route in sorted(routes):
        p = _profile(profiles, route)
        if p.f_direct > 0 and p.ka_per_min is not None:
            depots[(route, _DIRECT)] = len(depots)
        if p.f_swallowed > 0:
            depots[(route, _GUT)] = len(depots)
    central = len(depots)
    peripherals = tuple(range(central + 1, central + n_compartments))
    effect = central + n_compartments
    norketamine = (effect + 1, effect + 2)
    return Layout(effect + 3, central, peripherals, effect, norketamine, depots)


def _mammillary(
    K: FloatArray, idx: tuple[int, ...], v: FloatArray, cl: FloatArray, q: FloatArray
) -> None:
    c = idx[0]
    K[:, c, c] -= cl / v[:, 0]
    for j, p in enumerate(idx[1:]):
        K[:, c, c] -= q[:, j] / v[:, 0]
        K[:, p, c] += q[:, j] / v[:, 0]
        K[:, c, p] += q[:, j] / v[:, j + 1]
        K[:, p, p] -= q[:, j] / v[:, j + 1]


def build_matrix(
    params: Parameters, layout: Layout, profiles: Mapping[Route, RouteProfile]
) -> FloatArray:
    """The system matrix K, shape (N, n, n), units 1/min (effect-site row: 1/L/min from amounts)."""
    n, c, e = layout.n, layout.central, layout.effect
    K = np.zeros((params.n, n, n))
    _mammillary(K, (c, *layout.peripherals), params.v_l, params.cl_l_per_min, params.q_l_per_min)
    nk = layout.norketamine
    _mammillary(K, nk, params.nk_v_l, params.nk_cl_l_per_min, params.nk_q_l_per_min)
    K[:, nk[0], c] += params.fm * params.cl_l_per_min / params.v_l[:, 0]
    K[:, e, c] = params.ke0_per_min / params.v_l[:, 0]
    K[:, e, e] = -params.ke0_per_min
    for (route, path), d in layout.depots.items():
        p = profiles[route]
        if path == _DIRECT:
            ka = float(p.ka_per_min)  # type: ignore[arg-type]  # direct depots exist only with ka
            K[:, d, d] = -ka
            K[:, c, d] = ka
        else:
            ka = float(p.ka_gut_per_min)  # type: ignore[arg-type]  # checked by RouteProfile
            K[:, d, d] = -ka
            K[:, c, d] = ka * p.f_oral
            K[:, nk[0], d] = ka * (1.0 - p.f_oral) * params.fm
    return K


def _inputs(
    dose: Bolus | Infusion, layout: Layout, profiles: Mapping[Route, RouteProfile]
) -> list[tuple[int, float, float, float]]:
    """Inputs of one dose as (state, start_min, end_min, amount_mg); start == end is a jump."""
    if isinstance(dose, Infusion):
        start, end, amount = dose.start_min, dose.end_min, dose.amount_mg
    else:
        start, end, amount = dose.at_min, dose.end_min, dose.dose_mg
    p = _profile(profiles, dose.route)
    if dose.route is Route.IV:
        return [(layout.central, start, end, amount)]
    out = []
    lag = p.lag_min
    if p.f_direct > 0:
        state = layout.depots.get((dose.route, _DIRECT), layout.central)
        out.append((state, start + lag, end + lag + p.input_min, amount * p.f_direct))
    if p.f_swallowed > 0:
        state = layout.depots[(dose.route, _GUT)]
        out.append((state, start + lag, end + lag + p.swallowed_input_min, amount * p.f_swallowed))
    return out


def build_schedule(
    regimen: Regimen, layout: Layout, profiles: Mapping[Route, RouteProfile]
) -> Schedule:
    """Turn a regimen into breakpoints, jumps and piecewise-constant rates."""
    inputs = [i for dose in regimen.doses for i in _inputs(dose, layout, profiles)]
    edges = [0.0] + [t for _, start, end, _ in inputs for t in (start, end)]
    times = np.unique(np.round(np.asarray(edges), _TIME_DECIMALS))
    jumps = np.zeros((times.size, layout.n))
    rates = np.zeros((times.size, layout.n))
    for state, start, end, amount in inputs:
        i0 = int(np.searchsorted(times, round(start, _TIME_DECIMALS)))
        i1 = int(np.searchsorted(times, round(end, _TIME_DECIMALS)))
        if i1 == i0:
            jumps[i0, state] += amount
        else:
            rates[i0:i1, state] += amount / (end - start)
    return Schedule(times, jumps, rates)
