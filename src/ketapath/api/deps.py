"""The dependencies every route uses: the process's services, who is signed in, who may call.

Every route declares who may call it, in one of two ways, and `record_access` writes the
declaration into the OpenAPI document (``x-roles``, or ``x-public: true``) so that a test can
enumerate every route x role::

    @router.get("/{patient_id}", responses=problem_responses(404))
    def get_patient(patient_id: uuid.UUID, services: ServicesDep, context: Clinician) -> ...:
        ...

    Clinician = Annotated[RequestContext, allow(UserRole.PHYSICIAN, UserRole.NURSE)]

`allow` answers 401 without valid credentials and 403 to the other roles, before the request
body is read. `public()` marks the few routes that need no sign-in (getting a token).

The dependencies that do not wait on anything are ``async``, so that they run on the event loop
instead of a hop each through the thread pool; only `get_principal` reads the database.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from ketapath.api import security
from ketapath.services.context import Principal, RequestContext, Services, UserRole

__all__ = [
    "Admin",
    "AnyUser",
    "Clinician",
    "CurrentContext",
    "CurrentPrincipal",
    "Physician",
    "Principal",
    "RequestContext",
    "ServicesDep",
    "UserRole",
    "allow",
    "declared_roles",
    "get_principal",
    "get_request_context",
    "get_services",
    "is_public",
    "public",
    "record_access",
]

_ROLES: dict[Callable[..., Any], tuple[UserRole, ...]] = {}
_PUBLIC: set[Callable[..., Any]] = set()


async def get_services(request: Request) -> Services:
    """Return the process's `Services` (built by `create_app`); tests override the clock here."""
    return cast("Services", request.app.state.services)


ServicesDep = Annotated[Services, Depends(get_services)]


def get_principal(request: Request, response: Response, services: ServicesDep) -> Principal:
    """Return the signed-in user (bearer token or session cookie); 401 when there is none."""
    return security.authenticate(request, response, services)


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


async def get_request_context(request: Request, principal: CurrentPrincipal) -> RequestContext:
    """Return the signed-in user with the client's address and the request id."""
    return RequestContext.from_principal(
        principal,
        client_address=request.client.host if request.client else None,
        request_id=getattr(request.state, "request_id", None),
    )


CurrentContext = Annotated[RequestContext, Depends(get_request_context)]


def allow(*roles: UserRole) -> Any:  # noqa: ANN401  # a FastAPI `Depends` marker
    """Return a dependency that yields the `RequestContext` of a user in one of `roles`.

    Other roles get 403 (problem+json); requests without valid credentials get 401.
    """
    if not roles:
        raise ValueError("`roles` must name at least one role (use `public()` for none).")
    allowed = tuple(UserRole(role) for role in roles)

    async def require_role(context: CurrentContext) -> RequestContext:
        if context.role not in allowed:
            names = ", ".join(allowed)
            detail = f"The {context.role} role may not use this route (allowed: {names})."
            raise HTTPException(status_code=403, detail=detail)
        return context

    _ROLES[require_role] = allowed
    return Depends(require_role)


def public() -> Any:  # noqa: ANN401  # a FastAPI `Depends` marker
    """Return the dependency of a route that anyone may call (``dependencies=[public()]``)."""

    async def anyone() -> None:
        return None

    _PUBLIC.add(anyone)
    return Depends(anyone)


Admin = Annotated[RequestContext, allow(UserRole.ADMIN)]
Physician = Annotated[RequestContext, allow(UserRole.PHYSICIAN)]
Clinician = Annotated[RequestContext, allow(UserRole.PHYSICIAN, UserRole.NURSE)]
AnyUser = Annotated[RequestContext, allow(*UserRole)]


def _calls(dependant: Dependant) -> list[Callable[..., Any]]:
    found = [dependant.call] if dependant.call is not None else []
    for sub in dependant.dependencies:
        found.extend(_calls(sub))
    return found


def declared_roles(route: APIRoute) -> tuple[UserRole, ...] | None:
    """Return the roles `route` allows, or None when it declares none (or is public).

    Raises
    ------
    ValueError
        When the route declares two different sets of roles.
    """
    found = {_ROLES[call] for call in _calls(route.dependant) if call in _ROLES}
    if len(found) > 1:
        raise ValueError(f"Route {route.path} declares several role sets: {sorted(found)}.")
    return found.pop() if found else None


def is_public(route: APIRoute) -> bool:
    """True when `route` is declared with `public()`."""
    return any(call in _PUBLIC for call in _calls(route.dependant))


def _api_routes(router: APIRouter) -> list[APIRoute]:
    found: list[APIRoute] = []
    for route in router.routes:
        if isinstance(route, APIRoute):
            found.append(route)
        nested = getattr(route, "original_router", None)  # a router included in this one
        if isinstance(nested, APIRouter):
            found.extend(_api_routes(nested))
    return found


def record_access(router: APIRouter) -> None:
    """Write each route's declaration into its OpenAPI operation (``x-roles`` / ``x-public``).

    Call it on a router before it is included in the app (`ketapath.api.app` does).
    """
    for route in _api_routes(router):
        extra = dict(route.openapi_extra or {})
        roles = declared_roles(route)
        if roles is not None:
            extra["x-roles"] = [str(role) for role in roles]
        if is_public(route):
            extra["x-public"] = True
        route.openapi_extra = extra or None
