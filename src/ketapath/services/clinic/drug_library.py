"""The drug library: read the one in force, its history, and (admins only) change it.

There is one library per database, shared by every clinic the installation serves: an admin's
change applies to all of them.

The library lives in the database as insert-only versions (`ketapath.store.tables.drug_library`);
version 1 is the packaged file. Plans and rate changes are checked against the newest version
(`get_current_library`). A change is the whole document validated by
`ketapath.clinical.dosing.library.parse_library` before anything is stored, so a library that
names an unknown rule, puts a SOFT limit beyond a HARD one or leaves no room between a minimum and
a maximum is refused with the field and the value, and nothing is written. Every change records
who, when and why, and appends an audit entry. Physicians, nurses and admins read the library;
only admins change it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy.orm import Session

from ketapath.clinical.dosing.library import DrugLibrary, parse_library
from ketapath.config import Settings
from ketapath.errors import ConflictError, DataError, InputError
from ketapath.services.clinic.drug_library_view import (
    LibraryChange,
    LimitRow,
    list_changes,
    list_limit_rows,
)
from ketapath.services.context import RequestContext, Services, create_services, require_role
from ketapath.store.audit import SYSTEM
from ketapath.store.repositories import DrugLibraryRepository
from ketapath.store.repositories.drug_library import DrugLibraryVersionRecord
from ketapath.store.tables import UserRole

__all__ = [
    "LIBRARY_READERS",
    "LibraryChange",
    "LibraryVersion",
    "LimitRow",
    "change_limit",
    "get_current_library",
    "get_library",
    "get_library_version",
    "list_library_versions",
    "read_library",
    "read_library_history",
    "replace_library",
]

LIBRARY_READERS = (UserRole.PHYSICIAN, UserRole.NURSE, UserRole.ADMIN)
"""Who may read the drug library and its history (only admins change it)."""

_MAX_REASON = 2000
_SUMMARY_CHANGES = 10
"""How many changes the audit entry of a version names (the version itself keeps them all)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LibraryVersion:
    """One version of the drug library, ready to show.

    Parameters
    ----------
    version : int
        Its number (1: the packaged library).
    recorded_at : datetime
        When it was stored (UTC).
    recorded_by_username : str or None
        Who stored it; None for the system, which installed version 1.
    reason : str
        Why.
    library : DrugLibrary
        The validated library.
    document : str
        The library as JSON text.
    limits : tuple of LimitRow
        Every dose limit, care areas first, then protocols.
    changes : tuple of LibraryChange
        What changed from the version before (empty for version 1).
    """

    version: int
    recorded_at: datetime
    recorded_by_username: str | None
    reason: str
    library: DrugLibrary
    document: str
    limits: tuple[LimitRow, ...]
    changes: tuple[LibraryChange, ...]


@lru_cache(maxsize=16)
def _parsed(document: str) -> DrugLibrary:
    """The library of a stored document (versions never change, so the text is a safe key)."""
    return parse_library(json.loads(document))


def _version(
    stored: DrugLibraryVersionRecord, previous: DrugLibraryVersionRecord | None
) -> LibraryVersion:
    library = _parsed(stored.document)
    changes: tuple[LibraryChange, ...] = ()
    if previous is not None:
        changes = list_changes(
            json.loads(previous.document),
            json.loads(stored.document),
            limits=list_limit_rows(_parsed(previous.document)) + list_limit_rows(library),
        )
    return LibraryVersion(
        version=stored.version,
        recorded_at=stored.recorded_at,
        recorded_by_username=stored.recorded_by_username,
        reason=stored.reason,
        library=library,
        document=stored.document,
        limits=list_limit_rows(library),
        changes=changes,
    )


def get_current_library(session: Session, context: RequestContext) -> DrugLibrary:
    """Return the library in force (the newest version), in the caller's transaction."""
    return _parsed(DrugLibraryRepository(session, context.to_actor()).get_current().document)


