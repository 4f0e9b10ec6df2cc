"""Signing in and out of the pages, and keeping an idle session alive on request.

The sign-in form posts here (it works without JavaScript); the password is checked by
`ketapath.services.access.auth.log_in`, which also throttles guessing, and a success sets the same
session cookies as the API's ``POST /api/v1/auth/session``. Signing out revokes the session at
once. The ``reason`` in the sign-in page's address says why the user is there; ``idle`` (sent
by the page's countdown) also ends a session that is still valid.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ketapath.services.access.auth import Credential, log_in, log_out
from ketapath.services.context import Principal
from ketapath.web.pages import public, render, safe_next, services_of, signed_in, web_state
from ketapath.web.sessions import (
    SIGNIN_COOKIE,
    PageUser,
    check_signin_token,
    create_signin_token,
    set_signin_cookie,
)

__all__ = ["routes"]

NOTICES = {
    "signed-out": "You have signed out.",
    "idle": "You were signed out automatically after a period without activity.",
    "ended": "Your session has ended. Sign in again to continue.",
    "required": "Sign in to continue.",
}
WRONG_CREDENTIALS = "The username or password is wrong, or the account is deactivated."
EXPIRED_FORM = "The sign-in form had expired. Enter your username and password again."


def _sign_in_page(
    request: Request,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    username: str = "",
    next_path: str = "/",
    headers: dict[str, str] | None = None,
) -> Response:
    token = create_signin_token()
    response = render(
        request,
        "sign_in.html",
        user=None,
        status=status,
        headers=headers,
        notice=NOTICES.get(request.query_params.get("reason", "")),
        errors=errors or {},
        username=username,
        next_path=next_path,
        signin_token=token,
    )
    set_signin_cookie(response, token)
    return response


def _revoke(request: Request) -> None:
    """Refuse the credential the request was authenticated with from now on (every process)."""
    credential = getattr(request.state, "credential", None)
    if isinstance(credential, Credential):
        log_out(services_of(request), credential)


def _end_idle_session(request: Request, response: Response) -> None:
    """Revoke the request's session when it is still valid, and remove its cookies."""
    state = web_state(request)
    try:
        state.sessions.authenticate(request, Response(), services_of(request))
    except HTTPException:
        pass  # no valid session to revoke: removing the cookies is all there is to do
    else:
        _revoke(request)
    state.sessions.clear_session_cookies(response)


async def show_sign_in(request: Request) -> Response:
    """The sign-in page (ends a still-valid session when the countdown sent the user here)."""
    response = _sign_in_page(request, next_path=safe_next(request.query_params.get("next")))
    if request.query_params.get("reason") == "idle":
        await run_in_threadpool(_end_idle_session, request, response)
    return response


def _check_form(username: str, password: str) -> dict[str, str]:
    errors = {}
    if not username:
        errors["username"] = "Enter your username."
    if not password:
        errors["password"] = "Enter your password."
    return errors


async def submit_sign_in(request: Request) -> Response:
    """Check the username and password; on success set the session and go to the next page."""
    form = await request.form()
    username, password = str(form.get("username", "")).strip(), str(form.get("password", ""))
    next_path = safe_next(form.get("next"))
    if not check_signin_token(request, form):
        errors = {"form": EXPIRED_FORM}
        return _sign_in_page(request, status=400, errors=errors, username=username)
    errors = _check_form(username, password)
    if errors:
        return _sign_in_page(
            request, status=422, errors=errors, username=username, next_path=next_path
        )
    services = services_of(request)
    address = request.client.host if request.client else None
    outcome = await run_in_threadpool(
        log_in, services, username=username, password=password, client_address=address
    )
    if outcome.retry_after_s is not None:
        message = f"Too many failed sign-ins. Try again in {outcome.retry_after_s} seconds."
        headers = {"Retry-After": str(outcome.retry_after_s)}
        return _sign_in_page(
            request,
            status=429,
            errors={"form": message},
            username=username,
            next_path=next_path,
            headers=headers,
        )
    if outcome.principal is None:
        return _sign_in_page(
            request,
            status=401,
            errors={"form": WRONG_CREDENTIALS},
            username=username,
            next_path=next_path,
        )
    return _start_session(request, outcome.principal, next_path)


def _start_session(request: Request, principal: Principal, next_path: str) -> Response:
    state, services = web_state(request), services_of(request)
    response = RedirectResponse(next_path, status_code=303)
    session, csrf = state.sessions.issue_session(
        principal, secret=state.settings.require_secret_key(), now=services.now()
    )
    state.sessions.set_session_cookies(response, session, csrf)
    response.delete_cookie(SIGNIN_COOKIE, path="/sign-in", secure=True, samesite="strict")
    return response


async def sign_out(request: Request, user: PageUser) -> Response:  # noqa: ARG001  # signed_in checks the user
    """Sign out: the session stops working at once and its cookies are removed."""
    response = RedirectResponse("/sign-in?reason=signed-out", status_code=303)
    await run_in_threadpool(_revoke, request)  # a database write: off the event loop
    web_state(request).sessions.clear_session_cookies(response)
    return response


async def keep_alive(request: Request, user: PageUser) -> Response:  # noqa: ARG001  # signed_in checks the user
    """Renew the session (the idle countdown's "Stay signed in")."""
    return Response(status_code=204)


routes = (
    Route("/sign-in", public(show_sign_in), methods=["GET"], name="sign_in"),
    Route("/sign-in", public(submit_sign_in), methods=["POST"], name="sign_in_submit"),
    Route("/sign-out", signed_in(sign_out), methods=["POST"], name="sign_out"),
    Route("/session/keep-alive", signed_in(keep_alive), methods=["GET"], name="keep_alive"),
)
