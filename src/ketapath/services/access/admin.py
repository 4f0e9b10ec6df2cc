"""Operator use cases: bring the records database to the newest schema."""

from __future__ import annotations

from dataclasses import dataclass

from ketapath.config import Settings
from ketapath.store.migrate import head_revision, upgrade

__all__ = ["SchemaStatus", "upgrade_database"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SchemaStatus:
    """The schema revision a database is at, and whether it is the newest one."""

    revision: str
    is_newest: bool


def upgrade_database(settings: Settings) -> SchemaStatus:
    """Create the database of `settings`, or migrate it, to the newest schema.

    Safe to run on every start: a database already at the newest revision is left as it is.
    """
    revision = upgrade(settings.database_url)
    return SchemaStatus(revision=revision, is_newest=revision == head_revision())