def get_library(services: Services, context: RequestContext) -> LibraryVersion:
    """Return the library in force, with its limits and what its version changed."""
    require_role(context, *LIBRARY_READERS)
    with services.unit_of_work() as session:
        return _with_previous(DrugLibraryRepository(session, context.to_actor()), None)


def get_library_version(
    services: Services, context: RequestContext, *, version: int
) -> LibraryVersion:
    """Return one version of the library; `NotFoundError` when there is no such version."""
    require_role(context, *LIBRARY_READERS)
    with services.unit_of_work() as session:
        return _with_previous(DrugLibraryRepository(session, context.to_actor()), version)


def _with_previous(repository: DrugLibraryRepository, version: int | None) -> LibraryVersion:
    stored = repository.get_current() if version is None else repository.get_version(version)
    previous = repository.get_version(stored.version - 1) if stored.version > 1 else None
    return _version(stored, previous)


def list_library_versions(
    services: Services, context: RequestContext
) -> tuple[LibraryVersion, ...]:
    """Return every version, newest first, each with what it changed."""
    require_role(context, *LIBRARY_READERS)
    with services.unit_of_work() as session:
        return _history(DrugLibraryRepository(session, context.to_actor()))


def _history(repository: DrugLibraryRepository) -> tuple[LibraryVersion, ...]:
    stored = repository.list_versions()
    versions = [_version(s, stored[i - 1] if i else None) for i, s in enumerate(stored)]
    return tuple(reversed(versions))


def _reason(reason: object) -> str:
    if not isinstance(reason, str) or not reason.strip() or len(reason.strip()) > _MAX_REASON:
        msg = (
            f"`reason` must say in 1 to {_MAX_REASON} characters why the drug library changes "
            f"(got {reason!r})."
        )
        raise InputError(msg, field="reason", value=reason)
    return reason.strip()


def _validated(document: object, *, field: str) -> DrugLibrary:
    """The library of a changed `document`; `InputError` on `field` naming what is wrong."""
    try:
        return parse_library(document)
    except DataError as exc:
        msg = f"The changed drug library is refused, nothing was stored: {exc}"
        raise InputError(msg, field=field) from None


def _store(
    repository: DrugLibraryRepository,
    current: DrugLibraryVersionRecord,
    document: Mapping[str, object],
    *,
    reason: str,
) -> LibraryVersion:
    text = json.dumps(document, indent=2, ensure_ascii=False)
    changes = list_changes(json.loads(current.document), json.loads(text), limits=())
    if not changes:
        msg = (
            f"The change leaves drug library version {current.version} as it is: nothing to store."
        )
        raise InputError(msg, field="document")
    summary = "; ".join(f"{c.path}: {c.old} -> {c.new}" for c in changes[:_SUMMARY_CHANGES])
    if len(changes) > _SUMMARY_CHANGES:
        summary += f"; and {len(changes) - _SUMMARY_CHANGES} more"
    stored = repository.append(text, reason=reason, based_on=current.version, summary=summary)
    return _version(stored, current)


_KEY_PART = re.compile(r"[^.\[\]]+|\[(\d+)\]")


def _locate(document: object, key: str) -> dict[str, object]:
    """The JSON object at `key` (a limit row's key, e.g. ``protocols.inpatient_crps.limits[1]``)."""
    node = document
    for part in _KEY_PART.finditer(key):
        index = part.group(1)
        if index is not None and isinstance(node, list):
            node = node[int(index)]
        elif index is None and isinstance(node, dict):
            node = node[part.group(0)]
    if not isinstance(node, dict):  # pragma: no cover  # every row key names a JSON object
        raise DataError(f"`{key}` is not a limit of the drug library.")
    return node


