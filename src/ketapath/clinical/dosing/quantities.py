"""The quantities a dose limit can bound, with their units, and number validation for orders.

Every limit in the drug library bounds one `Quantity`; the member's value is the field name used
in the data file and in `Finding.values`, and so always carries its unit.
"""

from __future__ import annotations

import math
from enum import StrEnum

from ketapath.errors import InputError

__all__ = ["Quantity", "validate_number"]


class Quantity(StrEnum):
    """A measured quantity of an order, named with its unit.

    Single doses (``dose_*``), infusion rates (``rate_*``), how long a push or an infusion lasts,
    and totals over a session, a day or a course (an order's own amount plus the history).
    """

    DOSE_MG = "dose_mg"
    DOSE_MG_PER_KG = "dose_mg_per_kg"
    PUSH_DURATION_S = "push_duration_s"
    RATE_MG_PER_H = "rate_mg_per_h"
    RATE_MG_PER_KG_PER_H = "rate_mg_per_kg_per_h"
    DURATION_H = "duration_h"
    SESSION_TOTAL_MG = "session_total_mg"
    SESSION_TOTAL_MG_PER_KG = "session_total_mg_per_kg"
    DAILY_TOTAL_MG = "daily_total_mg"
    COURSE_TOTAL_MG = "course_total_mg"
    COURSE_SESSIONS = "course_sessions"

    @property
    def unit(self) -> str:
        """The unit people read, e.g. ``"mg/kg/h"``."""
        return _UNITS[self]

    @property
    def label(self) -> str:
        """A short human name, e.g. ``"infusion rate"``."""
        return _LABELS[self]


_UNITS = {
    Quantity.DOSE_MG: "mg",
    Quantity.DOSE_MG_PER_KG: "mg/kg",
    Quantity.PUSH_DURATION_S: "s",
    Quantity.RATE_MG_PER_H: "mg/h",
    Quantity.RATE_MG_PER_KG_PER_H: "mg/kg/h",
    Quantity.DURATION_H: "h",
    Quantity.SESSION_TOTAL_MG: "mg",
    Quantity.SESSION_TOTAL_MG_PER_KG: "mg/kg",
    Quantity.DAILY_TOTAL_MG: "mg",
    Quantity.COURSE_TOTAL_MG: "mg",
    Quantity.COURSE_SESSIONS: "sessions",
}

_LABELS = {
    Quantity.DOSE_MG: "single dose",
    Quantity.DOSE_MG_PER_KG: "single dose",
    Quantity.PUSH_DURATION_S: "push duration",
    Quantity.RATE_MG_PER_H: "infusion rate",
    Quantity.RATE_MG_PER_KG_PER_H: "infusion rate",
    Quantity.DURATION_H: "infusion duration",
    Quantity.SESSION_TOTAL_MG: "session total",
    Quantity.SESSION_TOTAL_MG_PER_KG: "session total",
    Quantity.DAILY_TOTAL_MG: "24-hour total",
    Quantity.COURSE_TOTAL_MG: "course total",
    Quantity.COURSE_SESSIONS: "sessions in the course",
}


def validate_number(
    value: object,
    *,
    field: str,
    unit: str,
    minimum: float = 0.0,
    maximum: float = math.inf,
    allow_minimum: bool = False,
) -> float:
    """Return ``value`` as a float, or raise `InputError` naming ``field``.

    The value must be a finite real number above ``minimum`` (or equal to it when
    ``allow_minimum``) and at most ``maximum``. Booleans are refused: ``True`` is not a dose.

    Examples
    --------
    >>> validate_number(2, field="duration_h", unit="h")
    2.0
    >>> validate_number(0, field="dose_mg", unit="mg")
    Traceback (most recent call last):
    ...
    ketapath.errors.InputError: `dose_mg` must be > 0 mg (got 0).
    """
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        msg = f"`{field}` must be a finite number in {unit} (got {value!r})."
        raise InputError(msg, field=field, value=value)
    low_ok = value >= minimum if allow_minimum else value > minimum
    if not low_ok or value > maximum:
        low = f">= {minimum:g}" if allow_minimum else f"> {minimum:g}"
        bound = low if maximum == math.inf else f"{low} and <= {maximum:g}"
        msg = f"`{field}` must be {bound} {unit} (got {value!r})."
        raise InputError(msg, field=field, value=value)
    return float(value)
