"""Types every schema shares: bounded text, UTC timestamps, findings, amendments.

Bounds are part of the contract: a text has no control characters and a length the database
column accepts; a timestamp carries its offset and is returned in UTC; numbers are finite.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    StringConstraints,
    field_validator,
)

from ketapath.interop.findings_json import FindingModel, finding_to_dict

__all__ = [
    "AmendmentOut",
    "ApiModel",
    "BirthDate",
    "FindingModel",
    "Reason",
    "ReasonIn",
    "Text",
    "Timestamp",
    "amendments_out",
    "findings_out",
    "refuse_nul",
]

_NO_CONTROL_CHARACTERS = r"^[^\x00-\x1F\x7F]*$"
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def refuse_nul(value: object) -> object:
    """Refuse a text holding a NUL character (in a field, or in a list of texts).

    No text of a clinical record contains one, and PostgreSQL cannot store one: refused here,
    the request gets a 422 that names the field instead of failing in the database.
    """
    texts = value if isinstance(value, list | tuple) else (value,)
    if any(isinstance(text, str) and "\x00" in text for text in texts):
        raise ValueError("must not contain the NUL character (\\x00)")
    return value


class ApiModel(BaseModel):
    """Base of request and response models: unknown fields refused, numbers finite, no NUL
    characters in texts."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: object) -> object:
        return refuse_nul(value)


Text = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=200, pattern=_NO_CONTROL_CHARACTERS
    ),
]
"""A short, non-empty line of text (a name, a label)."""

Reason = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=2000, pattern=_NO_CONTROL_CHARACTERS
    ),
]
"""Why something was done (an amendment, a deactivation): required, one paragraph."""


def _in_range(value: datetime) -> datetime:
    utc = value.astimezone(UTC) if EARLIEST <= value <= LATEST else None
    if utc is None:
        raise ValueError("must be between 1900-01-01 and 2200-01-01 (UTC)")
    return utc


Timestamp = Annotated[AwareDatetime, AfterValidator(_in_range)]
"""An ISO 8601 time with its offset (``2024-05-06T08:00:00+02:00``), stored and shown in UTC."""


def _birth_date(value: date) -> date:
    if value < date(1900, 1, 1):
        raise ValueError("must be on or after 1900-01-01")
    return value


BirthDate = Annotated[date, AfterValidator(_birth_date)]
"""A date of birth (not before 1900; not in the future is checked by the records)."""


class ReasonIn(ApiModel):
    """A request that only gives a reason (deactivating a record)."""

    reason: Reason


class AmendmentOut(ApiModel):
    """One change of one field: the old and new value, why, who and when."""

    field: str
    old_value: Any
    new_value: Any
    kind: str
    reason: str
    amended_by: str
    amended_at: datetime


def findings_out(findings: Any) -> list[FindingModel]:  # noqa: ANN401  # any iterable of Finding
    """Return clinical findings as their JSON model (`ketapath.interop.findings_json`)."""
    return [FindingModel.model_validate(finding_to_dict(finding)) for finding in findings]


def amendments_out(history: Any) -> list[AmendmentOut]:  # noqa: ANN401  # AmendmentRecords
    """Return amendment records (old and new values as JSON text where not plain JSON)."""
    return [
        AmendmentOut(
            field=record.field,
            old_value=_plain(record.old_value),
            new_value=_plain(record.new_value),
            kind=str(record.kind),
            reason=record.reason,
            amended_by=str(record.amended_by),
            amended_at=record.amended_at,
        )
        for record in history
    ]


def _plain(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)
