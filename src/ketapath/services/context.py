"""What every use case receives: who asks (`RequestContext`) and the process's `Services`.

A use case is one function, one transaction::

    def register_patient(services: Services, context: RequestContext, *, ...) -> PatientIdentity:
        require_role(context, UserRole.PHYSICIAN, UserRole.NURSE)
        with services.unit_of_work() as session:
            return PatientRepository(session, context.to_actor()).create(...)

`unit_of_work` commits once when the block ends and rolls back on any error, so a use case never
leaves a half-written record. The repositories audit every access on behalf of
`RequestContext.to_actor`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime

from argon2 import PasswordHasher
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ketapath.config import Settings
from ketapath.errors import AccessError, InputError
from ketapath.services.access.throttle import LoginThrottle
from ketapath.store.audit import Actor
from ketapath.store.columns import utc_now
from ketapath.store.database import create_database_engine, create_session_factory, writer_gate
from ketapath.store.tables import UserRole

__all__ = [
    "Clock",
    "Principal",
    "RequestContext",
    "Services",
    "UserRole",
    "create_services",
    "require_role",
    "unit_of_work",
]

Clock = Callable[[], datetime]
"""Returns the current time, timezone-aware (UTC in production; fixed in tests)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Principal:
    """A signed-in user, as the edges know them after authentication.

    Parameters
    ----------
    user_id : uuid.UUID
        The user's id.
    username : str
        Their sign-in name.
    role : UserRole
        What they may do.
    clinic_id : uuid.UUID or None
        Their clinic; patients are registered in, and read from, this clinic only.
    """

    user_id: uuid.UUID
    username: str
    role: UserRole
    clinic_id: uuid.UUID | None


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestContext:
    """Who asks for a use case, and from where: a `Principal` plus the client's address.

    Parameters
    ----------
    user_id, username, role, clinic_id
        As in `Principal`.
    client_address : str or None
        The client's network address, for the audit trail.
    request_id : str or None
        The id the edge gave the request (logged, and shown in 500 problems).
    """

    user_id: uuid.UUID
    username: str
    role: UserRole
    clinic_id: uuid.UUID | None
    client_address: str | None = None
    request_id: str | None = None

    @classmethod
    def from_principal(
        cls,
        principal: Principal,
        *,
        client_address: str | None = None,
        request_id: str | None = None,
    ) -> RequestContext:
        """Return the context of `principal` acting from `client_address`."""
        return cls(
            user_id=principal.user_id,
            username=principal.username,
            role=principal.role,
            clinic_id=principal.clinic_id,
            client_address=client_address,
            request_id=request_id,
        )

    def to_actor(self) -> Actor:
        """Return the `Actor` the repositories audit the accesses of this request under."""
        return Actor(user_id=self.user_id, role=str(self.role), client_address=self.client_address)

    def require_clinic(self) -> uuid.UUID:
        """Return the user's clinic; `AccessError` when the account belongs to none."""
        if self.clinic_id is None:
            msg = f"User {self.username!r} belongs to no clinic, so sees no patients."
            raise AccessError(msg)
        return self.clinic_id


def require_role(context: RequestContext, *roles: UserRole) -> None:
    """Raise `AccessError` unless the context's role is one of `roles`.

    Each use case states who may run it, so that every edge refuses the same requests.
    """
    if context.role not in roles:
        allowed = ", ".join(str(role) for role in roles)
        raise AccessError(f"The {context.role} role may not do this (allowed: {allowed}).")


@contextmanager
def unit_of_work(
    session_factory: sessionmaker[Session], gate: AbstractContextManager[object] | None = None
) -> Iterator[Session]:
    """Open a session for one use case: commit once at the end, roll back on any error.

    Parameters
    ----------
    session_factory : sessionmaker
        The process's session factory (`Services.session_factory`).
    gate : context manager or None
        Held for the whole transaction (`Services.writer_gate`).
    """
    with gate or nullcontext():
        session = session_factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


def _check_aware(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        msg = f"`clock` must return an aware datetime (got naive {now.isoformat()})."
        raise InputError(msg, field="clock", value=now)
    return now


@dataclass(frozen=True, slots=True, kw_only=True)
class Services:
    """What the use cases of one process share: settings, database, clock, login throttle.

    Built once by an entry point (`create_services`) and passed to every use case. Tests replace
    the clock with `dataclasses.replace(services, clock=...)`.

    Parameters
    ----------
    settings : Settings
        The process's settings.
    session_factory : sessionmaker
        Opens sessions on the records database.
    clock : Clock
        The current time (aware).
    login_throttle : LoginThrottle
        The sign-in limits per username and per client address (the failures are counted in
        the database, so every process shares them).
    password_hasher : PasswordHasher
        Hashes and verifies passwords (Argon2id with the library's current parameters).
    read_factory : sessionmaker or None
        Opens read-only sessions (no write lock); `session_factory` when None.
    writer_gate : context manager
        Held by every writing transaction of the process (`ketapath.store.database.writer_gate`).
    """

    settings: Settings
    session_factory: sessionmaker[Session]
    clock: Clock = utc_now
    login_throttle: LoginThrottle = field(default_factory=LoginThrottle)
    password_hasher: PasswordHasher = field(default_factory=PasswordHasher)
    read_factory: sessionmaker[Session] | None = None
    writer_gate: AbstractContextManager[object] = field(default_factory=nullcontext)

    def unit_of_work(self) -> AbstractContextManager[Session]:
        """Open one use case's transaction (see `unit_of_work`)."""
        return unit_of_work(self.session_factory, self.writer_gate)

    def read_only(self) -> AbstractContextManager[Session]:
        """Open a transaction that only reads, without the write lock: for what is not patient
        data (an account, the drug library). A repository that audits a read fails its commit
        here; patient data is read in `unit_of_work`, which writes the audit entries."""
        return unit_of_work(self.read_factory or self.session_factory)

    def now(self) -> datetime:
        """Return the clock's current time; `InputError` when the clock returns a naive one."""
        return _check_aware(self.clock())

    def dispose(self) -> None:
        """Close the database connections (at shutdown)."""
        bind = self.session_factory.kw.get("bind")
        if isinstance(bind, Engine):
            bind.dispose()


def create_services(settings: Settings, *, clock: Clock = utc_now) -> Services:
    """Build the `Services` of a process: the engine and session factory from `settings`.

    Parameters
    ----------
    settings : Settings
        ``database_url``, ``database_echo`` and ``sqlite_busy_timeout_ms`` are used here.
    clock : Clock
        The current time; the system clock in UTC by default.
    """
    engine = create_database_engine(
        settings.database_url,
        echo=settings.database_echo,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
    )
    return Services(
        settings=settings,
        session_factory=create_session_factory(engine),
        read_factory=create_session_factory(engine, read_only=True),
        writer_gate=writer_gate(engine, busy_timeout_ms=settings.sqlite_busy_timeout_ms),
        clock=clock,
    )
