"""Fixtures of the use-case tests: real services on SQLite AND PostgreSQL, a fixed clock, users.

The databases come from the store's fixtures (``tests/db/conftest.py``: migrated once per run
and backend, PostgreSQL skipped unless reachable or required). Each test runs on one connection
inside a transaction rolled back at its end; every unit of work of the services is a savepoint
on it, so a use case commits and rolls back exactly as it does in production.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session, sessionmaker
from tests.db.conftest import _migrated, _shared, backend, databases, db_engine, db_url

from ketapath.clinical.codes import Indication
from ketapath.clinical.dosing.orders import CareArea, Order, Route
from ketapath.clinical.records import Condition, ConditionStatus, VitalSigns
from ketapath.config import Settings
from ketapath.services.care import plans, sessions
from ketapath.services.context import RequestContext, Services, UserRole
from ketapath.store.audit import SYSTEM
from ketapath.store.records import PlanRecord
from ketapath.store.repositories import (
    ClinicRepository,
    HistoryRepository,
    PatientRepository,
    UserRepository,
)
from ketapath.store.tables import AuditEntry, Base

__all__ = [
    "T0",
    "Clock",
    "World",
    "_migrated",
    "_shared",
    "backend",
    "databases",
    "db_engine",
    "db_url",
]

T0 = datetime(2024, 5, 6, 8, 0, tzinfo=UTC)
"""The morning of the first session (a Monday)."""


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


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
def services(connection, db_url, clock) -> Services:
    factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    settings = Settings(environment="test", database_url=db_url)
    return Services(settings=settings, session_factory=factory, clock=clock)


def count_rows(connection: Connection, table: type[Base]) -> int:
    """Rows of `table` visible in the test's transaction."""
    return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def audit_count(connection: Connection) -> int:
    return count_rows(connection, AuditEntry)


@dataclass
class World:
    """A clinic with one user of each role, and a way to register patients."""

    services: Services
    clinic_id: uuid.UUID
    users: dict[UserRole, RequestContext]
    other_clinic_id: uuid.UUID

    @property
    def physician(self) -> RequestContext:
        return self.users[UserRole.PHYSICIAN]

    @property
    def nurse(self) -> RequestContext:
        return self.users[UserRole.NURSE]

    @property
    def researcher(self) -> RequestContext:
        return self.users[UserRole.RESEARCHER]

    @property
    def admin(self) -> RequestContext:
        return self.users[UserRole.ADMIN]

    def add_patient(
        self,
        mrn: str,
        *,
        weight_kg: float | None = 70.0,
        indication: Indication | None = Indication.CRPS,
        clinic_id: uuid.UUID | None = None,
    ) -> uuid.UUID:
        """Register a patient with a weight and a present pain indication; return the id."""
        actor = self.physician.to_actor()
        with self.services.unit_of_work() as session:
            patient = PatientRepository(session, actor).create(
                clinic_id=clinic_id or self.clinic_id,
                mrn=mrn,
                given_name="Maria",
                family_name=f"Okafor-{mrn}",
                birth_date=date(1974, 6, 15),
                sex="female",
            )
            history = HistoryRepository(session, actor)
            if weight_kg is not None:
                history.add_measurement(
                    patient.id, measured_at=T0 - timedelta(days=7), weight_kg=weight_kg
                )
            if indication is not None:
                present = Condition(concept=indication, status=ConditionStatus.ACTIVE)
                history.add_condition(patient.id, present)
            return patient.id


def _user(session: Session, clinic_id: uuid.UUID, role: UserRole) -> RequestContext:
    record = UserRepository(session, SYSTEM).create(
        username=f"{role}.one",
        full_name=f"A {role}",
        role=role,
        password_hash="not-a-real-hash",
        clinic_id=clinic_id,
    )
    return RequestContext(
        user_id=record.id,
        username=record.username,
        role=role,
        clinic_id=clinic_id,
        client_address="10.0.0.7",
    )


@pytest.fixture
def world(services) -> World:
    with services.unit_of_work() as session:
        clinics = ClinicRepository(session, SYSTEM)
        clinic = clinics.create("Pain Clinic North")
        other = clinics.create("Pain Clinic South")
        users = {role: _user(session, clinic.id, role) for role in UserRole}
    return World(services=services, clinic_id=clinic.id, users=users, other_clinic_id=other.id)


def vitals(at: datetime, **overrides: float | None) -> VitalSigns:
    """A normal set of vital signs at `at`, with `overrides`."""
    values: dict[str, float | None] = {
        "sbp_mmhg": 120.0,
        "dbp_mmhg": 75.0,
        "hr_bpm": 70.0,
        "rr_per_min": 14.0,
        "spo2_pct": 98.0,
    }
    values.update(overrides)
    return VitalSigns(time=at, **values)


def infusion(rate_mg_per_kg_per_h: float, duration_h: float = 3.0) -> Order:
    """A custom IV infusion order."""
    return Order(
        route=Route.IV_INFUSION,
        rate_mg_per_kg_per_h=rate_mg_per_kg_per_h,
        duration_h=duration_h,
        label="custom infusion",
    )


def signed_plan(
    world: World, patient_id: uuid.UUID, *, orders: Sequence[Order] | None = None
) -> PlanRecord:
    """A signed plan: the outpatient CRPS protocol, or `orders` with every SOFT one overridden."""
    ctx = world.physician
    if orders is None:
        plan = plans.create_plan(
            world.services,
            ctx,
            patient_id=patient_id,
            protocol="outpatient_crps",
            care_area=CareArea.OUTPATIENT_INFUSION_CLINIC,
        )
    else:
        plan = plans.create_custom_plan(
            world.services,
            ctx,
            patient_id=patient_id,
            orders=orders,
            care_area=CareArea.OUTPATIENT_INFUSION_CLINIC,
        )
    for order in plan.orders:
        for finding in order.findings:
            plans.override_finding(
                world.services, ctx, plan_id=plan.id, finding_id=finding.id, reason="reviewed"
            )
    return plans.sign_plan(world.services, ctx, plan_id=plan.id)


def started_session(world: World, plan: PlanRecord, **baseline: float | None) -> uuid.UUID:
    """Start a session of `plan` now (the clock's time) with normal baseline vital signs."""
    started = sessions.start_session(
        world.services,
        world.nurse,
        plan_id=plan.id,
        chair="Chair 3",
        baseline=vitals(world.services.now(), **baseline),
    )
    return started.session.id
