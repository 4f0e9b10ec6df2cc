"""Screening over the API, on SQLite and PostgreSQL: from the stored record to a stored verdict."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select
from tests.api.conftest import new_patient

from ketapath.store.tables import Screening

pytestmark = pytest.mark.anyio

FINDING_KEYS = {"rule_id", "severity", "title", "message", "values", "sources", "evidence"}


async def _patient(api, client, *entries: tuple[str, dict]) -> str:
    headers = api.headers("nurse")
    response = await client.post("/api/v1/patients", json=new_patient(), headers=headers)
    assert response.status_code == 201, response.text
    patient_id = str(response.json()["id"])
    for kind, body in entries:
        added = await client.post(
            f"/api/v1/patients/{patient_id}/{kind}", json=body, headers=headers
        )
        assert added.status_code == 201, added.text
    return patient_id


def _psychosis(status: str) -> tuple[str, dict]:
    return (
        "conditions",
        {"concept": "psychosis", "status": status, "section": "psychiatric_history"},
    )


async def _screen(api, client, patient_id: str, role: str = "physician", **body):
    return await client.post(
        f"/api/v1/patients/{patient_id}/screenings", json=body, headers=api.headers(role)
    )


@pytest.mark.parametrize(
    ("status", "rule_id", "excluded"),
    [("active", "CI-3", True), ("history", "CI-3b", False)],
    ids=["active psychosis is CI-3 and excludes", "past psychosis is CI-3b and does not"],
)
async def test_screening_reads_the_stored_psychiatric_history(
    api, client, status, rule_id, excluded
):
    patient_id = await _patient(api, client, _psychosis(status))

    response = await _screen(api, client, patient_id)

    assert response.status_code == 201, response.text
    result = response.json()
    assert rule_id in [f["rule_id"] for f in result["findings"]]
    assert (result["verdict"] == "EXCLUDED") is excluded
    assert rule_id in result["decided_by"]  # it excludes, or it asks for a review
    assert all(set(f) == FINDING_KEYS for f in result["findings"])


async def test_screening_lists_missing_data_until_it_is_recorded(api, client):
    patient_id = await _patient(api, client)
    before = (await _screen(api, client, patient_id)).json()
    await client.post(
        f"/api/v1/patients/{patient_id}/measurements",
        json={"measured_at": "2024-05-01T08:00:00Z", "weight_kg": 70},
        headers=api.headers("nurse"),
    )

    after = (await _screen(api, client, patient_id, role="nurse")).json()

    assert before["verdict"] == "NEEDS REVIEW"
    missing_before = {m["field"] for m in before["missing"]}
    missing_after = {m["field"] for m in after["missing"]}
    assert "patient.weight_kg" in missing_before
    assert "patient.weight_kg" not in missing_after


async def test_screening_keeps_the_answers_asked(api, client):
    patient_id = await _patient(api, client)
    answers = {"pregnant": False, "consent_signed": True, "escort_available": True}

    result = (await _screen(api, client, patient_id, answers=answers)).json()

    assert result["answers"] == {
        "pregnant": False,
        "breastfeeding": None,
        "failed_conventional_therapy": None,
        "consent_signed": True,
        "escort_available": True,
    }


async def test_screenings_are_listed_newest_first_and_read_back_as_stored(api, client):
    patient_id = await _patient(api, client, _psychosis("active"))
    first = (await _screen(api, client, patient_id)).json()
    api.clock.advance(days=1)
    second = (await _screen(api, client, patient_id, on="2024-05-07")).json()
    headers = api.headers("nurse")

    listed = (await client.get(f"/api/v1/patients/{patient_id}/screenings", headers=headers)).json()
    fetched = (await client.get(f"/api/v1/screenings/{first['id']}", headers=headers)).json()

    assert [s["id"] for s in listed["items"]] == [second["id"], first["id"]]
    assert listed["total"] == 2
    assert fetched == first


async def test_screening_of_an_unknown_patient_is_404_and_stores_nothing(api, client):
    response = await _screen(api, client, str(uuid.uuid4()))

    assert response.status_code == 404
    with api.services.unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(Screening)) == 0


async def test_screening_of_a_deactivated_patient_is_409(api, client):
    patient_id = await _patient(api, client)
    await client.post(
        f"/api/v1/patients/{patient_id}/deactivate",
        json={"reason": "moved away"},
        headers=api.headers("nurse"),
    )

    assert (await _screen(api, client, patient_id)).status_code == 409


@pytest.mark.parametrize("role", ["admin", "researcher"])
async def test_screening_is_forbidden_to(api, client, role):
    patient_id = await _patient(api, client)

    response = await _screen(api, client, patient_id, role=role)

    assert response.status_code == 403
    listed = await client.get(
        f"/api/v1/patients/{patient_id}/screenings", headers=api.headers(role)
    )
    assert listed.status_code == 403
