"""The audit trail: who read or wrote which record, when and from where, hash-chained.

Every entry stores the SHA-256 of its canonical serialisation (`canonical_entry_bytes`: sorted-key
compact JSON of its fields, timestamps in UTC to the microsecond) *including the hash of the
entry before it*, so that editing, removing or reordering any entry breaks every later link;
`verify_chain` finds the first broken one.

`append_entry` records an entry in the caller's transaction at once (who, what, when), and the
entries of a transaction join the chain together when it commits (`write_pending_entries`, run
by the session's ``before_commit`` event, or called to see them before): the chain's head (last
sequence and hash) lives in one row that is locked, so concurrent transactions append one after
the other, and the lock is held only from the end of the transaction's own work to its commit:

- PostgreSQL: ``SELECT ... FOR UPDATE`` on the head row, held until the transaction ends;
- SQLite: every writing transaction starts with ``BEGIN IMMEDIATE`` (`ketapath.store.database`),
  so the writer already holds the database's write lock when it reads the head.

The entries commit, or roll back, with the records they describe.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import cast

from sqlalchemy import Select, Table, bindparam, event, insert, select, update
from sqlalchemy.orm import Session, SessionTransaction

from ketapath.errors import InputError
from ketapath.store.columns import utc_now
from ketapath.store.database import READ_ONLY_OPTION
from ketapath.store.tables.audit import GENESIS_HASH, AuditChainHead, AuditEntry

__all__ = [
    "GENESIS_HASH",
    "SYSTEM",
    "Actor",
    "AuditAction",
    "AuditVerification",
    "append_entry",
    "calculate_entry_hash",
    "canonical_entry_bytes",
    "lock_chain_head",
    "verify_chain",
    "write_pending_entries",
]

_HEAD_ID = 1
AUDIT_TABLE = cast("Table", AuditEntry.__table__)
_PENDING = "ketapath.audit.pending"
_MARKS = "ketapath.audit.savepoints"
_HASHED_FIELDS = (
    "sequence",
    "at",
    "user_id",
    "role",
    "action",
    "resource_type",
    "resource_id",
    "patient_id",
    "client_address",
    "detail",
    "previous_hash",
)


class AuditAction(StrEnum):
    """What was done to a record."""

    READ = "read"
    CREATE = "create"
    AMEND = "amend"
    DEACTIVATE = "deactivate"
    SIGN = "sign"
    OVERRIDE = "override"
    EXPORT = "export"


@dataclass(frozen=True, slots=True, kw_only=True)
class Actor:
    """Who acts, in what role, and from where: every repository call is made on behalf of one.

    Parameters
    ----------
    user_id : uuid.UUID or None
        The signed-in user; None only for the system itself (``ketapath`` command line set-up).
    role : str
        The user's role (``physician``, ``nurse``...) or ``system``.
    client_address : str or None
        The client's network address, when the request came over the network.
    """

    user_id: uuid.UUID | None
    role: str
    client_address: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.role, str) or not self.role.strip():
            msg = f"`role` must be a non-empty text (got {self.role!r})."
            raise InputError(msg, field="role", value=self.role)


SYSTEM = Actor(user_id=None, role="system")
"""The actor of set-up commands run by an operator (creating the first user)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditVerification:
    """The result of `verify_chain`.

    Parameters
    ----------
    ok : bool
        True when every entry and the head are intact.
    entries_checked : int
        How many entries were read.
    first_broken_sequence : int or None
        The sequence number of the first entry that does not verify.
    reason : str or None
        Why it does not verify, for a person.
    """

    ok: bool
    entries_checked: int
    first_broken_sequence: int | None = None
    reason: str | None = None


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def canonical_entry_bytes(fields: Mapping[str, object]) -> bytes:
    """Serialise the hashed fields of an entry (``previous_hash`` included) canonically.

    Parameters
    ----------
    fields : Mapping
        The entry's columns by name; ``at`` must be an aware datetime.
    """
    at = fields["at"]
    if not isinstance(at, datetime) or at.tzinfo is None:
        raise InputError(f"`at` must be an aware datetime (got {at!r}).", field="at", value=at)
    document: dict[str, object] = {name: _text(fields[name]) for name in _HASHED_FIELDS}
    document["sequence"] = int(str(fields["sequence"]))
    document["at"] = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def calculate_entry_hash(fields: Mapping[str, object]) -> str:
    """Return the hex SHA-256 of `canonical_entry_bytes` of `fields`."""
    return hashlib.sha256(canonical_entry_bytes(fields)).hexdigest()


def _head_query() -> Select[int, str]:
    return select(AuditChainHead.sequence, AuditChainHead.entry_hash).where(
        AuditChainHead.id == _HEAD_ID
    )


_LOCK_HEAD = _head_query().with_for_update()
_INSERT_ENTRIES = insert(AUDIT_TABLE)
_MOVE_HEAD = (
    update(cast("Table", AuditChainHead.__table__))
    .where(AuditChainHead.id == _HEAD_ID)
    .values(sequence=bindparam("new_sequence"), entry_hash=bindparam("new_hash"))
)


def lock_chain_head(session: Session) -> tuple[int, str]:
    """Take the chain's lock for the rest of the transaction; return the last sequence and hash.

    Called by `write_pending_entries` when a transaction commits, and first by any writer that
    must read then write consistently (an amendment reads the current value before it records
    the new one).
    """
    sequence, entry_hash = session.connection().execute(_LOCK_HEAD).one()
    return int(sequence), str(entry_hash)


