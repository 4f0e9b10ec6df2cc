"""Discharge over the API: ready or not with the reasons, signed by a nurse or a physician."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.api.conftest import T0
from tests.api.test_plans import API, problem
from tests.api.test_sessions import reading, running_session

pytestmark = pytest.mark.anyio

STOPPED_AT = T0 + timedelta(hours=4)
OBSERVED = {
    "aldrete": {"activity": 2, "respiration": 2, "consciousness": 2, "on_oxygen": False},
    "padss": {"activity": 2, "pain_nausea": 2, "bleeding": 2, "intake_output": 2},
    "escort_present": True,
    "patient_driving": False,
    "follow_up_booked": True,
}


async def stopped_session(api, client) -> str:
    """A 24.5 mg/h infusion from 08:00, stopped at 12:00, with recovery vital signs."""
    session_id = await running_session(api, client)
    headers = api.headers("nurse")
    base = f"{API}/sessions/{session_id}"
    await client.post(f"{base}/rate", json={"rate_mg_per_h": 24.5}, headers=headers)
    api.clock.now = STOPPED_AT
    headers = api.headers("nurse")
    await client.post(f"{base}/stop", json={"reason": "completed"}, headers=headers)
    recovery = reading(STOPPED_AT + timedelta(minutes=30))
    written = await client.post(f"{base}/vitals", json=recovery, headers=headers)
    assert written.status_code == 201, written.text
    return session_id


async def assess(api, client, session_id: str, **changes):
    return await client.post(
        f"{API}/sessions/{session_id}/discharge-assessments",
        json=OBSERVED | changes,
        headers=api.headers("nurse"),
    )


@pytest.mark.parametrize(
    ("minutes_after_stop", "ready", "rules"),
    [(59, False, ["DIS-1"]), (60, True, [])],
    ids=["59 min after the last dose is not ready", "60 min after it is ready"],
)
async def test_assess_says_ready_or_not_with_the_reasons(
    api, client, minutes_after_stop, ready, rules
):
    session_id = await stopped_session(api, client)
    api.clock.now = STOPPED_AT + timedelta(minutes=minutes_after_stop)
    response = await assess(api, client, session_id)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["ready"], [f["rule_id"] for f in body["findings"]]) == (ready, rules)
    assert (body["aldrete_total"], body["aldrete_circulation"], body["padss_total"]) == (10, 2, 10)
    assert body["no_driving_until"] == "2024-05-07"
    assert body["signature"] is None


async def test_assess_while_the_infusion_runs_is_409(api, client):
    session_id = await running_session(api, client)
    problem(await assess(api, client, session_id), 409)


async def test_an_aldrete_item_out_of_range_is_422_naming_it(api, client):
    session_id = await stopped_session(api, client)
    aldrete = OBSERVED["aldrete"] | {"activity": 3}
    response = await assess(api, client, session_id, aldrete=aldrete)
    assert problem(response, 422)["errors"][0]["field"] == "aldrete.activity"


async def test_a_nurse_signs_a_ready_patient_out_once(api, client):
    session_id = await stopped_session(api, client)
    api.clock.now = STOPPED_AT + timedelta(hours=1)
    assessment = (await assess(api, client, session_id)).json()
    path = f"{API}/discharge-assessments/{assessment['id']}/sign"
    signed = await client.post(
        path, json={"statement": "Criteria met, escort present."}, headers=api.headers("nurse")
    )
    assert signed.status_code == 200, signed.text
    signature = signed.json()["signature"]
    assert (signature["role"], signature["signed_by"]) == (
        "nurse",
        str(api.users["nurse"].user_id),
    )
    again = await client.post(path, json={"statement": "Again"}, headers=api.headers("physician"))
    problem(again, 409)


async def test_signing_a_not_ready_patient_is_422_with_the_reason(api, client):
    session_id = await stopped_session(api, client)
    api.clock.now = STOPPED_AT + timedelta(hours=1)
    assessment = (await assess(api, client, session_id, escort_present=False)).json()
    assert assessment["ready"] is False
    response = await client.post(
        f"{API}/discharge-assessments/{assessment['id']}/sign",
        json={"statement": "Go home"},
        headers=api.headers("physician"),
    )
    assert "DIS-4" in problem(response, 422)["detail"]


@pytest.mark.parametrize("role", ["researcher", "admin"])
async def test_discharge_is_403_to_researchers_and_admins(api, client, role):
    session_id = await stopped_session(api, client)
    api.clock.now = STOPPED_AT + timedelta(hours=1)
    assessment = (await assess(api, client, session_id)).json()
    response = await client.get(
        f"{API}/discharge-assessments/{assessment['id']}", headers=api.headers(role)
    )
    problem(response, 403)
