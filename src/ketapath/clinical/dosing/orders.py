"""What a dose order is: route, amount (a single dose or a rate), duration, concentration.

`Route` here is the way a dose is *given* (an IV push and an IV infusion differ, and neuraxial is
named only so it can be refused); `ketapath.pk.regimen.Route` is the absorption path the PK engine
models, which does not tell a push from an infusion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from ketapath.clinical.dosing.quantities import validate_number
from ketapath.errors import InputError

__all__ = ["CareArea", "DoseHistory", "Drug", "Order", "Route"]

_E = TypeVar("_E", bound=StrEnum)


class Route(StrEnum):
    """How a dose is given."""

    IV_BOLUS = "iv_bolus"
    IV_INFUSION = "iv_infusion"
    IM = "im"
    INTRANASAL = "intranasal"
    SUBLINGUAL = "sublingual"
    ORAL = "oral"
    SUBCUTANEOUS = "subcutaneous"
    RECTAL = "rectal"
    NEURAXIAL = "neuraxial"


class CareArea(StrEnum):
    """Where the dose is given; each has its own profile in the drug library."""

    OUTPATIENT_INFUSION_CLINIC = "outpatient_infusion_clinic"
    WARD = "ward"
    MONITORED_PACU = "monitored_pacu"


class Drug(StrEnum):
    """The molecule ordered. The library's limits are those of racemic ketamine."""

    KETAMINE = "ketamine"
    ESKETAMINE = "esketamine"


_DOSE_ROUTES = frozenset(
    {Route.IV_BOLUS, Route.IM, Route.INTRANASAL, Route.SUBLINGUAL, Route.ORAL, Route.RECTAL}
)
_AMOUNT_FIELDS = ("dose_mg", "dose_mg_per_kg", "rate_mg_per_h", "rate_mg_per_kg_per_h")
_UNITS = {
    "dose_mg": "mg",
    "dose_mg_per_kg": "mg/kg",
    "rate_mg_per_h": "mg/h",
    "rate_mg_per_kg_per_h": "mg/kg/h",
    "push_duration_s": "s",
    "duration_h": "h",
    "interval_h": "h",
    "concentration_mg_per_ml": "mg/mL",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Order:
    """One ketamine order, exactly as asked: the guardrails never change it.

    Give exactly one amount: a single dose (``dose_mg`` or ``dose_mg_per_kg``) or a rate
    (``rate_mg_per_h`` or ``rate_mg_per_kg_per_h``, with ``duration_h``).

    Parameters
    ----------
    route : Route
        How it is given. ``iv_infusion`` takes a rate; ``iv_bolus``, ``im``, ``intranasal``,
        ``sublingual``, ``oral`` and ``rectal`` take a single dose; the others take either.
    dose_mg, dose_mg_per_kg : float, optional
        A single dose in mg, or in mg per kg of actual body weight (DC-8).
    rate_mg_per_h, rate_mg_per_kg_per_h : float, optional
        An infusion rate in mg/h, or in mg/kg/h.
    duration_h : float, optional
        How long the infusion runs, h (rate orders only, and then required).
    push_duration_s : float, optional
        How long an IV bolus is pushed over, s (required for, and only for, ``iv_bolus``).
    interval_h : float, optional
        Repeat the single dose every ``interval_h`` hours (oral q6h: 6); None gives it once.
    concentration_mg_per_ml : float, optional
        Concentration of the prepared solution, mg/mL (None for a wafer or tablet).
    drug : Drug
        Racemic ketamine (default) or esketamine.
    take_home : bool
        True when the dose is supplied for the patient to take outside the care area.
    protocol : str, optional
        Name of the protocol the order comes from; protocol limits apply only then.
    label : str
        A short human label, e.g. ``"loading bolus"``.
    """

    route: Route
    dose_mg: float | None = None
    dose_mg_per_kg: float | None = None
    rate_mg_per_h: float | None = None
    rate_mg_per_kg_per_h: float | None = None
    duration_h: float | None = None
    push_duration_s: float | None = None
    interval_h: float | None = None
    concentration_mg_per_ml: float | None = None
    drug: Drug = Drug.KETAMINE
    take_home: bool = False
    protocol: str | None = None
    label: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "route", _validate_choice(self.route, Route, "route"))
        object.__setattr__(self, "drug", _validate_choice(self.drug, Drug, "drug"))
        for name, unit in _UNITS.items():
            value = getattr(self, name)
            if value is not None:
                checked = validate_number(value, field=name, unit=unit)
                object.__setattr__(self, name, checked)
        _check_amount(self)
        _check_timing(self)

    @property
    def is_infusion(self) -> bool:
        """True for a rate order, False for a single dose."""
        return self.rate_mg_per_h is not None or self.rate_mg_per_kg_per_h is not None

    @property
    def doses_per_24_h(self) -> int:
        """How many times a single dose is given in 24 hours (1 when it is not repeated)."""
        if self.interval_h is None:
            return 1
        # A dose at 0 h and every interval_h after it, inside the window [0 h, 24 h).
        return max(1, math.ceil(24.0 / self.interval_h - 1e-9))


