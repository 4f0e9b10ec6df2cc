"""Doses and regimens: what is accepted, and what is refused with an error naming the field."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from ketapath.errors import InputError, RegimenError
from ketapath.pk.models import get_model
from ketapath.pk.patient import Covariates
from ketapath.pk.regimen import Bolus, Dose, Infusion, Regimen, Route
from ketapath.pk.simulate import simulate

REFUSED: list[tuple[str, Callable[[], object], str]] = [
    (
        "a bolus of 0 mg",
        lambda: Bolus(route=Route.IV, at_min=0.0, dose_mg=0.0),
        "dose_mg",
    ),
    (
        "a bolus of -5 mg",
        lambda: Bolus(route=Route.IV, at_min=0.0, dose_mg=-5.0),
        "dose_mg",
    ),
    (
        "a bolus of NaN mg",
        lambda: Bolus(route=Route.IV, at_min=0.0, dose_mg=math.nan),
        "dose_mg",
    ),
    (
        "a bolus before time zero",
        lambda: Bolus(route=Route.IV, at_min=-1.0, dose_mg=10.0),
        "at_min",
    ),
    (
        "a push of negative duration",
        lambda: Bolus(route=Route.IV, at_min=0.0, dose_mg=10.0, duration_min=-1.0),
        "duration_min",
    ),
    (
        "an intramuscular dose given over 1 min",
        lambda: Bolus(route=Route.IM, at_min=0.0, dose_mg=10.0, duration_min=1.0),
        "duration_min",
    ),
    (
        "an unknown route",
        lambda: Bolus(route="intravenous", at_min=0.0, dose_mg=10.0),
        "route",
    ),
    (
        "an infusion that ends before it starts",
        lambda: Infusion(route=Route.IV, start_min=60.0, end_min=30.0, rate_mg_per_min=0.5),
        "end_min",
    ),
    (
        "an infusion that ends when it starts",
        lambda: Infusion(route=Route.IV, start_min=60.0, end_min=60.0, rate_mg_per_min=0.5),
        "end_min",
    ),
    (
        "an infusion that never ends",
        lambda: Infusion(route=Route.IV, start_min=0.0, end_min=math.inf, rate_mg_per_min=0.5),
        "end_min",
    ),
    (
        "an infusion starting before time zero",
        lambda: Infusion(route=Route.IV, start_min=-5.0, end_min=30.0, rate_mg_per_min=0.5),
        "start_min",
    ),
    (
        "an infusion at 0 mg/min",
        lambda: Infusion(route=Route.IV, start_min=0.0, end_min=30.0, rate_mg_per_min=0.0),
        "rate_mg_per_min",
    ),
    (
        "an oral infusion",
        lambda: Infusion(route=Route.ORAL, start_min=0.0, end_min=30.0, rate_mg_per_min=0.5),
        "route",
    ),
    (
        "a regimen with no dose",
        lambda: Regimen(()),
        "doses",
    ),
    (
        "two IV infusions that overlap by 1 min",
        lambda: Regimen(
            (
                Infusion(route=Route.IV, start_min=0.0, end_min=61.0, rate_mg_per_min=0.5),
                Infusion(route=Route.IV, start_min=60.0, end_min=120.0, rate_mg_per_min=0.2),
            )
        ),
        "doses[1].start_min",
    ),
    (
        "an IV infusion starting inside a longer one listed later",
        lambda: Regimen(
            (
                Infusion(route=Route.IV, start_min=30.0, end_min=40.0, rate_mg_per_min=0.5),
                Bolus(route=Route.IV, at_min=0.0, dose_mg=10.0),
                Infusion(route=Route.IV, start_min=0.0, end_min=120.0, rate_mg_per_min=0.2),
            )
        ),
        "doses[0].start_min",
    ),
]


@pytest.mark.parametrize(
    ("make", "field"),
    [(make, field) for _, make, field in REFUSED],
    ids=[f"{what} is refused" for what, _, _ in REFUSED],
)
def test_invalid_dose_or_regimen_raises_regimen_error_naming_the_field(
    make: Callable[[], object], field: str
) -> None:
    with pytest.raises(RegimenError) as caught:
        make()
    assert caught.value.field == field
    assert f"`{field}`" in str(caught.value)


def test_regimen_error_is_an_input_error_and_a_value_error() -> None:
    with pytest.raises(InputError):
        Bolus(route=Route.IV, at_min=0.0, dose_mg=0.0)
    with pytest.raises(ValueError, match="dose_mg"):
        Bolus(route=Route.IV, at_min=0.0, dose_mg=0.0)


ACCEPTED: list[tuple[str, tuple[Dose, ...]]] = [
    (
        "back-to-back IV infusions (a rate schedule)",
        (
            Infusion(route=Route.IV, start_min=0.0, end_min=60.0, rate_mg_per_min=0.5),
            Infusion(route=Route.IV, start_min=60.0, end_min=120.0, rate_mg_per_min=0.2),
        ),
    ),
    (
        "IV and subcutaneous infusions at the same time",
        (
            Infusion(route=Route.IV, start_min=0.0, end_min=60.0, rate_mg_per_min=0.5),
            Infusion(route=Route.SUBCUTANEOUS, start_min=0.0, end_min=60.0, rate_mg_per_min=0.2),
        ),
    ),
    (
        "a bolus during an infusion",
        (
            Infusion(route=Route.IV, start_min=0.0, end_min=60.0, rate_mg_per_min=0.5),
            Bolus(route=Route.IV, at_min=30.0, dose_mg=10.0, duration_min=1.0),
        ),
    ),
    (
        "two doses at the same time by different routes",
        (
            Bolus(route=Route.ORAL, at_min=0.0, dose_mg=50.0),
            Bolus(route=Route.INTRANASAL, at_min=0.0, dose_mg=25.0),
        ),
    ),
]


@pytest.mark.parametrize(
    "doses", [d for _, d in ACCEPTED], ids=[f"{what} is accepted" for what, _ in ACCEPTED]
)
def test_valid_regimen_keeps_its_doses_in_order(doses: tuple[Dose, ...]) -> None:
    assert Regimen(doses).doses == doses


def test_route_given_as_text_becomes_a_route() -> None:
    assert Bolus(route="iv", at_min=0.0, dose_mg=10.0).route is Route.IV


def test_push_ends_after_its_duration_and_an_instant_bolus_at_its_time() -> None:
    assert Bolus(route=Route.IV, at_min=5.0, dose_mg=10.0, duration_min=1.0).end_min == 6.0
    assert Bolus(route=Route.ORAL, at_min=5.0, dose_mg=10.0).end_min == 5.0


def test_regimen_totals_routes_and_last_event() -> None:
    regimen = Regimen(
        (
            Bolus(route=Route.IV, at_min=0.0, dose_mg=35.0, duration_min=1.0),
            Infusion(route=Route.IV, start_min=5.0, end_min=65.0, rate_mg_per_min=0.25),
            Bolus(route=Route.ORAL, at_min=120.0, dose_mg=50.0),
        )
    )
    assert regimen.total_mg == pytest.approx(35.0 + 0.25 * 60 + 50.0, rel=1e-15)
    assert regimen.routes == frozenset({Route.IV, Route.ORAL})
    assert regimen.last_event_min == 120.0


BAD_TIMES = [
    ("no output time", []),
    ("a NaN output time", [0.0, math.nan]),
    ("an infinite output time", [0.0, math.inf]),
    ("a negative output time", [-1.0, 10.0]),
    ("output times out of order", [10.0, 5.0]),
    ("a 2-D array of output times", [[0.0, 10.0]]),
]


@pytest.mark.parametrize(
    "times", [t for _, t in BAD_TIMES], ids=[f"{what} is refused" for what, _ in BAD_TIMES]
)
def test_invalid_output_times_raise_input_error_naming_times_min(times: list[float]) -> None:
    regimen = Regimen((Bolus(route=Route.IV, at_min=0.0, dose_mg=10.0),))
    cov = Covariates(weight_kg=70.0, age_years=40.0, sex="male")
    with pytest.raises(InputError, match="`times_min`") as caught:
        simulate(get_model("kamp2020"), cov, regimen, np.array(times, dtype=np.float64))
    assert caught.value.field == "times_min"
