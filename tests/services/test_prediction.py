"""Predicted concentrations for a plan and for a session as given (SQLite and PostgreSQL)."""

from __future__ import annotations

import numpy as np
import pytest
from tests.services.conftest import infusion, signed_plan, started_session

from ketapath.clinical.dosing.orders import CareArea, Order, Route
from ketapath.errors import AccessError, DataError
from ketapath.pk.models import get_model
from ketapath.pk.patient import Covariates, Sex
from ketapath.pk.population import VirtualPopulation
from ketapath.pk.regimen import Infusion, Regimen
from ketapath.pk.regimen import Route as PKRoute
from ketapath.services.care import plans, prediction, sessions

WEIGHT_KG = 70.0


@pytest.fixture
def patient_id(world):
    return world.add_patient("MRN-P1", weight_kg=WEIGHT_KG)


@pytest.fixture
def draft(world, patient_id):
    return plans.create_custom_plan(
        world.services,
        world.physician,
        patient_id=patient_id,
        orders=[infusion(0.3, duration_h=2.0)],
        care_area=CareArea.OUTPATIENT_INFUSION_CLINIC,
    )


def test_predict_plan_band_matches_the_population_engine_for_the_patient(world, draft):
    found = prediction.predict_plan(
        world.services, world.physician, plan_id=draft.id, n_patients=500, seed=3
    )
    # The same regimen built by hand: 0.3 mg/kg/h x 70 kg = 21 mg/h for 120 min.
    regimen = Regimen(
        (Infusion(route=PKRoute.IV, start_min=0, end_min=120, rate_mg_per_min=21 / 60),)
    )
    covariates = Covariates(weight_kg=70, age_years=49, sex=Sex.FEMALE)  # born 1974-06-15
    summary = VirtualPopulation(
        get_model("kamp2020"), covariates, n_patients=500, seed=3
    ).summarise(regimen, np.asarray(found.times_min))
    expected = summary.ketamine_mg_per_l * 1000
    assert np.allclose(found.plasma_median_ng_per_ml, expected[1], atol=0.01)
    assert np.allclose(found.plasma_p5_ng_per_ml, expected[0], atol=0.01)
    assert np.allclose(found.plasma_p95_ng_per_ml, expected[2], atol=0.01)


def test_predict_plan_typical_curve_peaks_at_the_end_of_the_infusion(world, draft):
    found = prediction.predict_plan(world.services, world.nurse, plan_id=draft.id, n_patients=200)
    times = np.asarray(found.times_min)
    peak_min = times[int(np.argmax(found.plasma_typical_ng_per_ml))]
    assert abs(peak_min - 120.0) <= times[1] - times[0]
    assert found.times_min[-1] >= 240.0
    assert found.analgesic_band_ng_per_ml == (100.0, 200.0)
    assert all(
        p5 <= p95
        for p5, p95 in zip(found.plasma_p5_ng_per_ml, found.plasma_p95_ng_per_ml, strict=True)
    )


def test_predict_plan_for_a_researcher_is_refused(world, draft):
    with pytest.raises(AccessError):
        prediction.predict_plan(world.services, world.researcher, plan_id=draft.id)


def test_regimen_of_orders_neuraxial_order_is_left_out_with_a_warning():
    orders = [
        Order(route=Route.IV_BOLUS, dose_mg=10.0, push_duration_s=60.0),
        Order(route=Route.NEURAXIAL, dose_mg=5.0),
        infusion(0.25, duration_h=1.0),
    ]
    regimen, left_out = prediction.regimen_of_orders(orders, weight_kg=80.0)
    assert regimen.total_mg == pytest.approx(10.0 + 0.25 * 80.0 * 1.0)
    assert len(left_out) == 1
    assert "Order 2" in left_out[0]


def test_regimen_of_orders_only_neuraxial_is_missing_data():
    with pytest.raises(DataError):
        prediction.regimen_of_orders([Order(route=Route.NEURAXIAL, dose_mg=5.0)], weight_kg=70.0)


def test_regimen_of_orders_second_infusion_starts_where_the_first_ends():
    regimen, _ = prediction.regimen_of_orders(
        [infusion(0.2, duration_h=1.0), infusion(0.4, duration_h=0.5)], weight_kg=50.0
    )
    starts = sorted(d.start_min for d in regimen.doses if isinstance(d, Infusion))
    assert starts == [0.0, 60.0]


def test_predict_session_before_a_rate_is_none_and_after_one_rises(world, patient_id, clock):
    plan = signed_plan(world, patient_id, orders=[infusion(0.3, duration_h=2.0)])
    session_id = started_session(world, plan)
    assert prediction.predict_session(world.services, world.nurse, session_id=session_id) is None
    sessions.change_rate(world.services, world.nurse, session_id=session_id, rate_mg_per_h=21.0)
    clock.advance(minutes=30)
    found = prediction.predict_session(world.services, world.nurse, session_id=session_id)
    assert found is not None
    assert found.plasma_median_ng_per_ml == ()
    assert max(found.plasma_typical_ng_per_ml) > 0
    assert found.plasma_typical_ng_per_ml[0] == 0
