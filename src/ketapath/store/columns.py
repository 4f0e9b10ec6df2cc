"""Column types shared by every table: timezone-aware UTC timestamps, the same on both databases.

SQLite keeps no time zone, PostgreSQL's ``timestamptz`` answers in the session's zone; `UtcDateTime`
makes both hand back aware UTC datetimes and refuses naive ones, so that a clinic's clock zone
never leaks into a record.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from ketapath.errors import InputError

__all__ = ["UtcDateTime", "utc_now"]


def utc_now() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and read back as an aware UTC datetime."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            msg = f"Timestamps must be timezone-aware (got naive {value.isoformat()})."
            raise InputError(msg, field="timestamp", value=value)
        utc = value.astimezone(UTC)
        # SQLite would store the offset as text and compare strings: keep one canonical form.
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(
        self,
        value: datetime | None,
        dialect: Dialect,  # noqa: ARG002  # the same on every database
    ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
