"""Database fixtures: every test here runs on SQLite AND PostgreSQL, on a schema from Alembic.

- ``db_url``: a database migrated with ``alembic upgrade head`` once per test run and xdist
  worker (a SQLite file, or a uniquely named PostgreSQL schema dropped at the end).
- ``db_session``: a session on it inside a transaction that is rolled back after the test, so
  tests never see each other's rows (the application's commits become savepoints).
- ``fresh_db_url``: a database of its own, migrated for one test, for tests that commit from
  several connections (concurrency) or migrate up and down.

PostgreSQL comes from ``KETAPATH_TEST_POSTGRES_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``). When it cannot be reached its cases are
skipped, unless ``KETAPATH_REQUIRE_POSTGRES=1`` (CI), where they fail and say why.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ketapath.clinical.codes import ConditionConcept, Indication
from ketapath.clinical.dosing.orders import CareArea, Order, Route
from ketapath.clinical.dosing.overrides import apply_override
from ketapath.clinical.dosing.rules import DA_3
from ketapath.clinical.finding import Finding
from ketapath.clinical.observations import (
    AdministeredDose,
    CadssForm,
    DissociationScore,
    InstrumentResponse,
    SedationScore,
)
from ketapath.clinical.records import (
    Condition,
    ConditionStatus,
    LabResult,
    LabTest,
    Medication,
    PatientRecord,
    Substance,
    SubstanceUse,
    UsePattern,
    VitalSigns,
)
from ketapath.clinical.screening import ScreeningResult, screen
from ketapath.clinical.session.discharge import (
    AldreteScore,
    DischargeResult,
    PadssScore,
    assess_discharge,
)
from ketapath.clinical.session.monitoring import assess_reading
from ketapath.store.audit import SYSTEM, Actor, write_pending_entries
from ketapath.store.database import create_database_engine
from ketapath.store.migrate import upgrade
from ketapath.store.records import (
    AdverseEventRecord,
    ClinicRecord,
    PatientIdentity,
    SafetyScreenRecord,
    ScreeningAnswers,
    ScreenKind,
    UserRecord,
)
from ketapath.store.repositories import (
    AccessRepository,
    ClinicRepository,
    DischargeRepository,
    FollowUpRepository,
    HistoryRepository,
    PatientRecordRepository,
    PatientRepository,
    ScreeningRepository,
    SessionRepository,
    TreatmentRepository,
    UserRepository,
)
from ketapath.store.repositories.followup import ContactMethod, FollowUpRecord
from ketapath.store.tables import ConditionSection, HistorySection, UserRole

BACKENDS = ("sqlite", "postgresql")
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


def postgres_url() -> str:
    """The server the PostgreSQL cases use."""
    return os.environ.get("KETAPATH_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


@cache
def _postgres_problem() -> str | None:
    """None when the server answers, else why not (checked once per process)."""
    engine = create_engine(postgres_url(), connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        return str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    finally:
        engine.dispose()
    return None


def require_backend(backend: str) -> None:
    """Skip (or, with KETAPATH_REQUIRE_POSTGRES=1, fail) when PostgreSQL is unreachable."""
    if backend != "postgresql":
        return
    problem = _postgres_problem()
    if problem is None:
        return
    shown = make_url(postgres_url()).render_as_string(hide_password=True)
    message = f"PostgreSQL is not reachable at {shown}: {problem}"
    if os.environ.get("KETAPATH_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{message} (KETAPATH_REQUIRE_POSTGRES=1 requires it)", pytrace=False)
    pytest.skip(f"{message}; set KETAPATH_TEST_POSTGRES_URL or start the server")


class DatabaseRegistry:
    """Creates migrated databases and removes them at the end of the run."""

    def __init__(self, tmp_dir: str) -> None:
        self.tmp_dir = tmp_dir
        self.schemas: list[str] = []
        self.engines: list[Engine] = []

    def create(self, backend: str) -> str:
        """Create and migrate a new, empty database; return its URL."""
        name = f"kp_{_WORKER}_{uuid.uuid4().hex[:12]}"
        if backend == "sqlite":
            url = f"sqlite:///{self.tmp_dir}/{name}.sqlite3"
        else:
            admin = create_engine(postgres_url())
            with admin.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{name}"'))
            admin.dispose()
            self.schemas.append(name)
            base = make_url(postgres_url())
            url = base.update_query_dict({"options": f"-csearch_path={name}"}).render_as_string(
                hide_password=False
            )
        upgrade(url)
        return url

    def engine(self, url: str) -> Engine:
        """An engine on `url`, disposed at the end of the run."""
        engine = create_database_engine(url)
        self.engines.append(engine)
        return engine

    def drop_all(self) -> None:
        for engine in self.engines:
            engine.dispose()
        if not self.schemas:
            return
        admin = create_engine(postgres_url())
        with admin.begin() as connection:
            for name in self.schemas:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def databases(tmp_path_factory) -> Iterator[DatabaseRegistry]:
    registry = DatabaseRegistry(str(tmp_path_factory.mktemp("db")))
    yield registry
    registry.drop_all()


@pytest.fixture(scope="session")
def _shared(databases) -> dict[str, tuple[str, Engine]]:
    return {}


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    require_backend(request.param)
    return str(request.param)


@pytest.fixture
def _migrated(backend, databases, _shared) -> tuple[str, Engine]:
    if backend not in _shared:
        url = databases.create(backend)
        _shared[backend] = (url, databases.engine(url))
    return _shared[backend]


@pytest.fixture
def db_url(_migrated) -> str:
    """The run's migrated database for `backend` (created on first use)."""
    return _migrated[0]


