"""Signing in and out: verify a password (Argon2), throttle guessing, check a token.

Passwords are checked against the Argon2id hash stored with the account; a hash made with older
parameters is replaced after a successful sign-in (`argon2.PasswordHasher.check_needs_rehash`).
An unknown or deactivated username costs the same hashing work as a known one, and both give
the same answer, so that answers do not reveal which accounts exist. Passwords are never logged,
stored or returned.

Every sign-in attempt is recorded in the database (who typed which username, from where, when,
and how it ended) and the throttle counts the failures there (`ketapath.services.access.throttle`).
Signing out records the credential's id until it expires; every request's check reads it in
the same read-only transaction, and the same statement, as the account. Both therefore hold
across server processes and restarts.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import cache, partial

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from ketapath.services.context import Principal, Services, UserRole
from ketapath.store.audit import SYSTEM, Actor
from ketapath.store.records import UserRecord
from ketapath.store.repositories.access import AccessRepository
from ketapath.store.repositories.user import UserRepository

__all__ = [
    "Credential",
    "CredentialCheck",
    "LoginOutcome",
    "check_credential",
    "log_in",
    "log_out",
]


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


@dataclass(frozen=True, slots=True, kw_only=True)
class Credential:
    """The credential a request was authenticated with (a bearer token or a web session).

    Parameters
    ----------
    kind : str
        ``access`` (bearer token) or ``session`` (web session cookie).
    jti : str
        The token's id, the one signing out revokes.
    user_id : uuid.UUID
        Whose it is.
    expires_at : datetime
        When it expires on its own (UTC).
    """

    kind: str
    jti: str
    user_id: uuid.UUID
    expires_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class CredentialCheck:
    """What a token's holder is now: the active user it names, or why it no longer works.

    Parameters
    ----------
    principal : Principal or None
        The user, when the account exists and is active.
    revoked : bool
        The credential was signed out (then `principal` is None).
    """

    principal: Principal | None
    revoked: bool = False


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
    actor = Actor(user_id=user.id, role=str(user.role), client_address=address)
    why = "password hash upgraded to the current Argon2 parameters"
    UserRepository(session, actor).replace_password_hash(user.id, new_hash, why=why)


@dataclass(frozen=True, slots=True)
class _Checked:
    """What the password check found: the account (when the username names an active one),
    whether the password matched, and the new hash when the stored one is out of date."""

    user: UserRecord | None
    matched: bool
    new_hash: str | None = None


def _check_password(
    hasher: PasswordHasher, found: tuple[UserRecord, str] | None, password: str
) -> _Checked:
    """The Argon2 work of a sign-in (tens of ms), done outside any transaction."""
    if found is None:
        _matches(hasher, _decoy_hash(hasher), password)
        return _Checked(user=None, matched=False)
    user, password_hash = found
    if not _matches(hasher, password_hash, password):
        return _Checked(user=user, matched=False)
    new_hash = hasher.hash(password) if hasher.check_needs_rehash(password_hash) else None
    return _Checked(user=user, matched=True, new_hash=new_hash)


def log_in(
    services: Services, *, username: str, password: str, client_address: str | None
) -> LoginOutcome:
    """Check a username and password, throttle guessing, and record the attempt.

    Three steps, so that no writer waits on the password's hashing: a read (is the username or
    the address throttled? the account's hash), the Argon2 check outside any transaction, then
    the writing transaction, which counts the recent failures again (an attempt of another
    process may have failed meanwhile), records the attempt whatever its outcome (never with its
    password) and, on success, stores an upgraded hash. Every process of the server counts the
    same attempts. An attempt found throttled at the last step is refused like one found
    throttled at the first, whatever its password.

    Parameters
    ----------
    services : Services
        The process's services (database, clock, throttle policy, hasher).
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
    now = services.now()
    throttle = partial(services.login_throttle.retry_after_s, username=username, now=now)
    with services.read_only() as session:
        wait_s = throttle(AccessRepository(session, SYSTEM), address=client_address)
        # No account name holds a NUL, and PostgreSQL text cannot: look nothing up.
        found = None
        if wait_s is None and "\x00" not in username:
            found = UserRepository(session, SYSTEM).find_password_hash(username)
    checked = (
        None if wait_s is not None else _check_password(services.password_hasher, found, password)
    )
    with services.unit_of_work() as session:
        attempts = AccessRepository(session, SYSTEM)
        attempts.lock_sign_in(username, client_address)
        record = partial(
            attempts.record_attempt, at=now, username=username, client_address=client_address
        )
        if checked is not None:
            wait_s = throttle(attempts, address=client_address)
        if checked is None or wait_s is not None:
            record(succeeded=False, throttled=True)
            return LoginOutcome(principal=None, retry_after_s=wait_s)
        user = checked.user
        if user is not None and checked.new_hash is not None:
            _rehash(session, user, checked.new_hash, client_address)
        record(succeeded=checked.matched, user_id=None if user is None else user.id)
    principal = _principal(user) if checked.matched and user is not None else None
    return LoginOutcome(principal=principal)


def log_out(services: Services, credential: Credential) -> None:
    """Sign `credential` out: every process refuses it from now until it expires.

    Signing out twice (two tabs, a retried request) records it once.
    """
    with services.unit_of_work() as session:
        AccessRepository(session, SYSTEM).revoke(
            jti=credential.jti,
            user_id=credential.user_id,
            expires_at=credential.expires_at,
            revoked_at=services.now(),
        )


def check_credential(services: Services, *, user_id: uuid.UUID, jti: str) -> CredentialCheck:
    """Return the active user a token names, or why it no longer works (signed out, account
    gone or deactivated): one read-only transaction, one statement."""
    with services.read_only() as session:
        holder = AccessRepository(session, SYSTEM).find_token_holder(user_id, jti)
    if holder is not None and holder.revoked:
        return CredentialCheck(principal=None, revoked=True)
    if holder is None or not holder.active:
        return CredentialCheck(principal=None)
    principal = Principal(
        user_id=holder.user_id,
        username=holder.username,
        role=holder.role,
        clinic_id=holder.clinic_id,
    )
    return CredentialCheck(principal=principal)
