"""Credentials of API requests: short-lived bearer tokens, and session cookies for the web.

- **Bearer token** (``Authorization: Bearer ...``): a JWT (HS256, signed with
  ``settings.secret_key``) with ``sub`` (the user id), ``role``, ``jti``, ``typ: access`` and a
  15-minute ``exp``. It simply expires; signing in again gives a new one.
- **Session cookie** (``ketapath_session``): a JWT of ``typ: session`` in a ``Secure``,
  ``HttpOnly``, ``SameSite=Strict`` cookie, carrying ``last_seen``. Every request re-issues it
  with the new ``last_seen``; a request more than ``settings.session_idle_minutes`` after the
  last one is refused (automatic logoff), and no session outlives `SESSION_MAX_AGE`. Unsafe
  methods need the ``X-CSRF-Token`` header to equal the token signed into the session (and
  given, readable by the page, in the ``ketapath_csrf`` cookie).

Expiry and idleness are checked against the services' clock, so that tests can move time. The
account is looked up on every request: a deactivated user is refused at once. Signing out
records the token's ``jti`` in the database (`ketapath.services.access.auth.log_out`), and the same
look-up refuses it from then on, in every server process and after a restart.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from fastapi import HTTPException, Request, Response

from ketapath.services.access.auth import Credential, check_credential
from ketapath.services.context import Principal, Services

__all__ = [
    "ACCESS_TOKEN_TTL",
    "CSRF_COOKIE",
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "SESSION_MAX_AGE",
    "Credential",
    "IssuedToken",
    "SignedCredential",
    "authenticate",
    "clear_session_cookies",
    "issue_access_token",
    "issue_session",
    "read_credentials",
    "set_session_cookies",
    "verify",
]

ACCESS_TOKEN_TTL = timedelta(minutes=15)
SESSION_MAX_AGE = timedelta(hours=12)
SESSION_COOKIE = "ketapath_session"
CSRF_COOKIE = "ketapath_csrf"
CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_ALGORITHM = "HS256"
_REQUIRED_CLAIMS = ("sub", "role", "jti", "typ", "iat", "exp")


@dataclass(frozen=True, slots=True, kw_only=True)
class IssuedToken:
    """A signed token, its id and when it expires."""

    token: str
    jti: str
    expires_at: datetime


def _encode(claims: dict[str, Any], secret: str) -> str:
    return jwt.encode(claims, secret, algorithm=_ALGORITHM)


def _claims(principal: Principal, kind: str, now: datetime, expires_at: datetime) -> dict[str, Any]:
    return {
        "sub": str(principal.user_id),
        "role": str(principal.role),
        "jti": uuid.uuid4().hex,
        "typ": kind,
        "iat": int(now.timestamp()),
        "exp": int(expires_at.timestamp()),
    }


def issue_access_token(principal: Principal, *, secret: str, now: datetime) -> IssuedToken:
    """Return a bearer token for `principal`, valid for `ACCESS_TOKEN_TTL` from `now`."""
    expires_at = now + ACCESS_TOKEN_TTL
    claims = _claims(principal, "access", now, expires_at)
    return IssuedToken(token=_encode(claims, secret), jti=claims["jti"], expires_at=expires_at)


def issue_session(
    principal: Principal, *, secret: str, now: datetime, csrf_token: str | None = None
) -> tuple[IssuedToken, str]:
    """Return a new session token for `principal` and its CSRF token."""
    csrf = csrf_token or secrets.token_urlsafe(32)
    expires_at = now + SESSION_MAX_AGE
    claims = _claims(principal, "session", now, expires_at) | {
        "last_seen": int(now.timestamp()),
        "csrf": csrf,
    }
    issued = IssuedToken(token=_encode(claims, secret), jti=claims["jti"], expires_at=expires_at)
    return issued, csrf


def set_session_cookies(response: Response, session: IssuedToken, csrf_token: str) -> None:
    """Set the session cookie (HTTP-only) and the CSRF cookie (readable by the page)."""
    max_age = int(SESSION_MAX_AGE.total_seconds())
    common: dict[str, Any] = {"max_age": max_age, "secure": True, "samesite": "strict", "path": "/"}
    response.set_cookie(SESSION_COOKIE, session.token, httponly=True, **common)
    response.set_cookie(CSRF_COOKIE, csrf_token, httponly=False, **common)


def clear_session_cookies(response: Response) -> None:
    """Remove both session cookies (replacing any re-issued earlier in this response)."""
    del response.headers["set-cookie"]
    for name in (SESSION_COOKIE, CSRF_COOKIE):
        response.delete_cookie(name, path="/", secure=True, samesite="strict")


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": "Bearer"})


def _decode(token: str, secret: str, *, kind: str, now: datetime) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            secret,
            algorithms=[_ALGORITHM],
            # Expiry is checked below against the services' clock, not the system's.
            options={"require": list(_REQUIRED_CLAIMS), "verify_exp": False, "verify_iat": False},
        )
    except jwt.PyJWTError:
        raise _unauthorized("The credentials are not valid; sign in again.") from None
    if claims.get("typ") != kind:
        raise _unauthorized("The credentials are not valid; sign in again.")
    if not isinstance(claims["exp"], int) or now.timestamp() >= claims["exp"]:
        raise _unauthorized("The credentials have expired; sign in again.")
    return claims


@dataclass(frozen=True, slots=True, kw_only=True)
class SignedCredential:
    """A request's credential whose signature, expiry (and, for a session cookie, idleness and
    CSRF token) are checked: who it names and with which role, not yet looked up (`verify`)."""

    credential: Credential
    role: str


def _signed(claims: dict[str, Any], now: datetime) -> SignedCredential:
    try:
        user_id = uuid.UUID(str(claims["sub"]))
    except ValueError:
        raise _unauthorized("The credentials are not valid; sign in again.") from None
    expires_at = datetime.fromtimestamp(claims["exp"], tz=now.tzinfo)
    credential = Credential(
        kind=str(claims["typ"]), jti=str(claims["jti"]), user_id=user_id, expires_at=expires_at
    )
    return SignedCredential(credential=credential, role=str(claims["role"]))


def verify(services: Services, signed: SignedCredential) -> Principal:
    """Look the credential up: 401 when it was signed out, or its account is gone, deactivated
    or no longer has the role it was issued for; the active user otherwise."""
    credential = signed.credential
    check = check_credential(services, user_id=credential.user_id, jti=credential.jti)
    if check.revoked:
        raise _unauthorized("These credentials were signed out; sign in again.")
    principal = check.principal
    if principal is None or str(principal.role) != signed.role:
        raise _unauthorized("The account is no longer active, or its role changed; sign in.")
    return principal


def _check_session(
    request: Request, claims: dict[str, Any], now: datetime, idle: timedelta
) -> None:
    last_seen = claims.get("last_seen")
    if not isinstance(last_seen, int) or now.timestamp() - last_seen > idle.total_seconds():
        minutes = int(idle.total_seconds() // 60)
        raise _unauthorized(f"The session ended after {minutes} idle minutes; sign in again.")
    if request.method in _SAFE_METHODS:
        return
    sent, expected = request.headers.get(CSRF_HEADER, ""), str(claims.get("csrf", ""))
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        raise HTTPException(
            status_code=403, detail=f"The {CSRF_HEADER} header is missing or wrong."
        )


def _refresh(response: Response, claims: dict[str, Any], secret: str, now: datetime) -> None:
    claims = claims | {"last_seen": int(now.timestamp())}
    session = IssuedToken(
        token=_encode(claims, secret),
        jti=str(claims["jti"]),
        expires_at=datetime.fromtimestamp(claims["exp"], tz=now.tzinfo),
    )
    set_session_cookies(response, session, str(claims["csrf"]))


def read_credentials(request: Request, response: Response, services: Services) -> SignedCredential:
    """Check the request's credential without the database (bearer token first, else session
    cookie): 401 when there is none, or it is forged, expired or idle too long.

    A cookie-authenticated request must carry the CSRF header on unsafe methods (403 when it
    does not), and gets its session cookie re-issued with the new last-seen time.
    """
    now, secret = services.now(), services.settings.require_secret_key()
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorized("Use `Authorization: Bearer <token>`.")
        claims = _decode(token.strip(), secret, kind="access", now=now)
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            raise _unauthorized("Sign in first (a bearer token or a session cookie).")
        claims = _decode(cookie, secret, kind="session", now=now)
        idle = timedelta(minutes=services.settings.session_idle_minutes)
        _check_session(request, claims, now, idle)
    signed = _signed(claims, now)
    if header is None:
        _refresh(response, claims, secret, now)
    return signed


def authenticate(request: Request, response: Response, services: Services) -> Principal:
    """Return who signed the request: `read_credentials`, then `verify`.

    The credential is kept in ``request.state.credential``, for signing it out.
    """
    signed = read_credentials(request, response, services)
    principal = verify(services, signed)
    request.state.credential = signed.credential
    return principal
