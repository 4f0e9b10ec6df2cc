"""Signing in and out: bearer tokens for programs, session cookies for the web pages.

Both sign-in routes take an OAuth2 password form or a JSON body. After 5 failed attempts for one
username (or 20 from one address) within 5 minutes, attempts are refused with 429 and
``Retry-After`` without checking the password. Every attempt is recorded in the database, where
the failures are counted, so the limits hold across server processes and restarts; signing out
is recorded there too.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from ketapath.api import security
from ketapath.api.deps import AnyUser, ServicesDep, public
from ketapath.api.problems import problem_responses
from ketapath.api.schemas.auth import Credentials, SessionOut, TokenOut
from ketapath.services.access import auth as sign_in_service
from ketapath.services.access.auth import log_in
from ketapath.services.context import Principal, RequestContext, Services

router = APIRouter(prefix="/auth", tags=["auth"])

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_CREDENTIALS_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": Credentials.model_json_schema()},
            "application/x-www-form-urlencoded": {"schema": Credentials.model_json_schema()},
        },
    }
}


async def _read_credentials(request: Request) -> Credentials:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if content_type in _FORM_TYPES:
            form = await request.form()
            data: object = {key: value for key, value in form.items() if isinstance(value, str)}
        elif content_type == "application/json":
            data = await request.json()
        else:
            detail = "Send the credentials as JSON or as an OAuth2 password form."
            raise HTTPException(status_code=415, detail=detail)
        return Credentials.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
        ) from None
    except ValueError:  # malformed JSON or form
        raise RequestValidationError(
            [{"loc": ("body",), "msg": "The body is not valid JSON or form data.", "type": "body"}]
        ) from None


async def _sign_in(request: Request, services: Services) -> Principal:
    credentials = await _read_credentials(request)
    # Argon2 and the database block: keep them off the event loop.
    outcome = await run_in_threadpool(
        log_in,
        services,
        username=credentials.username,
        password=credentials.password,
        client_address=request.client.host if request.client else None,
    )
    if outcome.retry_after_s is not None:
        detail = f"Too many failed sign-ins; try again in {outcome.retry_after_s} seconds."
        headers = {"Retry-After": str(outcome.retry_after_s)}
        raise HTTPException(status_code=429, detail=detail, headers=headers)
    if outcome.principal is None:
        raise HTTPException(
            status_code=401,
            detail="The username or password is wrong, or the account is deactivated.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return outcome.principal


_SIGN_IN_ERRORS = problem_responses(401, 415, 422, 429)


@router.post(
    "/token",
    dependencies=[public()],
    openapi_extra=_CREDENTIALS_BODY,
    responses=_SIGN_IN_ERRORS,
)
async def create_token(request: Request, services: ServicesDep) -> TokenOut:
    """Sign in and get a bearer token (valid 15 minutes)."""
    principal = await _sign_in(request, services)
    now = services.now()
    issued = security.issue_access_token(
        principal, secret=services.settings.require_secret_key(), now=now
    )
    expires_in = int((issued.expires_at - now).total_seconds())
    return TokenOut(access_token=issued.token, expires_in=expires_in, expires_at=issued.expires_at)


@router.post(
    "/session",
    dependencies=[public()],
    openapi_extra=_CREDENTIALS_BODY,
    responses=_SIGN_IN_ERRORS,
)
async def create_session(request: Request, response: Response, services: ServicesDep) -> SessionOut:
    """Sign in to the web: sets the session cookie; returns the CSRF token."""
    principal = await _sign_in(request, services)
    session, csrf = security.issue_session(
        principal, secret=services.settings.require_secret_key(), now=services.now()
    )
    security.set_session_cookies(response, session, csrf)
    return SessionOut(
        csrf_token=csrf,
        expires_at=session.expires_at,
        idle_minutes=services.settings.session_idle_minutes,
    )


@router.post("/logout", status_code=204, responses=problem_responses(401, 403))
async def log_out(response: Response, caller: AnyUser) -> None:
    """Sign out: the token or session stops working at once; the cookies are removed."""

    def sign_out(services: Services, _context: RequestContext) -> None:
        sign_in_service.log_out(services, caller.signed.credential)

    await caller.run(sign_out)
    security.clear_session_cookies(response)
