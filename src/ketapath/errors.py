"""The one exception hierarchy of KetaPath.

::

    KetaPathError
    ├── InputError(KetaPathError, ValueError)   bad caller input; fields: .field, .value
    │   ├── UnitError                           unknown or incompatible unit
    │   └── RegimenError                        impossible dosing schedule
    ├── ModelError                              PK parameters outside the model's domain
    ├── ComputationError                        solver failed / non-finite output on valid input
    ├── DataError                               a rule lacks the data it needs (not a rule firing)
    ├── NotFoundError                           store: no such record
    ├── ConflictError                           store: uniqueness / optimistic-lock conflict
    ├── AccessError                             the signed-in user's role may not do this
    └── ConfigError                             invalid settings at startup (fail fast)

Messages are sentences that name the field in backticks, the constraint and the value received,
for example ``"`weight_kg` must be between 2 and 350 kg (got 0)."``. A clinical rule that fires is
a finding (data), never an exception.
"""

from __future__ import annotations

__all__ = [
    "AccessError",
    "ComputationError",
    "ConfigError",
    "ConflictError",
    "DataError",
    "InputError",
    "KetaPathError",
    "ModelError",
    "NotFoundError",
    "RegimenError",
    "UnitError",
]

_UNSET = object()


class KetaPathError(Exception):
    """Root of every error KetaPath raises on purpose."""


class InputError(KetaPathError, ValueError):
    """Bad input from a caller: names the field, the value received and what is allowed."""

    def __init__(self, message: str, *, field: str | None = None, value: object = _UNSET) -> None:
        super().__init__(message)
        self.field = field
        self.value = None if value is _UNSET else value


class UnitError(InputError):
    """An unknown unit, or units that cannot be converted into each other."""


class RegimenError(InputError):
    """A dosing schedule that cannot be given (overlaps, end before start, unknown route)."""


class ModelError(KetaPathError):
    """Pharmacokinetic parameters or a request outside what the model supports."""


class ComputationError(KetaPathError):
    """A computation failed, or produced non-finite output, on valid input."""


class DataError(KetaPathError):
    """A rule lacks the data it needs to reach a verdict."""


class NotFoundError(KetaPathError):
    """No such record."""


class ConflictError(KetaPathError):
    """A uniqueness or concurrent-update conflict."""


class AccessError(KetaPathError):
    """The signed-in user's role (or clinic) does not allow this use case.

    Raised by the use cases themselves, so that every edge (API, web, CLI) refuses the same
    things; the API answers 403. Authentication failures are not `AccessError`: they belong to
    the edge that authenticates.
    """


class ConfigError(KetaPathError):
    """Invalid settings at start-up."""
