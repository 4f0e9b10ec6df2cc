"""Patients over the API, on SQLite and PostgreSQL: register, list, read, correct, deactivate,
add history; every access audited; researchers never see who a patient is."""

from __future__ import annotations

import uuid

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import select
from tests.api.conftest import new_patient

from ketapath.services.context import UserRole
from ketapath.store.audit import SYSTEM, verify_chain
from ketapath.store.repositories import ClinicRepository
from ketapath.store.tables import AuditEntry

pytestmark = pytest.mark.anyio

PATIENTS = "/api/v1/patients"


async def _register(api, client, role: str = "nurse", **overrides) -> dict:
    response = await client.post(PATIENTS, json=new_patient(**overrides), headers=api.headers(role))
    assert response.status_code == 201, response.text
    return response.json()


async def test_register_returns_the_patient_of_the_users_clinic(api, client):
    created = await _register(api, client)

    assert created["mrn"] == "MRN-0001"
    assert created["given_name"] == "Maria"
    assert created["birth_date"] == "1974-06-15"
    assert created["active"] is True
    assert created["amendments"] == []
    assert created["created_at"].endswith("Z") or created["created_at"].endswith("+00:00")


async def test_register_strips_whitespace_and_refuses_blank_names(api, client):
    padded = await _register(api, client, given_name="  Ana  ", mrn=" MRN-7 ")
    blank = await client.post(
        PATIENTS, json=new_patient(mrn="MRN-8", family_name="   "), headers=api.headers("nurse")
    )

    assert (padded["given_name"], padded["mrn"]) == ("Ana", "MRN-7")
    assert blank.status_code == 422
    assert blank.json()["errors"][0]["field"] == "family_name"


async def test_list_filters_by_name_mrn_and_status_and_pages(api, client):
    for number, (given, family) in enumerate(
        [("Maria", "Okafor"), ("Jon", "Smith"), ("Anna", "Smithers"), ("Li", "Wei")]
    ):
        await _register(api, client, mrn=f"MRN-{number:04d}", given_name=given, family_name=family)
    headers = api.headers("physician")

    async def names(query: str) -> list[str]:
        response = await client.get(f"{PATIENTS}?{query}", headers=headers)
        assert response.status_code == 200, response.text
        return [p["family_name"] for p in response.json()["items"]]

    assert await names("") == ["Okafor", "Smith", "Smithers", "Wei"]
    assert await names("name=smith") == ["Smith", "Smithers"]
    assert await names("name=anna%20smi") == ["Smithers"]
    assert await names("mrn=MRN-000") == ["Okafor", "Smith", "Smithers", "Wei"]
    assert await names("mrn=mrn-0003") == ["Wei"]
    page = (await client.get(f"{PATIENTS}?limit=2&offset=1", headers=headers)).json()
    assert [p["family_name"] for p in page["items"]] == ["Smith", "Smithers"]
    assert (page["total"], page["limit"], page["offset"]) == (4, 2, 1)


async def test_get_returns_the_summary_with_the_history_entered(api, client):
    patient = await _register(api, client)
    url, headers = f"{PATIENTS}/{patient['id']}", api.headers("nurse")
    entries = {
        "conditions": {"concept": "crps", "status": "active", "code": "G90.513"},
        "medications": {"name": "gabapentin", "drug_classes": [], "daily_dose_mg": 900},
        "substance-use": {"substance": "alcohol", "pattern": "occasional", "status": "active"},
        "labs": {
            "test": "ALT",
            "value_u_per_l": 31,
            "uln_u_per_l": 40,
            "sampled_at": "2024-04-29T09:00:00+02:00",
        },
        "measurements": {"measured_at": "2024-04-29T09:00:00Z", "weight_kg": 68.5},
        "history-reviews": {"section": "substance_use", "reviewed_at": "2024-04-29T09:00:00Z"},
    }
    for kind, body in entries.items():
        response = await client.post(f"{url}/{kind}", json=body, headers=headers)
        assert response.status_code == 201, (kind, response.text)
        assert uuid.UUID(response.json()["id"])

    summary = (await client.get(url, headers=headers)).json()

    assert summary["patient"]["id"] == patient["id"]
    assert summary["as_of"] == "2024-05-06"
    assert summary["age_years"] == 49
    assert summary["weight_kg"] == 68.5
    assert [c["code"] for c in summary["conditions"]] == ["G90.513"]
    assert [m["name"] for m in summary["medications"]] == ["gabapentin"]
    assert summary["substance_use"][0]["substance"] == "alcohol"
    assert summary["labs"][0]["sampled_at"] == "2024-04-29T07:00:00Z"  # stored in UTC
    assert summary["psychiatric_history"] is None  # never taken: unknown, not "none"


