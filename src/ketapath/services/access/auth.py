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


def _verify(
    session: Session, hasher: PasswordHasher, credentials: tuple[str, str], address: str | None
) -> tuple[Principal | None, uuid.UUID | None]:
    """The principal when the password matches (else None), and the account's id when found."""
    username, password = credentials
    # No account name holds a NUL, and PostgreSQL text cannot: look nothing up.
    found = (
        None if "\x00" in username else UserRepository(session, SYSTEM).find_password_hash(username)
    )
    if found is None:
        _matches(hasher, _decoy_hash(hasher), password)
        return None, None
    user, password_hash = found
    if not _matches(hasher, password_hash, password):
        return None, user.id
    if hasher.check_needs_rehash(password_hash):
        _rehash(session, user, hasher.hash(password), address)
    return _principal(user), user.id


def log_in(
    services: Services, *, username: str, password: str, client_address: str | None
) -> LoginOutcome:
    """Check a username and password, throttle guessing, and record the attempt.

    The attempt is recorded whatever its outcome (never with its password), in the transaction
    that counts the recent failures, so that every process of the server counts the same ones.

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
    with services.unit_of_work() as session:
        attempts = AccessRepository(session, SYSTEM)
        attempts.lock_sign_in(username, client_address)
        record = partial(
            attempts.record_attempt, at=now, username=username, client_address=client_address
        )
        wait_s = services.login_throttle.retry_after_s(attempts, username, client_address, now=now)
        if wait_s is not None:
            record(succeeded=False, throttled=True)
            return LoginOutcome(principal=None, retry_after_s=wait_s)
        principal, user_id = _verify(
            session, services.password_hasher, (username, password), client_address
        )
        record(succeeded=principal is not None, user_id=user_id)
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
