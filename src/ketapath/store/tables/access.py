"""Who tried to sign in, and which credentials were signed out: both insert-only.

Sign-in throttling and sign-out live in the database rather than in a process's memory, so that
they hold across the server's worker processes and its restarts:

- `SignInAttempt`: every attempt, whatever its outcome: the username as typed and casefolded,
  where it came from, whether it succeeded or was refused unchecked (throttled), and the user
  when known. The password is never stored. The id is an integer that grows with each insert,
  so that "the failures after the last success" is exact even when two attempts share a
  timestamp.
- `CredentialRevocation`: a token or session signed out before it expires (its ``jti``).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ketapath.store.tables.base import Base

__all__ = ["CredentialRevocation", "SignInAttempt"]

ATTEMPT_TEXT_LENGTH = 200
"""Characters of a typed username or client address that are stored (the rest is cut off)."""


class SignInAttempt(Base):
    """One sign-in attempt: when, which username, from where, and how it ended."""

    __tablename__ = "sign_in_attempt"
    __table_args__ = (
        CheckConstraint("NOT (succeeded AND throttled)", name="succeeded_or_throttled"),
        # The throttle's two questions: a username's, and an address's, recent attempts.
        Index("ix_sign_in_attempt_username_folded_at", "username_folded", "at"),
        Index("ix_sign_in_attempt_client_address_at", "client_address", "at"),
    )

    # SQLite numbers rows only through an INTEGER PRIMARY KEY (its rowid).
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[datetime]
    username: Mapped[str] = mapped_column(String(ATTEMPT_TEXT_LENGTH))
    username_folded: Mapped[str] = mapped_column(String(ATTEMPT_TEXT_LENGTH))
    client_address: Mapped[str | None] = mapped_column(String(ATTEMPT_TEXT_LENGTH))
    succeeded: Mapped[bool]
    throttled: Mapped[bool]
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))


class CredentialRevocation(Base):
    """A bearer token or web session signed out before it expires."""

    __tablename__ = "credential_revocation"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime]
