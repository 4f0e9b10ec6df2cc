"""Administration: user accounts and roles (create, deactivate) and the audit-trail check."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ketapath.services.audit import verify_audit
from ketapath.services.context import UserRole
from ketapath.services.users import create_account, deactivate_account, list_accounts
from ketapath.web.forms import context_of
from ketapath.web.pages import render, services_of, signed_in
from ketapath.web.sessions import PageUser, role_label

__all__ = ["routes"]

PAGE_SIZE = 200


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


routes = (
    Route("/admin", signed_in(show_admin), methods=["GET"], name="admin"),
    Route("/admin/users", signed_in(submit_account), methods=["POST"], name="admin_create"),
    Route(
        "/admin/users/{user_id:uuid}/deactivate",
        signed_in(submit_deactivation),
        methods=["POST"],
        name="admin_deactivate",
    ),
    Route("/admin/audit", signed_in(check_audit), methods=["POST"], name="admin_audit"),
)
