"""Property-based tests of every operation in ``/openapi.json`` (schemathesis): no 5xx, and
every response conforms to the documented status codes, media types and schemas.

Each operation gets 10 derandomised examples, sent with the bearer token of a role the
operation allows (so that requests reach the use cases rather than stop at 403), against a
migrated database of the run (SQLite and PostgreSQL) that the examples write into.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator

import pytest
import schemathesis
from argon2 import PasswordHasher
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from tests.api.conftest import SECRET_KEY

from ketapath.api.app import create_app
from ketapath.api.security import issue_access_token
from ketapath.config import Settings
from ketapath.services.context import Principal, UserRole, create_services
from ketapath.store.audit import SYSTEM
from ketapath.store.repositories import ClinicRepository, UserRepository

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
ROLE_PREFERENCE = (UserRole.PHYSICIAN, UserRole.NURSE, UserRole.ADMIN, UserRole.RESEARCHER)


class Fuzzed:
    """The app under test and one user per role."""

    def __init__(self, database_url: str) -> None:
        settings = Settings(environment="test", database_url=database_url, secret_key=SECRET_KEY)
        # Cheap Argon2 parameters: the examples sign in and create accounts by the hundred.
        hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        self.services = dataclasses.replace(create_services(settings), password_hasher=hasher)
        self.app = create_app(settings, services=self.services)
        self.users: dict[UserRole, Principal] = {}
        with self.services.unit_of_work() as session:
            clinic = ClinicRepository(session, SYSTEM).create(f"Clinic {uuid.uuid4().hex[:8]}")
            for role in UserRole:
                record = UserRepository(session, SYSTEM).create(
                    username=f"fuzz.{role}.{uuid.uuid4().hex[:8]}",
                    full_name=f"Fuzz {role}",
                    role=role,
                    password_hash="not-a-real-hash",
                    clinic_id=clinic.id,
                )
                self.users[role] = Principal(
                    user_id=record.id, username=record.username, role=role, clinic_id=clinic.id
                )

    def headers_for(self, operation: dict) -> dict[str, str]:
        """The bearer token of a role `operation` allows (none for a public one)."""
        allowed = operation.get("x-roles")
        if not allowed:
            return {}
        role = next(r for r in ROLE_PREFERENCE if str(r) in allowed)
        issued = issue_access_token(self.users[role], secret=SECRET_KEY, now=self.services.now())
        return {"Authorization": f"Bearer {issued.token}"}


@pytest.fixture(scope="module")
def _fuzzed_by_backend() -> Iterator[dict[str, Fuzzed]]:
    apps: dict[str, Fuzzed] = {}
    yield apps
    for fuzzed in apps.values():
        fuzzed.services.dispose()


@pytest.fixture
def fuzzed(backend, databases, _fuzzed_by_backend) -> Fuzzed:
    """The app on a database of its own per backend, shared by this module's examples."""
    if backend not in _fuzzed_by_backend:
        _fuzzed_by_backend[backend] = Fuzzed(databases.create(backend))
    return _fuzzed_by_backend[backend]


def _document_app():
    """The app whose OpenAPI document is loaded at collection (it never opens its database)."""
    settings = Settings(environment="test", database_url="sqlite://", secret_key=SECRET_KEY)
    return create_app(settings)


schema = schemathesis.openapi.from_asgi("/openapi.json", _document_app())


@schema.parametrize()
@settings(
    max_examples=10,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,  # `fuzzed` is one app per backend, not per example
    ],
)
def test_every_operation_conforms_to_its_schema(case, fuzzed):
    headers = fuzzed.headers_for(case.operation.definition.raw)

    case.call_and_validate(headers=headers, checks=CHECKS, app=fuzzed.app)
