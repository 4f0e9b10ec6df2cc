"""Follow-up over the API: scored questionnaires and their flags, contacts, screens, outcomes."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from tests.api.conftest import T0
from tests.api.test_plans import API, problem, register_patient

pytestmark = pytest.mark.anyio


async def respond(api, client, patient_id: str, instrument: str, answers: list, *, days: float = 0):
    return await client.post(
        f"{API}/patients/{patient_id}/responses",
        json={
            "instrument": instrument,
            "answers": answers,
            "completed_at": (T0 + timedelta(days=days)).isoformat(),
        },
        headers=api.headers("nurse"),
    )


@pytest.mark.parametrize(
    ("item_9", "flags"),
    [(0, []), (1, ["OUT-5"])],
    ids=["PHQ-9 item 9 at 0 raises nothing", "PHQ-9 item 9 above 0 raises a same-day flag"],
)
async def test_phq9_response_answers_with_its_score_and_flags(api, client, item_9, flags):
    patient_id = await register_patient(api, client)
    response = await respond(api, client, patient_id, "phq9", [2, 2, 1, 1, 1, 1, 0, 0, item_9])
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["score"]["total"], body["score"]["band"]) == (8 + item_9, "mild")
    assert [f["finding"]["rule_id"] for f in body["flags"]] == flags
    assert [f["finding"]["severity"] for f in body["flags"]] == ["HARD"] * len(flags)
    assert (body["follow_up_id"] is not None) == bool(flags)
    outcomes = await client.get(
        f"{API}/patients/{patient_id}/outcomes", headers=api.headers("physician")
    )
    assert [f["finding"]["rule_id"] for f in outcomes.json()["flags"]] == flags


async def test_an_answer_out_of_range_is_422_naming_the_item(api, client):
    patient_id = await register_patient(api, client)
    response = await respond(api, client, patient_id, "phq9", [0, 0, 0, 0, 0, 0, 0, 0, 4])
    body = problem(response, 422)
    assert body["errors"][0]["field"] == "phq9.item_9"


async def test_an_unknown_instrument_is_422(api, client):
    patient_id = await register_patient(api, client)
    response = await respond(api, client, patient_id, "mood-ring", [1])
    assert problem(response, 422)["errors"][0]["field"] == "instrument"


async def test_outcomes_give_the_change_from_baseline_with_its_category(api, client):
    patient_id = await register_patient(api, client)
    for days, rating in ((0, 8), (7, 5), (14, 4)):
        written = await respond(api, client, patient_id, "nrs", [rating], days=days)
        assert written.status_code == 201, written.text
    response = await client.get(
        f"{API}/patients/{patient_id}/outcomes", headers=api.headers("nurse")
    )
    body = response.json()
    assert body["baseline_nrs_points"] == 8
    assert [
        (p["nrs_points"], p["reduction_pct"], p["category"], p["responder"]) for p in body["points"]
    ] == [
        (5, 37.5, "moderately important", True),
        (4, 50.0, "substantial", True),
    ]


async def test_a_booked_follow_up_is_completed_by_a_contact_once(api, client):
    patient_id = await register_patient(api, client)
    headers = api.headers("nurse")
    booked = await client.post(
        f"{API}/patients/{patient_id}/follow-ups",
        json={"due_on": "2024-05-13", "method": "phone"},
        headers=headers,
    )
    assert booked.status_code == 201, booked.text
    contact = {"notes": "Pain 4/10.", "follow_up_id": booked.json()["id"]}
    path = f"{API}/patients/{patient_id}/contacts"
    done = await client.post(path, json=contact, headers=headers)
    assert done.status_code == 201, done.text
    assert (done.json()["due_on"], done.json()["notes"]) == ("2024-05-13", "Pain 4/10.")
    assert done.json()["completed_at"].startswith("2024-05-06T08:00:00")
    problem(await client.post(path, json=contact, headers=headers), 409)


@pytest.mark.parametrize(
    ("path", "answers", "rules"),
    [
        (
            "dependence-screens",
            {
                "tolerance": False,
                "craving": False,
                "street_use": True,
                "social_withdrawal": False,
                "withdrawal_symptoms": False,
            },
            ["DEP-3", "DEP-8"],
        ),
        (
            "urinary-screens",
            {
                "frequency_or_nocturia": False,
                "urgency": True,
                "bladder_pain": False,
                "dysuria": False,
                "haematuria": False,
                "incontinence": False,
            },
            ["TOX-U4"],
        ),
    ],
    ids=["street ketamine is a HIGH alert", "urgency suspends ketamine"],
)
async def test_a_positive_screen_raises_safety_flags(api, client, path, answers, rules):
    patient_id = await register_patient(api, client)
    response = await client.post(
        f"{API}/patients/{patient_id}/{path}",
        json={"asked_at": T0.isoformat(), **answers},
        headers=api.headers("nurse"),
    )
    assert response.status_code == 201, response.text
    assert [f["finding"]["rule_id"] for f in response.json()["flags"]] == rules


NO_SIGNALS = {
    "tolerance": False,
    "craving": False,
    "street_use": False,
    "social_withdrawal": False,
    "withdrawal_symptoms": False,
}


async def test_a_negative_dependence_screen_is_stored_listed_and_ends_dep7(api, client):
    patient_id = await register_patient(api, client)
    path = f"{API}/patients/{patient_id}/safety-screens"
    before = (await client.get(path, headers=api.headers("physician"))).json()
    assert (before["screens"], before["last_dependence_screen_at"]) == ([], None)
    assert [(f["rule_id"], f["severity"], f["sources"]) for f in before["abuse_risk_findings"]] == [
        ("DEP-7", "HARD", ["SpravatoPI"])
    ]

    written = await client.post(
        f"{API}/patients/{patient_id}/dependence-screens",
        json={"asked_at": "2024-05-06T10:00:00+02:00", **NO_SIGNALS},
        headers=api.headers("nurse"),
    )
    assert written.status_code == 201, written.text
    assert (written.json()["findings"], written.json()["flags"]) == ([], [])

    after = (await client.get(path, headers=api.headers("physician"))).json()
    assert after["abuse_risk_findings"] == []
    assert after["last_dependence_screen_at"].startswith("2024-05-06T08:00:00")
    (screen,) = after["screens"]
    assert (screen["id"], screen["kind"], screen["answers"], screen["findings"]) == (
        written.json()["id"],
        "dependence",
        NO_SIGNALS,
        [],
    )


async def test_the_screens_of_an_unknown_patient_are_404(api, client):
    response = await client.get(
        f"{API}/patients/{uuid.uuid4()}/safety-screens", headers=api.headers("nurse")
    )
    problem(response, 404)


@pytest.mark.parametrize("path", ["outcomes", "safety-screens"])
@pytest.mark.parametrize("role", ["researcher", "admin"])
async def test_follow_up_data_is_403_to_researchers_and_admins(api, client, role, path):
    patient_id = await register_patient(api, client)
    response = await client.get(f"{API}/patients/{patient_id}/{path}", headers=api.headers(role))
    problem(response, 403)
