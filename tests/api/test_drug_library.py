"""The drug library over the API, on SQLite and PostgreSQL: clinicians and admins read it and its
history, only admins change it, and a refused change is problem+json naming the field and value.
"""

from __future__ import annotations

import pytest
from tests.api.test_plans import create_custom_plan, infusion, problem, register_patient

pytestmark = pytest.mark.anyio

API = "/api/v1/drug-library"
INFUSION = "care_areas.outpatient_infusion_clinic.routes.iv_infusion.limits"
SOFT_CEILING = f"{INFUSION}[2]"  # DA-3: rate_mg_per_kg_per_h <= 0.5, SOFT


def _change(value: float, *, based_on: int = 1, key: str = SOFT_CEILING) -> dict[str, object]:
    return {"key": key, "value": value, "reason": "Pharmacy review", "based_on_version": based_on}


@pytest.mark.parametrize("role", ["physician", "nurse", "admin"])
async def test_the_library_in_force_lists_every_limit_with_its_unit(api, client, role):
    response = await client.get(API, headers=api.headers(role))

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["version"], body["recorded_by"], body["changes"]) == (1, None, [])
    assert body["library_name"] == "KetaPath ketamine dose-error-reduction library"
    soft = next(limit for limit in body["limits"] if limit["key"] == SOFT_CEILING)
    assert {k: soft[k] for k in ("allowed", "value", "unit", "strength", "rule_id")} == {
        "allowed": "<=",
        "value": 0.5,
        "unit": "mg/kg/h",
        "strength": "SOFT",
        "rule_id": "DA-3",
    }


async def test_an_admin_changes_a_limit_and_the_history_shows_who_why_and_what(api, client):
    changed = await client.post(
        f"{API}/limit-changes", json=_change(0.6), headers=api.headers("admin")
    )
    history = await client.get(f"{API}/versions", headers=api.headers("nurse"))

    assert changed.status_code == 201, changed.text
    assert (changed.json()["version"], changed.json()["recorded_by"]) == (2, "admin.one")
    assert [(v["version"], v["recorded_by"], v["reason"]) for v in history.json()] == [
        (2, "admin.one", "Pharmacy review"),
        (1, None, "The packaged drug library, installed with the database schema."),
    ]
    assert history.json()[0]["changes"] == [
        {
            "path": f"{SOFT_CEILING}.value",
            "field": "value",
            "limit_key": SOFT_CEILING,
            "old": "0.5",
            "new": "0.6",
        }
    ]


async def test_a_version_is_shown_with_its_whole_document(api, client):
    await client.post(f"{API}/limit-changes", json=_change(0.6), headers=api.headers("admin"))

    first = await client.get(f"{API}/versions/1", headers=api.headers("physician"))
    second = await client.get(f"{API}/versions/2", headers=api.headers("physician"))

    def value(response):
        routes = response.json()["document"]["care_areas"]["outpatient_infusion_clinic"]["routes"]
        return routes["iv_infusion"]["limits"][2]["value"]

    assert (value(first), value(second)) == (0.5, 0.6)
    problem(await client.get(f"{API}/versions/3", headers=api.headers("physician")), 404)


async def test_a_plan_written_after_the_change_meets_the_new_limit(api, client):
    patient_id = await register_patient(api, client)
    before = await create_custom_plan(api, client, patient_id, infusion(0.6))
    await client.post(f"{API}/limit-changes", json=_change(0.7), headers=api.headers("admin"))
    after = await create_custom_plan(api, client, patient_id, infusion(0.6))

    assert [f["rule_id"] for f in before["orders"][0]["findings"]] == ["DA-3"]
    assert after["orders"][0]["findings"] == []


async def test_a_soft_limit_above_the_hard_one_is_refused_naming_the_field(api, client):
    response = await client.post(
        f"{API}/limit-changes", json=_change(1.5), headers=api.headers("admin")
    )

    body = problem(response, 422)
    (error,) = body["errors"]
    assert error["field"] == "value"
    assert f"`{SOFT_CEILING}.value` must be <= 1 mg/kg/h, the HARD limit" in error["message"]
    assert "(got 1.5 mg/kg/h)" in error["message"]
    current = await client.get(API, headers=api.headers("admin"))
    assert current.json()["version"] == 1


@pytest.mark.parametrize("role", ["physician", "nurse", "researcher"])
async def test_only_an_admin_changes_the_library(api, client, role):
    response = await client.post(
        f"{API}/limit-changes", json=_change(0.6), headers=api.headers(role)
    )

    assert "may not use this route" in problem(response, 403)["detail"]


async def test_a_change_on_an_older_version_is_a_conflict(api, client):
    admin = api.headers("admin")
    await client.post(f"{API}/limit-changes", json=_change(0.6), headers=admin)

    response = await client.post(f"{API}/limit-changes", json=_change(0.7), headers=admin)

    assert "`based_on_version` 1 is not the newest" in problem(response, 409)["detail"]


async def test_a_whole_document_that_breaks_the_rules_is_refused(api, client):
    document = (await client.get(f"{API}/versions/1", headers=api.headers("admin"))).json()
    document = document["document"]
    document["protocols"]["outpatient_crps"]["limits"][0]["strength"] = "MAYBE"
    body = {"document": document, "reason": "import", "based_on_version": 1}

    response = await client.put(API, json=body, headers=api.headers("admin"))

    (error,) = problem(response, 422)["errors"]
    assert error["field"] == "document"
    assert (
        "`protocols.outpatient_crps.limits[0].strength` must be one of HARD, SOFT, INFO"
        in (error["message"])
    )


async def test_a_reviewed_whole_document_is_stored_as_the_next_version(api, client):
    document = (await client.get(f"{API}/versions/1", headers=api.headers("admin"))).json()
    document = document["document"]
    document["version"] = "2"
    body = {"document": document, "reason": "Reviewed by pharmacy", "based_on_version": 1}

    response = await client.put(API, json=body, headers=api.headers("admin"))

    assert response.status_code == 200, response.text
    assert (response.json()["version"], response.json()["library_version"]) == (2, "2")
    assert response.json()["changes"][0]["path"] == "version"
