"""Use cases about user accounts: creating one (the password is hashed with Argon2id)."""

from __future__ import annotations

import uuid

from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from ketapath.errors import InputError
from ketapath.store.audit import SYSTEM, Actor
from ketapath.store.records import UserRecord
from ketapath.store.repositories.user import UserRepository
from ketapath.store.tables import UserRole

__all__ = ["MIN_PASSWORD_LENGTH", "create_user"]

MIN_PASSWORD_LENGTH = 12


def create_user(  # noqa: PLR0913  # the account's fields, all keyword-only
    session: Session,
    *,
    username: str,
    full_name: str,
    role: UserRole | str,
    password: str,
    clinic_id: uuid.UUID | None = None,
    actor: Actor = SYSTEM,
    hasher: PasswordHasher | None = None,
) -> UserRecord:
    """Create a user whose password is stored only as an Argon2id hash.

    The caller commits (the CLI and the API open one transaction per command or request), so
    the account and its audit entry are written together.

    Parameters
    ----------
    session : Session
        The open session.
    username, full_name : str
        Sign-in name (unique) and the name shown on records.
    role : UserRole or str
        ``physician``, ``nurse``, ``admin`` or ``researcher``.
    password : str
        The password, at least `MIN_PASSWORD_LENGTH` characters; never stored.
    clinic_id : uuid.UUID or None
        The user's clinic, when there is one.
    actor : Actor
        Who creates the account (the operator's set-up command by default).
    hasher : PasswordHasher or None
        The Argon2 hasher; the library's defaults (Argon2id, RFC 9106 low-memory) when None.

    Raises
    ------
    InputError
        When the password is too short or the role is unknown.
    ConflictError
        When the username is taken.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        msg = f"`password` must be at least {MIN_PASSWORD_LENGTH} characters (got {len(password)})."
        raise InputError(msg, field="password")
    password_hash = (hasher or PasswordHasher()).hash(password)
    return UserRepository(session, actor).create(
        username=username,
        full_name=full_name,
        role=role,
        password_hash=password_hash,
        clinic_id=clinic_id,
    )
