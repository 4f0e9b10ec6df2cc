"""Use cases about user accounts: create (the password is hashed with Argon2id), list, deactivate.

Accounts are administered by admins; anyone signed in may read their own account.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from ketapath.config import Settings
from ketapath.errors import InputError
from ketapath.services.context import RequestContext, Services, create_services, require_role
from ketapath.store.audit import SYSTEM, Actor
from ketapath.store.records import UserRecord
from ketapath.store.repositories.user import UserRepository
from ketapath.store.tables import UserRole

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "UserPage",
    "UserRecord",
    "UserRole",
    "create_account",
    "create_user",
    "create_user_account",
    "deactivate_account",
    "get_own_account",
    "list_accounts",
]

MIN_PASSWORD_LENGTH = 12


@dataclass(frozen=True, slots=True, kw_only=True)
class UserPage:
    """One page of the accounts, by username, and how many there are in all."""

    items: tuple[UserRecord, ...]
    total: int


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


def create_user_account(  # the account's fields, all keyword-only
    settings: Settings,
    *,
    username: str,
    full_name: str,
    role: UserRole | str,
    password: str,
    clinic_id: uuid.UUID | None = None,
) -> UserRecord:
    """Create an account from an operator's command line (one transaction, then disconnect)."""
    services = create_services(settings)
    try:
        with services.unit_of_work() as session:
            return create_user(
                session,
                username=username,
                full_name=full_name,
                role=role,
                password=password,
                clinic_id=clinic_id,
                hasher=services.password_hasher,
            )
    finally:
        services.dispose()


def create_account(  # the account's fields, all keyword-only
    services: Services,
    context: RequestContext,
    *,
    username: str,
    full_name: str,
    role: UserRole | str,
    password: str,
    clinic_id: uuid.UUID | None = None,
) -> UserRecord:
    """Create an account (admins only); the new user joins the admin's clinic by default."""
    require_role(context, UserRole.ADMIN)
    with services.unit_of_work() as session:
        return create_user(
            session,
            username=username,
            full_name=full_name,
            role=role,
            password=password,
            clinic_id=clinic_id if clinic_id is not None else context.clinic_id,
            actor=context.to_actor(),
            hasher=services.password_hasher,
        )


def list_accounts(
    services: Services, context: RequestContext, *, limit: int, offset: int
) -> UserPage:
    """Return one page of the accounts, by username (admins only)."""
    require_role(context, UserRole.ADMIN)
    with services.unit_of_work() as session:
        items, total = UserRepository(session, context.to_actor()).list_page(
            limit=limit, offset=offset
        )
    return UserPage(items=items, total=total)


def deactivate_account(
    services: Services, context: RequestContext, user_id: uuid.UUID, *, reason: str
) -> UserRecord:
    """Deactivate an account (admins only; not their own): it can no longer sign in."""
    require_role(context, UserRole.ADMIN)
    if user_id == context.user_id:
        msg = "`user_id` must not be your own account: another admin deactivates it."
        raise InputError(msg, field="user_id", value=user_id)
    with services.unit_of_work() as session:
        return UserRepository(session, context.to_actor()).deactivate(user_id, reason=reason)


def get_own_account(services: Services, context: RequestContext) -> UserRecord:
    """Return the signed-in user's own account (any role)."""
    with services.unit_of_work() as session:
        return UserRepository(session, context.to_actor()).get(context.user_id)
