"""Pump arithmetic against hand-worked values, and its input validation."""

from __future__ import annotations

import math

import pytest

from ketapath.clinical.dosing.pump import (
    calculate_total_dose_mg,
    calculate_volume_ml,
    mcg_per_kg_per_min_to_mg_per_kg_per_h,
    mg_per_kg_per_h_to_mcg_per_kg_per_min,
    to_pump_rate_ml_per_h,
    to_rate_mg_per_h,
    to_rate_mg_per_kg_per_h,
)
from ketapath.errors import InputError

# Every expected value below is worked by hand in its id; rel=1e-12 only absorbs float rounding.
REL = 1e-12


@pytest.mark.parametrize(
    ("rate_mg_per_kg_per_h", "weight_kg", "concentration_mg_per_ml", "expected_ml_per_h"),
    [
        (0.35, 70.0, 1.0, 24.5),
        (0.5, 80.0, 2.0, 20.0),
        (0.1, 60.0, 10.0, 0.6),
        (1.0, 350.0, 50.0, 7.0),
        (0.0, 70.0, 1.0, 0.0),
    ],
    ids=[
        "0.35 mg/kg/h x 70 kg / 1 mg/mL is 24.5 mL/h",
        "0.5 mg/kg/h x 80 kg / 2 mg/mL is 20 mL/h",
        "0.1 mg/kg/h x 60 kg / 10 mg/mL is 0.6 mL/h",
        "1 mg/kg/h x 350 kg / 50 mg/mL is 7 mL/h",
        "a zero rate is a zero pump rate",
    ],
)
def test_pump_rate_from_weight_based_rate_matches_hand_calculation(
    rate_mg_per_kg_per_h, weight_kg, concentration_mg_per_ml, expected_ml_per_h
):
    actual = to_pump_rate_ml_per_h(rate_mg_per_kg_per_h, weight_kg, concentration_mg_per_ml)
    assert actual == pytest.approx(expected_ml_per_h, rel=REL)


@pytest.mark.parametrize(
    ("pump_rate_ml_per_h", "weight_kg", "concentration_mg_per_ml", "expected_mg_per_kg_per_h"),
    [(12.0, 80.0, 2.0, 0.3), (24.5, 70.0, 1.0, 0.35), (7.0, 350.0, 50.0, 1.0)],
    ids=[
        "12 mL/h x 2 mg/mL / 80 kg is 0.3 mg/kg/h",
        "24.5 mL/h x 1 mg/mL / 70 kg is 0.35 mg/kg/h",
        "7 mL/h x 50 mg/mL / 350 kg is 1 mg/kg/h",
    ],
)
def test_rate_from_pump_rate_matches_hand_calculation(
    pump_rate_ml_per_h, weight_kg, concentration_mg_per_ml, expected_mg_per_kg_per_h
):
    actual = to_rate_mg_per_kg_per_h(pump_rate_ml_per_h, weight_kg, concentration_mg_per_ml)
    assert actual == pytest.approx(expected_mg_per_kg_per_h, rel=REL)


def test_rate_mg_per_h_is_rate_per_kg_times_weight():
    assert to_rate_mg_per_h(0.35, 100.0) == pytest.approx(35.0, rel=REL)


@pytest.mark.parametrize(
    ("mcg_per_kg_per_min", "mg_per_kg_per_h"),
    [(5.0, 0.3), (1.0, 0.06), (16.0 + 2.0 / 3.0, 1.0), (0.0, 0.0)],
    ids=[
        "5 µg/kg/min is 0.3 mg/kg/h",
        "1 µg/kg/min is 0.06 mg/kg/h",
        "16.67 µg/kg/min is 1 mg/kg/h",
        "zero is zero",
    ],
)
def test_microgram_per_minute_conversion_matches_hand_calculation(
    mcg_per_kg_per_min, mg_per_kg_per_h
):
    assert mcg_per_kg_per_min_to_mg_per_kg_per_h(mcg_per_kg_per_min) == pytest.approx(
        mg_per_kg_per_h, rel=REL, abs=1e-15
    )
    assert mg_per_kg_per_h_to_mcg_per_kg_per_min(mg_per_kg_per_h) == pytest.approx(
        mcg_per_kg_per_min, rel=REL, abs=1e-15
    )


def test_total_dose_of_crps_session_is_rate_times_duration():
    # 25 mg/h for 4 h: the DC-3 session cap of 100 mg.
    assert calculate_total_dose_mg(25.0, 4.0) == pytest.approx(100.0, rel=REL)


@pytest.mark.parametrize(
    ("dose_mg", "concentration_mg_per_ml", "expected_ml"),
    [(100.0, 2.0, 50.0), (98.0, 1.0, 98.0), (49.0, 50.0, 0.98)],
    ids=["100 mg at 2 mg/mL is 50 mL", "98 mg at 1 mg/mL is 98 mL", "49 mg at 50 mg/mL is 0.98 mL"],
)
def test_volume_is_dose_over_concentration(dose_mg, concentration_mg_per_ml, expected_ml):
    assert calculate_volume_ml(dose_mg, concentration_mg_per_ml) == pytest.approx(
        expected_ml, rel=REL
    )


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: to_pump_rate_ml_per_h(0.35, 0.0, 1.0), "weight_kg"),
        (lambda: to_pump_rate_ml_per_h(0.35, 1.99, 1.0), "weight_kg"),
        (lambda: to_pump_rate_ml_per_h(0.35, 350.01, 1.0), "weight_kg"),
        (lambda: to_pump_rate_ml_per_h(0.35, 70.0, 0.0), "concentration_mg_per_ml"),
        (lambda: to_pump_rate_ml_per_h(0.35, 70.0, -1.0), "concentration_mg_per_ml"),
        (lambda: to_pump_rate_ml_per_h(-0.1, 70.0, 1.0), "rate_mg_per_kg_per_h"),
        (lambda: to_pump_rate_ml_per_h(math.nan, 70.0, 1.0), "rate_mg_per_kg_per_h"),
        (lambda: to_pump_rate_ml_per_h(math.inf, 70.0, 1.0), "rate_mg_per_kg_per_h"),
        (lambda: to_pump_rate_ml_per_h(True, 70.0, 1.0), "rate_mg_per_kg_per_h"),
        (lambda: to_rate_mg_per_kg_per_h(-1.0, 70.0, 1.0), "pump_rate_ml_per_h"),
        (lambda: mcg_per_kg_per_min_to_mg_per_kg_per_h(-5.0), "rate_mcg_per_kg_per_min"),
        (lambda: mg_per_kg_per_h_to_mcg_per_kg_per_min("0.3"), "rate_mg_per_kg_per_h"),
        (lambda: calculate_total_dose_mg(25.0, -4.0), "duration_h"),
        (lambda: calculate_total_dose_mg(-25.0, 4.0), "rate_mg_per_h"),
        (lambda: calculate_volume_ml(-1.0, 1.0), "dose_mg"),
        (lambda: calculate_volume_ml(100.0, 0.0), "concentration_mg_per_ml"),
    ],
    ids=[
        "zero weight",
        "weight under 2 kg",
        "weight over 350 kg",
        "zero concentration",
        "negative concentration",
        "negative rate",
        "NaN rate",
        "infinite rate",
        "boolean rate",
        "negative pump rate",
        "negative µg/kg/min",
        "text rate",
        "negative duration",
        "negative mg/h",
        "negative dose",
        "zero concentration for a volume",
    ],
)
def test_pump_conversion_with_bad_input_raises_input_error_naming_field(call, field):
    with pytest.raises(InputError, match=f"`{field}`") as caught:
        call()
    assert caught.value.field == field
