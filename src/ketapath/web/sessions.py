"""Who is signed in to the pages: the API's cookie session, used through a `SessionKit`.

The pages share the API's cookie session (``ketapath.api.security``): one sign-in serves the
pages and their HTMX requests, with the same idle logoff (``settings.session_idle_minutes``,
checked on the server at every request) and the same CSRF token. `mount` receives those session
functions as a `SessionKit` and checks them with `validate_session_kit`, so that this package
never imports the API. Unsafe requests carry the CSRF token in the ``X-CSRF-Token`` header (HTMX
adds it) or, from a plain HTML form, in its ``csrf_token`` field, which is moved into the header
here before the kit checks it.

The sign-in form has its own double-submit token (the ``ketapath_signin`` cookie and the
``signin_token`` field), so that another site cannot sign a browser in to an account of its
choosing.
"""

from __future__ import annotations

import hmac
import inspect
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, cast

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from ketapath.services.context import Principal, Services, UserRole

__all__ = [
    "CSRF_FIELD",
    "SIGNIN_COOKIE",
    "SIGNIN_FIELD",
    "PageUser",
    "SessionKit",
    "check_signin_token",
    "create_signin_token",
    "role_label",
    "set_signin_cookie",
    "validate_session_kit",
    "with_form_csrf",
]

CSRF_FIELD = "csrf_token"
SIGNIN_COOKIE = "ketapath_signin"
SIGNIN_FIELD = "signin_token"
SIGNIN_TOKEN_MAX_AGE_S = 3600

_ROLE_LABELS = {
    UserRole.PHYSICIAN: "Physician",
    UserRole.NURSE: "Nurse",
    UserRole.ADMIN: "Administrator",
    UserRole.RESEARCHER: "Researcher",
}


class SessionKit(Protocol):
    """The cookie-session functions the pages use (the API's security module provides them)."""

    SESSION_COOKIE: str
    CSRF_COOKIE: str
    CSRF_HEADER: str

    def authenticate(self, request: Request, response: Response, services: Services) -> Principal:
        """Return who signed the request; raise an HTTP 401 or 403 exception otherwise."""

    def issue_session(
        self, principal: Principal, *, secret: str, now: datetime, csrf_token: str | None = None
    ) -> tuple[object, str]:
        """Return a new session token for `principal` and its CSRF token."""

    def clear_session_cookies(self, response: Response) -> None:
        """Remove the session cookies."""

    @property
    def set_session_cookies(self) -> Callable[..., None]:
        """Set the cookies of a session that `issue_session` returned (token, CSRF token)."""


_KIT_FUNCTIONS = {
    "authenticate": ("request", "response", "services"),
    "issue_session": ("principal", "secret", "now", "csrf_token"),
    "set_session_cookies": ("response", "session", "csrf_token"),
    "clear_session_cookies": ("response",),
}
_KIT_NAMES = ("SESSION_COOKIE", "CSRF_COOKIE", "CSRF_HEADER")


def validate_session_kit(candidate: object) -> SessionKit:
    """Return `candidate` as a `SessionKit`; `TypeError` naming what it lacks otherwise.

    Checked when the pages are mounted, so that a change to the session functions fails at
    start-up rather than at the first sign-in.
    """
    for name, parameters in _KIT_FUNCTIONS.items():
        function = getattr(candidate, name, None)
        if not callable(function):
            raise TypeError(f"The session kit must provide `{name}()` (got {function!r}).")
        found = tuple(inspect.signature(function).parameters)
        if found[: len(parameters)] != parameters:
            msg = f"`{name}` must take the parameters {parameters} (got {found})."
            raise TypeError(msg)
    for name in _KIT_NAMES:
        if not isinstance(getattr(candidate, name, None), str):
            raise TypeError(f"The session kit must provide the text `{name}`.")
    return cast("SessionKit", candidate)


def role_label(role: UserRole) -> str:
    """The role as the header shows it, e.g. ``Administrator``."""
    return _ROLE_LABELS.get(role, str(role).title())


@dataclass(frozen=True, slots=True, kw_only=True)
class PageUser:
    """The signed-in user of a page, and the CSRF token its forms and HTMX requests send."""

    principal: Principal
    csrf_token: str

    @property
    def username(self) -> str:
        """The sign-in name."""
        return self.principal.username

    @property
    def role(self) -> UserRole:
        """The user's role."""
        return self.principal.role

    @property
    def role_label(self) -> str:
        """The role as the header shows it."""
        return role_label(self.principal.role)


def with_form_csrf(request: Request, form: FormData, header: str) -> Request:
    """Return `request` with the form's ``csrf_token`` as the CSRF header (a plain HTML form).

    The new request shares the original's state, so that what authentication records on it
    (the credential) is seen by the handler.
    """
    token = form.get(CSRF_FIELD)
    if not isinstance(token, str) or not token or request.headers.get(header):
        return request
    scope = dict(request.scope)
    scope["headers"] = [*request.scope["headers"], (header.lower().encode(), token.encode())]
    scope["state"] = request.scope.setdefault("state", {})
    return Request(scope)


def create_signin_token() -> str:
    """Return a fresh token for the sign-in form (and for its cookie: `set_signin_cookie`)."""
    return secrets.token_urlsafe(32)


def set_signin_cookie(response: Response, token: str) -> None:
    """Set the sign-in form's `token` as a cookie sent back to the sign-in page only."""
    response.set_cookie(
        SIGNIN_COOKIE,
        token,
        max_age=SIGNIN_TOKEN_MAX_AGE_S,
        secure=True,
        httponly=True,
        samesite="strict",
        path="/sign-in",
    )


def check_signin_token(request: Request, form: FormData) -> bool:
    """True when the form's sign-in token equals the cookie's (both present)."""
    sent, expected = form.get(SIGNIN_FIELD), request.cookies.get(SIGNIN_COOKIE)
    if not isinstance(sent, str) or not sent or not expected:
        return False
    return hmac.compare_digest(sent, expected)
