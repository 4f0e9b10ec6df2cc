"""Plans over the API, on SQLite and PostgreSQL: write, override (physicians only, never a HARD
finding), sign; every refusal is problem+json naming the rule or the field.

The helpers here (`register_patient`, `create_custom_plan`, `create_signed_plan`, `problem`) are
shared by the other treatment-flow API tests.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from tests.api.conftest import new_patient

pytestmark = pytest.mark.anyio

API = "/api/v1"
CLINIC = "outpatient_infusion_clinic"


def problem(response, status: int) -> dict[str, Any]:
    """Check a problem+json response and return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert "Traceback" not in response.text
    return body


def infusion(rate_mg_per_kg_per_h: float, duration_h: float = 3.0) -> dict[str, Any]:
    """The JSON of a custom IV infusion order."""
    return {
        "route": "iv_infusion",
        "rate_mg_per_kg_per_h": rate_mg_per_kg_per_h,
        "duration_h": duration_h,
    }


async def register_patient(api, client, mrn: str = "MRN-0001", *, weight_kg: float = 70.0) -> str:
    """Register a CRPS patient of `weight_kg` kg; return the id."""
    headers = api.headers("nurse")
    response = await client.post(f"{API}/patients", json=new_patient(mrn=mrn), headers=headers)
    assert response.status_code == 201, response.text
    patient_id = response.json()["id"]
    weight = {"measured_at": "2024-04-29T08:00:00+00:00", "weight_kg": weight_kg}
    crps = {"concept": "crps", "status": "active"}
    for path, body in (("measurements", weight), ("conditions", crps)):
        added = await client.post(f"{API}/patients/{patient_id}/{path}", json=body, headers=headers)
        assert added.status_code == 201, added.text
    return str(patient_id)


