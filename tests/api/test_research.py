"""Research over the API: aggregate cells for researchers (and physicians), suppressed below 5
patients, and never a name, birth date, MRN, free text or per-patient row.

The cohort is written through the use cases (the API's own flow is tested beside this file);
the summary is read over the API.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from tests.api.conftest import T0
from tests.api.test_plans import API, problem

from ketapath.clinical.codes import Indication
from ketapath.clinical.records import Condition, ConditionStatus, VitalSigns
from ketapath.services.care import followups, patients, plans, sessions
from ketapath.services.context import RequestContext, UserRole

pytestmark = pytest.mark.anyio

NAMES = ("Okafor", "Nakamura")


def _course(api, number: int, indication: Indication, rating: int) -> None:
    """A patient treated with the outpatient CRPS protocol, rated 8 before and `rating` after."""
    nurse, physician = (
        RequestContext.from_principal(api.users[role])
        for role in (UserRole.NURSE, UserRole.PHYSICIAN)
    )
    services = api.services
    api.clock.now = T0
    patient = patients.register_patient(
        services,
        nurse,
        mrn=f"MRN-{number:04d}",
        given_name="Aiko",
        family_name=NAMES[number % 2],
        birth_date=date(1970 + number, 1, 2),
        sex="female",
    )
    patients.add_measurement(
        services, nurse, patient.id, measured_at=T0 - timedelta(days=7), weight_kg=70.0
    )
    patients.add_condition(
        services, nurse, patient.id, Condition(concept=indication, status=ConditionStatus.ACTIVE)
    )

    def rate(value: int, days: float) -> None:
        followups.record_response(
            services,
            nurse,
            patient_id=patient.id,
            instrument="nrs",
            answers=[value],
            completed_at=T0 + timedelta(days=days),
        )

    rate(8, -1)
    draft = plans.create_plan(
        services,
        physician,
        patient_id=patient.id,
        protocol="outpatient_crps",
        care_area="outpatient_infusion_clinic",
    )
    plan = plans.sign_plan(services, physician, plan_id=draft.id)
    baseline = VitalSigns(time=T0, sbp_mmhg=120, dbp_mmhg=75, hr_bpm=70, rr_per_min=14)
    started = sessions.start_session(
        services, nurse, plan_id=plan.id, chair="Chair 1", baseline=baseline
    )
    sid = started.session.id
    sessions.change_rate(services, nurse, session_id=sid, rate_mg_per_h=20.0)
    api.clock.advance(hours=4)
    sessions.stop_session(services, nurse, session_id=sid, reason="completed")
    rate(rating, 7)


@pytest.fixture
def cohort(api):
    for number, rating in enumerate((4, 5, 6, 7, 4)):  # 3 responders of 5
        _course(api, number, Indication.CRPS, rating)
    for number in range(5, 7):
        _course(api, number, Indication.LOW_BACK_PAIN, 3)
    return api


@pytest.mark.parametrize("role", ["researcher", "physician"])
async def test_summary_gives_aggregate_cells_and_suppresses_small_ones(cohort, client, role):
    response = await client.get(f"{API}/research/outcomes", headers=cohort.headers(role))
    assert response.status_code == 200, response.text
    body = response.json()
    cells = {cell["indication"]: cell for cell in body["cells"]}
    crps, back = cells["crps"], cells["low_back_pain"]
    assert (crps["patients"], crps["courses"], crps["responders"]) == (5, 5, 3)
    assert crps["responder_rate"] == pytest.approx(0.6)
    assert back["suppressed"] is True
    assert (back["patients"], back["responders"], back["responder_rate"]) == (None, None, None)
    assert body["suppressed_cells"] == 1
    assert "fewer than 5 patients are suppressed" in body["note"]


async def test_a_researcher_never_receives_a_name_birth_date_mrn_or_identifier(cohort, client):
    response = await client.get(f"{API}/research/outcomes", headers=cohort.headers("researcher"))
    text = response.text
    for forbidden in (*NAMES, "Aiko", "MRN-", "1970-", "1971-", "completed", '"id"'):
        assert forbidden not in text
    assert set(json.loads(text)) == {"min_cell_patients", "suppressed_cells", "cells", "note"}


@pytest.mark.parametrize("role", ["nurse", "admin"])
async def test_summary_is_403_to_nurses_and_admins(api, client, role):
    problem(await client.get(f"{API}/research/outcomes", headers=api.headers(role)), 403)
