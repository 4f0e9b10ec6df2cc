"""Clinics: create one, find one."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from ketapath.errors import InputError
from ketapath.store.audit import AuditAction
from ketapath.store.records import ClinicRecord
from ketapath.store.repositories.base import Repository
from ketapath.store.tables import Clinic

__all__ = ["ClinicRepository"]


def _record(row: Clinic) -> ClinicRecord:
    return ClinicRecord(id=row.id, name=row.name, created_at=row.created_at)


class ClinicRepository(Repository):
    """The clinics of a KetaPath installation."""

    def create(self, name: str) -> ClinicRecord:
        """Create a clinic; `ConflictError` when the name is taken."""
        if not isinstance(name, str) or not name.strip():
            raise InputError(f"`name` must be a non-empty text (got {name!r}).", field="name")
        row = Clinic(name=name.strip())
        self._add(row, what=f"clinic {name!r}")
        self._audit(AuditAction.CREATE, row, row.id, patient_id=None, detail=row.name)
        return _record(row)

    def get(self, clinic_id: uuid.UUID) -> ClinicRecord:
        """Return the clinic; `NotFoundError` when there is none."""
        return _record(self._get(Clinic, clinic_id))

    def find_by_name(self, name: str) -> ClinicRecord | None:
        """Return the clinic called `name`, or None."""
        row = self.session.scalar(select(Clinic).where(Clinic.name == name))
        return None if row is None else _record(row)
