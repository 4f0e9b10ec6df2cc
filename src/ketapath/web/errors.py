"""KetaPath's errors as a page or a partial a person can read: the same mapping as the API's.

================================================  ======  ==================================
error                                             status  title shown
================================================  ======  ==================================
`InputError`                                      422     Check what was entered
`DataError`                                       422     Information is missing
`ModelError`, `ComputationError`                  422     This could not be calculated
`NotFoundError`                                   404     Not found
`ConflictError`                                   409     This conflicts with the record
`AccessError`                                     403     Not allowed for your role
anything else                                     500     Something went wrong
================================================  ======  ==================================

The message is the error's own sentence (it names the field, the constraint and the value); a
500 shows only the request id, which the server log prints beside the traceback.
"""

from __future__ import annotations

from dataclasses import dataclass

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

__all__ = ["ErrorView", "describe_error", "describe_status"]

_KINDS: tuple[tuple[type[KetaPathError], int, str], ...] = (
    (AccessError, 403, "Not allowed for your role"),
    (NotFoundError, 404, "Not found"),
    (ConflictError, 409, "This conflicts with the record"),
    (InputError, 422, "Check what was entered"),
    (DataError, 422, "Information is missing"),
    (ModelError, 422, "This could not be calculated"),
    (ComputationError, 422, "This could not be calculated"),
)
_UNEXPECTED = "An unexpected error occurred. Quote the request id when you report it."
_STATUS_TITLES = {
    400: "The request could not be read",
    401: "Sign in to continue",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    429: "Too many attempts",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorView:
    """What the error partial shows.

    Parameters
    ----------
    status : int
        The HTTP status of the response.
    title : str
        A short heading.
    message : str
        The sentence to read (backticked names become code).
    field : str or None
        The field at fault, when one is.
    request_id : str or None
        Shown for unexpected errors only.
    """

    status: int
    title: str
    message: str
    field: str | None = None
    request_id: str | None = None


def describe_error(error: BaseException, *, request_id: str | None) -> ErrorView:
    """Return the view of `error`: KetaPath errors say what is wrong; others only the request id.

    >>> describe_error(InputError("`weight_kg` must be > 0 (got 0).", field="weight_kg"),
    ...                request_id=None).status
    422
    """
    if isinstance(error, KetaPathError):
        for kind, status, title in _KINDS:
            if isinstance(error, kind):
                field = error.field if isinstance(error, InputError) else None
                return ErrorView(status=status, title=title, message=str(error), field=field)
    return ErrorView(
        status=500, title="Something went wrong", message=_UNEXPECTED, request_id=request_id
    )


def describe_status(status: int, message: str) -> ErrorView:
    """Return the view of an HTTP refusal (`status` 4xx) with its `message`."""
    return ErrorView(
        status=status, title=_STATUS_TITLES.get(status, "Not possible"), message=message
    )