@pytest.fixture
def db_engine(_migrated) -> Engine:
    """An engine on `db_url` (the store's own: WAL and BEGIN IMMEDIATE on SQLite)."""
    return _migrated[1]


@pytest.fixture
def db_session(db_engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test."""
    connection = db_engine.connect()
    transaction = connection.begin()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


@pytest.fixture
def fresh_db_url(backend, databases) -> str:
    """A migrated database of its own, for tests that commit."""
    return databases.create(backend)


@pytest.fixture
def clinic(db_session) -> ClinicRecord:
    return ClinicRepository(db_session, SYSTEM).create("Pain Clinic North")


@pytest.fixture
def physician(db_session, clinic) -> UserRecord:
    return UserRepository(db_session, SYSTEM).create(
        username="dr.lee",
        full_name="Dr Ana Lee",
        role="physician",
        password_hash="not-a-real-hash",
        clinic_id=clinic.id,
    )


@pytest.fixture
def actor(physician) -> Actor:
    """The physician, signed in from a ward workstation."""
    return Actor(user_id=physician.id, role="physician", client_address="10.0.0.7")


@pytest.fixture
def patient(db_session, actor, clinic) -> PatientIdentity:
    return PatientRepository(db_session, actor).create(
        clinic_id=clinic.id,
        mrn="MRN-0001",
        given_name="Maria",
        family_name="Okafor",
        birth_date=date(1974, 6, 15),
        sex="female",
    )


T0 = datetime(2024, 5, 6, 8, 0, tzinfo=UTC)
"""The morning of the charted session (a Monday)."""


@dataclass
class FullChart:
    """One patient with one row in every table, written through the repositories."""

    ids: dict[str, object] = field(default_factory=dict)
    record: PatientRecord | None = None
    screening: ScreeningResult | None = None
    discharge: DischargeResult | None = None


def _chart_history(session, actor, patient, chart: FullChart) -> None:
    history = HistoryRepository(session, actor)
    chart.ids["condition_entry"] = history.add_condition(
        patient.id,
        Condition(
            concept=Indication.CRPS, status=ConditionStatus.ACTIVE, noted_on=date(2023, 1, 9)
        ),
    )
    history.add_condition(
        patient.id,
        Condition(concept=ConditionConcept.DEPRESSION, status=ConditionStatus.CONTROLLED),
        section=ConditionSection.PSYCHIATRIC_HISTORY,
    )
    chart.ids["medication_entry"] = history.add_medication(
        patient.id,
        Medication(name="gabapentin", drug_classes=(), daily_dose_mg=900.0),
        started_on=date(2023, 2, 1),
    )
    chart.ids["substance_use_entry"] = history.add_substance_use(
        patient.id,
        SubstanceUse(
            substance=Substance.ALCOHOL,
            pattern=UsePattern.OCCASIONAL,
            status=ConditionStatus.ACTIVE,
        ),
    )
    chart.ids["history_review"] = history.add_review(
        patient.id, HistorySection.MEDICATIONS, reviewed_at=T0 - timedelta(days=7)
    )
    chart.ids["lab_result"] = history.add_lab_result(
        patient.id,
        LabResult(
            test=LabTest.ALT, value_u_per_l=31.0, uln_u_per_l=40.0, time=T0 - timedelta(days=7)
        ),
    )
    chart.ids["body_measurement"] = history.add_measurement(
        patient.id, measured_at=T0 - timedelta(days=7), weight_kg=68.5, height_cm=165.0
    )
    chart.ids["vital_signs"] = SessionRepository(session, actor).add_vitals(
        patient.id, VitalSigns(time=T0 - timedelta(days=7), sbp_mmhg=128, dbp_mmhg=82, hr_bpm=74)
    )


def _chart_plan(session, actor, patient, chart: FullChart) -> None:
    answers = ScreeningAnswers(
        pregnant=False, failed_conventional_therapy=True, consent_signed=True
    )
    chart.record = PatientRecordRepository(session, actor).get(
        patient.id, on=T0.date(), answers=answers
    )
    chart.screening = screen(chart.record)
    chart.ids["screening"] = ScreeningRepository(session, actor).create(
        patient.id, chart.screening, answers=answers
    )
    order = Order(route=Route.IV_INFUSION, rate_mg_per_kg_per_h=0.6, duration_h=4.0, label="CRPS")
    soft = Finding(rule=DA_3, message="Infusion 0.6 mg/kg/h is above 0.5.", values={"rate": 0.6})
    plan = TreatmentRepository(session, actor).create_plan(
        patient.id,
        care_area=CareArea.OUTPATIENT_INFUSION_CLINIC,
        orders=[(order, [soft])],
        protocol=None,
        weight_kg=68.5,
    )
    chart.ids["treatment_plan"] = plan.id
    chart.ids["treatment_order"] = plan.orders[0].id
    chart.ids["order_finding"] = plan.orders[0].findings[0].id
    (override,) = apply_override([soft], role="physician", reason="opioid-tolerant", by="dr.lee")
    stored = TreatmentRepository(session, actor).add_override(
        plan.orders[0].findings[0].id, override
    )
    chart.ids["dose_override"] = stored.id


def _chart_session(session, actor, patient, chart: FullChart) -> None:
    sessions = SessionRepository(session, actor)
    treatment = sessions.create(
        patient.id,
        chair="Chair 3",
        care_area="outpatient_infusion_clinic",
        plan_id=chart.ids["treatment_plan"],
    )
    chart.ids["treatment_session"] = treatment.id
    sessions.start(treatment.id, at=T0)
    dose = AdministeredDose(
        time=T0,
        route=Route.IV_INFUSION,
        session_id=str(treatment.id),
        course_id=str(chart.ids["treatment_plan"]),
        rate_mg_per_h=20.0,
        end=T0 + timedelta(hours=4),
    )
    chart.ids["administration_segment"] = sessions.add_dose(dose)
    reading = VitalSigns(time=T0 + timedelta(minutes=30), sbp_mmhg=135, dbp_mmhg=85, spo2_pct=91)
    sessions.add_vitals(patient.id, reading, session_id=treatment.id)
    sedation = SedationScore(time=reading.time, moaas=4, rass=0)
    chart.ids["sedation_score"] = sessions.add_sedation(treatment.id, sedation)
    chart.ids["dissociation_score"] = sessions.add_dissociation(
        treatment.id, DissociationScore(time=reading.time, total=8, form=CadssForm.SHORT)
    )
    event = AdverseEventRecord(
        occurred_at=reading.time, kind="nausea", severity="mild", description="Nausea, settled"
    )
    chart.ids["adverse_event"] = sessions.add_adverse_event(treatment.id, event)
    for alarm in assess_reading([reading], sedation=sedation).alarms:  # MON-13 and MON-4
        chart.ids["session_alarm"] = sessions.add_alarm(treatment.id, alarm, raised_at=reading.time)
    now = T0 + timedelta(hours=5, minutes=10)
    chart.discharge = assess_discharge(
        now=now,
        doses=[dose],
        escort_present=True,
        patient_driving=False,
        follow_up_booked=True,
        aldrete=AldreteScore(activity=2, respiration=2, circulation=2, consciousness=2, spo2=2),
        padss=PadssScore(vital_signs=2, activity=2, pain_nausea=1, bleeding=2, intake_output=2),
    )
    discharges = DischargeRepository(session, actor)
    chart.ids["discharge_assessment"] = discharges.create(
        treatment.id,
        chart.discharge,
        assessed_at=now,
        escort_present=True,
        patient_driving=False,
        follow_up_booked=True,
        aldrete=AldreteScore(activity=2, respiration=2, circulation=2, consciousness=2, spo2=2),
        padss=PadssScore(vital_signs=2, activity=2, pain_nausea=1, bleeding=2, intake_output=2),
    )
    discharges.sign(
        chart.ids["discharge_assessment"], role=UserRole.PHYSICIAN, statement="Fit to go home."
    )
    sessions.stop(treatment.id, at=T0 + timedelta(hours=4), reason="infusion completed")


def _chart_follow_up(session, actor, patient, chart: FullChart) -> None:
    follow_ups = FollowUpRepository(session, actor)
    response = InstrumentResponse(instrument="nrs", answers=(3,), time=T0 + timedelta(days=7))
    chart.ids["instrument_response"] = follow_ups.add_response(patient.id, response)
    chart.ids["follow_up"] = follow_ups.schedule(
        patient.id, FollowUpRecord(due_on=date(2024, 5, 13), method=ContactMethod.PHONE)
    )
    flag = Finding(rule=DA_3, message="Test safety flag.", values={})
    chart.ids["safety_flag"] = follow_ups.raise_flag(patient.id, flag, raised_at=T0)
    negative = SafetyScreenRecord(
        kind=ScreenKind.URINARY, screened_at=T0, answers={"dysuria": False}, findings=()
    )
    chart.ids["safety_screen"] = follow_ups.add_screen(patient.id, negative)


def _chart_access(session, actor, patient, chart: FullChart) -> None:
    # A sign-in and a sign-out of the chart's author (not patient data: not in `chart.ids`).
    access = AccessRepository(session, SYSTEM)
    access.record_attempt(
        at=T0, username="dr.lee", client_address="10.0.0.7", succeeded=True, user_id=actor.user_id
    )
    access.revoke(
        jti="a" * 32, user_id=actor.user_id, expires_at=T0 + timedelta(hours=12), revoked_at=T0
    )


@pytest.fixture
def full_chart(db_session, actor, patient, clinic) -> FullChart:
    """One row in every table (clinic, users, patient, history, plan, session, follow-up...)."""
    chart = FullChart()
    chart.ids.update(clinic=clinic.id, app_user=actor.user_id, patient=patient.id)
    for write in (_chart_history, _chart_plan, _chart_session, _chart_follow_up, _chart_access):
        write(db_session, actor, patient, chart)
    write_pending_entries(db_session)  # the audit entries join the chain, as at a commit
    PatientRepository(db_session, actor).amend(patient.id, {"given_name": "María"}, reason="accent")
    return chart
