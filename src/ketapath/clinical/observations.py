"""Records of what happens in and after a session: sedation, dissociation, doses given, answers.

Vital signs, laboratory results and the patient live in `ketapath.clinical.records`; the routes
and molecules of a dose in `ketapath.clinical.dosing.orders`. These records are frozen and checked
at construction, so a rule never sees an impossible value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from ketapath.clinical.dosing.orders import Drug, Route
from ketapath.clinical.dosing.quantities import validate_number
from ketapath.clinical.instruments import INSTRUMENTS, InstrumentScore
from ketapath.errors import InputError

__all__ = [
    "AdministeredDose",
    "CadssForm",
    "DissociationScore",
    "InstrumentResponse",
    "SedationScore",
]

_E = TypeVar("_E", bound=StrEnum)
MOAAS_RANGE = range(6)
RASS_RANGE = range(-5, 5)
_RATE_ROUTES = frozenset({Route.IV_INFUSION, Route.SUBCUTANEOUS})


def _check_int(field: str, value: object, allowed: range) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
        msg = f"`{field}` must be a whole number from {allowed.start} to {allowed.stop - 1} "
        raise InputError(msg + f"(got {value!r}).", field=field, value=value)


def _choice(field: str, value: object, choices: type[_E]) -> _E:
    try:
        return choices(str(value))
    except ValueError:
        allowed = ", ".join(member.value for member in choices)
        msg = f"`{field}` must be one of {allowed} (got {value!r})."
        raise InputError(msg, field=field, value=value) from None


def _check_text(field: str, value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        msg = f"`{field}` must be a non-empty text (got {value!r})."
        raise InputError(msg, field=field, value=value)


@dataclass(frozen=True, slots=True, kw_only=True)
class SedationScore:
    """A sedation assessment: MOAA/S, RASS or both (MON-9, MON-10).

    Parameters
    ----------
    time : datetime
        When it was assessed.
    moaas : int or None
        Modified Observer's Assessment of Alertness/Sedation, 0 (no response) to 5 (alert).
    rass : int or None
        Richmond Agitation-Sedation Scale, −5 (unarousable) to +4 (combative).

    Examples
    --------
    >>> SedationScore(time=datetime(2024, 5, 1, 9, 30), moaas=4).rass is None
    True
    """

    time: datetime
    moaas: int | None = None
    rass: int | None = None

    def __post_init__(self) -> None:
        if self.moaas is None and self.rass is None:
            raise InputError("`moaas` or `rass` must be given (got neither).", field="moaas")
        if self.moaas is not None:
            _check_int("moaas", self.moaas, MOAAS_RANGE)
        if self.rass is not None:
            _check_int("rass", self.rass, RASS_RANGE)


class CadssForm(StrEnum):
    """Which CADSS was given: the full 23 items (total 0–92) or CADSS-6 (total 0–24)."""

    FULL = "cadss"
    SHORT = "cadss6"

    @property
    def maximum(self) -> int:
        """The highest possible total."""
        return 92 if self is CadssForm.FULL else 24


@dataclass(frozen=True, slots=True, kw_only=True)
class DissociationScore:
    """A CADSS or CADSS-6 total taken during or after a session (MON-11).

    Parameters
    ----------
    time : datetime
        When it was assessed.
    total : int
        The total, 0 to 92 (full form) or 0 to 24 (CADSS-6), points.
    form : CadssForm
        Which form was given.

    Examples
    --------
    >>> DissociationScore(time=datetime(2024, 5, 1, 10), total=12, form=CadssForm.SHORT).total
    12
    """

    time: datetime
    total: int
    form: CadssForm = CadssForm.FULL

    def __post_init__(self) -> None:
        object.__setattr__(self, "form", _choice("form", self.form, CadssForm))
        _check_int("total", self.total, range(self.form.maximum + 1))


@dataclass(frozen=True, slots=True, kw_only=True)
class AdministeredDose:
    """A dose actually given: a single dose (``dose_mg``) or a rate segment (``rate_mg_per_h``).

    Parameters
    ----------
    time : datetime
        When the dose was given, or when the rate segment started.
    route : Route
        How it was given.
    session_id, course_id : str
        The session and the course it belongs to.
    drug : Drug
        Racemic ketamine or esketamine.
    dose_mg : float or None
        A single dose, mg (> 0).
    rate_mg_per_h : float or None
        The constant rate of a segment, mg/h (> 0); needs `end`.
    end : datetime or None
        When the rate segment stopped (after `time`).

    Examples
    --------
    >>> start = datetime(2024, 5, 1, 9, 0)
    >>> seg = AdministeredDose(time=start, route=Route.IV_INFUSION, session_id="s1",
    ...     course_id="c1", rate_mg_per_h=25, end=start + timedelta(hours=4))
    >>> seg.amount_mg, seg.end_time.hour
    (100.0, 13)
    """

    time: datetime
    route: Route
    session_id: str
    course_id: str
    drug: Drug = Drug.KETAMINE
    dose_mg: float | None = None
    rate_mg_per_h: float | None = None
    end: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "route", _choice("route", self.route, Route))
        object.__setattr__(self, "drug", _choice("drug", self.drug, Drug))
        _check_text("session_id", self.session_id)
        _check_text("course_id", self.course_id)
        if (self.dose_mg is None) == (self.rate_mg_per_h is None):
            msg = "Exactly one of `dose_mg` or `rate_mg_per_h` must be given (got "
            msg += "both)." if self.dose_mg is not None else "neither)."
            raise InputError(msg, field="dose_mg")
        if self.dose_mg is not None:
            object.__setattr__(
                self, "dose_mg", validate_number(self.dose_mg, field="dose_mg", unit="mg")
            )
            if self.end is not None:
                raise InputError("`end` applies to rate segments only (got a time).", field="end")
            return
        rate = validate_number(self.rate_mg_per_h, field="rate_mg_per_h", unit="mg/h")
        object.__setattr__(self, "rate_mg_per_h", rate)
        if self.route not in _RATE_ROUTES:
            msg = f"`rate_mg_per_h` needs route iv_infusion or subcutaneous (got {self.route})."
            raise InputError(msg, field="route", value=str(self.route))
        if self.end is None or self.end <= self.time:
            msg = f"`end` must be after `time` ({self.time.isoformat()}) (got {self.end!r})."
            raise InputError(msg, field="end", value=self.end)

    @property
    def end_time(self) -> datetime:
        """When the last of the dose was given: `end` for a segment, `time` otherwise."""
        return self.end if self.end is not None else self.time

    @property
    def amount_mg(self) -> float:
        """The amount given, mg (rate × duration for a segment)."""
        if self.rate_mg_per_h is None or self.end is None:
            return float(self.dose_mg or 0.0)  # a single dose: __post_init__ made dose_mg set
        return self.rate_mg_per_h * ((self.end - self.time) / timedelta(hours=1))


@dataclass(frozen=True, slots=True, kw_only=True)
class InstrumentResponse:
    """A completed questionnaire: which instrument, the raw answers, when.

    The answers are scored at construction, so a response with a wrong item count or an
    out-of-range answer cannot exist.

    Parameters
    ----------
    instrument : str
        Registry name from `ketapath.clinical.instruments.INSTRUMENTS` (``"nrs"``, ``"phq9"``...).
    answers : sequence of int or None
        One answer per item, in the questionnaire's order; ``None`` where an item may be skipped.
    time : datetime
        When it was completed.

    Examples
    --------
    >>> InstrumentResponse(instrument="nrs", answers=(4,), time=datetime(2024, 5, 1)).score().band
    'mild'
    """

    instrument: str
    answers: Sequence[int | None]
    time: datetime

    def __post_init__(self) -> None:
        if self.instrument not in INSTRUMENTS:
            allowed = ", ".join(INSTRUMENTS)
            msg = f"`instrument` must be one of {allowed} (got {self.instrument!r})."
            raise InputError(msg, field="instrument", value=self.instrument)
        object.__setattr__(self, "answers", tuple(self.answers))
        self.score()

    def score(self) -> InstrumentScore:
        """Score the answers with the instrument's scorer.

        Returns
        -------
        InstrumentScore
            Total, band, subscores and alerts.
        """
        return INSTRUMENTS[self.instrument].score(self.answers)