def _with_limit(current: DrugLibraryVersionRecord, key: str, value: object) -> dict[str, object]:
    """The document of `current` with the limit `key` set to `value`, validated."""
    rows = {row.key: row for row in list_limit_rows(_parsed(current.document))}
    if key not in rows:
        msg = f"`key` must name a limit of drug library version {current.version} (got {key!r})."
        raise InputError(msg, field="key", value=key)
    row, number = rows[key], _limit_value(value, rows[key])
    if number == row.value:
        msg = f"`value` is already {number:g} {row.unit} for this limit: nothing to change."
        raise InputError(msg, field="value", value=value)
    document: dict[str, object] = json.loads(current.document)
    _locate(document, key)["value"] = number
    _validated(document, field="value")
    return document


def _limit_value(value: object, row: LimitRow) -> float | int:
    """`value` as the document writes it (an integral number without a decimal point)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        msg = f"`value` must be a finite number in {row.unit} (got {value!r})."
        raise InputError(msg, field="value", value=value)
    return int(value) if float(value).is_integer() else float(value)


def change_limit(
    services: Services,
    context: RequestContext,
    *,
    key: str,
    value: float,
    reason: str,
    based_on_version: int,
) -> LibraryVersion:
    """Change the value of one dose limit (admins only): the next version of the library.

    Parameters
    ----------
    key : str
        The limit's `LimitRow.key`, e.g. ``care_areas.ward.routes.iv_infusion.limits[2]``.
    value : float
        The new limit, in the limit's unit (`LimitRow.unit`).
    reason : str
        Why; stored with the version and in the audit trail.
    based_on_version : int
        The version the admin looked at; it must still be the newest.

    Raises
    ------
    AccessError
        Unless the user is an admin.
    InputError
        For an unknown limit, a value that is not a number or that the library's rules refuse
        (a SOFT limit beyond a HARD one...), an unchanged value or an empty reason.
    ConflictError
        When another change was stored after `based_on_version`.
    """
    require_role(context, UserRole.ADMIN)
    why = _reason(reason)
    with services.unit_of_work() as session:
        repository = DrugLibraryRepository(session, context.to_actor())
        current = repository.get_current()
        _require_newest(current, based_on_version)
        document = _with_limit(current, key, value)
        return _store(repository, current, document, reason=why)


def replace_library(
    services: Services,
    context: RequestContext,
    *,
    document: Mapping[str, object],
    reason: str,
    based_on_version: int,
) -> LibraryVersion:
    """Store a whole reviewed library document as the next version (admins only).

    Raises
    ------
    AccessError
        Unless the user is an admin.
    InputError
        When `parse_library` refuses the document (the message names the JSON path and the
        value), it changes nothing, or the reason is empty.
    ConflictError
        When another change was stored after `based_on_version`.
    """
    require_role(context, UserRole.ADMIN)
    why = _reason(reason)
    _validated(document, field="document")
    with services.unit_of_work() as session:
        repository = DrugLibraryRepository(session, context.to_actor())
        current = repository.get_current()
        _require_newest(current, based_on_version)
        return _store(repository, current, document, reason=why)


def _require_newest(current: DrugLibraryVersionRecord, based_on_version: int) -> None:
    # Checked again when the version is appended; here it names the version before the rest.
    if based_on_version != current.version:
        msg = (
            f"`based_on_version` {based_on_version} is not the newest drug library version "
            f"({current.version}): reload the library and make the change again."
        )
        raise ConflictError(msg)


def read_library(settings: Settings) -> LibraryVersion:
    """Return the library in force in the database of `settings` (the operator's command line)."""
    services = create_services(settings)
    try:
        with services.unit_of_work() as session:
            return _with_previous(DrugLibraryRepository(session, SYSTEM), None)
    finally:
        services.dispose()


def read_library_history(settings: Settings) -> tuple[LibraryVersion, ...]:
    """Return every version, newest first, from the database of `settings` (command line)."""
    services = create_services(settings)
    try:
        with services.unit_of_work() as session:
            return _history(DrugLibraryRepository(session, SYSTEM))
    finally:
        services.dispose()
