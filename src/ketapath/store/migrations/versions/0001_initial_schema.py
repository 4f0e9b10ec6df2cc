"""Initial schema: every table, the insert-only triggers and the audit chain's head.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ketapath.store.migrations import schema_0001_care  # noqa: F401  # registers the care tables
from ketapath.store.migrations.schema_0001 import METADATA
from ketapath.store.migrations.triggers_0001 import drop_triggers, install_triggers

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS_HASH = "0" * 64


def upgrade() -> None:
    """Create the tables, the triggers, and the audit chain's head (sequence 0)."""
    connection = op.get_bind()
    METADATA.create_all(connection)
    head = METADATA.tables["audit_chain_head"]
    connection.execute(sa.insert(head).values(id=1, sequence=0, entry_hash=GENESIS_HASH))
    install_triggers(connection)


def downgrade() -> None:
    """Drop everything revision 0001 created."""
    connection = op.get_bind()
    drop_triggers(connection)
    METADATA.drop_all(connection)
