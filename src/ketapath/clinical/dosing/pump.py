"""Pump arithmetic: dose rates to pump rates and back, totals and volumes.

Pure conversions with the unit in every name. Each checks its inputs and raises `InputError`
naming the field, so a pump rate is never computed from a zero weight or a negative
concentration. Body weight is checked against the range `Patient` accepts (2–350 kg).
"""

from __future__ import annotations

from ketapath.clinical.dosing.quantities import validate_number
from ketapath.clinical.records import WEIGHT_KG_RANGE

__all__ = [
    "calculate_total_dose_mg",
    "calculate_volume_ml",
    "mcg_per_kg_per_min_to_mg_per_kg_per_h",
    "mg_per_kg_per_h_to_mcg_per_kg_per_min",
    "to_pump_rate_ml_per_h",
    "to_rate_mg_per_h",
    "to_rate_mg_per_kg_per_h",
]

_MIN_PER_H = 60.0
_MCG_PER_MG = 1000.0


def _weight(weight_kg: float) -> float:
    low, high = WEIGHT_KG_RANGE
    return validate_number(
        weight_kg, field="weight_kg", unit="kg", minimum=low, maximum=high, allow_minimum=True
    )


def _rate(value: float, field: str, unit: str) -> float:
    return validate_number(value, field=field, unit=unit, allow_minimum=True)


def to_rate_mg_per_h(rate_mg_per_kg_per_h: float, weight_kg: float) -> float:
    """Convert a weight-based rate to an absolute rate.

    Parameters
    ----------
    rate_mg_per_kg_per_h : float
        Dose rate, mg/kg/h (>= 0).
    weight_kg : float
        Actual body weight, kg (2–350; DC-8).

    Returns
    -------
    float
        Dose rate, mg/h: ``rate_mg_per_kg_per_h * weight_kg``.

    Examples
    --------
    >>> to_rate_mg_per_h(0.35, 70)
    24.5
    """
    rate = _rate(rate_mg_per_kg_per_h, "rate_mg_per_kg_per_h", "mg/kg/h")
    return rate * _weight(weight_kg)


def to_pump_rate_ml_per_h(
    rate_mg_per_kg_per_h: float, weight_kg: float, concentration_mg_per_ml: float
) -> float:
    """Convert a weight-based dose rate into the rate to program on the pump.

    Parameters
    ----------
    rate_mg_per_kg_per_h : float
        Dose rate, mg/kg/h (>= 0).
    weight_kg : float
        Actual body weight, kg (2–350).
    concentration_mg_per_ml : float
        Concentration of the bag or syringe, mg/mL (> 0).

    Returns
    -------
    float
        Pump rate, mL/h.

    Notes
    -----
    ``pump_rate_ml_per_h = rate_mg_per_kg_per_h * weight_kg / concentration_mg_per_ml``.

    Examples
    --------
    The outpatient CRPS rate for 70 kg from a 1 mg/mL bag:

    >>> round(to_pump_rate_ml_per_h(0.35, 70, 1.0), 6)
    24.5
    """
    rate_mg_per_h = to_rate_mg_per_h(rate_mg_per_kg_per_h, weight_kg)
    return rate_mg_per_h / _concentration(concentration_mg_per_ml)


def to_rate_mg_per_kg_per_h(
    pump_rate_ml_per_h: float, weight_kg: float, concentration_mg_per_ml: float
) -> float:
    """Convert a pump rate back into the weight-based dose rate it delivers.

    Parameters
    ----------
    pump_rate_ml_per_h : float
        Pump rate, mL/h (>= 0).
    weight_kg : float
        Actual body weight, kg (2–350).
    concentration_mg_per_ml : float
        Concentration of the bag or syringe, mg/mL (> 0).

    Returns
    -------
    float
        Dose rate, mg/kg/h: ``pump_rate_ml_per_h * concentration_mg_per_ml / weight_kg``.

    Examples
    --------
    >>> to_rate_mg_per_kg_per_h(12.0, 80, 2.0)
    0.3
    """
    pump_rate = _rate(pump_rate_ml_per_h, "pump_rate_ml_per_h", "mL/h")
    return pump_rate * _concentration(concentration_mg_per_ml) / _weight(weight_kg)


def mcg_per_kg_per_min_to_mg_per_kg_per_h(rate_mcg_per_kg_per_min: float) -> float:
    """Convert µg/kg/min (some pumps and papers) into mg/kg/h.

    Parameters
    ----------
    rate_mcg_per_kg_per_min : float
        Dose rate, µg/kg/min (>= 0).

    Returns
    -------
    float
        Dose rate, mg/kg/h: ``rate * 60 / 1000``.

    Examples
    --------
    >>> mcg_per_kg_per_min_to_mg_per_kg_per_h(5.0)
    0.3
    """
    rate = _rate(rate_mcg_per_kg_per_min, "rate_mcg_per_kg_per_min", "µg/kg/min")
    return rate * _MIN_PER_H / _MCG_PER_MG


def mg_per_kg_per_h_to_mcg_per_kg_per_min(rate_mg_per_kg_per_h: float) -> float:
    """Convert mg/kg/h into µg/kg/min.

    Parameters
    ----------
    rate_mg_per_kg_per_h : float
        Dose rate, mg/kg/h (>= 0).

    Returns
    -------
    float
        Dose rate, µg/kg/min: ``rate * 1000 / 60``.

    Examples
    --------
    >>> mg_per_kg_per_h_to_mcg_per_kg_per_min(0.6)
    10.0
    """
    rate = _rate(rate_mg_per_kg_per_h, "rate_mg_per_kg_per_h", "mg/kg/h")
    return rate * _MCG_PER_MG / _MIN_PER_H


def calculate_total_dose_mg(rate_mg_per_h: float, duration_h: float) -> float:
    """Total amount an infusion gives over its duration.

    Parameters
    ----------
    rate_mg_per_h : float
        Dose rate, mg/h (>= 0).
    duration_h : float
        Infusion duration, h (>= 0).

    Returns
    -------
    float
        Total dose, mg: ``rate_mg_per_h * duration_h``.

    Examples
    --------
    >>> calculate_total_dose_mg(25.0, 4.0)
    100.0
    """
    rate = _rate(rate_mg_per_h, "rate_mg_per_h", "mg/h")
    return rate * validate_number(duration_h, field="duration_h", unit="h", allow_minimum=True)


def calculate_volume_ml(dose_mg: float, concentration_mg_per_ml: float) -> float:
    """Volume of solution that holds a dose (the bag or syringe volume an order needs).

    Parameters
    ----------
    dose_mg : float
        Amount of ketamine, mg (>= 0).
    concentration_mg_per_ml : float
        Concentration, mg/mL (> 0).

    Returns
    -------
    float
        Volume, mL: ``dose_mg / concentration_mg_per_ml``.

    Examples
    --------
    A 100 mg session from a 2 mg/mL bag:

    >>> calculate_volume_ml(100.0, 2.0)
    50.0
    """
    dose = validate_number(dose_mg, field="dose_mg", unit="mg", allow_minimum=True)
    return dose / _concentration(concentration_mg_per_ml)


def _concentration(concentration_mg_per_ml: float) -> float:
    return validate_number(concentration_mg_per_ml, field="concentration_mg_per_ml", unit="mg/mL")
