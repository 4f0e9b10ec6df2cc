"""Records are never overwritten or deleted: the database itself refuses, whatever the caller.

The triggers come from the migration, so they hold for raw SQL as well as for the repositories,
which expose no update or delete of a clinical row in the first place.
"""

from __future__ import annotations

import inspect as pyinspect

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from ketapath.store import repositories
from ketapath.store.repositories.base import Repository
from ketapath.store.tables import INSERT_ONLY_TABLES

REFUSED = r"(?i)refused"


def _pk(table: str) -> str:
    return {"audit_entry": "sequence", "credential_revocation": "jti"}.get(table, "id")


def _execute_raw(session, sql: str) -> int:
    """Run `sql` in a savepoint (a refused statement must not end the test's transaction)."""
    with session.begin_nested():
        return session.execute(text(sql)).rowcount


def _count(session, table: str) -> int:
    return session.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


def _refusal(session, sql: str) -> str:
    """The database's refusal of `sql`, or "" when it ran."""
    try:
        _execute_raw(session, sql)
    except IntegrityError as exc:
        return str(exc.orig)
    return ""


def test_raw_update_of_every_clinical_table_is_refused(db_session, full_chart):
    refusals = {
        table: _refusal(db_session, f"UPDATE {table} SET {_pk(table)} = {_pk(table)}")
        for table in INSERT_ONLY_TABLES
    }
    assert {t: _count(db_session, t) >= 1 for t in INSERT_ONLY_TABLES} == dict.fromkeys(
        INSERT_ONLY_TABLES, True
    ), "the chart must write a row in every table for this test to mean anything"
    not_refused = [table for table, message in refusals.items() if "refused" not in message]
    assert not_refused == []
    assert "UPDATE on vital_signs is refused" in refusals["vital_signs"]
    assert "insert-only; record an amendment instead" in refusals["vital_signs"]


def test_raw_delete_of_every_clinical_table_is_refused(db_session, full_chart):
    before = {table: _count(db_session, table) for table in INSERT_ONLY_TABLES}
    refusals = {table: _refusal(db_session, f"DELETE FROM {table}") for table in INSERT_ONLY_TABLES}
    not_refused = [table for table, message in refusals.items() if "refused" not in message]
    assert not_refused == []
    assert {table: _count(db_session, table) for table in INSERT_ONLY_TABLES} == before


def test_truncate_of_a_clinical_table_is_refused_on_postgresql(db_session, full_chart, backend):
    if backend != "postgresql":
        pytest.skip("SQLite has no TRUNCATE; its DELETE is refused above")
    with pytest.raises(IntegrityError, match=REFUSED):
        _execute_raw(db_session, "TRUNCATE vital_signs")


@pytest.mark.parametrize(
    ("table", "assignment"),
    [
        ("patient", "mrn = 'MRN-9999'"),
        ("patient", "given_name = 'Overwritten'"),
        ("app_user", "username = 'someone.else'"),
        ("app_user", "role = 'admin'"),
        ("audit_chain_head", "id = 2"),
    ],
    ids=[
        "a patient's MRN",
        "a patient's name",
        "a user's name",
        "a user's role",
        "the audit chain head's id",
    ],
)
def test_raw_update_of_an_identity_column_is_refused(db_session, full_chart, table, assignment):
    with pytest.raises(IntegrityError, match=REFUSED):
        _execute_raw(db_session, f"UPDATE {table} SET {assignment}")


@pytest.mark.parametrize("table", ["patient", "app_user", "audit_chain_head"])
def test_raw_delete_of_a_patient_user_or_chain_head_is_refused(db_session, full_chart, table):
    with pytest.raises(IntegrityError, match=REFUSED):
        _execute_raw(db_session, f"DELETE FROM {table}")


def test_raw_deactivation_of_a_patient_is_allowed(db_session, full_chart):
    changed = _execute_raw(
        db_session, "UPDATE patient SET active = false, deactivated_at = CURRENT_TIMESTAMP"
    )
    assert changed == 1


def test_repositories_expose_no_update_or_delete():
    writers = ("update", "delete", "remove", "drop", "truncate", "overwrite", "set_")
    allowed = {"set_plan_status", "set_order_status"}  # amendments of kind status_change
    for name in repositories.__all__:
        repository = getattr(repositories, name)
        assert issubclass(repository, Repository)
        methods = [m for m, _ in pyinspect.getmembers(repository, pyinspect.isfunction)]
        offending = [m for m in methods if m.startswith(writers) and m not in allowed]
        assert offending == [], f"{name} exposes {offending}"
