"""The dependencies every route uses: the process's services, who is signed in, who may call.

Every route declares who may call it, in one of two ways, and `record_access` writes the
declaration into the OpenAPI document (``x-roles``, or ``x-public: true``) so that a test can
enumerate every route x role::

    @router.get("/{patient_id}", responses=problem_responses(404))
    async def get_patient(patient_id: uuid.UUID, caller: Clinician) -> ...:
        return PatientSummaryOut.of(await caller.run(patients.get_patient_summary, patient_id))

    Clinician = Annotated[Caller, allow(UserRole.PHYSICIAN, UserRole.NURSE)]

`allow` answers 401 without a valid credential and 403 to the other roles, before the request
body is read; `Caller.run` then looks the credential up and runs the use case, both in one
worker thread. `public()` marks the few routes that need no sign-in (getting a token).

The dependencies are ``async`` and wait on nothing (no database), so that they run on the event
loop instead of a hop each through the thread pool; routes are ``async`` too, so that FastAPI
checks their answer on the event loop rather than in another hop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Concatenate, ParamSpec, TypeVar, cast

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from ketapath.api import security
from ketapath.services.context import RequestContext, Services, UserRole

__all__ = [
    "Admin",
    "AnyUser",
    "Caller",
    "Clinician",
    "Physician",
    "ServicesDep",
    "UserRole",
    "allow",
    "declared_roles",
    "get_services",
    "is_public",
    "public",
    "record_access",
]

P = ParamSpec("P")
T = TypeVar("T")

_ROLES: dict[Callable[..., Any], tuple[UserRole, ...]] = {}
_PUBLIC: set[Callable[..., Any]] = set()


async def get_services(request: Request) -> Services:
    """Return the process's `Services` (built by `create_app`); tests override the clock here."""
    return cast("Services", request.app.state.services)


ServicesDep = Annotated[Services, Depends(get_services)]


@dataclass(frozen=True, slots=True, kw_only=True)
class Caller:
    """Who sent a request, as their signed credential says; `run` runs a use case for them.

    The credential's signature, expiry, idleness and CSRF token are checked before the route
    runs, and its role against the route's (`allow`). `run` then looks the credential up (signed
    out? account deactivated, or its role changed?) and runs the use case in the same worker
    thread: a request makes one trip to the thread pool, not one per dependency. A route has no
    `RequestContext` but the one `run` hands the use case, so nothing runs for a credential that
    failed the look-up.
    """

    services: Services
    signed: security.SignedCredential
    client_address: str | None
    request_id: str | None

    async def run(
        self,
        use_case: Callable[Concatenate[Services, RequestContext, P], T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Return ``use_case(services, context, *args, **kwargs)``, run in a worker thread after
        the credential's look-up (401 when it fails)."""
        return await run_in_threadpool(self._run, use_case, args, kwargs)

    def _run(
        self,
        use_case: Callable[..., T],
        args: tuple[object, ...],
        kwargs: dict[str, object],
    ) -> T:
        principal = security.verify(self.services, self.signed)
        context = RequestContext.from_principal(
            principal, client_address=self.client_address, request_id=self.request_id
        )
        return use_case(self.services, context, *args, **kwargs)


def allow(*roles: UserRole) -> Any:  # noqa: ANN401  # a FastAPI `Depends` marker
    """Return a dependency that yields the `Caller` of a user in one of `roles`.

    Other roles get 403 (problem+json); requests without a valid credential get 401 (one
    dependency, so that FastAPI resolves one level for it).
    """
    if not roles:
        raise ValueError("`roles` must name at least one role (use `public()` for none).")
    allowed = tuple(UserRole(role) for role in roles)

    async def require_role(request: Request, response: Response, services: ServicesDep) -> Caller:
        signed = security.read_credentials(request, response, services)
        if signed.role not in allowed:
            names = ", ".join(allowed)
            detail = f"The {signed.role} role may not use this route (allowed: {names})."
            raise HTTPException(status_code=403, detail=detail)
        return Caller(
            services=services,
            signed=signed,
            client_address=request.client.host if request.client else None,
            request_id=getattr(request.state, "request_id", None),
        )

    _ROLES[require_role] = allowed
    return Depends(require_role)


def public() -> Any:  # noqa: ANN401  # a FastAPI `Depends` marker
    """Return the dependency of a route that anyone may call (``dependencies=[public()]``)."""

    async def anyone() -> None:
        return None

    _PUBLIC.add(anyone)
    return Depends(anyone)


Admin = Annotated[Caller, allow(UserRole.ADMIN)]
Physician = Annotated[Caller, allow(UserRole.PHYSICIAN)]
Clinician = Annotated[Caller, allow(UserRole.PHYSICIAN, UserRole.NURSE)]
AnyUser = Annotated[Caller, allow(*UserRole)]


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
