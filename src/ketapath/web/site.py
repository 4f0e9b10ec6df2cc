"""`mount`: add the pages and their static files to the application the API factory builds."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.staticfiles import StaticFiles

from ketapath.config import Settings
from ketapath.web.pages import WebState
from ketapath.web.routes import ROUTES, followup, intake, outcomes, patient, plan, session, today
from ketapath.web.routes import admin as admin_pages
from ketapath.web.sessions import validate_session_kit
from ketapath.web.templating import STATIC_PATH, create_environment

__all__ = ["STATIC_DIR", "mount"]

STATIC_DIR = Path(__file__).resolve().parent / "static"


def mount(app: Starlette, settings: Settings, sessions: object, /) -> None:
    """Add the web pages to `app`, after the routes it already has.

    Parameters
    ----------
    app : Starlette
        The application (the API's FastAPI app, whose ``state.services`` the pages use).
    settings : Settings
        The process's settings (idle logoff minutes, secret key).
    sessions : SessionKit
        The cookie-session functions (the API's security module).

    Raises
    ------
    TypeError
        When `sessions` lacks a session function the pages need.
    """
    app.state.web = WebState(
        templates=create_environment(),
        sessions=validate_session_kit(sessions),
        settings=settings,
    )
    app.router.routes.extend(ROUTES)
    app.router.routes.extend(admin_pages.routes)
    app.router.routes.extend((*today.routes, *patient.routes, *intake.routes))
    app.router.routes.extend((*plan.routes, *session.routes))
    app.router.routes.extend(followup.routes)
    app.router.routes.extend(outcomes.routes)
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC_DIR), name="static")
