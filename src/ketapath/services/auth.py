"""Signing in: verify a password (Argon2), throttle guessing, and find who a token names.

Passwords are checked against the Argon2id hash stored with the account; a hash made with older
parameters is replaced after a successful sign-in (`argon2.PasswordHasher.check_needs_rehash`).
An unknown or deactivated username costs the same hashing work as a known one, and both give
the same answer, so that answers do not reveal which accounts exist. Passwords are never logged,
stored or returned.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import update
from sqlalchemy.orm import Session

from ketapath.errors import NotFoundError
from ketapath.services.context import Principal, Services, UserRole
from ketapath.store.audit import SYSTEM, Actor, AuditAction, append_entry
from ketapath.store.records import UserRecord
from ketapath.store.repositories.user import UserRepository
from ketapath.store.tables import User

__all__ = ["LoginOutcome", "find_principal", "log_in"]


@dataclass(frozen=True, slots=True, kw_only=True)
class LoginOutcome:
    """The answer to a sign-in: who signed in, or why not.

    Parameters
    ----------
    principal : Principal or None
        The user, when the username and password match an active account.
    retry_after_s : int or None
        Set when the attempt was refused unchecked because of too many recent failures: the
        seconds to wait.
    """

    principal: Principal | None
    retry_after_s: int | None = None


@cache
def _decoy_hash(hasher: PasswordHasher) -> str:
    """A hash to verify against when the username is unknown (same cost, never matches)."""
    return hasher.hash(secrets.token_urlsafe(32))


def _principal(user: UserRecord) -> Principal:
    return Principal(
        user_id=user.id, username=user.username, role=UserRole(user.role), clinic_id=user.clinic_id
    )


def _matches(hasher: PasswordHasher, password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _rehash(session: Session, user: UserRecord, new_hash: str, address: str | None) -> None:
    # The store allows this one column of an account to change (see LIMITED_UPDATE_TABLES).
    session.execute(update(User).where(User.id == user.id).values(password_hash=new_hash))
    actor = Actor(user_id=user.id, role=str(user.role), client_address=address)
    append_entry(
        session,
        actor,
        action=AuditAction.AMEND,
        resource_type=User.__tablename__,
        resource_id=user.id,
        detail="password hash upgraded to the current Argon2 parameters",
    )


def _verify(
    session: Session, hasher: PasswordHasher, credentials: tuple[str, str], address: str | None
) -> Principal | None:
    username, password = credentials
    found = UserRepository(session, SYSTEM).find_password_hash(username)
    if found is None:
        _matches(hasher, _decoy_hash(hasher), password)
        return None
    user, password_hash = found
    if not _matches(hasher, password_hash, password):
        return None
    if hasher.check_needs_rehash(password_hash):
        _rehash(session, user, hasher.hash(password), address)
    return _principal(user)


def log_in(
    services: Services, *, username: str, password: str, client_address: str | None
) -> LoginOutcome:
    """Check a username and password; count failures per username and per client address.

    Parameters
    ----------
    services : Services
        The process's services (database, clock, throttle, hasher).
    username, password : str
        What the user typed.
    client_address : str or None
        Where the attempt comes from.

    Returns
    -------
    LoginOutcome
        The principal on success; nothing on a wrong password, an unknown or deactivated
        account (indistinguishable); `retry_after_s` when too many attempts failed recently.
    """
    throttle, now = services.login_throttle, services.now()
    wait_s = throttle.retry_after_s(username, client_address, now=now)
    if wait_s is not None:
        return LoginOutcome(principal=None, retry_after_s=wait_s)
    with services.unit_of_work() as session:
        principal = _verify(session, services.password_hasher, (username, password), client_address)
    if principal is None:
        throttle.record_failure(username, client_address, now=now)
        return LoginOutcome(principal=None)
    throttle.record_success(username)
    return LoginOutcome(principal=principal)


def find_principal(services: Services, user_id: uuid.UUID) -> Principal | None:
    """Return the active user `user_id` names (from a token), or None when gone or deactivated."""
    with services.unit_of_work() as session:
        try:
            user = UserRepository(session, SYSTEM).get(user_id)
        except NotFoundError:
            return None
    return _principal(user) if user.active else None
