"""Fixtures of the API tests: the real app over httpx's ASGI transport, on SQLite AND PostgreSQL.

The databases come from the store's fixtures (``tests/db/conftest.py``: migrated with Alembic once
per run and backend; PostgreSQL skipped unless reachable, or required). Each test runs on one
connection inside a transaction rolled back at its end; the app's sessions are savepoints on it
(the session factory is the one thing replaced), and its clock is a `Clock` the test can move.

Sign-in is tested in ``test_auth.py``; elsewhere a user's bearer token is issued directly with
`ketapath.api.security.issue_access_token`. Passwords are hashed with cheap Argon2 parameters
(`FAST_HASHER`): the production ones cost a sixth of a second per sign-in by design.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlalchemy import Connection
from sqlalchemy.orm import sessionmaker
from tests.db.conftest import _migrated, _shared, backend, databases, db_engine, db_url

from ketapath.api.app import create_app
from ketapath.api.security import issue_access_token
from ketapath.config import Settings
from ketapath.services.context import Principal, Services, UserRole
from ketapath.store.audit import SYSTEM
from ketapath.store.repositories import ClinicRepository, UserRepository

__all__ = [
    "FAST_HASHER",
    "PASSWORD",
    "SECRET_KEY",
    "T0",
    "Api",
    "Clock",
    "_migrated",
    "_shared",
    "backend",
    "databases",
    "db_engine",
    "db_url",
]

PASSWORD = "correct horse battery staple"
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
SECRET_KEY = "k" * 48
T0 = datetime(2024, 5, 6, 8, 0, tzinfo=UTC)
"""The morning of the tests (a Monday)."""


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class Api:
    """The app under test, its services, and one signed-up user per role in one clinic."""

    app: FastAPI
    services: Services
    clock: Clock
    clinic_id: uuid.UUID
    users: dict[UserRole, Principal] = field(default_factory=dict)

    def token(self, role: UserRole | str) -> str:
        """A fresh bearer token of the clinic's user with `role`."""
        principal = self.users[UserRole(role)]
        issued = issue_access_token(principal, secret=SECRET_KEY, now=self.clock())
        return issued.token

    def headers(self, role: UserRole | str) -> dict[str, str]:
        """The Authorization header of the user with `role`."""
        return {"Authorization": f"Bearer {self.token(role)}"}

    def add_user(self, username: str, role: UserRole, *, clinic_id: object = "same") -> Principal:
        """Create an account (password `PASSWORD`) in the clinic (or `clinic_id`, maybe None)."""
        with self.services.unit_of_work() as session:
            record = UserRepository(session, SYSTEM).create(
                username=username,
                full_name=f"{role.title()} {username}",
                role=role,
                password_hash=_password_hash(),
                clinic_id=self.clinic_id if clinic_id == "same" else clinic_id,
            )
        return Principal(
            user_id=record.id, username=username, role=role, clinic_id=record.clinic_id
        )


def _password_hash() -> str:
    return FAST_HASHER.hash(PASSWORD)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def connection(db_engine) -> Iterator[Connection]:
    """One connection in a transaction that is rolled back after the test."""
    with db_engine.connect() as conn:
        transaction = conn.begin()
        try:
            yield conn
        finally:
            transaction.rollback()


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def api(connection, db_url, clock) -> Api:
    settings = Settings(environment="test", database_url=db_url, secret_key=SECRET_KEY)
    factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    services = Services(
        settings=settings, session_factory=factory, clock=clock, password_hasher=FAST_HASHER
    )
    with services.unit_of_work() as session:
        clinic = ClinicRepository(session, SYSTEM).create("Pain Clinic North")
    api = Api(
        app=create_app(settings, services=services),
        services=services,
        clock=clock,
        clinic_id=clinic.id,
    )
    for role in UserRole:
        api.users[role] = api.add_user(f"{role}.one", role)
    return api


@pytest.fixture
async def client(api) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app; ``https`` so that the Secure session cookies are sent back."""
    transport = httpx.ASGITransport(app=api.app)
    async with httpx.AsyncClient(transport=transport, base_url="https://test") as http:
        yield http


def new_patient(**overrides: object) -> dict[str, object]:
    """The JSON body registering a patient."""
    body: dict[str, object] = {
        "mrn": "MRN-0001",
        "given_name": "Maria",
        "family_name": "Okafor",
        "birth_date": date(1974, 6, 15).isoformat(),
        "sex": "female",
    }
    body.update(overrides)
    return body
