"""The declarative base, the constraint naming convention and the columns every table shares.

Two kinds of table:

- **clinical rows** (`ClinicalRow`): insert-only. Each records who wrote it and when; a
  correction is an `Amendment`, and a trigger installed by the migrations refuses any UPDATE or
  DELETE (`INSERT_ONLY_TABLES`).
- **identities** (users, patients): never deleted; soft-deactivated through ``active``,
  ``deactivated_at`` and ``deactivated_by``, the only columns their trigger lets change
  (`LIMITED_UPDATE_TABLES`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, MetaData, String, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from ketapath.store.columns import UtcDateTime, utc_now

__all__ = ["Base", "ClinicalRow", "FindingColumns", "PatientRow", "new_id"]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> uuid.UUID:
    """Return a new random row id (UUID 4): ids from two clinics never collide."""
    return uuid.uuid4()


class Base(DeclarativeBase):
    """Declarative base of every KetaPath table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {  # noqa: RUF012  # SQLAlchemy reads it as a class attribute
        datetime: UtcDateTime(),
        uuid.UUID: Uuid(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
        str: String(200),
    }


class ClinicalRow:
    """Columns of every insert-only clinical row: its id, and who recorded it when."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    recorded_at: Mapped[datetime] = mapped_column(default=utc_now)

    @declared_attr
    def recorded_by(cls) -> Mapped[uuid.UUID]:  # noqa: N805  # SQLAlchemy passes the class
        return mapped_column(ForeignKey("app_user.id"), index=True)


class PatientRow(ClinicalRow):
    """A clinical row about one patient."""

    @declared_attr
    def patient_id(cls) -> Mapped[uuid.UUID]:  # noqa: N805  # SQLAlchemy passes the class
        return mapped_column(ForeignKey("patient.id"), index=True)


class FindingColumns:
    """What a stored finding keeps: the rule as it was shown, the values that fired it.

    The rule's title, strength, sources and evidence letters are stored with the finding, so the
    record says what the clinician saw even after the rule set changes.
    """

    position: Mapped[int]
    rule_id: Mapped[str] = mapped_column(String(32), index=True)
    rule_title: Mapped[str] = mapped_column(String(300))
    strength: Mapped[str] = mapped_column(String(8))
    severity: Mapped[str] = mapped_column(String(8))
    message: Mapped[str] = mapped_column(String(2000))
    values_json: Mapped[dict[str, Any]]
    sources_json: Mapped[list[Any]]
    evidence_json: Mapped[list[Any]]
