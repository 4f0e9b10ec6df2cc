"""The covariates a pharmacokinetic model reads."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ketapath.errors import InputError
from ketapath.pk.types import is_finite_number

__all__ = ["Covariates", "Sex"]

WEIGHT_RANGE_KG = (2.0, 350.0)
AGE_RANGE_YEARS = (0.0, 120.0)
HEIGHT_RANGE_CM = (30.0, 250.0)


class Sex(StrEnum):
    """Sex recorded for pharmacokinetic covariates."""

    FEMALE = "female"
    MALE = "male"


def _check_range(name: str, value: float, bounds: tuple[float, float], unit: str) -> None:
    low, high = bounds
    if not (is_finite_number(value) and low <= value <= high):
        msg = f"`{name}` must be between {low:g} and {high:g} {unit} (got {value!r})."
        raise InputError(msg, field=name, value=value)


@dataclass(frozen=True, slots=True, kw_only=True)
class Covariates:
    """One patient's covariates.

    Parameters
    ----------
    weight_kg : float
        Actual body weight, kg (2–350).
    age_years : float
        Age, years (0–120).
    sex : Sex
        Female or male.
    height_cm : float or None
        Height, cm (30–250), when known.

    Examples
    --------
    >>> Covariates(weight_kg=70, age_years=40, sex=Sex.MALE).weight_kg
    70
    """

    weight_kg: float
    age_years: float
    sex: Sex
    height_cm: float | None = None

    def __post_init__(self) -> None:
        _check_range("weight_kg", self.weight_kg, WEIGHT_RANGE_KG, "kg")
        _check_range("age_years", self.age_years, AGE_RANGE_YEARS, "years")
        if self.height_cm is not None:
            _check_range("height_cm", self.height_cm, HEIGHT_RANGE_CM, "cm")
        if not isinstance(self.sex, Sex):
            try:
                object.__setattr__(self, "sex", Sex(self.sex))
            except ValueError:
                msg = f"`sex` must be one of female, male (got {self.sex!r})."
                raise InputError(msg, field="sex", value=self.sex) from None
