"""The tables behind amendments and the audit trail.

`Amendment` keeps every change to a clinical row: the row stays as first written, and the read
model applies its amendments in order. `AuditEntry` rows form a hash chain whose head (sequence
and hash of the last entry) is kept in `AuditChainHead`, a single row that appenders lock.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ketapath.store.columns import utc_now
from ketapath.store.tables.base import Base, new_id

__all__ = ["GENESIS_HASH", "Amendment", "AuditChainHead", "AuditEntry"]

GENESIS_HASH = "0" * 64
"""The "previous hash" of the first audit entry."""


class Amendment(Base):
    """A change to one field of one clinical row: the old and new values (JSON), why, who, when."""

    __tablename__ = "amendment"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[uuid.UUID] = mapped_column(index=True)
    field: Mapped[str] = mapped_column(String(64))
    old_value_json: Mapped[str] = mapped_column(Text)
    new_value_json: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    amended_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    amended_at: Mapped[datetime] = mapped_column(default=utc_now)


class AuditEntry(Base):
    """One entry of the audit trail; ``entry_hash`` chains it to the entry before."""

    __tablename__ = "audit_entry"

    sequence: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    user_id: Mapped[uuid.UUID | None]
    role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32))
    resource_type: Mapped[str] = mapped_column(String(64))
    resource_id: Mapped[str] = mapped_column(String(64))
    patient_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    client_address: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text)
    previous_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class AuditChainHead(Base):
    """The single row that serialises appends: the sequence and hash of the last entry."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    sequence: Mapped[int]
    entry_hash: Mapped[str] = mapped_column(String(64))
