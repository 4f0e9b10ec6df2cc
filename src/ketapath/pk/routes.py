"""How each route delivers ketamine: bioavailability, absorption, lag and the swallowed fraction.

A non-IV dose is split into two paths (the modelling advice of the reference notes):

* the route's own path: a fraction ``f_direct`` of the dose is absorbed without first pass,
  first-order with ``ka_per_min`` (after an optional zero-order input of ``input_min``), or straight
  into plasma when ``ka_per_min`` is None;
* the swallowed path: a fraction ``f_swallowed`` reaches the gut, is absorbed with
  ``ka_gut_per_min`` and meets first pass; ``f_oral`` of it reaches plasma and the rest is
  metabolised, forming norketamine (times the model's ``fm``) before it is ever seen as ketamine.

Overall bioavailability is ``f_direct + f_swallowed * f_oral``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

from ketapath.pk.regimen import Route

__all__ = [
    "PAEDIATRIC_ROUTES",
    "RACEMIC_ROUTES",
    "S_KETAMINE_ROUTES",
    "RouteProfile",
    "restrict",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class RouteProfile:
    """Absorption of one route.

    Parameters
    ----------
    route : Route
        The route.
    f_direct : float
        Fraction of the dose absorbed by the route's own path (no first pass), 0–1.
    ka_per_min : float or None
        First-order absorption rate of that path, 1/min; None: straight into plasma.
    input_min : float
        Zero-order input duration of the direct path, min (0: all at once).
    lag_min : float
        Absorption lag, min.
    f_swallowed : float
        Fraction of the dose swallowed (or reaching the portal system), 0–1.
    f_oral : float
        Fraction of the swallowed amount escaping first pass, 0–1.
    ka_gut_per_min : float or None
        Absorption rate of the swallowed path, 1/min.
    swallowed_input_min : float
        Zero-order input duration of the swallowed path, min.
    sources : str
        Where the numbers come from.
    note : str
        Choices made and caveats, shown with every simulation that uses the route.
    primary_data : bool
        False when no primary pharmacokinetic study supports the route.
    """

    route: Route
    f_direct: float
    ka_per_min: float | None = None
    input_min: float = 0.0
    lag_min: float = 0.0
    f_swallowed: float = 0.0
    f_oral: float = 0.0
    ka_gut_per_min: float | None = None
    swallowed_input_min: float = 0.0
    sources: str
    note: str = ""
    primary_data: bool = True

    def __post_init__(self) -> None:
        fractions = (self.f_direct, self.f_swallowed, self.f_oral)
        if not all(0.0 <= f <= 1.0 for f in fractions) or self.f_direct + self.f_swallowed > 1:
            msg = (
                f"route {self.route}: fractions must lie in 0–1 and sum to <= 1 (got {fractions})."
            )
            raise ValueError(msg)
        if self.f_swallowed > 0 and self.ka_gut_per_min is None:
            raise ValueError(f"route {self.route}: a swallowed fraction needs `ka_gut_per_min`.")

    @property
    def bioavailability(self) -> float:
        """Overall fraction of the dose that reaches plasma as ketamine."""
        return self.f_direct + self.f_swallowed * self.f_oral


_ORAL_F = 0.20  # racemic oral F: Yanagihara ≈0.20; Clements 0.17 [unverified]; Chong 0.23/0.24
_KA_GUT = 0.70 / 60  # Brunette 2011: absorption half-life 59 min ⇒ ka 0.70 /h

_RACEMIC = (
    RouteProfile(route=Route.IV, f_direct=1.0, sources="by definition"),
    RouteProfile(
        route=Route.IM,
        f_direct=0.93,
        ka_per_min=0.15,
        sources="F 0.93: Clements 1982 J Pharm Sci 71:539 (not retrieved; repeated in tertiary "
        "summaries); Tmax 5–15 min (tertiary)",
        note="F(IM) 0.93 is unverified; ka 0.15 /min was chosen to give Tmax ≈ 10–15 min.",
    ),
    RouteProfile(
        route=Route.INTRANASAL,
        f_direct=0.40,
        ka_per_min=0.05,
        f_swallowed=0.30,
        f_oral=_ORAL_F,
        ka_gut_per_min=_KA_GUT,
        sources="F ≈0.45 Yanagihara; 0.50 Malinovsky (part of the dose is swallowed); Tmax 14–23 "
        "min; NK/K AUC 3.95–4.54 after 30–50 mg (Pharmacotherapy 2022)",
        note="Split 0.40 nasal + 0.30 swallowed (F total 0.46) and ka 0.05 /min (Tmax 11–29 min "
        "across the adult models, published 14–23 min) are modelling choices; F falls at 30–50 mg "
        "doses (0.13–0.11) and that is not modelled.",
    ),
    RouteProfile(
        route=Route.SUBLINGUAL,
        f_direct=0.15,
        ka_per_min=0.02,
        f_swallowed=0.70,
        f_oral=_ORAL_F,
        ka_gut_per_min=_KA_GUT,
        sources="F 0.29 Rolan 2014 wafer (90% CI 0.27–0.31); Chong 2009 0.24; Tmax 0.75 h; "
        "NK/K AUC0–8h 2.1 (Chong 2009)",
        note="Split 0.15 mucosal + 0.70 swallowed (F total 0.29) and mucosal ka 0.02 /min (Tmax "
        "31–58 min across the adult models, published 0.25–1 h) are modelling choices.",
    ),
    RouteProfile(
        route=Route.ORAL,
        f_direct=0.0,
        f_swallowed=1.0,
        f_oral=_ORAL_F,
        ka_gut_per_min=_KA_GUT,
        sources="F ≈0.20 Yanagihara (0.17 Clements, 0.23–0.24 Chong); ka 0.70 /h Brunette 2011; "
        "NK/K AUC 5 (Chong 2009)",
    ),
    RouteProfile(
        route=Route.RECTAL,
        f_direct=0.15,
        ka_per_min=0.015,
        f_swallowed=0.50,
        f_oral=_ORAL_F,
        ka_gut_per_min=0.015,
        sources="F 0.25 Malinovsky (children 9 mg/kg, Tmax 42 min); ≈0.30 Yanagihara",
        note="Half the dose is assumed to drain to the portal system (NK appears faster and "
        "exceeds K, as observed); the split and ka 0.015 /min (Tmax ≈ 40 min with the adult "
        "models, Malinovsky 42 min) are modelling choices.",
    ),
    RouteProfile(
        route=Route.SUBCUTANEOUS,
        f_direct=0.90,
        ka_per_min=0.05,
        sources="no primary pharmacokinetic data; tertiary sources: high F, onset 15–30 min",
        note="Subcutaneous ketamine has NO primary PK data: F 0.90 and ka 0.05 /min are "
        "assumptions; treat this prediction as illustrative only.",
        primary_data=False,
    ),
)


def _table(profiles: tuple[RouteProfile, ...]) -> Mapping[Route, RouteProfile]:
    return MappingProxyType({p.route: p for p in profiles})


RACEMIC_ROUTES = _table(_RACEMIC)

PAEDIATRIC_ROUTES = _table(
    tuple(
        replace(
            p,
            f_direct=0.41,
            sources="F(IM) 0.41 in children: Hornik 2018",
            note="The paediatric IM ka was not retrieved; the adult value 0.15 /min is used.",
        )
        if p.route is Route.IM
        else p
        for p in _RACEMIC
    )
)

_S_KETAMINE_OVERRIDES = (
    RouteProfile(
        route=Route.INTRANASAL,
        f_direct=0.45,
        ka_per_min=0.07,
        f_swallowed=0.46,
        f_oral=0.186,
        ka_gut_per_min=1.45 / 60,
        swallowed_input_min=0.53 * 60,
        sources="Perez-Ruixo 2021: nasal ka 2.93 /h; swallowed part zero-order 0.53 h then "
        "1.45 /h, "
        "18.6% reaching plasma; absolute F 0.51–0.54",
        note="Nasal fraction 0.45 chosen so that overall F is 0.54 with the swallowed part. "
        "Perez-Ruixo's nasal ka 2.93 /h belongs with their own disposition and puts the peak at "
        "34 min with this one; ka 0.07 /min gives 25 min, between Huge 2010 (10–14 min) and "
        "the spray's reported 20–40 min (not retrieved).",
    ),
    RouteProfile(
        route=Route.SUBLINGUAL,
        f_direct=0.263,
        ka_per_min=0.04,
        input_min=13.1,
        f_swallowed=0.737,
        f_oral=0.0,
        ka_gut_per_min=0.049,
        swallowed_input_min=29.9,
        sources="Simons 2022 oral-mucosal film: F1 26.3%, zero-order 13.1 min then ka 0.04 /min; "
        "swallowed D2 29.9 min, KA2 0.049 /min",
        note="As in Simons's model the swallowed part goes straight to hepatic metabolism: it "
        "forms S-norketamine but no S-ketamine reaches plasma from it (overall F 0.263).",
    ),
    RouteProfile(
        route=Route.ORAL,
        f_direct=0.0,
        f_swallowed=1.0,
        f_oral=0.08,
        ka_gut_per_min=0.97 / 60,
        swallowed_input_min=0.32 * 60,
        sources="F 0.08 Fanta 2015; zero-order 0.32 h then ka 0.97 /h (Perez-Ruixo 2021)",
    ),
)

S_KETAMINE_ROUTES = _table(
    tuple(next((o for o in _S_KETAMINE_OVERRIDES if o.route is p.route), p) for p in _RACEMIC)
)


def restrict(
    table: Mapping[Route, RouteProfile], routes: set[Route]
) -> Mapping[Route, RouteProfile]:
    """The part of a route table a model's population supports."""
    return MappingProxyType({r: p for r, p in table.items() if r in routes})
