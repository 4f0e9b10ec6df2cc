"""The demo seed: deterministic, written through the use cases, with an intact audit trail."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from tests.services.conftest import count_rows

from ketapath.errors import InputError
from ketapath.interop.demo import DEMO_ACCOUNTS, is_seeded, seed_demo
from ketapath.store.audit import verify_chain
from ketapath.store.tables import (
    AuditEntry,
    DischargeAssessment,
    Patient,
    SafetyFlag,
    SessionAlarm,
    TreatmentPlan,
    TreatmentSession,
    User,
)

AS_OF = date(2024, 11, 4)
SEED, PATIENTS = 6, 6  # two treated patients, four sessions, one scripted alarm
TABLES = (
    Patient,
    TreatmentPlan,
    TreatmentSession,
    DischargeAssessment,
    SafetyFlag,
    SessionAlarm,
    User,
)


def _counts(connection) -> dict[str, int]:
    counts = {table.__name__: count_rows(connection, table) for table in TABLES}
    counts["audit"] = count_rows(connection, AuditEntry)
    return counts


def test_seed_demo_same_seed_twice_writes_the_same_counts_and_audit_length(services, connection):
    first_try = connection.begin_nested()
    first = seed_demo(services, seed=SEED, as_of=AS_OF, patients=PATIENTS)
    first_counts = _counts(connection)
    first_try.rollback()
    assert _counts(connection)["Patient"] == 0
    second = seed_demo(services, seed=SEED, as_of=AS_OF, patients=PATIENTS)
    assert second == first
    assert _counts(connection) == first_counts


def test_seed_demo_small_clinic_writes_every_step_of_the_path(services, connection):
    summary = seed_demo(services, seed=SEED, as_of=AS_OF, patients=PATIENTS)
    counts = _counts(connection)
    assert counts["Patient"] == summary.patients == PATIENTS
    assert counts["TreatmentSession"] == summary.sessions > 0
    assert counts["TreatmentPlan"] == summary.plans > 0
    assert counts["DischargeAssessment"] >= summary.discharges > 0
    assert summary.screenings == PATIENTS
    assert summary.follow_ups > 0
    assert counts["SessionAlarm"] >= summary.alarms > 0
    assert counts["User"] == len(DEMO_ACCOUNTS)


def test_seed_demo_audit_chain_is_intact_after_seeding(services):
    seed_demo(services, seed=SEED, as_of=AS_OF, patients=PATIENTS)
    with services.unit_of_work() as session:
        verification = verify_chain(session)
    assert verification.ok


def test_is_seeded_empty_database_is_false_then_true_after_seeding(services):
    assert not is_seeded(services)
    seed_demo(services, seed=SEED, as_of=AS_OF, patients=1)
    assert is_seeded(services)


def test_seed_demo_accounts_have_one_per_role(services, connection):
    seed_demo(services, seed=SEED, as_of=AS_OF, patients=1)
    roles = set(connection.execute(select(User.role)).scalars())
    assert roles == {str(account.role) for account in DEMO_ACCOUNTS}


@pytest.mark.parametrize("patients", [0, 501], ids=["no patient", "more than 500 patients"])
def test_seed_demo_patients_out_of_range_is_refused(services, patients):
    with pytest.raises(InputError, match="`patients`"):
        seed_demo(services, seed=SEED, as_of=AS_OF, patients=patients)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # `make demo` runs on SQLite
def test_seed_demo_with_the_defaults_of_make_demo_seeds_the_whole_clinic(services):
    # `make demo` seeds the default clinic as of today: every course must pass the guardrails
    # (a rule change that refuses a scripted dose would stop the demo).
    summary = seed_demo(services, as_of=date.today())

    assert summary.patients == 50
    assert summary.sessions > 150
    assert summary.alarms > 0
    assert summary.flags > 0
