"""The audit trail: an entry for every access to patient data, hash-chained, tamper-evident,
and gapless under concurrent writers on both databases."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import threading
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from ketapath.store.audit import (
    SYSTEM,
    Actor,
    AuditAction,
    calculate_entry_hash,
    canonical_entry_bytes,
    verify_chain,
    write_pending_entries,
)
from ketapath.store.database import create_database_engine, create_session_factory
from ketapath.store.repositories import ClinicRepository, PatientRepository
from ketapath.store.tables import AuditEntry


def _count(session) -> int:
    write_pending_entries(session)
    return int(session.scalar(select(func.count()).select_from(AuditEntry)))


def _entries(session) -> list[AuditEntry]:
    write_pending_entries(session)  # the entries of the open transaction, as its commit would
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.sequence)))


def _without_audit_guard(session) -> None:
    """As the database owner, take the audit table's insert-only trigger away (this transaction
    only: it is rolled back with the test)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_guard"))
    else:
        session.execute(text("DROP TRIGGER audit_entry_no_update"))
        session.execute(text("DROP TRIGGER audit_entry_no_delete"))


def test_canonical_serialisation_is_sorted_compact_json_with_utc_microseconds():
    fields = {
        "sequence": 7,
        "at": datetime(2024, 5, 6, 8, 0, 0, 5, tzinfo=UTC),
        "user_id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "role": "nurse",
        "action": "read",
        "resource_type": "patient",
        "resource_id": "p-1",
        "patient_id": None,
        "client_address": "10.0.0.7",
        "detail": "café",
        "previous_hash": "ab" * 32,
    }
    expected = (
        '{"action":"read","at":"2024-05-06T08:00:00.000005Z","client_address":"10.0.0.7",'
        '"detail":"café","patient_id":null,"previous_hash":"' + "ab" * 32 + '",'
        '"resource_id":"p-1","resource_type":"patient","role":"nurse","sequence":7,'
        '"user_id":"12345678-1234-5678-1234-567812345678"}'
    ).encode()
    assert canonical_entry_bytes(fields) == expected
    assert calculate_entry_hash(fields) == hashlib.sha256(expected).hexdigest()


def test_patient_read_appends_entry_with_who_what_when_and_where(db_session, actor, patient):
    before = _count(db_session)
    PatientRepository(db_session, actor).get(patient.id)
    entry = _entries(db_session)[-1]
    assert entry.sequence == before + 1
    assert (entry.user_id, entry.role, entry.client_address) == (
        actor.user_id,
        "physician",
        "10.0.0.7",
    )
    assert (entry.action, entry.resource_type, entry.resource_id) == (
        "read",
        "patient",
        str(patient.id),
    )
    assert entry.patient_id == patient.id
    assert entry.at.tzinfo is UTC


def test_full_chart_audits_every_write_and_read_of_patient_data(db_session, full_chart):
    entries = _entries(db_session)
    patient_entries = [e for e in entries if e.patient_id == full_chart.ids["patient"]]
    writes = {AuditAction.CREATE, AuditAction.OVERRIDE, AuditAction.SIGN}
    written = {e.resource_type for e in patient_entries if e.action in writes}
    # Orders and findings are written, and audited, with the plan or screening they belong to.
    with_parent = {"treatment_order", "order_finding", "screening_finding"}
    clinical = set(full_chart.ids) - {"clinic", "app_user", "patient"} - with_parent
    assert clinical <= written
    actions = {e.action for e in patient_entries}
    assert actions >= {"create", "read", "amend", "override", "sign"}


def test_chain_verifies_with_one_link_per_entry(db_session, full_chart):
    count = _count(db_session)
    result = verify_chain(db_session)
    assert result.ok, result.reason
    assert result.entries_checked == count >= 30


def test_empty_chain_verifies(db_session):
    assert verify_chain(db_session).ok
    assert verify_chain(db_session).entries_checked == 0


def test_edited_entry_is_detected_as_first_broken_link(db_session, full_chart):
    _without_audit_guard(db_session)
    db_session.execute(text("UPDATE audit_entry SET role = 'admin' WHERE sequence = 3"))
    result = verify_chain(db_session)
    assert not result.ok
    assert result.first_broken_sequence == 3
    assert result.entries_checked == 2
    assert "entry 3 does not match its hash" in result.reason


