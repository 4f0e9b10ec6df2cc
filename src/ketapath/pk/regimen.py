"""Doses and regimens: what was given, by which route, when.

Times are minutes from the start of the regimen; amounts are mg of ketamine base; rates are mg/min.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from enum import StrEnum

from ketapath.errors import RegimenError
from ketapath.pk.types import is_finite_number

__all__ = ["INFUSION_ROUTES", "Bolus", "Dose", "Infusion", "Regimen", "Route"]


class Route(StrEnum):
    """Routes of administration the engine can simulate."""

    IV = "iv"
    IM = "im"
    INTRANASAL = "intranasal"
    SUBLINGUAL = "sublingual"  # sublingual or buccal: one mucosal route
    ORAL = "oral"
    RECTAL = "rectal"
    SUBCUTANEOUS = "subcutaneous"


INFUSION_ROUTES = frozenset({Route.IV, Route.SUBCUTANEOUS})


def _positive(name: str, value: float) -> None:
    if not (is_finite_number(value) and value > 0):
        raise RegimenError(f"`{name}` must be > 0 (got {value!r}).", field=name, value=value)


def _non_negative(name: str, value: float) -> None:
    if not (is_finite_number(value) and value >= 0):
        raise RegimenError(f"`{name}` must be >= 0 (got {value!r}).", field=name, value=value)


def _route(value: Route | str) -> Route:
    try:
        return Route(value)
    except ValueError:
        allowed = ", ".join(r.value for r in Route)
        msg = f"`route` must be one of {allowed} (got {value!r})."
        raise RegimenError(msg, field="route", value=value) from None


@dataclass(frozen=True, slots=True, kw_only=True)
class Bolus:
    """A single dose at one time.

    Parameters
    ----------
    route : Route
        Route of administration.
    at_min : float
        Time of the dose, min (>= 0).
    dose_mg : float
        Amount given, mg of ketamine base (> 0).
    duration_min : float
        For IV only: the push lasts this long (the label asks for >= 1 min); 0 is instantaneous.
    """

    route: Route
    at_min: float
    dose_mg: float
    duration_min: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "route", _route(self.route))
        _non_negative("at_min", self.at_min)
        _positive("dose_mg", self.dose_mg)
        _non_negative("duration_min", self.duration_min)
        if self.duration_min > 0 and self.route is not Route.IV:
            msg = (
                f"`duration_min` applies to IV pushes only "
                f"(got {self.duration_min!r} for route {self.route})."
            )
            raise RegimenError(msg, field="duration_min", value=self.duration_min)

    @property
    def end_min(self) -> float:
        """When the last of the dose has been given, min."""
        return self.at_min + self.duration_min


@dataclass(frozen=True, slots=True, kw_only=True)
class Infusion:
    """A constant-rate infusion; a rate schedule is a sequence of these.

    Parameters
    ----------
    route : Route
        IV or subcutaneous.
    start_min, end_min : float
        Start and end, min (end > start >= 0).
    rate_mg_per_min : float
        Rate, mg/min (> 0).
    """

    route: Route
    start_min: float
    end_min: float
    rate_mg_per_min: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "route", _route(self.route))
        if self.route not in INFUSION_ROUTES:
            allowed = ", ".join(sorted(r.value for r in INFUSION_ROUTES))
            msg = f"`route` of an infusion must be one of {allowed} (got {self.route.value!r})."
            raise RegimenError(msg, field="route", value=self.route.value)
        _non_negative("start_min", self.start_min)
        _positive("rate_mg_per_min", self.rate_mg_per_min)
        if not (math.isfinite(self.end_min) and self.end_min > self.start_min):
            msg = (
                f"`end_min` must be after `start_min` ({self.start_min!r}) (got {self.end_min!r})."
            )
            raise RegimenError(msg, field="end_min", value=self.end_min)

    @property
    def amount_mg(self) -> float:
        """Total amount infused, mg."""
        return self.rate_mg_per_min * (self.end_min - self.start_min)


Dose = Bolus | Infusion


@dataclass(frozen=True, slots=True)
class Regimen:
    """An ordered, validated collection of doses.

    Infusions by the same route may follow each other (a piecewise-constant rate schedule) but
    must not overlap.

    Examples
    --------
    >>> r = Regimen((Infusion(route=Route.IV, start_min=0, end_min=240, rate_mg_per_min=0.5),))
    >>> r.total_mg
    120.0
    """

    doses: tuple[Dose, ...]

    def __post_init__(self) -> None:
        if not self.doses:
            raise RegimenError("`doses` must hold at least one dose (got none).", field="doses")
        infusions = sorted(
            ((i, d) for i, d in enumerate(self.doses) if isinstance(d, Infusion)),
            key=lambda item: (item[1].route, item[1].start_min),
        )
        for (_, a), (j, b) in itertools.pairwise(infusions):
            if a.route == b.route and b.start_min < a.end_min - 1e-9:
                msg = (
                    f"`doses[{j}].start_min` overlaps another {b.route.value} infusion: it starts "
                    f"at {b.start_min:g} min, before the previous one ends at {a.end_min:g} min."
                )
                raise RegimenError(msg, field=f"doses[{j}].start_min", value=b.start_min)

    @property
    def routes(self) -> frozenset[Route]:
        """The routes used."""
        return frozenset(d.route for d in self.doses)

    @property
    def total_mg(self) -> float:
        """Total amount given, mg."""
        return float(sum(d.dose_mg if isinstance(d, Bolus) else d.amount_mg for d in self.doses))

    @property
    def last_event_min(self) -> float:
        """Time of the last dose event, min."""
        return max(d.end_min for d in self.doses)
