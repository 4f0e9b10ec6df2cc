"""Every route x every role: the roles a route declares are exactly the roles it lets in.

Routes are read from the app itself, so a route added later is covered without editing this
file; a route that declares neither roles (`allow`) nor `public()` fails the suite.
"""

from __future__ import annotations

import inspect
import uuid
from dataclasses import dataclass
from typing import get_args, get_type_hints

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from ketapath.api.deps import declared_roles, is_public
from ketapath.services.context import RequestContext, UserRole

pytestmark = pytest.mark.anyio

PATIENT_DATA_PREFIXES = ("/api/v1/patients", "/api/v1/screenings", "/api/v1/sessions")
CLINICAL = {UserRole.PHYSICIAN, UserRole.NURSE}
LIBRARY_READERS = {UserRole.PHYSICIAN, UserRole.NURSE, UserRole.ADMIN}

EXPECTED_ROLES = {
    ("GET", "/api/v1/users/me"): set(UserRole),
    ("POST", "/api/v1/auth/logout"): set(UserRole),
    ("POST", "/api/v1/users"): {UserRole.ADMIN},
    ("GET", "/api/v1/users"): {UserRole.ADMIN},
    ("POST", "/api/v1/users/{user_id}/deactivate"): {UserRole.ADMIN},
    ("GET", "/api/v1/audit/verify"): {UserRole.ADMIN},
    ("POST", "/api/v1/patients"): CLINICAL,
    ("GET", "/api/v1/patients"): CLINICAL,
    ("GET", "/api/v1/patients/{patient_id}"): CLINICAL,
    ("POST", "/api/v1/patients/{patient_id}/amendments"): CLINICAL,
    ("POST", "/api/v1/patients/{patient_id}/deactivate"): CLINICAL,
    ("POST", "/api/v1/patients/{patient_id}/conditions"): CLINICAL,
    ("POST", "/api/v1/patients/{patient_id}/medications"): CLINICAL,
    ("POST", "/api/v1/patients/{patient_id}/substance-use"): CLINICAL,
    ("POST", "/api/v1/patients/{patient_id}/labs"): CLINICAL,
    ("POST", "/api/v1/patients/{patient_id}/measurements"): CLINICAL,
    ("POST", "/api/v1/patients/{patient_id}/history-reviews"): CLINICAL,
    ("POST", "/api/v1/patients/{patient_id}/screenings"): CLINICAL,
    ("GET", "/api/v1/patients/{patient_id}/screenings"): CLINICAL,
    ("GET", "/api/v1/screenings/{screening_id}"): CLINICAL,
    ("GET", "/api/v1/patients/{patient_id}/safety-screens"): CLINICAL,
    ("GET", "/api/v1/drug-library"): LIBRARY_READERS,
    ("GET", "/api/v1/drug-library/versions"): LIBRARY_READERS,
    ("GET", "/api/v1/drug-library/versions/{version}"): LIBRARY_READERS,
    ("POST", "/api/v1/drug-library/limit-changes"): {UserRole.ADMIN},
    ("PUT", "/api/v1/drug-library"): {UserRole.ADMIN},
    ("POST", "/api/v1/sessions/{session_id}/pause"): CLINICAL,
    ("POST", "/api/v1/sessions/{session_id}/resume"): CLINICAL,
    ("POST", "/api/v1/sessions/{session_id}/stop"): CLINICAL,
}
"""The policy of this module's routes, written out: who may call what."""

PUBLIC_ROUTES = {("POST", "/api/v1/auth/token"), ("POST", "/api/v1/auth/session")}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    route: APIRoute

    def url(self) -> str:
        """The path with every path parameter filled (ids that exist nowhere)."""
        url = self.path
        for param in self.route.dependant.path_params:
            url = url.replace("{" + param.name + "}", str(uuid.uuid4()))
        return url


def _operations(app) -> list[Operation]:
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        found.extend(Operation(m, str(context.path), route) for m in sorted(route.methods))
    return found


async def _call(client, operation: Operation, headers: dict[str, str]):
    has_body = operation.method in {"POST", "PUT", "PATCH"}
    kwargs = {"json": {}} if has_body else {}
    return await client.request(operation.method, operation.url(), headers=headers, **kwargs)


def test_every_route_declares_who_may_call_it(api):
    undeclared = [
        (op.method, op.path)
        for op in _operations(api.app)
        if declared_roles(op.route) is None and not is_public(op.route)
    ]

    assert undeclared == []


def _calls(dependant):
    if dependant.call is not None:
        yield dependant.call
    for sub in dependant.dependencies:
        yield from _calls(sub)


def test_routes_and_their_dependencies_run_on_the_event_loop(api):
    # Only `Caller.run` goes to the thread pool: one trip per request, not one per function.
    blocking = [
        (op.method, op.path, call.__name__)
        for op in _operations(api.app)
        for call in _calls(op.route.dependant)
        if not inspect.iscoroutinefunction(call)
    ]

    assert blocking == []


def test_no_route_gets_a_request_context_but_from_its_caller(api):
    # A use case needs a RequestContext; a route gets one only inside `Caller.run`, after the
    # credential's look-up (signed out? deactivated? role changed?).
    taking = [
        (op.method, op.path, call.__name__)
        for op in _operations(api.app)
        for call in _calls(op.route.dependant)
        if any(
            RequestContext in (hint, *get_args(hint))
            for hint in get_type_hints(call, include_extras=True).values()
        )
    ]

    assert taking == []


def test_every_route_publishes_its_roles_in_the_openapi_document(api):
    document = api.app.openapi()

    for op in _operations(api.app):
        operation = document["paths"][op.path][op.method.lower()]
        roles = declared_roles(op.route)
        if roles is None:
            assert operation.get("x-public") is True, (op.method, op.path)
        else:
            assert set(operation["x-roles"]) == {str(r) for r in roles}, (op.method, op.path)


def test_declared_roles_match_the_written_policy(api):
    declared = {
        (op.method, op.path): set(declared_roles(op.route) or ())
        for op in _operations(api.app)
        if (op.method, op.path) in EXPECTED_ROLES
    }
    public = {(op.method, op.path) for op in _operations(api.app) if is_public(op.route)}

    assert declared == EXPECTED_ROLES
    assert public >= PUBLIC_ROUTES


def test_no_patient_data_route_lets_in_admins_or_researchers(api):
    offenders = [
        (op.method, op.path)
        for op in _operations(api.app)
        if op.path.startswith(PATIENT_DATA_PREFIXES)
        and set(declared_roles(op.route) or set(UserRole)) & {UserRole.ADMIN, UserRole.RESEARCHER}
    ]

    assert offenders == []


async def test_every_route_answers_each_role_as_declared(api, client):
    wrong = []
    for op in _operations(api.app):
        allowed = declared_roles(op.route)
        if allowed is None:
            continue
        for role in UserRole:
            response = await _call(client, op, api.headers(role))
            if role in allowed:
                ok = response.status_code not in (401, 403) and response.status_code < 500
            else:
                ok = response.status_code == 403
            if not ok:
                wrong.append((op.method, op.path, str(role), response.status_code))

    assert wrong == []


async def test_every_non_public_route_is_401_without_credentials(api, client):
    answers = {
        (op.method, op.path): (await _call(client, op, {})).status_code
        for op in _operations(api.app)
        if not is_public(op.route)
    }

    assert {key: status for key, status in answers.items() if status != 401} == {}


async def test_public_routes_answer_without_credentials(api, client):
    for op in _operations(api.app):
        if is_public(op.route):
            response = await _call(client, op, {})
            assert response.status_code not in (401, 403, 500), (op.method, op.path)
