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
from typing import TypeVar, cast

from sqlalchemy import Select, Table, insert
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from ketapath.errors import DataError, InputError, NotFoundError
from ketapath.store.amendments import (
    AmendedRow,
    AmendmentKind,
    amend_row,
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

    def _insert(self, row: Base, *, what: str) -> None:
        """Insert one new clinical row with a single statement, without the ORM's flush.

        For the rows charted many times a session (vital signs, scores, alarms): the id and the
        recording time are given here, the row stays outside the session's identity map, and a
        uniqueness or reference failure becomes `ConflictError` as in `_add`.
        """
        mapper = sa_inspect(type(row))
        if getattr(row, "id", None) is None:
            row.id = new_id()  # type: ignore[attr-defined]  # every clinical row has one
        if getattr(row, "recorded_at", None) is None:
            row.recorded_at = utc_now()  # type: ignore[attr-defined]
        values = {attr.columns[0].name: getattr(row, attr.key) for attr in mapper.column_attrs}
        with translate_database_errors(what):
            self.session.execute(insert(cast("Table", mapper.local_table)), [values])

    def _get(self, table: type[RowT], row_id: uuid.UUID) -> RowT:
        row = self.session.get(table, row_id)
        if row is None:
            raise NotFoundError(f"No {table.__tablename__} with id {row_id}.")
        self._held.append(row)
        return row

    def _amended(self, rows: Sequence[RowT]) -> list[tuple[RowT, AmendedRow]]:
        """Return each row with its amendments applied (one query for all of them, whatever
        their tables)."""
        by_row = load_amendments_of(self.session, rows)
        return [(row, apply_amendments(row, by_row[row_identity(row)])) for row in rows]

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
