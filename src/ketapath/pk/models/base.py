"""What a published pharmacokinetic model is, and how it becomes one patient's parameters.

Every model is a mammillary ketamine disposition (2 or 3 compartments) standardised to 70 kg with
weight exponents, an effect site (``ke0``), a norketamine disposition fed by a fraction ``fm`` of
ketamine clearance, a route table and, where known, log-normal inter-individual variability.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ketapath.pk.patient import Covariates
from ketapath.pk.regimen import Route
from ketapath.pk.routes import RouteProfile
from ketapath.pk.types import FloatArray

__all__ = [
    "Disposition",
    "Metabolite",
    "PKModel",
    "Parameters",
    "Variability",
    "from_rate_constants",
]

REFERENCE_WEIGHT_KG = 70.0
NORKETAMINE_PER_KETAMINE_MASS = 223.7 / 237.7  # molar masses; NK formed as parent-equivalent mg


@dataclass(frozen=True, slots=True, kw_only=True)
class Disposition:
    """A mammillary disposition at the reference weight of 70 kg.

    Parameters
    ----------
    v_l : tuple of float
        Central then peripheral volumes, L.
    cl_l_per_min : float
        Elimination clearance, L/min.
    q_l_per_min : tuple of float
        Inter-compartmental clearances, L/min, one per peripheral compartment.
    v_exponent, cl_exponent : float
        Weight exponents: ``V = V70 * (WT/70)**v_exponent``, likewise CL and Q.
    scale_peripherals : bool
        False when the source scaled only the central volume and the elimination clearance.
    """

    v_l: tuple[float, ...]
    cl_l_per_min: float
    q_l_per_min: tuple[float, ...]
    v_exponent: float = 1.0
    cl_exponent: float = 0.75
    scale_peripherals: bool = True

    def __post_init__(self) -> None:
        if len(self.q_l_per_min) != len(self.v_l) - 1 or not 2 <= len(self.v_l) <= 3:
            raise ValueError("a disposition has 2 or 3 volumes and one Q per peripheral volume")

    @property
    def n_compartments(self) -> int:
        """Number of compartments."""
        return len(self.v_l)


def from_rate_constants(
    v1_l_per_kg: float, k10: float, k12: float, k21: float, k13: float = 0.0, k31: float = 0.0
) -> Disposition:
    """Convert a per-kg central volume and micro-constants (1/min) into a 70-kg `Disposition`.

    The source models scale every volume and clearance linearly with weight.

    Examples
    --------
    >>> d = from_rate_constants(0.063, 0.4381, 0.5921, 0.2470, 0.5900, 0.0146)
    >>> round(d.cl_l_per_min, 3)
    1.932
    """
    v1 = v1_l_per_kg * REFERENCE_WEIGHT_KG
    v = [v1, v1 * k12 / k21]
    q = [v1 * k12]
    if k13 > 0:
        v.append(v1 * k13 / k31)
        q.append(v1 * k13)
    return Disposition(
        v_l=tuple(v), cl_l_per_min=v1 * k10, q_l_per_min=tuple(q), v_exponent=1.0, cl_exponent=1.0
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Metabolite:
    """Norketamine: a disposition fed by ``fm`` times ketamine's elimination."""

    disposition: Disposition
    fm: float
    source: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Variability:
    """Log-normal inter-individual variability: ``P_i = P * exp(eta_i)``, ``eta ~ N(0, omega)``.

    ``names`` are parameter names among ``cl, v1, v2, v3, q2, q3, nk_cl, nk_v1``.
    """

    names: tuple[str, ...]
    omega: tuple[tuple[float, ...], ...]
    source: str

    def cholesky(self) -> FloatArray:
        """Lower Cholesky factor of omega."""
        return np.linalg.cholesky(np.asarray(self.omega, dtype=np.float64))


def diagonal_from_cv(cv: Mapping[str, float], source: str) -> Variability:
    """Build uncorrelated variability from coefficients of variation (omega² = ln(1 + CV²))."""
    names = tuple(cv)
    omega = np.diag([np.log1p(c * c) for c in cv.values()])
    return Variability(names=names, omega=tuple(map(tuple, omega.tolist())), source=source)


