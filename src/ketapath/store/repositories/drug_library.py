"""The drug library's versions: the newest (the library in force), one by number, all of them,
and appending the next one. A version is never changed or removed (the table's triggers refuse
it); appending one audits who changed the library, when and why.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select

from ketapath.errors import ConflictError, InputError, NotFoundError
from ketapath.store.audit import AuditAction
from ketapath.store.repositories.base import Repository, require_user
from ketapath.store.tables import DrugLibraryVersion, User

__all__ = ["DrugLibraryRepository", "DrugLibraryVersionRecord"]

_MAX_VERSION = 2**31 - 1


@dataclass(frozen=True, slots=True, kw_only=True)
class DrugLibraryVersionRecord:
    """One stored version of the drug library.

    Parameters
    ----------
    id : uuid.UUID
        The row id.
    version : int
        The version number, from 1 (the packaged library) upwards without gaps.
    document : str
        The whole library, as JSON text.
    reason : str
        Why it was changed.
    recorded_at : datetime
        When (UTC).
    recorded_by : uuid.UUID or None
        Who changed it; None for version 1, written by the system at installation.
    recorded_by_username : str or None
        Their username (None for the system).
    """

    id: uuid.UUID
    version: int
    document: str
    reason: str
    recorded_at: datetime
    recorded_by: uuid.UUID | None
    recorded_by_username: str | None


def _query() -> Select[DrugLibraryVersion, str]:
    return select(DrugLibraryVersion, User.username).outerjoin(
        User, User.id == DrugLibraryVersion.recorded_by
    )


def _record(row: DrugLibraryVersion, username: str | None) -> DrugLibraryVersionRecord:
    return DrugLibraryVersionRecord(
        id=row.id,
        version=row.version,
        document=row.document,
        reason=row.reason,
        recorded_at=row.recorded_at,
        recorded_by=row.recorded_by,
        recorded_by_username=username,
    )


class DrugLibraryRepository(Repository):
    """The versions of the drug library."""

    def get_current(self) -> DrugLibraryVersionRecord:
        """Return the newest version; `NotFoundError` when the schema was never migrated."""
        found = self.session.execute(
            _query().order_by(DrugLibraryVersion.version.desc()).limit(1)
        ).first()
        if found is None:
            msg = "The drug library has no version: run `ketapath db upgrade` to install it."
            raise NotFoundError(msg)
        return _record(*found)

    def get_version(self, version: int) -> DrugLibraryVersionRecord:
        """Return version `version`; `NotFoundError` when there is none."""
        found = None
        if 1 <= version <= _MAX_VERSION:  # a larger number would overflow the column's type
            query = _query().where(DrugLibraryVersion.version == version)
            found = self.session.execute(query).first()
        if found is None:
            raise NotFoundError(f"The drug library has no version {version}.")
        return _record(*found)

    def list_versions(self) -> tuple[DrugLibraryVersionRecord, ...]:
        """Return every version, oldest first."""
        rows = self.session.execute(_query().order_by(DrugLibraryVersion.version))
        return tuple(_record(*row) for row in rows)

    def append(
        self, document: str, *, reason: str, based_on: int, summary: str
    ) -> DrugLibraryVersionRecord:
        """Store `document` as the version after `based_on`, with who, when and why; audit it.

        Parameters
        ----------
        document : str
            The whole library as JSON text (validated by the caller).
        reason : str
            Why the library changes; required.
        based_on : int
            The version the change was made on: it must still be the newest.
        summary : str
            What changed, for the audit entry.

        Raises
        ------
        InputError
            When the reason is empty or there is no signed-in user.
        ConflictError
            When another version was stored after `based_on` (reload and change it again).
        """
        if not isinstance(reason, str) or not reason.strip():
            msg = f"`reason` must say why the drug library changes (got {reason!r})."
            raise InputError(msg, field="reason", value=reason)
        user_id = require_user(self.actor)
        newest = self.session.scalar(select(func.max(DrugLibraryVersion.version))) or 0
        if newest != based_on:
            msg = (
                f"`based_on_version` {based_on} is not the newest drug library version "
                f"({newest}): another change was stored first; reload the library and make "
                "the change again."
            )
            raise ConflictError(msg)
        row = DrugLibraryVersion(
            version=based_on + 1, document=document, reason=reason.strip(), recorded_by=user_id
        )
        self._add(row, what=f"drug library version {row.version}")
        detail = f"version {row.version}: {summary}; reason: {row.reason}"
        self._audit(AuditAction.CREATE, row, row.id, patient_id=None, detail=detail)
        username = self.session.scalar(select(User.username).where(User.id == user_id))
        return _record(row, username)
