"""The façade: a model, a patient and a regimen in; predicted concentrations out."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ketapath.pk.models.base import NORKETAMINE_PER_KETAMINE_MASS, Parameters, PKModel
from ketapath.pk.patient import Covariates
from ketapath.pk.regimen import Regimen
from ketapath.pk.solver.exact import propagate
from ketapath.pk.solver.system import Layout, build_layout, build_matrix, build_schedule
from ketapath.pk.types import FloatArray

__all__ = ["Profile", "concentrations", "route_notes", "simulate", "simulate_parameters"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Profile:
    """Predicted concentrations over time for one patient (mg/L; × 1000 for ng/mL).

    ``warnings`` say where the prediction is an extrapolation or rests on assumptions.
    """

    model_key: str
    times_min: FloatArray
    ketamine_mg_per_l: FloatArray
    effect_site_mg_per_l: FloatArray
    norketamine_mg_per_l: FloatArray
    warnings: tuple[str, ...]


def concentrations(
    states: FloatArray, params: Parameters, layout: Layout
) -> tuple[FloatArray, ...]:
    """Plasma ketamine, effect-site and plasma norketamine (mg/L) from states (N, T, n)."""
    cp = states[..., layout.central] / params.v_l[:, :1]
    ce = states[..., layout.effect]
    nk = states[..., layout.norketamine[0]] / params.nk_v_l[:, :1] * NORKETAMINE_PER_KETAMINE_MASS
    return cp, ce, nk


def simulate_parameters(
    model: PKModel, params: Parameters, regimen: Regimen, times_min: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Concentrations (mg/L), each (N, T), for N parameter sets sharing one regimen."""
    layout = build_layout(
        model.routes, regimen.routes, n_compartments=model.disposition.n_compartments
    )
    K = build_matrix(params, layout, model.routes)
    schedule = build_schedule(regimen, layout, model.routes)
    cp, ce, nk = concentrations(propagate(K, schedule, times_min), params, layout)
    return cp, ce, nk


def route_notes(model: PKModel, regimen: Regimen) -> tuple[str, ...]:
    """The caveats of the routes a regimen uses (e.g. no primary data for subcutaneous)."""
    return tuple(
        f"{route.value}: {model.routes[route].note}"
        for route in sorted(regimen.routes)
        if route in model.routes and model.routes[route].note
    )


def simulate(
    model: PKModel,
    covariates: Covariates,
    regimen: Regimen,
    times_min: FloatArray,
    *,
    ke0_per_min: float | None = None,
) -> Profile:
    """Predict ketamine, effect-site and norketamine concentrations for one patient.

    Parameters
    ----------
    model : PKModel
        A published model (see `ketapath.pk.models.MODELS`).
    covariates : Covariates
        The patient.
    regimen : Regimen
        Doses, in mg and minutes.
    times_min : array_like
        Output times, min, sorted.
    ke0_per_min : float, optional
        Effect-site rate constant, 1/min; defaults to the model's.

    Returns
    -------
    Profile
        Concentrations in mg/L at ``times_min``.

    Notes
    -----
    Exact solution of dx/dt = K x + r(t) by matrix exponentials (see `ketapath.pk.solver.exact`).

    Examples
    --------
    >>> from ketapath.pk.models import get_model
    >>> from ketapath.pk.regimen import Infusion, Route
    >>> reg = Regimen((Infusion(route=Route.IV, start_min=0, end_min=6000, rate_mg_per_min=1.0),))
    >>> p = simulate(get_model("domino"), Covariates(weight_kg=70, age_years=40, sex="male"),
    ...              reg, np.array([6000.0]))
    >>> round(float(p.ketamine_mg_per_l[0]) * 1.932, 2)  # at steady state Css = R / CL
    1.0
    """
    times = np.asarray(times_min, dtype=np.float64)
    params = model.typical(covariates)
    if ke0_per_min is not None:
        params = replace(params, ke0_per_min=np.full(1, ke0_per_min))
    cp, ce, nk = simulate_parameters(model, params, regimen, times)
    warnings = model.check_covariates(covariates) + model.notes + route_notes(model, regimen)
    return Profile(
        model_key=model.key,
        times_min=times,
        ketamine_mg_per_l=cp[0],
        effect_site_mg_per_l=ce[0],
        norketamine_mg_per_l=nk[0],
        warnings=warnings,
    )
