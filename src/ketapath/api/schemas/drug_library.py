"""The drug library as the API shows it (limits, versions, changes) and the changes it takes.

Every limit carries its unit (`unit`) next to its value; a limit is addressed by its `key`, the
JSON path of its entry in the library document.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from ketapath.api.schemas.common import ApiModel, Reason
from ketapath.services.clinic.drug_library import LibraryChange, LibraryVersion, LimitRow

__all__ = [
    "ChangeOut",
    "LibraryDocumentOut",
    "LibraryOut",
    "LibraryReplaceIn",
    "LimitChangeIn",
    "LimitOut",
    "VersionOut",
]

LimitKey = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
    Field(description="The limit's `key`, e.g. `care_areas.ward.routes.iv_infusion.limits[2]`."),
]
VersionNumber = Annotated[int, Field(ge=1, le=1_000_000)]


class LimitOut(ApiModel):
    """One dose limit: where it applies, the condition a value must meet, and its source."""

    key: str
    care_area: str | None = Field(description="None: a protocol's limit, in every care area.")
    protocol: str | None
    route: str
    quantity: str
    allowed: str = Field(description="The condition a value must meet: <=, <, >= or >.")
    value: float
    unit: str
    strength: str = Field(description="HARD blocks; SOFT needs a physician's override; INFO.")
    rule_id: str
    sources: list[str]
    first_session_only: bool
    note: str

    @classmethod
    def of(cls, row: LimitRow) -> LimitOut:
        """Return the limit `row` as the API shows it."""
        return cls(
            key=row.key,
            care_area=None if row.care_area is None else str(row.care_area),
            protocol=row.protocol,
            route=str(row.route),
            quantity=str(row.quantity),
            allowed=str(row.allowed),
            value=row.value,
            unit=row.unit,
            strength=str(row.strength),
            rule_id=row.rule_id,
            sources=list(row.sources),
            first_session_only=row.first_session_only,
            note=row.note,
        )


class ChangeOut(ApiModel):
    """One value a version changed: where, the old and the new value (None: absent)."""

    path: str
    field: str
    limit_key: str | None
    old: str | None
    new: str | None

    @classmethod
    def of(cls, change: LibraryChange) -> ChangeOut:
        """Return `change` as the API shows it."""
        key = None if change.limit is None else change.limit.key
        return cls(
            path=change.path, field=change.field, limit_key=key, old=change.old, new=change.new
        )


class VersionOut(ApiModel):
    """One version of the library: who stored it, when, why, and what it changed."""

    version: int
    recorded_at: datetime
    recorded_by: str | None = Field(description="The username; None for the system (version 1).")
    reason: str
    changes: list[ChangeOut]

    @classmethod
    def of(cls, version: LibraryVersion) -> VersionOut:
        """Return `version` without its limits."""
        return cls(
            version=version.version,
            recorded_at=version.recorded_at,
            recorded_by=version.recorded_by_username,
            reason=version.reason,
            changes=[ChangeOut.of(change) for change in version.changes],
        )


class LibraryOut(VersionOut):
    """The library in force: its version, its name and every dose limit."""

    library_name: str
    library_version: str = Field(description="The version the document itself names.")
    limits: list[LimitOut]

    @classmethod
    def of(cls, version: LibraryVersion) -> LibraryOut:
        """Return `version` with its limits."""
        return cls(
            **VersionOut.of(version).model_dump(),
            library_name=version.library.name,
            library_version=version.library.version,
            limits=[LimitOut.of(row) for row in version.limits],
        )


class LibraryDocumentOut(VersionOut):
    """One version with its whole document (the JSON the limits are read from)."""

    document: dict[str, Any]

    @classmethod
    def of(cls, version: LibraryVersion) -> LibraryDocumentOut:
        """Return `version` with its document."""
        return cls(**VersionOut.of(version).model_dump(), document=json.loads(version.document))


class LimitChangeIn(ApiModel):
    """Change the value of one limit (admin): the next version of the library."""

    key: LimitKey
    value: float = Field(gt=0, le=1_000_000, description="The new limit, in the limit's `unit`.")
    reason: Reason
    based_on_version: VersionNumber = Field(description="The version the change is made on.")


class LibraryReplaceIn(ApiModel):
    """Store a whole reviewed library document as the next version (admin)."""

    document: dict[str, Any]
    reason: Reason
    based_on_version: VersionNumber = Field(description="The version the change is made on.")
