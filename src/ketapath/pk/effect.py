"""Effect site: time to peak effect after a bolus, and ke0 from a time to peak.

The effect site follows dCe/dt = ke0 (Cp - Ce), so Ce peaks exactly when it meets Cp. For a
given ke0 the peak time is the root of Cp(t) - Ce(t) after an IV bolus; conversely the ke0 that
puts the peak at a stated time is the root of Cp(tpeak) - Ce(tpeak) in ke0, which is monotone
(brentq on [1e-4, 100] /min, as in the reference notes, §3.3).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy.optimize import brentq

from ketapath.errors import ComputationError, InputError
from ketapath.pk.models.base import Parameters, PKModel
from ketapath.pk.regimen import Bolus, Regimen, Route
from ketapath.pk.simulate import simulate_parameters

__all__ = ["calculate_ke0_for_tpeak", "calculate_tpeak_min"]

_UNIT_BOLUS = Regimen((Bolus(route=Route.IV, at_min=0.0, dose_mg=1.0),))
_KE0_BRACKET = (1e-4, 100.0)


def _gap(model: PKModel, params: Parameters, t_min: float) -> float:
    cp, ce, _ = simulate_parameters(model, params, _UNIT_BOLUS, np.array([t_min]))
    return float(cp[0, 0] - ce[0, 0])


def calculate_tpeak_min(model: PKModel, params: Parameters, *, horizon_min: float = 240.0) -> float:
    """Time of the effect-site peak after an instantaneous IV bolus, min.

    Parameters
    ----------
    model : PKModel
        The model.
    params : Parameters
        One patient's parameters (N = 1), including ``ke0_per_min``.
    horizon_min : float
        Search window, min.

    Returns
    -------
    float
        Time to peak effect, min.

    Examples
    --------
    >>> from ketapath.pk.models import get_model
    >>> from ketapath.pk.patient import Covariates
    >>> m = get_model("kamp2020")
    >>> p = m.typical(Covariates(weight_kg=70, age_years=40, sex="male"))
    >>> round(calculate_tpeak_min(m, p), 2)  # opentiva's ke0 was solved for 1 min
    1.0
    """
    grid = np.geomspace(1e-4, horizon_min, 400)
    cp, ce, _ = simulate_parameters(model, params, _UNIT_BOLUS, grid)
    gap = cp[0] - ce[0]
    crossing = np.flatnonzero((gap[:-1] > 0) & (gap[1:] <= 0))
    if crossing.size == 0:
        raise ComputationError(f"no effect-site peak within {horizon_min:g} min")
    i = int(crossing[0])
    return float(brentq(lambda t: _gap(model, params, t), grid[i], grid[i + 1], xtol=1e-10))


def calculate_ke0_for_tpeak(model: PKModel, params: Parameters, tpeak_min: float) -> float:
    """The ke0 (1/min) that puts the effect-site peak after an IV bolus at ``tpeak_min``.

    Re-solve per patient: with allometric models the peak time moves with weight.

    Examples
    --------
    >>> from ketapath.pk.models import get_model
    >>> from ketapath.pk.patient import Covariates
    >>> m = get_model("herd2007")
    >>> p = m.typical(Covariates(weight_kg=70, age_years=12, sex="male"))
    >>> round(calculate_ke0_for_tpeak(m, p, 1.0), 2)  # opentiva's 2.995 holds only near 20 kg
    3.4
    """
    if not tpeak_min > 0:
        raise InputError(f"`tpeak_min` must be > 0 (got {tpeak_min!r}).", field="tpeak_min")

    def residual(ke0: float) -> float:
        return _gap(model, replace(params, ke0_per_min=np.full(1, ke0)), tpeak_min)

    lo, hi = _KE0_BRACKET
    if residual(lo) * residual(hi) > 0:
        msg = f"`tpeak_min` {tpeak_min:g} min cannot be reached with ke0 in {lo:g}–{hi:g} /min."
        raise InputError(msg, field="tpeak_min", value=tpeak_min)
    return float(brentq(residual, lo, hi, xtol=1e-12, rtol=1e-12))