async def test_history_entry_with_a_malformed_code_is_422_naming_the_code(api, client):
    patient = await _register(api, client)

    response = await client.post(
        f"{PATIENTS}/{patient['id']}/conditions",
        json={"concept": "crps", "status": "active", "code": "not-a-code"},
        headers=api.headers("nurse"),
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "code"


async def test_amend_keeps_the_original_and_the_reason(api, client):
    patient = await _register(api, client)
    url = f"{PATIENTS}/{patient['id']}/amendments"

    response = await client.post(
        url,
        json={"changes": {"given_name": "María"}, "reason": "accent missing at intake"},
        headers=api.headers("physician"),
    )

    assert response.status_code == 200, response.text
    amended = response.json()
    assert amended["given_name"] == "María"
    (change,) = amended["amendments"]
    assert (change["field"], change["old_value"], change["new_value"]) == (
        "given_name",
        "Maria",
        "María",
    )
    assert change["reason"] == "accent missing at intake"
    assert change["amended_by"] == str(api.users[UserRole.PHYSICIAN].user_id)
    found = await client.get(f"{PATIENTS}?name=maría", headers=api.headers("nurse"))
    assert [p["id"] for p in found.json()["items"]] == [patient["id"]]


@pytest.mark.parametrize(
    "body",
    [
        {"changes": {"given_name": "Ana"}},
        {"changes": {"given_name": "Ana"}, "reason": "   "},
        {"changes": {}, "reason": "typo"},
        {"changes": {"mrn": "MRN-9"}, "reason": "typo"},
    ],
    ids=["without a reason", "with a blank reason", "with nothing to change", "of the MRN"],
)
async def test_amend_is_refused_422(api, client, body):
    patient = await _register(api, client)

    response = await client.post(
        f"{PATIENTS}/{patient['id']}/amendments", json=body, headers=api.headers("physician")
    )

    assert response.status_code == 422
    assert response.json()["errors"]


async def test_deactivate_hides_the_patient_from_the_default_list_and_closes_the_record(
    api, client
):
    patient = await _register(api, client)
    headers = api.headers("nurse")

    response = await client.post(
        f"{PATIENTS}/{patient['id']}/deactivate", json={"reason": "duplicate"}, headers=headers
    )

    assert response.status_code == 200, response.text
    assert response.json()["active"] is False
    assert (await client.get(PATIENTS, headers=headers)).json()["total"] == 0
    inactive = (await client.get(f"{PATIENTS}?active=false", headers=headers)).json()
    assert [p["id"] for p in inactive["items"]] == [patient["id"]]
    closed = await client.post(
        f"{PATIENTS}/{patient['id']}/measurements",
        json={"measured_at": "2024-05-06T08:00:00Z", "weight_kg": 70},
        headers=headers,
    )
    assert closed.status_code == 409
    assert (await client.get(f"{PATIENTS}/{patient['id']}", headers=headers)).status_code == 200


async def test_patient_of_another_clinic_is_not_found(api, client):
    patient = await _register(api, client)
    with api.services.unit_of_work() as session:
        south = ClinicRepository(session, SYSTEM).create("Pain Clinic South")
    api.users[UserRole.NURSE] = api.add_user("nurse.south", UserRole.NURSE, clinic_id=south.id)
    headers = api.headers("nurse")

    assert (await client.get(f"{PATIENTS}/{patient['id']}", headers=headers)).status_code == 404
    assert (await client.get(PATIENTS, headers=headers)).json()["total"] == 0


async def test_every_access_is_audited_and_the_chain_verifies(api, client):
    patient = await _register(api, client)
    await client.get(f"{PATIENTS}/{patient['id']}", headers=api.headers("physician"))

    with api.services.unit_of_work() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.patient_id == uuid.UUID(patient["id"]))
        ).all()
        assert verify_chain(session).ok
    actions = [(e.action, e.role, e.client_address) for e in entries]
    assert ("create", "nurse", "127.0.0.1") in actions
    assert ("read", "physician", "127.0.0.1") in actions
    verified = await client.get("/api/v1/audit/verify", headers=api.headers("admin"))
    with api.services.unit_of_work() as session:
        total = len(session.scalars(select(AuditEntry.sequence)).all())
    assert verified.json() == {
        "ok": True,
        "entries_checked": total,
        "first_broken_sequence": None,
        "reason": None,
    }


def _get_urls(app, ids: dict[str, str]) -> list[str]:
    urls = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and "GET" in route.methods:
            url = str(context.path)
            for name, value in ids.items():
                url = url.replace("{" + name + "}", value)
            urls.append(url)
    return urls


async def test_researcher_never_receives_a_name_birth_date_mrn_or_free_text(api, client):
    patient = await _register(api, client, given_name="Xiomara", family_name="Quetzal")
    await client.post(
        f"{PATIENTS}/{patient['id']}/amendments",
        json={"changes": {"family_name": "Quetzalli"}, "reason": "spelling per passport"},
        headers=api.headers("nurse"),
    )
    screening = await client.post(
        f"{PATIENTS}/{patient['id']}/screenings", json={}, headers=api.headers("nurse")
    )
    ids = {"patient_id": patient["id"], "screening_id": screening.json()["id"]}
    researcher = api.headers("researcher")
    bodies = []
    for url in _get_urls(api.app, ids):
        bodies.append((await client.get(url, headers=researcher)).text)
    for url in (PATIENTS, f"{PATIENTS}/{patient['id']}/screenings"):
        bodies.append((await client.post(url, json={}, headers=researcher)).text)

    assert len(bodies) > 5
    seen = "\n".join(bodies)
    for secret in ("Xiomara", "Quetzal", "1974-06-15", "MRN-0001", "passport"):
        assert secret not in seen
