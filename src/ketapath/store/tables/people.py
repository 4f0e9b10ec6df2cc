"""Clinics, the people who use KetaPath, and the patients they treat."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ketapath.store.columns import utc_now
from ketapath.store.tables.base import Base, new_id

__all__ = ["Clinic", "Patient", "User", "UserRole"]


class UserRole(StrEnum):
    """What a user may do: treat (physician, nurse), administer, or study anonymised outcomes."""

    PHYSICIAN = "physician"
    NURSE = "nurse"
    ADMIN = "admin"
    RESEARCHER = "researcher"


class Clinic(Base):
    """A clinic (one site of a clinic network); medical record numbers are unique per clinic."""

    __tablename__ = "clinic"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class User(Base):
    """A person who signs in: never deleted, deactivated instead."""

    __tablename__ = "app_user"  # "user" is a reserved word in PostgreSQL

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str]
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(256))
    clinic_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("clinic.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    deactivated_at: Mapped[datetime | None]
    deactivated_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))


class Patient(Base):
    """A patient of one clinic: identity only; everything clinical hangs off it, insert-only.

    Names and the birth date are corrected through amendments; the row itself only changes to
    be deactivated.
    """

    __tablename__ = "patient"
    __table_args__ = (UniqueConstraint("clinic_id", "mrn"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinic.id"), index=True)
    mrn: Mapped[str] = mapped_column(String(64))
    given_name: Mapped[str]
    family_name: Mapped[str]
    birth_date: Mapped[date]
    sex: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    deactivated_at: Mapped[datetime | None]
    deactivated_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