def append_entry(
    session: Session,
    actor: Actor,
    *,
    action: AuditAction,
    resource_type: str,
    resource_id: object,
    patient_id: uuid.UUID | None = None,
    detail: str = "",
) -> None:
    """Record one entry in the session's current transaction; it joins the chain at commit.

    Parameters
    ----------
    session : Session
        The session whose transaction writes (or reads) the record.
    actor : Actor
        Who acts.
    action : AuditAction
        What is done.
    resource_type, resource_id
        Which record (table name and id).
    patient_id : uuid.UUID or None
        Whose data it is, when it is a patient's.
    detail : str
        What else a reviewer needs (the field amended, the reason...).
    """
    entry: dict[str, object] = {
        "at": utc_now(),
        "user_id": actor.user_id,
        "role": actor.role,
        "action": str(action),
        "resource_type": resource_type,
        "resource_id": str(resource_id),
        "patient_id": patient_id,
        "client_address": actor.client_address,
        "detail": detail,
    }
    session.info.setdefault(_PENDING, []).append(entry)


def write_pending_entries(session: Session) -> int:
    """Chain and insert the entries recorded in the session's transaction; return how many.

    Runs when the session commits; call it to read the entries of a transaction before then.
    Takes the chain's lock (`lock_chain_head`) only when there is something to write.
    """
    pending: list[dict[str, object]] = session.info.pop(_PENDING, [])
    if not pending:
        return 0
    if session.connection().get_execution_options().get(READ_ONLY_OPTION):
        msg = "A read-only transaction read patient data: use a unit of work, which audits it."
        raise RuntimeError(msg)
    sequence, previous_hash = lock_chain_head(session)
    for entry in pending:
        sequence += 1
        entry["sequence"], entry["previous_hash"] = sequence, previous_hash
        previous_hash = entry["entry_hash"] = calculate_entry_hash(entry)
    connection = session.connection()  # Core: no ORM bookkeeping for the trail
    connection.execute(_INSERT_ENTRIES, pending)
    connection.execute(_MOVE_HEAD, {"new_sequence": sequence, "new_hash": previous_hash})
    return len(pending)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    write_pending_entries(session)


@event.listens_for(Session, "after_transaction_create")
def _mark_savepoint(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:  # entries recorded from here on go if the savepoint rolls back
        marks = session.info.setdefault(_MARKS, {})
        marks[transaction] = len(session.info.get(_PENDING, ()))


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    mark = session.info.get(_MARKS, {}).pop(previous_transaction, None)
    if previous_transaction.parent is None:  # the whole transaction, with all its entries
        session.info.pop(_PENDING, None)
        session.info.pop(_MARKS, None)
    elif mark is not None:
        del session.info.get(_PENDING, [])[mark:]


def verify_chain(session: Session, *, batch_size: int = 1000) -> AuditVerification:
    """Recompute every link of the chain and report the first broken one.

    An entry is broken when its sequence does not follow the one before (an entry removed), its
    ``previous_hash`` is not the hash of the entry before, or its hash does not match its content
    (an entry edited). The head must name the last entry (entries removed from the end).

    Parameters
    ----------
    session : Session
        A session on the database to check; nothing is written.
    batch_size : int
        Entries fetched per round trip.
    """
    # The head first: entries committed while the trail is read are beyond it, and left out.
    head_sequence, head_hash = session.execute(_head_query()).one()
    columns = [getattr(AuditEntry, name) for name in (*_HASHED_FIELDS, "entry_hash")]
    rows = session.execute(
        select(*columns)
        .where(AuditEntry.sequence <= head_sequence)
        .order_by(AuditEntry.sequence)
        .execution_options(yield_per=batch_size)
    )
    expected_sequence, expected_previous, checked = 1, GENESIS_HASH, 0
    for row in rows:
        fields = row._asdict()
        reason = _check_link(fields, expected_sequence, expected_previous)
        if reason is not None:
            rows.close()
            return _broken(checked, expected_sequence, reason)
        checked += 1
        expected_sequence, expected_previous = fields["sequence"] + 1, fields["entry_hash"]
    if (head_sequence, head_hash) != (expected_sequence - 1, expected_previous):
        reason = (
            f"the chain head names entry {head_sequence} but the trail ends at entry "
            f"{expected_sequence - 1}: entries were removed or replaced"
        )
        return _broken(checked, expected_sequence, reason)
    return AuditVerification(ok=True, entries_checked=checked)


def _broken(checked: int, sequence: int, reason: str) -> AuditVerification:
    return AuditVerification(
        ok=False, entries_checked=checked, first_broken_sequence=sequence, reason=reason
    )


def _check_link(fields: Mapping[str, object], sequence: int, previous_hash: str) -> str | None:
    if fields["sequence"] != sequence:
        return f"entry {sequence} is missing: the trail jumps to entry {fields['sequence']}"
    if fields["previous_hash"] != previous_hash:
        return f"entry {sequence} does not link to the hash of entry {sequence - 1}"
    if calculate_entry_hash(fields) != fields["entry_hash"]:
        return f"entry {sequence} does not match its hash: its content was changed"
    return None