def test_edited_and_rehashed_entry_breaks_the_next_link(db_session, full_chart):
    _without_audit_guard(db_session)
    entry = db_session.get(AuditEntry, 3)
    fields = {name: getattr(entry, name) for name in AuditEntry.__table__.columns.keys()}  # noqa: SIM118  # column names
    fields["detail"] = "nothing to see"
    db_session.execute(
        text("UPDATE audit_entry SET detail = :detail, entry_hash = :hash WHERE sequence = 3"),
        {"detail": fields["detail"], "hash": calculate_entry_hash(fields)},
    )
    result = verify_chain(db_session)
    assert (result.ok, result.first_broken_sequence) == (False, 4)
    assert "entry 4 does not link to the hash of entry 3" in result.reason


def test_removed_entry_is_detected(db_session, full_chart):
    _without_audit_guard(db_session)
    db_session.execute(text("DELETE FROM audit_entry WHERE sequence = 5"))
    result = verify_chain(db_session)
    assert (result.ok, result.first_broken_sequence) == (False, 5)
    assert "entry 5 is missing" in result.reason


def test_removed_last_entries_are_detected_by_the_chain_head(db_session, full_chart):
    _without_audit_guard(db_session)
    last = db_session.scalar(select(func.max(AuditEntry.sequence)))
    db_session.execute(text("DELETE FROM audit_entry WHERE sequence >= :s"), {"s": last - 1})
    result = verify_chain(db_session)
    assert (result.ok, result.first_broken_sequence) == (False, last - 1)
    assert f"the chain head names entry {last}" in result.reason


def test_entry_is_rolled_back_with_the_write_it_describes(db_session, actor, clinic):
    before = _count(db_session)

    def fail_after_the_write() -> None:
        with db_session.begin_nested():
            PatientRepository(db_session, actor).create(
                clinic_id=clinic.id,
                mrn="MRN-RB",
                given_name="Roll",
                family_name="Back",
                birth_date=datetime(1990, 1, 1).date(),
                sex="male",
            )
            raise RuntimeError("the service failed after the write")

    with pytest.raises(RuntimeError):
        fail_after_the_write()
    assert _count(db_session) == before
    assert verify_chain(db_session).ok


def _append_concurrently(url: str, *, threads: int, per_thread: int) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def work(worker: int) -> None:
        engine = create_database_engine(url, busy_timeout_ms=30_000)
        factory = create_session_factory(engine)
        try:
            start.wait()
            for n in range(per_thread):
                with factory.begin() as session:  # read, then write
                    clinics = ClinicRepository(session, SYSTEM)
                    assert clinics.find_by_name(f"Clinic {worker}-{n}") is None
                    clinics.create(f"Clinic {worker}-{n}")
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            engine.dispose()

    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return errors


def test_concurrent_writers_append_one_gapless_verifiable_chain(fresh_db_url):
    threads, per_thread = 6, 8
    errors = _append_concurrently(fresh_db_url, threads=threads, per_thread=per_thread)
    assert errors == []
    engine = create_database_engine(fresh_db_url)
    try:
        with create_session_factory(engine)() as session:
            sequences = list(session.scalars(select(AuditEntry.sequence).order_by("sequence")))
            result = verify_chain(session)
    finally:
        engine.dispose()
    assert sequences == list(range(1, threads * per_thread + 1))
    assert result.ok, result.reason
    assert result.entries_checked == threads * per_thread


_WRITER = """
import sys
from ketapath.store.audit import SYSTEM
from ketapath.store.database import create_database_engine, create_session_factory
from ketapath.store.repositories import ClinicRepository

url, worker, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
engine = create_database_engine(url, busy_timeout_ms=30_000)
factory = create_session_factory(engine)
for n in range(count):
    with factory.begin() as session:  # read, then write: the lock must be taken up front
        clinics = ClinicRepository(session, SYSTEM)
        assert clinics.find_by_name(f"Clinic {worker}-{n}") is None
        clinics.create(f"Clinic {worker}-{n}")
engine.dispose()
"""


def test_concurrent_processes_append_one_gapless_verifiable_chain(fresh_db_url):
    processes, per_process = 4, 15
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, fresh_db_url, str(i), str(per_process)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(processes)
    ]
    stderrs = [writer.communicate(timeout=120)[1] for writer in writers]
    failures = [err for writer, err in zip(writers, stderrs, strict=True) if writer.returncode]
    assert failures == []
    engine = create_database_engine(fresh_db_url)
    try:
        with create_session_factory(engine)() as session:
            result = verify_chain(session)
    finally:
        engine.dispose()
    assert result.ok, result.reason
    assert result.entries_checked == processes * per_process


def test_actor_needs_a_role():
    with pytest.raises(ValueError, match="`role`"):
        Actor(user_id=None, role=" ")