@dataclass(frozen=True, slots=True)
class Parameters:
    """Per-patient parameters, arrays over N patients (canonical units: L, L/min, 1/min)."""

    v_l: FloatArray  # (N, ncmt)
    cl_l_per_min: FloatArray  # (N,)
    q_l_per_min: FloatArray  # (N, ncmt - 1)
    ke0_per_min: FloatArray  # (N,)
    nk_v_l: FloatArray  # (N, nk_ncmt)
    nk_cl_l_per_min: FloatArray  # (N,)
    nk_q_l_per_min: FloatArray  # (N, nk_ncmt - 1)
    fm: float

    @property
    def n(self) -> int:
        """Number of patients."""
        return int(self.cl_l_per_min.shape[0])


@dataclass(frozen=True, slots=True, kw_only=True)
class PKModel:
    """A published ketamine pharmacokinetic model.

    The citation, the population it was built on and its covariate ranges travel with it; the
    ``notes`` say which doubtful published values were chosen and why.
    """

    key: str
    name: str
    citation: str
    population: str
    drug: str
    disposition: Disposition
    ke0_per_min: float
    ke0_source: str
    metabolite: Metabolite
    routes: Mapping[Route, RouteProfile]
    weight_range_kg: tuple[float, float]
    age_range_years: tuple[float, float]
    variability: Variability
    notes: tuple[str, ...] = field(default=())

    def check_covariates(self, covariates: Covariates) -> tuple[str, ...]:
        """Warnings when the patient lies outside the population the model was built on."""
        warnings = []
        lo, hi = self.weight_range_kg
        if not lo <= covariates.weight_kg <= hi:
            warnings.append(
                f"{self.name}: weight {covariates.weight_kg:g} kg is outside the model's "
                f"population ({lo:g}–{hi:g} kg); the prediction is an extrapolation."
            )
        lo, hi = self.age_range_years
        if not lo <= covariates.age_years <= hi:
            warnings.append(
                f"{self.name}: age {covariates.age_years:g} years is outside the model's "
                f"population ({lo:g}–{hi:g} years); the prediction is an extrapolation."
            )
        return tuple(warnings)

    def typical(self, covariates: Covariates) -> Parameters:
        """The typical-value parameters for one patient (N = 1)."""
        return self.individual(covariates, np.zeros((1, len(self.variability.names))))

    def individual(self, covariates: Covariates, eta: FloatArray) -> Parameters:
        """Parameters for N patients sharing covariates, with random effects ``eta`` (N, k)."""
        eta = np.atleast_2d(np.asarray(eta, dtype=np.float64))
        factor = {name: np.exp(eta[:, i]) for i, name in enumerate(self.variability.names)}
        n = eta.shape[0]
        ones = np.ones(n)

        def scaled(name: str, value: float) -> FloatArray:
            return value * factor.get(name, ones)

        w = covariates.weight_kg / REFERENCE_WEIGHT_KG
        d, m = self.disposition, self.metabolite.disposition
        wp = w if d.scale_peripherals else 1.0
        v = np.stack(
            [
                scaled(f"v{i + 1}", x * (w if i == 0 else wp) ** d.v_exponent)
                for i, x in enumerate(d.v_l)
            ],
            axis=1,
        )
        q = np.stack(
            [scaled(f"q{i + 2}", x * wp**d.cl_exponent) for i, x in enumerate(d.q_l_per_min)],
            axis=1,
        )
        mp = w if m.scale_peripherals else 1.0
        nk_v = np.stack(
            [
                scaled(f"nk_v{i + 1}", x * (w if i == 0 else mp) ** m.v_exponent)
                for i, x in enumerate(m.v_l)
            ],
            axis=1,
        )
        nk_q = np.stack([x * mp**m.cl_exponent * ones for x in m.q_l_per_min], axis=1)
        return Parameters(
            v_l=v,
            cl_l_per_min=scaled("cl", d.cl_l_per_min * w**d.cl_exponent),
            q_l_per_min=q,
            ke0_per_min=self.ke0_per_min * ones,
            nk_v_l=nk_v,
            nk_cl_l_per_min=scaled("nk_cl", m.cl_l_per_min * w**m.cl_exponent),
            nk_q_l_per_min=nk_q,
            fm=self.metabolite.fm,
        )
