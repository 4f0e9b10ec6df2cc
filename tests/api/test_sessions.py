"""Sessions over the API: the baseline gate, alarms in the response of the write that fired
them, rate changes refused past a hard limit, the chart."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from tests.api.conftest import T0
from tests.api.test_plans import API, create_signed_plan, infusion, problem, register_patient

pytestmark = pytest.mark.anyio


def reading(at: datetime, **overrides: float | None) -> dict[str, Any]:
    """The JSON of a normal set of vital signs at `at`, with `overrides`."""
    body: dict[str, Any] = {
        "taken_at": at.isoformat(),
        "sbp_mmhg": 120,
        "dbp_mmhg": 75,
        "hr_bpm": 70,
        "rr_per_min": 14,
        "spo2_pct": 98,
    }
    body.update(overrides)
    return body


async def start_session(api, client, plan_id: str, **baseline: float | None):
    return await client.post(
        f"{API}/plans/{plan_id}/sessions",
        json={"chair": "Chair 3", "baseline": reading(api.clock.now, **baseline)},
        headers=api.headers("nurse"),
    )


async def running_session(api, client, *orders: dict[str, Any]) -> str:
    """A started session of a signed plan (the outpatient CRPS protocol, or `orders`)."""
    patient_id = await register_patient(api, client)
    plan = await create_signed_plan(api, client, patient_id, *orders)
    response = await start_session(api, client, plan["id"])
    assert response.status_code == 201, response.text
    return str(response.json()["session"]["id"])


async def test_start_returns_the_running_session(api, client):
    patient_id = await register_patient(api, client)
    plan = await create_signed_plan(api, client, patient_id)
    response = await start_session(api, client, plan["id"], sbp_mmhg=145, dbp_mmhg=85)
    assert response.status_code == 201, response.text
    started = response.json()
    assert started["session"]["status"] == "in_progress"
    assert started["session"]["started_at"].startswith("2024-05-06T08:00:00")
    assert [f["rule_id"] for f in started["baseline_findings"]] == ["MON-1"]
    assert [(a["action"], a["finding"]["rule_id"]) for a in started["alarms"]] == [
        ("alert", "MON-1")
    ]


async def test_start_with_unstable_baseline_vitals_is_422_naming_mon2(api, client):
    patient_id = await register_patient(api, client)
    plan = await create_signed_plan(api, client, patient_id)
    body = problem(await start_session(api, client, plan["id"], sbp_mmhg=181), 422)
    assert "MON-2 (HARD)" in body["detail"]
    assert body["errors"][0]["field"] == "baseline.sbp_mmhg"


async def test_start_on_an_unsigned_plan_is_409(api, client):
    patient_id = await register_patient(api, client)
    headers = api.headers("physician")
    draft = await client.post(
        f"{API}/patients/{patient_id}/custom-plans",
        json={"care_area": "outpatient_infusion_clinic", "orders": [infusion(0.4)]},
        headers=headers,
    )
    problem(await start_session(api, client, draft.json()["id"]), 409)


async def test_a_naive_timestamp_is_422(api, client):
    session_id = await running_session(api, client)
    response = await client.post(
        f"{API}/sessions/{session_id}/vitals",
        json=reading(datetime(2024, 5, 6, 8, 15)),  # no offset
        headers=api.headers("nurse"),
    )
    assert problem(response, 422)["errors"][0]["field"] == "taken_at"


@pytest.mark.parametrize(
    ("spo2_pct", "action", "rules"),
    [(92, "continue", []), (91, "alert", ["MON-4"]), (89, "stop", ["MON-4"])],
    ids=["SpO2 92 % raises nothing", "SpO2 91 % alerts", "SpO2 89 % stops the infusion"],
)
async def test_an_alarm_is_in_the_response_to_the_vitals_write_that_fired_it(
    api, client, spo2_pct, action, rules
):
    session_id = await running_session(api, client)
    at = T0 + timedelta(minutes=15)
    body = reading(at, spo2_pct=spo2_pct) | {
        "sedation": {"assessed_at": at.isoformat(), "moaas": 5}
    }
    response = await client.post(
        f"{API}/sessions/{session_id}/vitals", json=body, headers=api.headers("nurse")
    )
    assert response.status_code == 201, response.text
    written = response.json()
    assert written["action"] == action
    assert [a["finding"]["rule_id"] for a in written["alarms"]] == rules
    if rules:
        assert "SpO2" in written["alarms"][0]["finding"]["message"]  # what was found and to do
    chart = await client.get(f"{API}/sessions/{session_id}", headers=api.headers("nurse"))
    assert [a["id"] for a in chart.json()["alarms"]] == [a["id"] for a in written["alarms"]]


async def test_a_sedation_alarm_is_in_the_response_to_the_score(api, client):
    session_id = await running_session(api, client)
    response = await client.post(
        f"{API}/sessions/{session_id}/sedation",
        json={"assessed_at": (T0 + timedelta(minutes=20)).isoformat(), "moaas": 2},
        headers=api.headers("nurse"),
    )
    assert response.status_code == 201, response.text
    assert [(a["action"], a["finding"]["rule_id"]) for a in response.json()["alarms"]] == [
        ("pause", "MON-9")
    ]


@pytest.mark.parametrize(
    ("rate_mg_per_h", "status"),
    [(24.5, 201), (24.6, 422)],
    ids=["24.5 mg/h is within DC-3", "24.6 mg/h passes the DC-3 hard cap"],
)
async def test_a_rate_past_a_hard_limit_is_refused(api, client, rate_mg_per_h, status):
    session_id = await running_session(api, client)
    response = await client.post(
        f"{API}/sessions/{session_id}/rate",
        json={"rate_mg_per_h": rate_mg_per_h},
        headers=api.headers("nurse"),
    )
    if status == 201:
        assert response.status_code == 201, response.text
        assert response.json()["planned_end_at"].startswith("2024-05-06T12:00:00")
        return
    body = problem(response, 422)
    assert "DC-3 (HARD)" in body["detail"]
    assert body["errors"][0]["field"] == "rate_mg_per_h"
    chart = await client.get(f"{API}/sessions/{session_id}", headers=api.headers("nurse"))
    assert chart.json()["segments"] == []


async def test_a_rate_past_the_overridden_soft_limit_is_refused(api, client):
    session_id = await running_session(api, client, infusion(0.6))
    headers = api.headers("nurse")
    path = f"{API}/sessions/{session_id}/rate"
    allowed = await client.post(path, json={"rate_mg_per_h": 42.0}, headers=headers)
    refused = await client.post(path, json={"rate_mg_per_h": 49.0}, headers=headers)
    assert allowed.status_code == 201, allowed.text
    assert [f["rule_id"] for f in allowed.json()["findings"]] == ["DA-3"]
    assert "DA-3 (SOFT, not overridden" in problem(refused, 422)["detail"]


async def test_the_chart_holds_every_entry_and_the_stop(api, client):
    session_id = await running_session(api, client)
    headers = api.headers("nurse")
    at = (T0 + timedelta(minutes=30)).isoformat()
    base = f"{API}/sessions/{session_id}"
    writes = [
        ("rate", {"rate_mg_per_h": 20.0}),
        ("dissociation", {"assessed_at": at, "total": 5, "form": "cadss6"}),
        (
            "adverse-events",
            {"occurred_at": at, "kind": "nausea", "severity": "mild", "description": "Sick"},
        ),
    ]
    for path, body in writes:
        response = await client.post(f"{base}/{path}", json=body, headers=headers)
        assert response.status_code == 201, response.text
    stopped = await client.post(f"{base}/stop", json={"reason": "nausea"}, headers=headers)
    assert stopped.json()["status"] == "stopped"
    chart = (await client.get(base, headers=headers)).json()
    assert [s["rate_mg_per_h"] for s in chart["segments"]] == [20.0]
    assert [d["total"] for d in chart["dissociation"]] == [5]
    assert [e["kind"] for e in chart["adverse_events"]] == ["nausea"]
    assert chart["session"]["stop_reason"] == "nausea"
    assert len(chart["vitals"]) == 1
    problem(await client.post(f"{base}/stop", json={"reason": "again"}, headers=headers), 409)


@pytest.mark.parametrize("role", ["researcher", "admin"])
async def test_the_chart_is_403_to_researchers_and_admins(api, client, role):
    session_id = await running_session(api, client)
    problem(await client.get(f"{API}/sessions/{session_id}", headers=api.headers(role)), 403)


async def test_pause_and_resume_leave_a_gap_and_pausing_twice_is_409(api, client):
    session_id = await running_session(api, client)
    headers = api.headers("nurse")
    base = f"{API}/sessions/{session_id}"
    started = await client.post(f"{base}/rate", json={"rate_mg_per_h": 20.0}, headers=headers)
    assert started.status_code == 201, started.text
    api.clock.now += timedelta(minutes=45)
    headers = api.headers("nurse")  # a token issued now (the one before has expired)
    paused = await client.post(f"{base}/pause", json={"reason": "nausea"}, headers=headers)
    assert paused.status_code == 200, paused.text
    assert (paused.json()["status"], paused.json()["pause_reason"]) == ("paused", "nausea")
    assert paused.json()["paused_at"].startswith("2024-05-06T08:45:00")
    again = problem(await client.post(f"{base}/pause", json={"reason": "x"}, headers=headers), 409)
    assert "is paused: cannot pause it" in again["detail"]
    api.clock.now += timedelta(minutes=15)
    headers = api.headers("nurse")
    resumed = await client.post(f"{base}/resume", json={"rate_mg_per_h": 15.0}, headers=headers)
    assert resumed.status_code == 201, resumed.text
    assert resumed.json()["session"]["status"] == "in_progress"
    assert resumed.json()["segment"]["started_at"].startswith("2024-05-06T09:00:00")
    chart = (await client.get(base, headers=headers)).json()
    assert [(s["started_at"][11:16], s["planned_end_at"][11:16]) for s in chart["segments"]] == [
        ("08:00", "08:45"),
        ("09:00", "12:00"),
    ]


async def test_pause_of_a_stopped_session_is_409_naming_the_status(api, client):
    session_id = await running_session(api, client)
    headers = api.headers("nurse")
    base = f"{API}/sessions/{session_id}"
    stopped = await client.post(f"{base}/stop", json={"reason": "done"}, headers=headers)
    assert stopped.status_code == 200, stopped.text
    body = problem(await client.post(f"{base}/pause", json={"reason": "x"}, headers=headers), 409)
    assert "is stopped: cannot pause it" in body["detail"]
    refused = await client.post(f"{base}/resume", json={"rate_mg_per_h": 10.0}, headers=headers)
    assert "is stopped: cannot resume it" in problem(refused, 409)["detail"]


async def test_a_resume_past_a_hard_limit_is_422_and_the_session_stays_paused(api, client):
    session_id = await running_session(api, client)
    headers = api.headers("nurse")
    base = f"{API}/sessions/{session_id}"
    await client.post(f"{base}/rate", json={"rate_mg_per_h": 20.0}, headers=headers)
    api.clock.now += timedelta(minutes=10)
    await client.post(f"{base}/pause", json={"reason": "nausea"}, headers=headers)
    refused = await client.post(f"{base}/resume", json={"rate_mg_per_h": 24.6}, headers=headers)
    assert "DC-3 (HARD)" in problem(refused, 422)["detail"]
    chart = (await client.get(base, headers=headers)).json()
    assert chart["session"]["status"] == "paused"
    assert len(chart["segments"]) == 1


async def test_a_charted_alarm_shows_when_its_reading_was_taken(api, client):
    session_id = await running_session(api, client)
    taken = T0 + timedelta(minutes=15)
    api.clock.now = T0 + timedelta(minutes=40)  # charted late
    response = await client.post(
        f"{API}/sessions/{session_id}/vitals",
        json=reading(taken, spo2_pct=91),
        headers=api.headers("nurse"),
    )
    assert response.status_code == 201, response.text
    chart = (await client.get(f"{API}/sessions/{session_id}", headers=api.headers("nurse"))).json()
    assert {a["raised_at"][:19] for a in chart["alarms"]} == {"2024-05-06T08:15:00"}
