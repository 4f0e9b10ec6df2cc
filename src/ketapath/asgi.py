"""The composition root: one ASGI application serving the REST API and the web pages.

The API and the web pages are sibling edges that never import each other; this module, above
both, builds the API app and mounts the pages on it, handing them the API's cookie-session
functions so that both share one sign-in. `ketapath serve` runs `create_app_from_environment`.
"""

from __future__ import annotations

from fastapi import FastAPI

from ketapath import web
from ketapath.api import security
from ketapath.api.app import create_app as create_api_app
from ketapath.config import Settings, load_settings
from ketapath.services.context import Services

__all__ = ["create_app", "create_app_from_environment"]


def create_app(settings: Settings, *, services: Services | None = None) -> FastAPI:
    """The whole application: the API's routes, then the web pages."""
    app = create_api_app(settings, services=services)
    web.mount(app, settings, security)
    return app


def create_app_from_environment() -> FastAPI:
    """Build the application from the ``KETAPATH_*`` environment."""
    return create_app(load_settings())
