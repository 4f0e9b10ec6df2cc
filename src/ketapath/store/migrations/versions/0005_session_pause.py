"""A session can be paused: when the infusion was paused, and why.

A nurse who pauses an infusion for a side effect (a PAUSE alarm, a stop rule's "pause") charts it
as a status change of the session (``paused``), like a start or a stop. Both columns are empty
while the session is not paused; their earlier values stay in the session's amendments. The
status column has no CHECK constraint, so the new status needs no change of it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "treatment_session"


def upgrade() -> None:
    """Add the pause time and reason to the session (empty for every existing session)."""
    op.add_column(TABLE, sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(TABLE, sa.Column("pause_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    """Drop the pause columns (a session paused now reads as in progress afterwards)."""
    op.drop_column(TABLE, "pause_reason")
    op.drop_column(TABLE, "paused_at")
