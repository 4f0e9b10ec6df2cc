"""Errors come back as RFC 9457 problem+json with the field at fault, never with a stack trace."""

from __future__ import annotations

import dataclasses
import logging
import uuid

import pytest
from tests.api.conftest import new_patient

from ketapath.api.deps import get_services
from ketapath.api.problems import status_of
from ketapath.errors import (
    AccessError,
    ComputationError,
    ConfigError,
    ConflictError,
    DataError,
    InputError,
    KetaPathError,
    ModelError,
    NotFoundError,
    RegimenError,
    UnitError,
)
from ketapath.services.context import UserRole

pytestmark = pytest.mark.anyio

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "request_id", "errors"}


def assert_problem(response, status: int) -> dict:
    """Check the problem+json shape and return the body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert set(body) == PROBLEM_KEYS
    assert body["status"] == status
    assert body["request_id"] == response.headers["X-Request-ID"]
    assert isinstance(body["errors"], list)
    return body


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (InputError("`x` bad.", field="x"), 422),
        (UnitError("`unit` unknown."), 422),
        (RegimenError("`doses` overlap."), 422),
        (ModelError("outside the model."), 422),
        (DataError("missing weight."), 422),
        (ComputationError("solver failed."), 422),
        (NotFoundError("no such patient."), 404),
        (ConflictError("MRN taken."), 409),
        (AccessError("not your role."), 403),
        (ConfigError("no secret key."), 500),
        (KetaPathError("something else."), 500),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
def test_status_of_each_error_kind(error, status):
    assert status_of(error) == status


async def test_pydantic_422_names_the_field(api, client):
    response = await client.post(
        "/api/v1/patients",
        json=new_patient(birth_date="not a date", sex="unknown-sex"),
        headers=api.headers("nurse"),
    )

    body = assert_problem(response, 422)
    fields = {error["field"] for error in body["errors"]}
    assert fields == {"birth_date", "sex"}
    assert "`birth_date`" in body["detail"]


async def test_nul_character_in_a_text_is_422_naming_the_field(api, client):
    # PostgreSQL cannot store NUL: without the schema's check this was a 500 on that database.
    patient = await client.post(
        "/api/v1/patients",
        json=new_patient(family_name="Nul\x00Name"),
        headers=api.headers("nurse"),
    )
    sign_in = await client.post(
        "/api/v1/auth/token", json={"username": "nurse\x00", "password": "x"}
    )

    assert [error["field"] for error in assert_problem(patient, 422)["errors"]] == ["family_name"]
    errors = assert_problem(sign_in, 422)["errors"]
    assert [error["field"] for error in errors] == ["username"]
    assert "NUL" in errors[0]["message"]


async def test_query_parameter_422_names_the_parameter(api, client):
    response = await client.get("/api/v1/patients?limit=0", headers=api.headers("nurse"))

    body = assert_problem(response, 422)
    assert [error["field"] for error in body["errors"]] == ["limit"]


async def test_input_error_from_the_records_is_422_naming_the_field(api, client):
    future = new_patient(birth_date="2999-01-01")

    response = await client.post("/api/v1/patients", json=future, headers=api.headers("nurse"))

    body = assert_problem(response, 422)
    assert body["errors"][0]["field"] == "birth_date"
    assert "`birth_date`" in body["errors"][0]["message"]


async def test_unknown_patient_is_404(api, client):
    response = await client.get(f"/api/v1/patients/{uuid.uuid4()}", headers=api.headers("nurse"))

    body = assert_problem(response, 404)
    assert body["errors"] == []


async def test_unknown_route_and_wrong_method_are_problems(api, client):
    assert_problem(await client.get("/api/v1/nowhere"), 404)
    assert_problem(await client.delete("/api/v1/patients", headers=api.headers("nurse")), 405)


async def test_duplicate_mrn_is_409(api, client):
    headers = api.headers("physician")
    assert (await client.post("/api/v1/patients", json=new_patient(), headers=headers)).is_success

    response = await client.post("/api/v1/patients", json=new_patient(), headers=headers)

    body = assert_problem(response, 409)
    assert "MRN-0001" in body["detail"]


async def test_access_error_from_a_use_case_is_403(api, client):
    api.users[UserRole.NURSE] = api.add_user("nurse.nowhere", UserRole.NURSE, clinic_id=None)

    response = await client.get("/api/v1/patients", headers=api.headers("nurse"))

    body = assert_problem(response, 403)
    assert "no clinic" in body["detail"]


async def test_unexpected_error_is_500_with_request_id_and_no_stack_trace(api, client, caplog):
    def broken_session():
        raise RuntimeError("secret internals: connection string postgres://admin:pw@db")

    broken = dataclasses.replace(api.services, session_factory=broken_session)
    api.app.dependency_overrides[get_services] = lambda: broken
    headers = api.headers("admin")

    with caplog.at_level(logging.ERROR, logger="ketapath.api"):
        response = await client.get("/api/v1/users/me", headers=headers)

    body = assert_problem(response, 500)
    assert "Traceback" not in response.text
    assert "secret internals" not in response.text
    assert "RuntimeError" not in response.text
    assert body["errors"] == []
    assert body["request_id"] in caplog.text  # the server log has the id and the traceback
    assert "secret internals" in caplog.text
