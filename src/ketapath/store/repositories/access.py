"""Sign-in attempts and signed-out credentials: recorded, counted and looked up; never changed.

The sign-in throttle asks two questions here (a username's recent failures since its last
success, an address's recent failures), each one indexed query. A request's credential is
checked with one statement that reads the account and whether the token was signed out, so
that checking the revocation costs no extra round trip. On PostgreSQL, `lock_sign_in` makes the
sign-ins of one username, or from one address, wait for each other, so that parallel guesses
are counted as they happen rather than all let through at once (SQLite's writers already wait
for each other: `ketapath.store.database`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, bindparam, exists, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ketapath.store.repositories.base import Repository
from ketapath.store.tables import CredentialRevocation, SignInAttempt, User, UserRole
from ketapath.store.tables.access import ATTEMPT_TEXT_LENGTH

__all__ = [
    "AccessRepository",
    "SignInAttemptRecord",
    "TokenHolder",
    "fold_username",
]

_LOCK_SPACE = 0x4B50_0001
"""The first key of the sign-in advisory locks (the second is the hash of the username or
address), apart from any other use of advisory locks in the database."""


def fold_username(username: str) -> str:
    """The form of a username the throttle counts by: stripped and casefolded."""
    return username.strip().casefold()


def _storable(text: str) -> str:
    # PostgreSQL text cannot hold NUL; a longer value than the column is typed by no one honest.
    return text.replace("\x00", "\ufffd")[:ATTEMPT_TEXT_LENGTH]


@dataclass(frozen=True, slots=True, kw_only=True)
class SignInAttemptRecord:
    """One recorded sign-in attempt (the password is never recorded).

    Parameters
    ----------
    id : int
        Its number: later attempts have larger numbers.
    at : datetime
        When (UTC).
    username, username_folded : str
        The username as typed, and stripped and casefolded (the throttle's key).
    client_address : str or None
        Where it came from.
    succeeded : bool
        The password matched an active account.
    throttled : bool
        Refused without checking the password, after too many recent failures.
    user_id : uuid.UUID or None
        The account the username names, when one was looked up and found.
    """

    id: int
    at: datetime
    username: str
    username_folded: str
    client_address: str | None
    succeeded: bool
    throttled: bool
    user_id: uuid.UUID | None


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenHolder:
    """The account a token names, and whether the token was signed out."""

    user_id: uuid.UUID
    username: str
    role: UserRole
    clinic_id: uuid.UUID | None
    active: bool
    revoked: bool


def _attempt(row: SignInAttempt) -> SignInAttemptRecord:
    return SignInAttemptRecord(
        id=row.id,
        at=row.at,
        username=row.username,
        username_folded=row.username_folded,
        client_address=row.client_address,
        succeeded=row.succeeded,
        throttled=row.throttled,
        user_id=row.user_id,
    )


def _failures_in(since: datetime, until: datetime) -> Select[datetime]:
    return select(SignInAttempt.at).where(
        SignInAttempt.at > since,
        SignInAttempt.at <= until,
        SignInAttempt.succeeded.is_(False),
        SignInAttempt.throttled.is_(False),
    )


_TOKEN_HOLDER = select(
    User.id,
    User.username,
    User.role,
    User.clinic_id,
    User.active,
    exists().where(CredentialRevocation.jti == bindparam("jti")).label("revoked"),
).where(User.id == bindparam("user_id"))
"""`AccessRepository.find_token_holder`'s statement, built once: every request runs it."""


class AccessRepository(Repository):
    """Who tried to sign in, and which credentials were signed out."""

    def _dialect(self) -> str:
        return self.session.get_bind().dialect.name

    def lock_sign_in(self, username: str, client_address: str | None) -> None:
        """PostgreSQL: wait for other sign-ins of `username`, then of `client_address`, to end.

        Held until the transaction ends; always taken in this order, so that two sign-ins can
        never deadlock. On SQLite nothing is needed: writing transactions already queue.
        """
        if self._dialect() != "postgresql":
            return
        keys = [f"user:{_storable(fold_username(username))}"]
        if client_address:
            keys.append(f"address:{_storable(client_address)}")
        for key in keys:
            self.session.execute(
                select(func.pg_advisory_xact_lock(_LOCK_SPACE, func.hashtext(key)))
            )

    def record_attempt(
        self,
        *,
        at: datetime,
        username: str,
        client_address: str | None,
        succeeded: bool,
        throttled: bool = False,
        user_id: uuid.UUID | None = None,
    ) -> SignInAttemptRecord:
        """Record one sign-in attempt (never its password)."""
        row = SignInAttempt(
            at=at,
            username=_storable(username),
            username_folded=_storable(fold_username(username)),
            client_address=None if client_address is None else _storable(client_address),
            succeeded=succeeded,
            throttled=throttled,
            user_id=user_id,
        )
        self._add(row, what="a sign-in attempt")
        return _attempt(row)

    def list_username_failures(
        self, username: str, *, since: datetime, until: datetime, limit: int
    ) -> tuple[datetime, ...]:
        """When `username` (folded) failed after `since`, until `until` (included), and after
        its last success in that time.

        Newest first, at most `limit`; attempts refused unchecked are not failures.
        """
        folded = _storable(fold_username(username))
        last_success = (
            select(func.max(SignInAttempt.id))
            .where(
                SignInAttempt.username_folded == folded,
                SignInAttempt.at > since,
                SignInAttempt.at <= until,
                SignInAttempt.succeeded.is_(True),
            )
            .scalar_subquery()
        )
        query = _failures_in(since, until).where(
            SignInAttempt.username_folded == folded,
            SignInAttempt.id > func.coalesce(last_success, 0),
        )
        return tuple(self.session.scalars(query.order_by(SignInAttempt.at.desc()).limit(limit)))

    def list_address_failures(
        self, client_address: str, *, since: datetime, until: datetime, limit: int
    ) -> tuple[datetime, ...]:
        """When sign-ins from `client_address` failed after `since`, until `until` (included),
        newest first, at most `limit` (a success does not forget them: they may be another
        user's)."""
        query = _failures_in(since, until).where(
            SignInAttempt.client_address == _storable(client_address)
        )
        return tuple(self.session.scalars(query.order_by(SignInAttempt.at.desc()).limit(limit)))

    def list_attempts(self, username: str) -> tuple[SignInAttemptRecord, ...]:
        """Every attempt with `username` (folded), oldest first."""
        query = select(SignInAttempt).where(
            SignInAttempt.username_folded == _storable(fold_username(username))
        )
        return tuple(
            _attempt(row) for row in self.session.scalars(query.order_by(SignInAttempt.id))
        )

    def revoke(
        self, *, jti: str, user_id: uuid.UUID, expires_at: datetime, revoked_at: datetime
    ) -> bool:
        """Record that the credential `jti` was signed out; False when it already was."""
        make = postgresql_insert if self._dialect() == "postgresql" else sqlite_insert
        statement = (
            make(CredentialRevocation)
            .values(jti=jti, user_id=user_id, expires_at=expires_at, revoked_at=revoked_at)
            .on_conflict_do_nothing(index_elements=[CredentialRevocation.jti])
            .returning(CredentialRevocation.jti)
        )
        return self.session.execute(statement).first() is not None

    def find_token_holder(self, user_id: uuid.UUID, jti: str) -> TokenHolder | None:
        """The account `user_id` and whether `jti` was signed out (one statement); None when
        there is no such account."""
        params = {"user_id": user_id, "jti": jti}
        row = self.session.connection().execute(_TOKEN_HOLDER, params).one_or_none()
        if row is None:
            return None
        return TokenHolder(
            user_id=row.id,
            username=row.username,
            role=UserRole(row.role),
            clinic_id=row.clinic_id,
            active=bool(row.active),
            revoked=bool(row.revoked),
        )
