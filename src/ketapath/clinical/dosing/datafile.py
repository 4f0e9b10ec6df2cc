"""Checked reading of a decoded JSON data file: each helper names the JSON path it rejects.

A bad value raises `DataError` with the path in backticks, the constraint and the value, e.g.
``"`care_areas.ward.routes.iv_bolus.limits[0].value` must be a number > 0 (got 'x')."``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from ketapath.errors import DataError

__all__ = [
    "validate_choice",
    "validate_keys",
    "validate_list",
    "validate_note",
    "validate_object",
    "validate_positive",
    "validate_text",
]

_E = TypeVar("_E", bound=StrEnum)


def validate_object(
    data: object, path: str, *, required: tuple[str, ...] = ()
) -> Mapping[str, object]:
    """Return ``data`` as a JSON object that has every ``required`` key."""
    where = f"`{path}`" if path else "The drug library"
    if not isinstance(data, dict):
        raise DataError(f"{where} must be a JSON object (got {type(data).__name__}).")
    missing = [key for key in required if key not in data]
    if missing:
        raise DataError(f"{where} must have the keys {', '.join(missing)} (missing).")
    return data


def validate_keys(entry: Mapping[str, object], path: str, allowed: tuple[str, ...]) -> None:
    """Refuse keys outside ``allowed`` (a misspelt key must not silently drop a limit)."""
    unknown = sorted(set(entry) - set(allowed))
    if unknown:
        where = f"`{path}`" if path else "The drug library"
        raise DataError(f"{where} has unknown keys {unknown}; allowed: {', '.join(allowed)}.")


def validate_list(data: object, path: str) -> list[object]:
    """Return ``data`` as a JSON list."""
    if not isinstance(data, list):
        raise DataError(f"`{path}` must be a JSON list (got {type(data).__name__}).")
    return data


def validate_text(data: object, path: str) -> str:
    """Return ``data`` as a non-empty text."""
    if not isinstance(data, str) or not data.strip():
        raise DataError(f"`{path}` must be a non-empty text (got {data!r}).")
    return data


def validate_note(data: object, path: str) -> str:
    """Return ``data`` as a text, which may be empty."""
    if not isinstance(data, str):
        raise DataError(f"`{path}` must be a text (got {data!r}).")
    return data


def validate_positive(data: object, path: str) -> float:
    """Return ``data`` as a finite number > 0."""
    if isinstance(data, bool) or not isinstance(data, int | float):
        raise DataError(f"`{path}` must be a number > 0 (got {data!r}).")
    if not math.isfinite(data) or data <= 0:
        raise DataError(f"`{path}` must be a number > 0 (got {data!r}).")
    return float(data)


def validate_choice(data: object, choices: type[_E], path: str) -> _E:
    """Return the member of ``choices`` whose value is ``data``."""
    for member in choices:
        if data == member.value:
            return member
    allowed = ", ".join(member.value for member in choices)
    raise DataError(f"`{path}` must be one of {allowed} (got {data!r}).")