async def create_custom_plan(api, client, patient_id: str, *orders: dict[str, Any]) -> dict:
    body = {"care_area": CLINIC, "orders": list(orders)}
    response = await client.post(
        f"{API}/patients/{patient_id}/custom-plans", json=body, headers=api.headers("physician")
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def create_signed_plan(api, client, patient_id: str, *orders: dict[str, Any]) -> dict:
    """A signed plan: the outpatient CRPS protocol, or `orders` with every finding overridden."""
    headers = api.headers("physician")
    if orders:
        plan = await create_custom_plan(api, client, patient_id, *orders)
    else:
        body = {"protocol": "outpatient_crps", "care_area": CLINIC}
        response = await client.post(
            f"{API}/patients/{patient_id}/plans", json=body, headers=headers
        )
        assert response.status_code == 201, response.text
        plan = response.json()
    for order in plan["orders"]:
        for finding in order["findings"]:
            path = f"{API}/plans/{plan['id']}/findings/{finding['id']}/override"
            overridden = await client.post(path, json={"reason": "reviewed"}, headers=headers)
            assert overridden.status_code == 200, overridden.text
    signed = await client.post(f"{API}/plans/{plan['id']}/sign", headers=headers)
    assert signed.status_code == 200, signed.text
    return dict(signed.json())


async def test_create_plan_from_a_protocol_returns_the_dosed_orders(api, client):
    patient_id = await register_patient(api, client)
    response = await client.post(
        f"{API}/patients/{patient_id}/plans",
        json={"protocol": "outpatient_crps", "care_area": CLINIC},
        headers=api.headers("physician"),
    )
    assert response.status_code == 201, response.text
    plan = response.json()
    (order,) = plan["orders"]
    assert (plan["status"], plan["protocol"], plan["weight_kg"]) == ("draft", "outpatient_crps", 70)
    assert (order["rate_mg_per_h"], order["duration_h"], order["findings"]) == (24.5, 4.0, [])
    assert (order["status"], order["route"]) == ("proposed", "iv_infusion")


async def test_create_plan_with_an_unknown_protocol_is_422_naming_the_field(api, client):
    patient_id = await register_patient(api, client)
    response = await client.post(
        f"{API}/patients/{patient_id}/plans",
        json={"protocol": "home_esketamine", "care_area": CLINIC},
        headers=api.headers("physician"),
    )
    assert problem(response, 422)["errors"][0]["field"] == "protocol"


async def test_custom_order_with_two_amounts_is_422_naming_the_field(api, client):
    patient_id = await register_patient(api, client)
    order = infusion(0.3) | {"dose_mg": 10.0}
    response = await client.post(
        f"{API}/patients/{patient_id}/custom-plans",
        json={"care_area": CLINIC, "orders": [order]},
        headers=api.headers("physician"),
    )
    body = problem(response, 422)
    assert body["errors"][0]["field"] == "dose_mg"


async def test_custom_plan_shows_each_finding_with_its_rule(api, client):
    patient_id = await register_patient(api, client)
    plan = await create_custom_plan(api, client, patient_id, infusion(1.2))
    findings = plan["orders"][0]["findings"]
    assert [(f["rule_id"], f["severity"]) for f in findings] == [("DA-2", "HARD"), ("DA-3", "SOFT")]
    assert all(f["override"] is None for f in findings)
    assert findings[0]["values"]["rate_mg_per_kg_per_h"] == pytest.approx(1.2)


async def test_a_nurse_cannot_write_a_plan(api, client):
    patient_id = await register_patient(api, client)
    response = await client.post(
        f"{API}/patients/{patient_id}/custom-plans",
        json={"care_area": CLINIC, "orders": [infusion(0.3)]},
        headers=api.headers("nurse"),
    )
    problem(response, 403)


async def test_a_nurse_cannot_override_a_soft_limit(api, client):
    patient_id = await register_patient(api, client)
    plan = await create_custom_plan(api, client, patient_id, infusion(0.6))
    finding_id = plan["orders"][0]["findings"][0]["id"]
    response = await client.post(
        f"{API}/plans/{plan['id']}/findings/{finding_id}/override",
        json={"reason": "the patient asked"},
        headers=api.headers("nurse"),
    )
    assert "nurse" in problem(response, 403)["detail"]
    fetched = await client.get(f"{API}/plans/{plan['id']}", headers=api.headers("nurse"))
    assert fetched.json()["orders"][0]["findings"][0]["override"] is None


async def test_a_hard_finding_can_never_be_overridden(api, client):
    patient_id = await register_patient(api, client)
    plan = await create_custom_plan(api, client, patient_id, infusion(1.2))
    hard = plan["orders"][0]["findings"][0]
    response = await client.post(
        f"{API}/plans/{plan['id']}/findings/{hard['id']}/override",
        json={"reason": "I accept the risk"},
        headers=api.headers("physician"),
    )
    body = problem(response, 422)
    assert "DA-2" in body["detail"]
    assert body["errors"][0]["field"] == "finding_id"


async def test_physician_override_shows_who_when_and_why(api, client):
    patient_id = await register_patient(api, client)
    plan = await create_custom_plan(api, client, patient_id, infusion(0.6))
    finding_id = plan["orders"][0]["findings"][0]["id"]
    response = await client.post(
        f"{API}/plans/{plan['id']}/findings/{finding_id}/override",
        json={"reason": "opioid-tolerant"},
        headers=api.headers("physician"),
    )
    assert response.status_code == 200, response.text
    override = response.json()["orders"][0]["findings"][0]["override"]
    physician = api.users["physician"]
    assert (override["rule_id"], override["reason"]) == ("DA-3", "opioid-tolerant")
    assert (override["by_user_id"], override["role"]) == (str(physician.user_id), "physician")
    assert override["recorded_at"]


async def test_override_without_a_reason_is_422_naming_reason(api, client):
    patient_id = await register_patient(api, client)
    plan = await create_custom_plan(api, client, patient_id, infusion(0.6))
    finding_id = plan["orders"][0]["findings"][0]["id"]
    response = await client.post(
        f"{API}/plans/{plan['id']}/findings/{finding_id}/override",
        json={"reason": "   "},
        headers=api.headers("physician"),
    )
    assert problem(response, 422)["errors"][0]["field"] == "reason"


async def test_sign_is_refused_while_a_hard_finding_remains(api, client):
    patient_id = await register_patient(api, client)
    plan = await create_custom_plan(api, client, patient_id, infusion(1.2))
    response = await client.post(f"{API}/plans/{plan['id']}/sign", headers=api.headers("physician"))
    body = problem(response, 422)
    assert "HARD DA-2" in body["detail"]
    assert "SOFT DA-3" in body["detail"]


async def test_sign_after_the_soft_overrides_approves_the_plan_once(api, client):
    patient_id = await register_patient(api, client)
    plan = await create_signed_plan(api, client, patient_id, infusion(0.6))
    assert plan["status"] == "approved"
    assert [order["status"] for order in plan["orders"]] == ["approved"]
    assert plan["amendments"][0]["new_value"] == "approved"
    again = await client.post(f"{API}/plans/{plan['id']}/sign", headers=api.headers("physician"))
    problem(again, 409)


async def test_list_plans_pages_a_patients_plans(api, client):
    patient_id = await register_patient(api, client)
    first = await create_custom_plan(api, client, patient_id, infusion(0.4))
    await create_custom_plan(api, client, patient_id, infusion(0.45))
    response = await client.get(
        f"{API}/patients/{patient_id}/plans?limit=1", headers=api.headers("nurse")
    )
    page = response.json()
    assert (page["total"], page["limit"], page["offset"]) == (2, 1, 0)
    assert [plan["id"] for plan in page["items"]] == [first["id"]]


@pytest.mark.parametrize("role", ["researcher", "admin"])
async def test_plans_are_403_to_researchers_and_admins(api, client, role):
    patient_id = await register_patient(api, client)
    plan = await create_custom_plan(api, client, patient_id, infusion(0.4))
    problem(await client.get(f"{API}/plans/{plan['id']}", headers=api.headers(role)), 403)


async def test_an_unknown_plan_is_404(api, client):
    response = await client.get(f"{API}/plans/{uuid.uuid4()}", headers=api.headers("nurse"))
    problem(response, 404)
