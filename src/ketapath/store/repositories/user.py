"""Clinics and their users: created, found by name, users deactivated; never deleted.

Password hashes stay in here.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, update

from ketapath.errors import InputError
from ketapath.store.audit import AuditAction
from ketapath.store.columns import utc_now
from ketapath.store.records import ClinicRecord, UserRecord
from ketapath.store.repositories.base import Repository
from ketapath.store.tables import Clinic, User, UserRole

__all__ = ["ClinicRepository", "UserRepository"]


def _record(row: User) -> UserRecord:
    return UserRecord(
        id=row.id,
        username=row.username,
        full_name=row.full_name,
        role=UserRole(row.role),
        clinic_id=row.clinic_id,
        active=row.active,
        created_at=row.created_at,
        deactivated_at=row.deactivated_at,
        deactivated_by=row.deactivated_by,
    )


def _role(role: UserRole | str) -> UserRole:
    try:
        return UserRole(role)
    except ValueError:
        msg = f"`role` must be one of {', '.join(UserRole)} (got {role!r})."
        raise InputError(msg, field="role", value=role) from None


class UserRepository(Repository):
    """The people who sign in to KetaPath."""

    def create(
        self,
        *,
        username: str,
        full_name: str,
        role: UserRole | str,
        password_hash: str,
        clinic_id: uuid.UUID | None = None,
    ) -> UserRecord:
        """Create a user; `ConflictError` when the username is taken."""
        for name, text in (("username", username), ("full_name", full_name)):
            if not isinstance(text, str) or not text.strip():
                msg = f"`{name}` must be a non-empty text (got {text!r})."
                raise InputError(msg, field=name, value=text)
        row = User(
            username=username.strip(),
            full_name=full_name.strip(),
            role=str(_role(role)),
            password_hash=password_hash,
            clinic_id=clinic_id,
        )
        self._add(row, what=f"user {username!r}")
        self._audit(AuditAction.CREATE, row, row.id, patient_id=None, detail=row.role)
        return _record(row)

    def get(self, user_id: uuid.UUID) -> UserRecord:
        """Return the user; `NotFoundError` when there is none."""
        return _record(self._get(User, user_id))

    def find_by_username(self, username: str) -> UserRecord | None:
        """Return the user called `username`, or None."""
        row = self.session.scalar(select(User).where(User.username == username))
        return None if row is None else _record(row)

    def find_password_hash(self, username: str) -> tuple[UserRecord, str] | None:
        """Return an active user and their password hash (to verify a login), or None."""
        query = select(User).where(User.username == username, User.active.is_(True))
        row = self.session.scalar(query)
        return None if row is None else (_record(row), row.password_hash)

    def list_page(self, *, limit: int, offset: int) -> tuple[tuple[UserRecord, ...], int]:
        """Return one page of the accounts by username, and how many there are in all."""
        total = self.session.scalar(select(func.count()).select_from(User)) or 0
        query = select(User).order_by(User.username).limit(limit).offset(offset)
        return tuple(_record(row) for row in self.session.scalars(query)), total

    def replace_password_hash(self, user_id: uuid.UUID, new_hash: str, *, why: str) -> None:
        """Store a new hash of the same password (the one column of an account that may change,
        see LIMITED_UPDATE_TABLES), with an audit entry saying why."""
        self.session.execute(update(User).where(User.id == user_id).values(password_hash=new_hash))
        self._audit(AuditAction.AMEND, User.__tablename__, user_id, patient_id=None, detail=why)

    def deactivate(self, user_id: uuid.UUID, *, reason: str) -> UserRecord:
        """Deactivate a user: they can no longer sign in; their records keep their name."""
        row = self._get(User, user_id)
        if not row.active:
            raise InputError(f"User {row.username!r} is already deactivated.", field="user_id")
        row.active, row.deactivated_at, row.deactivated_by = False, utc_now(), self.actor.user_id
        self._add(row, what=f"user {row.username!r}")
        self._audit(AuditAction.DEACTIVATE, row, row.id, patient_id=None, detail=reason)
        return _record(row)


def _clinic_record(row: Clinic) -> ClinicRecord:
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
        return _clinic_record(row)

    def get(self, clinic_id: uuid.UUID) -> ClinicRecord:
        """Return the clinic; `NotFoundError` when there is none."""
        return _clinic_record(self._get(Clinic, clinic_id))

    def find_by_name(self, name: str) -> ClinicRecord | None:
        """Return the clinic called `name`, or None."""
        row = self.session.scalar(select(Clinic).where(Clinic.name == name))
        return None if row is None else _clinic_record(row)
