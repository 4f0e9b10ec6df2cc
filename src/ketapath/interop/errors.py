"""Turn pydantic validation problems into KetaPath's one-line `InputError`."""

from __future__ import annotations

import json
from collections.abc import Sequence

from pydantic import ValidationError

from ketapath.errors import InputError

__all__ = ["field_path", "from_validation_error", "load_json"]


def field_path(loc: Sequence[int | str]) -> str:
    """``("doses", 1, "end_min")`` -> ``"doses[1].end_min"``."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def from_validation_error(exc: ValidationError) -> InputError:
    """The first problem of a pydantic error as an `InputError` naming field, value and rule."""
    err = exc.errors(include_url=False)[0]
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    field = field_path(loc) or "file"
    message = err["msg"].removeprefix("Value error, ")
    value = err.get("input")
    shown = "" if isinstance(value, dict) else f" (got {value!r})"
    more = len(exc.errors()) - 1
    extra = f"; {more} more problem{'s' if more > 1 else ''} in the file" if more else ""
    return InputError(f"`{field}`: {message}{shown}{extra}.", field=field, value=value)


def load_json(text: str, *, what: str) -> object:
    """Parse JSON text, or raise `InputError` saying where it is malformed."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        msg = f"`{what}` is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        raise InputError(msg, field=what) from None
