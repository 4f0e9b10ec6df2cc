"""How a page answers: render a template, authenticate, and turn errors into a readable page.

`signed_in` wraps a handler that needs a signed-in user, `public` one that does not. Both are the
web's boundary: a KetaPath error becomes the error page (or, for an HTMX request, the error
partial placed in the page's ``#messages`` region), anything unexpected a 500 page with the
request id (the traceback goes to the log), and every answer carries the security headers. A
request without a valid session is sent to the sign-in page (HTMX: with ``HX-Redirect``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ketapath.config import Settings
from ketapath.services.context import Services
from ketapath.web.errors import ErrorView, describe_error, describe_status
from ketapath.web.sessions import PageUser, SessionKit, with_form_csrf

__all__ = [
    "SECURITY_HEADERS",
    "Handler",
    "PublicHandler",
    "WebState",
    "public",
    "redirect_to_sign_in",
    "render",
    "render_error",
    "safe_next",
    "services_of",
    "signed_in",
    "web_state",
]

_logger = logging.getLogger("ketapath.web")

SECURITY_HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
"""Every page is the clinic's own: no outside script, style or frame; no caching of records."""

Handler = Callable[[Request, PageUser], Awaitable[Response]]
PublicHandler = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True, slots=True, kw_only=True)
class WebState:
    """What `mount` gives the pages: the templates, the session functions and the settings."""

    templates: Environment
    sessions: SessionKit
    settings: Settings


def web_state(request: Request) -> WebState:
    """Return the pages' state that `mount` put on the application."""
    state = getattr(request.app.state, "web", None)
    if not isinstance(state, WebState):  # pragma: no cover  # mount() sets it
        raise TypeError("The web pages are not mounted on this application.")
    return state


def services_of(request: Request) -> Services:
    """Return the process's services (built by the application factory)."""
    services = getattr(request.app.state, "services", None)
    if not isinstance(services, Services):  # pragma: no cover  # create_app sets it
        raise TypeError("The application has no services.")
    return services


def _is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def render(
    request: Request,
    template: str,
    *,
    user: PageUser | None,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    **context: Any,  # noqa: ANN401  # template values of any type
) -> HTMLResponse:
    """Render `template` with the layout's values (user, CSRF token, idle seconds) and `context`."""
    state = web_state(request)
    values = {
        "request": request,
        "user": user,
        "csrf_token": user.csrf_token if user is not None else None,
        "idle_seconds": state.settings.session_idle_minutes * 60,
        "current_path": request.url.path,
        **context,
    }
    html = state.templates.get_template(template).render(values)
    return HTMLResponse(html, status_code=status, headers=dict(headers or {}))


def render_error(request: Request, view: ErrorView, *, user: PageUser | None) -> HTMLResponse:
    """The error page, or for an HTMX request the partial, swapped into ``#messages``."""
    if _is_htmx(request):
        headers = {"HX-Retarget": "#messages", "HX-Reswap": "innerHTML"}
        return render(
            request,
            "partials/error.html",
            user=user,
            status=view.status,
            headers=headers,
            error=view,
            heading_level=2,
        )
    return render(request, "error.html", user=user, status=view.status, error=view)


def safe_next(value: object) -> str:
    """Return `value` when it is a path on this site, else ``/`` (no open redirect)."""
    if (
        isinstance(value, str)
        and value.startswith("/")
        and not value.startswith("//")
        and "\\" not in value
    ):
        return value
    return "/"


def redirect_to_sign_in(request: Request, *, reason: str) -> Response:
    """Send the browser to the sign-in page, to come back to this page afterwards."""
    query = {"reason": reason}
    if request.method == "GET" and request.url.path != "/":
        query["next"] = request.url.path
    target = f"/sign-in?{urlencode(query)}"
    if _is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def _cookie_name(header_value: bytes) -> bytes:
    return header_value.split(b"=", 1)[0].strip()


def _copy_cookies(source: Response, target: Response) -> None:
    """Add the renewed session cookies, unless the handler set (or cleared) them itself."""
    own = {_cookie_name(v) for k, v in target.raw_headers if k == b"set-cookie"}
    for key, value in source.raw_headers:
        if key == b"set-cookie" and _cookie_name(value) not in own:
            target.raw_headers.append((key, value))


def _secure(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


async def _authenticate(request: Request, scratch: Response) -> PageUser | Response:
    """Return the signed-in user, or the answer to a request without a valid session."""
    state, services = web_state(request), services_of(request)
    checked = request
    if request.method not in ("GET", "HEAD"):
        checked = with_form_csrf(request, await request.form(), state.sessions.CSRF_HEADER)
    try:
        principal = await run_in_threadpool(state.sessions.authenticate, checked, scratch, services)
    except HTTPException as refusal:
        if refusal.status_code == 401:
            had_session = state.sessions.SESSION_COOKIE in request.cookies
            return redirect_to_sign_in(request, reason="ended" if had_session else "required")
        message = refusal.detail if isinstance(refusal.detail, str) else "Not allowed."
        return render_error(request, describe_status(refusal.status_code, message), user=None)
    csrf = request.cookies.get(state.sessions.CSRF_COOKIE, "")
    return PageUser(principal=principal, csrf_token=csrf)


async def _answer(
    request: Request, call: Callable[[], Awaitable[Response]], user: PageUser | None
) -> Response:
    """Run a handler inside the web's error boundary."""
    try:
        return await call()
    except HTTPException as refusal:
        message = refusal.detail if isinstance(refusal.detail, str) else "Not possible."
        return render_error(request, describe_status(refusal.status_code, message), user=user)
    except Exception as error:  # the web's top-level boundary: every failure becomes a page
        view = describe_error(error, request_id=getattr(request.state, "request_id", None))
        if view.status == 500:
            _logger.error(
                "Unhandled error on %s %s", request.method, request.url.path, exc_info=error
            )
        return render_error(request, view, user=user)


def signed_in(handler: Handler) -> PublicHandler:
    """Wrap `handler` for signed-in users only; the session cookie is renewed on the answer."""

    async def endpoint(request: Request) -> Response:
        scratch = Response()
        user = await _authenticate(request, scratch)
        if not isinstance(user, PageUser):
            return _secure(user)
        response = await _answer(request, lambda: handler(request, user), user)
        _copy_cookies(scratch, response)
        return _secure(response)

    endpoint.__doc__ = handler.__doc__
    return endpoint


def public(handler: PublicHandler) -> PublicHandler:
    """Wrap a `handler` that needs no sign-in (the sign-in page itself)."""

    async def endpoint(request: Request) -> Response:
        return _secure(await _answer(request, lambda: handler(request), None))

    endpoint.__doc__ = handler.__doc__
    return endpoint
