"""What every repository shares: its session, the actor it works for, audit and amendments.

A repository never commits: the service that calls it owns the transaction, so a record and its
audit entry are written, or rolled back, together. It exposes no update or delete of clinical
rows; a change is an amendment (`_amend`), and every read or write of a patient's data appends
an audit entry (`_audit`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import TypeVar, cast

from sqlalchemy import Insert, Select, Table, insert
from sqlalchemy.orm import Session

from ketapath.errors import DataError, InputError, NotFoundError
from ketapath.store.amendments import (
    AmendedRow,
    AmendmentKind,
    amend_row,
    amend_values,
    apply_amendments,
    load_amendments_of,
    row_identity,
)
from ketapath.store.audit import Actor, AuditAction, append_entry
from ketapath.store.columns import utc_now
from ketapath.store.database import translate_database_errors
from ketapath.store.records import Stored
from ketapath.store.tables import Base
from ketapath.store.tables.base import new_id

__all__ = ["Repository", "as_check", "require_user"]

RowT = TypeVar("RowT", bound=Base)
RecordT = TypeVar("RecordT")


def as_check(to_record: Callable[[AmendedRow], object]) -> Callable[[Mapping[str, object]], object]:
    """Turn a row-to-record mapper into an amendment check: the amended values must map."""

    def check(values: Mapping[str, object]) -> object:
        row_id = values["id"]
        if not isinstance(row_id, uuid.UUID):  # pragma: no cover  # every such table has a UUID id
            raise InputError("Only rows with a UUID id can be amended.", field="id")
        amended = AmendedRow(row_id=row_id, values=values, original=values, history=())
        try:
            return to_record(amended)
        except InputError:
            raise
        except (ValueError, TypeError, DataError) as exc:  # an unknown choice, a wrong type
            msg = f"The amended values do not make a valid record: {exc}"
            raise InputError(msg, field="changes") from exc

    return check


@cache
def _insert_statement(table: type[Base]) -> Insert:
    """The insert of one row of `table`, built once per table."""
    return insert(cast("Table", table.__table__))


def require_user(actor: Actor) -> uuid.UUID:
    """Return the actor's user id; clinical records are always written by a signed-in user."""
    if actor.user_id is None:
        raise InputError("Clinical records need a signed-in user (got none).", field="actor")
    return actor.user_id


class Repository:
    """Base of the repositories: one session, one actor."""

    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor
        # The rows this repository looked up, held so that the session's identity map (which
        # keeps rows only while referenced) answers a second look-up without a query.
        self._held: list[Base] = []

    def _audit(
        self,
        action: AuditAction,
        row: Base | str,
        row_id: object,
        *,
        patient_id: uuid.UUID | None,
        detail: str = "",
    ) -> None:
        resource_type = row if isinstance(row, str) else type(row).__tablename__
        append_entry(
            self.session,
            self.actor,
            action=action,
            resource_type=resource_type,
            resource_id=row_id,
            patient_id=patient_id,
            detail=detail,
        )

    def _add(self, *rows: Base, what: str) -> None:
        """Insert `rows` now, turning a uniqueness or reference failure into `ConflictError`."""
        with translate_database_errors(what):
            self.session.add_all(rows)
            self.session.flush()

    def _insert(self, table: type[Base], values: Mapping[str, object]) -> uuid.UUID:
        """Insert one new clinical row, given as its column values, with a single statement.

        For the rows charted many times a session (vital signs, scores, alarms): no ORM object
        and no flush; the id and the recording time are given here (and returned), and a
        uniqueness or reference failure becomes `ConflictError` as in `_add`. Plain statements
        such as this one see every row of the transaction because the ORM's rows are flushed
        as soon as they are added (`_add`, `amend_row`).
        """
        row_id = new_id()
        values = {**values, "id": row_id, "recorded_at": utc_now()}
        with translate_database_errors(table.__tablename__):
            self.session.connection().execute(_insert_statement(table), values)
        return row_id

    def _get(self, table: type[RowT], row_id: uuid.UUID) -> RowT:
        row = self.session.get(table, row_id)
        if row is None:
            raise NotFoundError(f"No {table.__tablename__} with id {row_id}.")
        self._held.append(row)
        return row

    def _amended(self, rows: Sequence[RowT]) -> list[tuple[RowT, AmendedRow]]:
        """Return each row with its amendments applied (one query for all of them, whatever
        their tables)."""
        by_row = load_amendments_of(
            self.session, {row_identity(row): type(row).__tablename__ for row in rows}
        )
        return [(row, apply_amendments(row, by_row[row_identity(row)])) for row in rows]

    def _amended_values(
        self, rows: Sequence[tuple[type[Base], Mapping[str, object]]]
    ) -> list[AmendedRow]:
        """`_amended` for rows read as plain column values (`Table` selects, no ORM objects)."""
        ids = [cast("uuid.UUID", values["id"]) for _, values in rows]
        by_row = load_amendments_of(
            self.session,
            {row_id: table.__tablename__ for row_id, (table, _) in zip(ids, rows, strict=True)},
        )
        return [
            amend_values(table, values, by_row[row_id])
            for row_id, (table, values) in zip(ids, rows, strict=True)
        ]

    def _select_amended(self, query: Select[RowT]) -> list[tuple[RowT, AmendedRow]]:
        return self._amended(list(self.session.scalars(query)))

    def _stored(
        self, rows: Sequence[RowT], to_record: Callable[[AmendedRow], RecordT]
    ) -> tuple[Stored[RecordT], ...]:
        """Return each row as its amended record, with provenance (one query for the amendments)."""
        return tuple(
            Stored(
                id=amended.row_id,
                record=to_record(amended),
                recorded_at=amended.get("recorded_at", datetime),
                recorded_by=amended.get("recorded_by", uuid.UUID),
                history=amended.history,
            )
            for _, amended in self._amended(rows)
        )

    def _amend(
        self,
        row: Base,
        *,
        changes: Mapping[str, object],
        reason: str,
        patient_id: uuid.UUID | None,
        kind: AmendmentKind = AmendmentKind.CORRECTION,
        check: Callable[[Mapping[str, object]], object] | None = None,
    ) -> AmendedRow:
        return amend_row(
            self.session,
            self.actor,
            row,
            changes=changes,
            reason=reason,
            kind=kind,
            patient_id=patient_id,
            check=check,
        )
