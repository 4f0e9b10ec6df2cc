"""The FastAPI application: `create_app(settings)` builds it, with every router under ``/api/v1``.

The OpenAPI document is at ``/openapi.json`` and the interactive documentation at ``/docs``.
Every error response there is documented as ``application/problem+json``; every route carries
``x-roles`` (who may call it) or ``x-public: true``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from importlib import import_module
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi

from ketapath import __version__
from ketapath.api.deps import record_access
from ketapath.api.problems import PROBLEM_MEDIA_TYPE, Problem, install_problem_handlers
from ketapath.config import Settings, load_settings
from ketapath.services.context import Services, create_services

__all__ = [
    "API_PREFIX",
    "ROUTER_MODULES",
    "create_app",
    "create_app_from_environment",
    "include_routers",
]

API_PREFIX = "/api/v1"

# The routers the app includes, one module of `ketapath.api.routers` per line; each module
# exposes `router` (an APIRouter with its own prefix, e.g. "/patients").
ROUTER_MODULES: tuple[str, ...] = (
    "auth",
    "users",
    "patients",
    "screenings",
    "audit",
    "drug_library",
    # ---- treatment flow routers (one line each) below ----
    "plans",
    "sessions",
    "discharge",
    "followups",
    "research",
)

_DESCRIPTION = (
    "KetaPath: decision support for ketamine therapy in pain clinics. It supports licensed "
    "clinicians; it does not prescribe. Errors are RFC 9457 problem details."
)
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def _problem_content() -> dict[str, Any]:
    return {PROBLEM_MEDIA_TYPE: {"schema": dict(_PROBLEM_REF)}}


def _document_problems(operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    if "x-roles" in operation:
        responses.setdefault("401", {"description": "Unauthorized"})
        responses.setdefault("403", {"description": "Forbidden"})
    if "requestBody" in operation:  # a body that is not JSON (or form) at all
        responses.setdefault("400", {"description": "Bad Request"})
    responses.setdefault("500", {"description": "Internal Server Error"})
    for code, response in responses.items():
        if code[0] in "45":
            response["content"] = _problem_content()


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(problem.pop("$defs", {}))
    components["Problem"] = problem
    for name in _FASTAPI_VALIDATION_SCHEMAS:  # every 422 is a Problem instead
        components.pop(name, None)
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            _document_problems(operation)
    app.openapi_schema = schema
    return schema


def include_routers(app: FastAPI) -> None:
    """Include the router of every module in `ROUTER_MODULES` under `API_PREFIX`."""
    for name in ROUTER_MODULES:
        router = import_module(f"ketapath.api.routers.{name}").router
        if not isinstance(router, APIRouter):  # pragma: no cover  # a programming error
            raise TypeError(f"ketapath.api.routers.{name}.router must be an APIRouter.")
        record_access(router)
        app.include_router(router, prefix=API_PREFIX)


def create_app(settings: Settings, *, services: Services | None = None) -> FastAPI:
    """Build the API application for `settings`.

    Parameters
    ----------
    settings : Settings
        The process's settings; the secret key must be set (it signs the tokens).
    services : Services or None
        The use cases' services; built from `settings` (engine, session factory) when None.

    Raises
    ------
    ConfigError
        When no secret key is set.
    """
    settings.require_secret_key()
    built = services if services is not None else create_services(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        built.dispose()

    app = FastAPI(
        title="KetaPath API",
        version=__version__,
        description=_DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.services = built
    install_problem_handlers(app)
    include_routers(app)
    app.openapi = partial(_openapi, app)  # type: ignore[method-assign]  # FastAPI's documented hook
    return app


def create_app_from_environment() -> FastAPI:
    """Build the app from the ``KETAPATH_*`` environment (the factory ``ketapath serve`` runs)."""
    return create_app(load_settings())
