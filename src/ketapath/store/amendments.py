"""Amendments: how a stored clinical value changes without the original being overwritten.

The row keeps the value first written. Each change is an `Amendment` row (the table, the row,
the field, the old and the new value as JSON, the reason, who and when); the read model
(`apply_amendments`) shows the current value with its whole history. Lifecycle changes (a session
stopped, a follow-up completed) are amendments of kind ``status_change``; corrections of a wrong
value are of kind ``correction``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum, StrEnum
from types import MappingProxyType
from typing import Protocol, TypeVar

from sqlalchemy import Date, Double, Float, Uuid, bindparam, inspect, select
from sqlalchemy.orm import Session

from ketapath.errors import DataError, InputError
from ketapath.store.audit import Actor, AuditAction, append_entry, lock_chain_head
from ketapath.store.columns import UtcDateTime, utc_now
from ketapath.store.tables import Amendment, Base

__all__ = [
    "PROTECTED_FIELDS",
    "AmendedRow",
    "AmendmentFields",
    "AmendmentKind",
    "AmendmentRecord",
    "amend_row",
    "amend_values",
    "apply_amendments",
    "load_amendments",
    "load_amendments_of",
    "row_identity",
    "row_values",
]

ValueT = TypeVar("ValueT")

PROTECTED_FIELDS = frozenset(
    {"id", "patient_id", "recorded_at", "recorded_by", "active", "deactivated_at", "deactivated_by"}
)
"""Fields no amendment may change: identity and provenance, and deactivation (its own path)."""


class AmendmentKind(StrEnum):
    """Why a value changed: a wrong value corrected, or a record moving on in its lifecycle."""

    CORRECTION = "correction"
    STATUS_CHANGE = "status_change"


@dataclass(frozen=True, slots=True, kw_only=True)
class AmendmentRecord:
    """One change of one field, as the history shows it."""

    field: str
    old_value: object
    new_value: object
    kind: AmendmentKind
    reason: str
    amended_by: uuid.UUID
    amended_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class AmendedRow:
    """A row as it reads now: current values, the values first written, and the changes between.

    Parameters
    ----------
    row_id : uuid.UUID
        The row.
    values : Mapping
        Every column's current value.
    original : Mapping
        Every column's value as first written.
    history : tuple of AmendmentRecord
        The amendments, oldest first.
    """

    row_id: uuid.UUID
    values: Mapping[str, object]
    original: Mapping[str, object]
    history: tuple[AmendmentRecord, ...]

    def get(self, field: str, kind: type[ValueT]) -> ValueT:
        """Return the current value of `field`, checked to be a `kind`."""
        value = self.values[field]
        if not isinstance(value, kind):
            msg = f"`{field}` must be a {kind.__name__} (got {value!r})."
            raise DataError(msg)
        return value

    def find(self, field: str, kind: type[ValueT]) -> ValueT | None:
        """Return the current value of `field` (a `kind`), or None when it is empty."""
        return None if self.values[field] is None else self.get(field, kind)

    def history_of(self, field: str) -> tuple[AmendmentRecord, ...]:
        """Return the amendments of one field, oldest first."""
        return tuple(record for record in self.history if record.field == field)


def _to_json(value: object) -> str:
    if isinstance(value, Enum):
        value = value.value
    elif isinstance(value, uuid.UUID):
        value = str(value)
    elif isinstance(value, datetime | date):
        value = value.isoformat()
    return json.dumps(value, sort_keys=True, allow_nan=False)


def _from_json(table: type[Base], field: str, text: str) -> object:
    value = json.loads(text)
    if value is None:
        return None
    column_type = table.__table__.columns[field].type
    if isinstance(column_type, UtcDateTime):
        return datetime.fromisoformat(value)
    if isinstance(column_type, Date):
        return date.fromisoformat(value)
    if isinstance(column_type, Uuid):
        return uuid.UUID(value)
    if isinstance(column_type, Float | Double):
        return float(value)
    return value


def row_values(row: Base) -> dict[str, object]:
    """Return every column of `row` by attribute name."""
    return {attr.key: getattr(row, attr.key) for attr in inspect(row).mapper.column_attrs}


def row_identity(row: Base) -> uuid.UUID:
    """Return the UUID primary key of a clinical or identity row."""
    value = inspect(row).identity
    if value is None or not isinstance(value[0], uuid.UUID):
        msg = f"`row` must be a stored row with a UUID id (got {type(row).__name__})."
        raise InputError(msg, field="row")
    return value[0]


def load_amendments(
    session: Session, table: type[Base], row_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[Amendment]]:
    """Return the amendments of the rows of `table`, grouped by row, oldest first (one query)."""
    ids = list(row_ids)
    grouped: dict[uuid.UUID, list[Amendment]] = {row_id: [] for row_id in ids}
    if not ids:
        return grouped
    query = (
        select(Amendment)
        .where(Amendment.table_name == table.__tablename__, Amendment.row_id.in_(ids))
        .order_by(Amendment.amended_at, Amendment.id)
    )
    for amendment in session.scalars(query):
        grouped[amendment.row_id].append(amendment)
    return grouped


_AMENDMENTS_OF = (
    select(*Amendment.__table__.columns)
    .where(
        Amendment.table_name.in_(bindparam("tables", expanding=True)),
        Amendment.row_id.in_(bindparam("ids", expanding=True)),
    )
    .order_by(Amendment.amended_at, Amendment.id)
)
"""`load_amendments_of`'s statement, built once: every read of a record runs it (plain rows,
without the ORM's bookkeeping: nothing changes them)."""


class AmendmentFields(Protocol):
    """What `amend_values` reads of an amendment: a stored `Amendment`, or a row of its columns."""

    @property
    def field(self) -> str: ...
    @property
    def old_value_json(self) -> str: ...
    @property
    def new_value_json(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def amended_by(self) -> uuid.UUID: ...
    @property
    def amended_at(self) -> datetime: ...


def load_amendments_of(
    session: Session, tables: Mapping[uuid.UUID, str]
) -> dict[uuid.UUID, list[AmendmentFields]]:
    """Return the amendments of the rows `tables` names (row id -> table name, one table or
    several) by row, oldest first, in one query."""
    grouped: dict[uuid.UUID, list[AmendmentFields]] = {row_id: [] for row_id in tables}
    if not tables:
        return grouped
    params = {"tables": sorted(set(tables.values())), "ids": list(tables)}
    for amendment in session.connection().execute(_AMENDMENTS_OF, params):
        if tables[amendment.row_id] == amendment.table_name:
            grouped[amendment.row_id].append(amendment)
    return grouped


def apply_amendments(row: Base, amendments: Iterable[AmendmentFields]) -> AmendedRow:
    """Return `row` as it reads after its `amendments` (oldest first)."""
    return amend_values(type(row), row_values(row), amendments)


def amend_values(
    table: type[Base], values: Mapping[str, object], amendments: Iterable[AmendmentFields]
) -> AmendedRow:
    """Return a row of `table`, given as its column values, as it reads after its `amendments`
    (oldest first)."""
    original = dict(values)
    row_id = original["id"]
    if not isinstance(row_id, uuid.UUID):
        msg = f"`values` must hold the row's UUID id (got {row_id!r})."
        raise InputError(msg, field="id")
    current = dict(original)
    history = []
    for amendment in amendments:
        new_value = _from_json(table, amendment.field, amendment.new_value_json)
        current[amendment.field] = new_value
        history.append(
            AmendmentRecord(
                field=amendment.field,
                old_value=_from_json(table, amendment.field, amendment.old_value_json),
                new_value=new_value,
                kind=AmendmentKind(amendment.kind),
                reason=amendment.reason,
                amended_by=amendment.amended_by,
                amended_at=amendment.amended_at,
            )
        )
    return AmendedRow(
        row_id=row_id,
        values=MappingProxyType(current),
        original=MappingProxyType(original),
        history=tuple(history),
    )


def _check_field(table: type[Base], field: str) -> None:
    columns = table.__table__.columns
    if field not in columns or field in PROTECTED_FIELDS:
        allowed = ", ".join(sorted(set(columns.keys()) - PROTECTED_FIELDS))
        msg = f"`field` must be an amendable column of {table.__tablename__} ({allowed}) "
        raise InputError(msg + f"(got {field!r}).", field="field", value=field)


def amend_row(  # noqa: PLR0913  # the amendment's fields, all keyword-only
    session: Session,
    actor: Actor,
    row: Base,
    *,
    changes: Mapping[str, object],
    reason: str,
    kind: AmendmentKind = AmendmentKind.CORRECTION,
    patient_id: uuid.UUID | None = None,
    check: Callable[[Mapping[str, object]], object] | None = None,
) -> AmendedRow:
    """Record amendments of one or more fields of `row`, and their audit entry.

    Parameters
    ----------
    session : Session
        The session whose transaction writes.
    actor : Actor
        Who amends (a signed-in user).
    row : Base
        The row as first written.
    changes : Mapping
        The new value of each field to change.
    reason : str
        Why (non-empty).
    kind : AmendmentKind
        A correction or a status change.
    patient_id : uuid.UUID or None
        Whose record it is, for the audit trail.
    check : callable or None
        Called with the values after the change; raises `InputError` when they are not a valid
        record (so that no amendment can make a record impossible).

    Returns
    -------
    AmendedRow
        The row as it reads after the change.

    Raises
    ------
    InputError
        When a field cannot be amended, a value does not change, the reason is empty, or the
        amended values are not a valid record.
    """
    table = type(row)
    if not isinstance(reason, str) or not reason.strip():
        msg = f"`reason` must be a non-empty text for an amendment (got {reason!r})."
        raise InputError(msg, field="reason", value=reason)
    if actor.user_id is None:
        raise InputError("An amendment needs a signed-in user (got none).", field="actor")
    lock_chain_head(session)  # concurrent amendments of one row are applied one after the other
    row_id = row_identity(row)
    current = apply_amendments(row, load_amendments(session, table, [row_id])[row_id])
    for field, value in changes.items():
        _check_field(table, field)
        if _to_json(current.values[field]) == _to_json(value):
            msg = f"`{field}` is already {current.values[field]!r}: nothing to amend."
            raise InputError(msg, field=field, value=value)
    if check is not None:
        check({**current.values, **changes})
    previous = current.history[-1].amended_at if current.history else None
    amended_at = utc_now()
    if previous is not None and amended_at <= previous:  # keep the history strictly ordered
        amended_at = previous + timedelta(microseconds=1)
    for field, value in changes.items():
        session.add(
            Amendment(
                table_name=table.__tablename__,
                row_id=row_id,
                field=field,
                old_value_json=_to_json(current.values[field]),
                new_value_json=_to_json(value),
                kind=str(kind),
                reason=reason.strip(),
                amended_by=actor.user_id,
                amended_at=amended_at,
            )
        )
    detail = f"{kind}: {', '.join(changes)}: {reason.strip()}"
    append_entry(
        session,
        actor,
        action=AuditAction.AMEND,
        resource_type=table.__tablename__,
        resource_id=row_id,
        patient_id=patient_id,
        detail=detail,
    )
    return apply_amendments(row, load_amendments(session, table, [row_id])[row_id])
