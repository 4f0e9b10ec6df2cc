"""What every page handler needs from a request: the use cases' context, ids and numbers."""

from __future__ import annotations

import uuid

from starlette.datastructures import FormData
from starlette.requests import Request

from ketapath.errors import InputError
from ketapath.services.context import RequestContext
from ketapath.web.sessions import PageUser

__all__ = ["context_of", "parse_id", "parse_number"]


def context_of(request: Request, user: PageUser) -> RequestContext:
    """The use cases' context of a page request: who, from where, which request (for the audit)."""
    return RequestContext.from_principal(
        user.principal,
        client_address=request.client.host if request.client else None,
        request_id=getattr(request.state, "request_id", None),
    )


def parse_id(value: object, field: str) -> uuid.UUID:
    """An id from a path or a form, or an `InputError` naming the field."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise InputError(f"`{field}` must be an id (got {value!r}).", field=field) from None


def parse_number(form: FormData, field: str) -> float | None:
    """A number from a form (None when left empty), or an `InputError` naming the field."""
    text = str(form.get(field, "")).strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise InputError(f"`{field}` must be a number (got {text!r}).", field=field) from None
