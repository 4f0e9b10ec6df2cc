"""The drug library as people read it: one row per dose limit, and what changed between versions.

Every limit has a `LimitRow.key`, the JSON path of its entry in the library document (the path
the library's own error messages name), e.g. ``care_areas.ward.routes.iv_infusion.limits[2]``;
a change to a limit is addressed by that key. `list_changes` compares two documents value by
value and names each change by its JSON path, the limit it belongs to, the old and the new value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from ketapath.clinical.dosing.library import Comparison, DrugLibrary, Limit
from ketapath.clinical.dosing.orders import CareArea, Route
from ketapath.clinical.dosing.quantities import Quantity
from ketapath.clinical.finding import Severity

__all__ = ["LibraryChange", "LimitRow", "list_changes", "list_limit_rows"]

_IN_LIMIT = re.compile(r"(.+?\.limits\[\d+\])\.(.+)")


@dataclass(frozen=True, slots=True, kw_only=True)
class LimitRow:
    """One dose limit of the library, where it applies, and where it comes from.

    Parameters
    ----------
    key : str
        The JSON path of the limit in the library document.
    care_area : CareArea or None
        Where it applies; None for a protocol's limit (every care area).
    protocol : str or None
        The protocol whose orders it bounds; None for a care area's limit.
    route : Route
        The route it bounds.
    quantity : Quantity
        What it bounds (the unit is in the name).
    allowed : Comparison
        The condition a value must meet (``<=``, ``<``, ``>=``, ``>``).
    value : float
        The limit, in `unit`.
    unit : str
        The unit people read (``mg/kg/h``).
    strength : Severity
        HARD (blocks), SOFT (a physician may override it with a reason) or INFO.
    rule_id : str
        The clinical reference's rule.
    sources : tuple of str
        The sources the limit rests on.
    first_session_only : bool
        True when it applies to a patient's first session only.
    note : str
        Why the limit is what it is.
    """

    key: str
    care_area: CareArea | None
    protocol: str | None
    route: Route
    quantity: Quantity
    allowed: Comparison
    value: float
    unit: str
    strength: Severity
    rule_id: str
    sources: tuple[str, ...]
    first_session_only: bool
    note: str

    @property
    def title(self) -> str:
        """Where it applies and what it bounds: ``ward, iv_infusion: rate_mg_per_h <=``."""
        where = f"protocol {self.protocol}" if self.protocol else str(self.care_area)
        return f"{where}, {self.route}: {self.quantity} {self.allowed}"


@dataclass(frozen=True, slots=True, kw_only=True)
class LibraryChange:
    """One value that differs between two versions of the library document.

    Parameters
    ----------
    path : str
        Its JSON path, e.g. ``care_areas.ward.routes.iv_infusion.limits[2].value``.
    old, new : str or None
        The value before and after, as text (JSON for anything but a text); None when the
        entry did not exist before (or no longer exists after).
    limit : LimitRow or None
        The limit the value belongs to (as it is after the change), when it belongs to one.
    field : str
        The path within that limit (``value``, ``strength``...), or the whole path.
    """

    path: str
    old: str | None
    new: str | None
    limit: LimitRow | None
    field: str


def _row(
    key: str, limit: Limit, route: Route, *, care_area: CareArea | None, protocol: str | None
) -> LimitRow:
    citation = limit.citation
    return LimitRow(
        key=key,
        care_area=care_area,
        protocol=protocol,
        route=route,
        quantity=limit.quantity,
        allowed=limit.allowed,
        value=limit.value,
        unit=limit.quantity.unit,
        strength=citation.strength,
        rule_id=citation.rule.id,
        sources=citation.sources,
        first_session_only=limit.first_session_only,
        note=citation.note,
    )


def list_limit_rows(library: DrugLibrary) -> tuple[LimitRow, ...]:
    """Return every dose limit of `library`: care areas and routes in order, then protocols."""
    rows = [
        _row(
            f"care_areas.{area}.routes.{route}.limits[{i}]",
            limit,
            route,
            care_area=area,
            protocol=None,
        )
        for area, routes in library.care_areas.items()
        for route, profile in routes.items()
        for i, limit in enumerate(profile.limits)
    ]
    rows += [
        _row(f"protocols.{name}.limits[{i}]", limit, protocol.route, care_area=None, protocol=name)
        for name, protocol in library.protocols.items()
        for i, limit in enumerate(protocol.limits)
    ]
    return tuple(rows)


def _leaves(data: object, path: str = "") -> Iterator[tuple[str, object]]:
    """Every scalar of a JSON document (and every empty list or object) with its JSON path."""
    if isinstance(data, Mapping) and data:
        for name, value in data.items():
            yield from _leaves(value, f"{path}.{name}" if path else str(name))
    elif isinstance(data, list) and data:
        for index, value in enumerate(data):
            yield from _leaves(value, f"{path}[{index}]")
    else:
        yield path, data


def _shown(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _owner(path: str, limits: Mapping[str, LimitRow]) -> tuple[LimitRow | None, str]:
    """The limit `path` lies in, and the path within it (the whole path outside any limit)."""
    match = _IN_LIMIT.fullmatch(path)
    row = limits.get(match.group(1)) if match else None
    return (row, match.group(2)) if row is not None and match else (None, path)


def list_changes(
    old: object, new: object, *, limits: Sequence[LimitRow]
) -> tuple[LibraryChange, ...]:
    """Return every value that differs between the documents `old` and `new`, in `new`'s order.

    Parameters
    ----------
    old, new : object
        Two decoded library documents.
    limits : sequence of LimitRow
        The limits that name the changes (later rows win: pass the old version's, then the
        new one's).
    """
    before, after = dict(_leaves(old)), dict(_leaves(new))
    by_key = {row.key: row for row in limits}
    paths = [p for p in after if p not in before or before[p] != after[p]]
    paths += [p for p in before if p not in after]
    changes = []
    for path in paths:
        limit, field = _owner(path, by_key)
        changes.append(
            LibraryChange(
                path=path,
                old=_shown(before[path]) if path in before else None,
                new=_shown(after[path]) if path in after else None,
                limit=limit,
                field=field,
            )
        )
    return tuple(changes)