def _validate_choice(value: object, choices: type[_E], field: str) -> _E:
    for member in choices:
        if value == member.value:
            return member
    allowed = ", ".join(member.value for member in choices)
    msg = f"`{field}` must be one of {allowed} (got {value!r})."
    raise InputError(msg, field=field, value=value)


def _check_amount(order: Order) -> None:
    given = [name for name in _AMOUNT_FIELDS if getattr(order, name) is not None]
    if len(given) != 1:
        names = ", ".join(f"`{name}`" for name in _AMOUNT_FIELDS)
        msg = f"An order needs exactly one of {names} (got {len(given)}: {given})."
        raise InputError(msg, field="dose_mg", value=given)
    if order.route is Route.IV_INFUSION and not order.is_infusion:
        msg = f"`{given[0]}` is not allowed for route iv_infusion: give a rate (mg/h or mg/kg/h)."
        raise InputError(msg, field=given[0], value=getattr(order, given[0]))
    if order.route in _DOSE_ROUTES and order.is_infusion:
        msg = f"`{given[0]}` is not allowed for route {order.route}: give a single dose."
        raise InputError(msg, field=given[0], value=getattr(order, given[0]))


def _check_timing(order: Order) -> None:
    if order.is_infusion and order.duration_h is None:
        msg = "`duration_h` is required for an infusion (got None)."
        raise InputError(msg, field="duration_h", value=None)
    if not order.is_infusion and order.duration_h is not None:
        msg = f"`duration_h` applies to infusions only (got {order.duration_h})."
        raise InputError(msg, field="duration_h", value=order.duration_h)
    if order.is_infusion and order.interval_h is not None:
        msg = f"`interval_h` applies to repeated single doses only (got {order.interval_h})."
        raise InputError(msg, field="interval_h", value=order.interval_h)
    needs_push = order.route is Route.IV_BOLUS
    if needs_push != (order.push_duration_s is not None):
        rule = "is required for" if needs_push else "applies only to"
        msg = f"`push_duration_s` {rule} route iv_bolus (got {order.push_duration_s})."
        raise InputError(msg, field="push_duration_s", value=order.push_duration_s)


@dataclass(frozen=True, slots=True, kw_only=True)
class DoseHistory:
    """What the patient has already had, as the totals the guardrails need.

    The service layer sums these from the record of administered doses; the guardrails add the
    order being checked.

    Parameters
    ----------
    session_total_mg : float
        Ketamine already given in the current session, mg.
    daily_total_mg : float
        Ketamine already given in the last 24 hours, mg.
    course_total_mg : float
        Ketamine already given in the current course (earlier sessions and this one), mg.
    course_sessions : int
        Sessions of the current course completed before the current session.
    previous_courses : int
        Earlier courses completed before the current one.
    """

    session_total_mg: float = 0.0
    daily_total_mg: float = 0.0
    course_total_mg: float = 0.0
    course_sessions: int = 0
    previous_courses: int = 0

    def __post_init__(self) -> None:
        for name in ("session_total_mg", "daily_total_mg", "course_total_mg"):
            value = validate_number(getattr(self, name), field=name, unit="mg", allow_minimum=True)
            object.__setattr__(self, name, value)
        for name in ("course_sessions", "previous_courses"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                msg = f"`{name}` must be a whole number >= 0 (got {value!r})."
                raise InputError(msg, field=name, value=value)

    @property
    def is_first_session(self) -> bool:
        """True when the patient has never had a session (the DC-1 first outpatient trial)."""
        return self.course_sessions == 0 and self.previous_courses == 0
