"""Orders and dose histories: what a well-formed order is, and the errors for one that is not."""

from __future__ import annotations

import math

import pytest

from ketapath.clinical.dosing.orders import DoseHistory, Drug, Order, Route
from ketapath.errors import InputError


def test_order_accepts_route_and_drug_given_as_text():
    order = Order(route="oral", dose_mg=5, drug="esketamine")
    assert (order.route, order.drug, order.dose_mg) == (Route.ORAL, Drug.ESKETAMINE, 5.0)


@pytest.mark.parametrize(
    ("interval_h", "doses"),
    [(None, 1), (6.0, 4), (5.0, 5), (4.0, 6), (24.0, 1), (25.0, 1), (8.0, 3)],
    ids=[
        "once",
        "every 6 h is 4 doses a day",
        "every 5 h is 5 doses in 24 h (0, 5, 10, 15, 20 h)",
        "every 4 h is 6 doses a day",
        "every 24 h is 1",
        "every 25 h is 1",
        "every 8 h is 3",
    ],
)
def test_repeated_dose_counts_doses_in_24_hours(interval_h, doses):
    assert Order(route=Route.ORAL, dose_mg=5.0, interval_h=interval_h).doses_per_24_h == doses


BAD_ORDERS = [
    pytest.param({"route": "oral"}, "dose_mg", "exactly one of", id="no amount"),
    pytest.param(
        {"route": "oral", "dose_mg": 5, "dose_mg_per_kg": 0.1},
        "dose_mg",
        "exactly one of",
        id="two amounts",
    ),
    pytest.param(
        {"route": "iv_infusion", "dose_mg": 5},
        "dose_mg",
        "not allowed for route iv_infusion",
        id="a single dose as an infusion",
    ),
    pytest.param(
        {"route": "iv_bolus", "rate_mg_per_h": 5, "duration_h": 1, "push_duration_s": 60},
        "rate_mg_per_h",
        "not allowed for route iv_bolus",
        id="a rate as a push",
    ),
    pytest.param(
        {"route": "iv_infusion", "rate_mg_per_h": 5},
        "duration_h",
        "required for an infusion",
        id="an infusion without duration",
    ),
    pytest.param(
        {"route": "oral", "dose_mg": 5, "duration_h": 1},
        "duration_h",
        "applies to infusions only",
        id="a duration on a single dose",
    ),
    pytest.param(
        {"route": "subcutaneous", "rate_mg_per_h": 5, "duration_h": 1, "interval_h": 6},
        "interval_h",
        "repeated single doses only",
        id="a repeat interval on an infusion",
    ),
    pytest.param(
        {"route": "iv_bolus", "dose_mg": 5},
        "push_duration_s",
        "is required for route iv_bolus",
        id="a push without its duration",
    ),
    pytest.param(
        {"route": "im", "dose_mg": 5, "push_duration_s": 60},
        "push_duration_s",
        "applies only to route iv_bolus",
        id="a push duration on an IM dose",
    ),
    pytest.param({"route": "oral", "dose_mg": -5}, "dose_mg", "must be > 0", id="a negative dose"),
    pytest.param({"route": "oral", "dose_mg": 0}, "dose_mg", "must be > 0", id="a zero dose"),
    pytest.param(
        {"route": "oral", "dose_mg": math.nan}, "dose_mg", "finite number", id="a NaN dose"
    ),
    pytest.param(
        {"route": "oral", "dose_mg": 5, "concentration_mg_per_ml": -1},
        "concentration_mg_per_ml",
        "must be > 0",
        id="a negative concentration",
    ),
    pytest.param(
        {"route": "spinal", "dose_mg": 5}, "route", "must be one of", id="an unknown route"
    ),
    pytest.param(
        {"route": "oral", "dose_mg": 5, "drug": "arketamine"},
        "drug",
        "must be one of",
        id="an unknown drug",
    ),
]


@pytest.mark.parametrize(("fields", "field", "message"), BAD_ORDERS)
def test_malformed_order_raises_input_error_naming_the_field(fields, field, message):
    with pytest.raises(InputError, match=message) as caught:
        Order(**fields)
    assert caught.value.field == field
    assert f"`{field}`" in str(caught.value)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"session_total_mg": -1.0}, "session_total_mg"),
        ({"daily_total_mg": math.inf}, "daily_total_mg"),
        ({"course_sessions": -1}, "course_sessions"),
        ({"previous_courses": 1.5}, "previous_courses"),
        ({"course_sessions": True}, "course_sessions"),
    ],
    ids=[
        "negative session total",
        "infinite daily total",
        "negative session count",
        "fractional course count",
        "boolean session count",
    ],
)
def test_malformed_dose_history_raises_input_error_naming_the_field(fields, field):
    with pytest.raises(InputError, match=f"`{field}`"):
        DoseHistory(**fields)


@pytest.mark.parametrize(
    ("history", "first"),
    [
        (DoseHistory(), True),
        (DoseHistory(session_total_mg=40.0), True),
        (DoseHistory(course_sessions=1), False),
        (DoseHistory(previous_courses=1), False),
    ],
    ids=[
        "no history is the first session",
        "a second order in the first session is still the first session",
        "a later session of the course is not",
        "the start of a repeat course is not",
    ],
)
def test_first_session_is_the_patients_very_first(history, first):
    assert history.is_first_session is first
