"""Administration: user accounts and roles (create, deactivate), the audit-trail check, and the
drug library (its limits, a form to change one, and its change history).

Physicians and nurses may read the drug library page; the change form is shown to admins only,
and the service refuses a change from anyone else.
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ketapath.errors import InputError
from ketapath.services.access.audit import verify_audit
from ketapath.services.access.users import create_account, deactivate_account, list_accounts
from ketapath.services.clinic.drug_library import change_limit, list_library_versions
from ketapath.services.context import UserRole
from ketapath.web.forms import context_of, parse_number
from ketapath.web.pages import render, services_of, signed_in
from ketapath.web.sessions import PageUser, role_label

__all__ = ["routes"]

PAGE_SIZE = 200
LIBRARY_PATH = "/admin/drug-library"
ALLOWED_WORDS = {"<=": "at most", "<": "below", ">=": "at least", ">": "above"}
"""How a limit's condition reads: "infusion rate at most 0.5 mg/kg/h"."""


async def _page(request: Request, user: PageUser, **extra: Any) -> Response:  # noqa: ANN401  # template values
    services, context = services_of(request), context_of(request, user)
    accounts = await run_in_threadpool(list_accounts, services, context, limit=PAGE_SIZE, offset=0)
    return render(
        request,
        "admin.html",
        user=user,
        accounts=accounts.items,
        roles=[(str(role), role_label(role)) for role in UserRole],
        role_label=role_label,
        **extra,
    )


async def show_admin(request: Request, user: PageUser) -> Response:
    """The administration page: accounts and roles."""
    return await _page(request, user)


async def submit_account(request: Request, user: PageUser) -> Response:
    """Create an account from the form (admins only: the service refuses others)."""
    form = await request.form()
    services, context = services_of(request), context_of(request, user)
    await run_in_threadpool(
        lambda: create_account(
            services,
            context,
            username=str(form.get("username", "")).strip(),
            full_name=str(form.get("full_name", "")).strip(),
            role=str(form.get("role", "")),
            password=str(form.get("password", "")),
            clinic_id=context.clinic_id,
        )
    )
    return RedirectResponse("/admin?created=1", status_code=303)


async def submit_deactivation(request: Request, user: PageUser) -> Response:
    """Deactivate an account, with the reason given."""
    form = await request.form()
    services, context = services_of(request), context_of(request, user)
    user_id = uuid.UUID(request.path_params["user_id"])
    reason = str(form.get("reason", "")).strip() or "Deactivated by an administrator."
    await run_in_threadpool(lambda: deactivate_account(services, context, user_id, reason=reason))
    return RedirectResponse("/admin", status_code=303)


async def check_audit(request: Request, user: PageUser) -> Response:
    """Recompute the audit trail's hash chain and show the result (HTMX partial or page)."""
    services, context = services_of(request), context_of(request, user)
    verification = await run_in_threadpool(verify_audit, services, context)
    if request.headers.get("HX-Request") == "true":
        return render(request, "admin_audit.html", user=user, verification=verification)
    return await _page(request, user, verification=verification)


async def show_library(request: Request, user: PageUser) -> Response:
    """The drug library: the limits in force, the change form (admins) and the history."""
    services, context = services_of(request), context_of(request, user)
    history = await run_in_threadpool(list_library_versions, services, context)
    return render(
        request,
        "admin_library.html",
        user=user,
        current=history[0],
        history=history,
        can_change=user.principal.role is UserRole.ADMIN,
        allowed_words=ALLOWED_WORDS,
    )


def _version_field(form: FormData) -> int:
    text = str(form.get("based_on_version", "")).strip()
    if not text.isdigit():
        msg = f"`based_on_version` must be a version number (got {text!r})."
        raise InputError(msg, field="based_on_version", value=text)
    return int(text)


async def submit_limit_change(request: Request, user: PageUser) -> Response:
    """Change one limit's value with a reason (admins only: the service refuses others)."""
    form = await request.form()
    services, context = services_of(request), context_of(request, user)
    value = parse_number(form, "value")
    if value is None:
        raise InputError(
            "`value` must be a number in the limit's unit (got nothing).", field="value"
        )
    changed = await run_in_threadpool(
        lambda: change_limit(
            services,
            context,
            key=str(form.get("key", "")),
            value=value,
            reason=str(form.get("reason", "")),
            based_on_version=_version_field(form),
        )
    )
    return RedirectResponse(f"{LIBRARY_PATH}?stored={changed.version}", status_code=303)


routes = (
    Route("/admin", signed_in(show_admin), methods=["GET"], name="admin"),
    Route(LIBRARY_PATH, signed_in(show_library), methods=["GET"], name="admin_library"),
    Route(
        f"{LIBRARY_PATH}/limits",
        signed_in(submit_limit_change),
        methods=["POST"],
        name="admin_library_change",
    ),
    Route("/admin/users", signed_in(submit_account), methods=["POST"], name="admin_create"),
    Route(
        "/admin/users/{user_id:uuid}/deactivate",
        signed_in(submit_deactivation),
        methods=["POST"],
        name="admin_deactivate",
    ),
    Route("/admin/audit", signed_in(check_audit), methods=["POST"], name="admin_audit"),
)
