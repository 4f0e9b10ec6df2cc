"""Errors as RFC 9457 problem details (``application/problem+json``), one mapping for the API.

================================================  ======
error                                             status
================================================  ======
`InputError`, `ModelError`, `DataError`,          422
`ComputationError`, a request pydantic refuses
`NotFoundError`                                   404
`ConflictError`                                   409
`AccessError`                                     403
an HTTP error raised by the API itself            its own (401, 403, 404, 405, 429...)
anything else                                     500, with the request id and no detail
================================================  ======

Every problem carries ``errors: [{field, message}]`` (empty when no field is at fault) and the
``request_id`` that the server log shows next to the traceback of a 500.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ketapath.errors import (
    AccessError,
    ComputationError,
    ConflictError,
    DataError,
    InputError,
    KetaPathError,
    ModelError,
    NotFoundError,
)

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "REQUEST_ID_HEADER",
    "Problem",
    "ProblemField",
    "RequestIdMiddleware",
    "install_problem_handlers",
    "problem_response",
    "problem_responses",
    "status_of",
]

PROBLEM_MEDIA_TYPE = "application/problem+json"
REQUEST_ID_HEADER = "X-Request-ID"
_logger = logging.getLogger("ketapath.api")
_LOCATIONS = frozenset({"body", "query", "path", "header", "cookie"})

_STATUS: tuple[tuple[type[KetaPathError], int], ...] = (
    (AccessError, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (InputError, 422),
    (ModelError, 422),
    (DataError, 422),
    (ComputationError, 422),
)


class ProblemField(BaseModel):
    """One thing wrong with the request: the field (dotted path) and what is wrong with it."""

    field: str | None = Field(description="The field at fault, e.g. `weight_kg` or `items.0`.")
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = Field(default="about:blank", description="URI of the problem type.")
    title: str = Field(description="The HTTP status phrase.")
    status: int = Field(ge=400, le=599)
    detail: str = Field(description="What went wrong, for a person.")
    instance: str | None = Field(default=None, description="The path of the request.")
    request_id: str | None = Field(default=None, description="Quote it when reporting a 500.")
    errors: list[ProblemField] = Field(default_factory=list)


def status_of(error: KetaPathError) -> int:
    """Return the HTTP status of a KetaPath error (500 when it is none of the mapped kinds)."""
    for kind, status in _STATUS:
        if isinstance(error, kind):
            return status
    return 500


def _request_id(request: Request) -> str | None:
    value = getattr(request.state, "request_id", None)
    return value if isinstance(value, str) else None


def problem_response(
    request: Request,
    status: int,
    detail: str,
    *,
    errors: Iterable[ProblemField] = (),
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """Return a problem+json response for `request`."""
    problem = Problem(
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=request.url.path,
        request_id=_request_id(request),
        errors=list(errors),
    )
    return JSONResponse(
        problem.model_dump(mode="json"),
        status_code=status,
        headers=dict(headers or {}),
        media_type=PROBLEM_MEDIA_TYPE,
    )


def _field_of(location: Sequence[int | str]) -> str:
    parts = [str(part) for part in location]
    if len(parts) > 1 and parts[0] in _LOCATIONS:
        parts = parts[1:]
    return ".".join(parts) or "body"


async def _on_ketapath_error(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, KetaPathError):  # pragma: no cover  # registered for this class only
        raise exc
    status = status_of(exc)
    if status == 500:
        return _internal_error(request, exc)
    errors = (
        [ProblemField(field=exc.field, message=str(exc))] if isinstance(exc, InputError) else []
    )
    return problem_response(request, status, str(exc), errors=errors)


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, RequestValidationError):  # pragma: no cover  # registered for it only
        raise exc
    errors = [
        ProblemField(field=_field_of(error.get("loc", ())), message=str(error.get("msg", "")))
        for error in exc.errors()
    ]
    named = ", ".join(f"`{e.field}`" for e in errors[:5])
    detail = f"The request is not valid: {named}." if named else "The request is not valid."
    return problem_response(request, 422, detail, errors=errors)


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, StarletteHTTPException):  # pragma: no cover  # registered for it only
        raise exc
    phrase = HTTPStatus(exc.status_code).phrase
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail else phrase
    return problem_response(request, exc.status_code, detail, headers=exc.headers)


def _internal_error(request: Request, exc: BaseException) -> JSONResponse:
    _logger.error(
        "Unhandled error in %s %s (request %s)",
        request.method,
        request.url.path,
        _request_id(request),
        exc_info=exc,
    )
    detail = "An unexpected error occurred; quote the request id when reporting it."
    return problem_response(request, 500, detail)


def install_problem_handlers(app: FastAPI) -> None:
    """Register the problem+json handlers and the request-id boundary on `app`."""
    app.add_exception_handler(KetaPathError, _on_ketapath_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_middleware(RequestIdMiddleware)


class RequestIdMiddleware:
    """Give every request an id (``X-Request-ID``) and turn an unhandled error into a 500 problem.

    This is the API's top-level boundary: the traceback goes to the server log with the request
    id; the client gets the id and no detail of the failure.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                MutableHeaders(scope=message).append(REQUEST_ID_HEADER, request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:  # the API's top-level boundary: log it, answer a bare 500
            if started:
                raise
            response = _internal_error(Request(scope), exc)
            await response(scope, receive, send_with_id)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Return the ``responses=`` entries documenting `statuses` as problems (for a router)."""
    return {
        status: {
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }
