"""The drug library (one per database): every version of the whole document, insert-only.

A change to a limit never edits a row: it appends the next version, the whole library as JSON
text, with who changed it, when and why. The newest version is the library in force. Version 1
is the packaged library, written by the migration that created this table, by the system (no
user) rather than a person.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from ketapath.store.columns import utc_now
from ketapath.store.tables.base import Base, new_id

__all__ = ["DrugLibraryVersion"]


class DrugLibraryVersion(Base):
    """One version of the drug library: the document, its number, who, when and why."""

    __tablename__ = "drug_library_version"
    __table_args__ = (CheckConstraint("version >= 1", name="version_from_one"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    version: Mapped[int] = mapped_column(unique=True)
    document: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(default=utc_now)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
