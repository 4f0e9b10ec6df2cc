"""The start page: who is signed in, in which role, and what that role does in the clinic."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ketapath.services.context import UserRole
from ketapath.web.pages import render, signed_in
from ketapath.web.sessions import PageUser

__all__ = ["ROLE_TASKS", "routes"]

ROLE_TASKS: dict[UserRole, tuple[str, ...]] = {
    UserRole.PHYSICIAN: (
        "Screen patients for ketamine therapy and review the findings.",
        "Write and sign treatment plans; override a soft limit with a reason.",
        "Sign discharges after a session.",
    ),
    UserRole.NURSE: (
        "Chart sessions: rate changes, vital signs, sedation and dissociation scores.",
        "Assess discharge readiness after a session.",
        "Record follow-up questionnaires and the dependence and urinary screens.",
    ),
    UserRole.ADMIN: (
        "Manage user accounts and roles.",
        "Keep the drug library and check the audit trail.",
    ),
    UserRole.RESEARCHER: ("Review de-identified clinic outcomes: responder rates and relief.",),
}
"""What each role does, as the start page lists it."""


async def home(request: Request, user: PageUser) -> Response:
    """The start page."""
    return render(request, "home.html", user=user, tasks=ROLE_TASKS.get(user.role, ()))


routes = (Route("/", signed_in(home), methods=["GET"], name="home"),)
