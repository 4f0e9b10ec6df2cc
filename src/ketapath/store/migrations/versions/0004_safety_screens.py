"""Safety screens in the database, insert-only: every dependence and urinary screen is kept.

Before this revision a screen was evaluated and only the safety flags it raised were stored, so a
screen that found nothing left no record that the abuse-risk assessment was done (DEP-7). Each
screen row keeps the answers as given and the findings the rules gave; the flags stay in
`safety_flag`, written in the same transaction.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "safety_screen"
INSERT_ONLY = (TABLE,)
"""The tables this revision protects with insert-only triggers."""

_WHY = "clinical records are insert-only; record an amendment instead"


def _trigger_statements(dialect: str) -> list[str]:
    if dialect == "postgresql":  # ketapath_refuse_change() comes from revision 0001
        return [
            f"CREATE TRIGGER {TABLE}_guard BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION ketapath_refuse_change()",
            f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ketapath_refuse_change()",
        ]
    return [
        f"CREATE TRIGGER {TABLE}_no_{verb.lower()} BEFORE {verb} ON {TABLE} "
        f"BEGIN SELECT RAISE(ABORT, '{verb} on {TABLE} is refused: {_WHY}'); END"
        for verb in ("UPDATE", "DELETE")
    ]


def upgrade() -> None:
    """Create the screens table and its indexes, and install the insert-only triggers."""
    op.create_table(
        TABLE,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("screened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answers_json", sa.JSON(), nullable=False),
        sa.Column("findings_json", sa.JSON(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
        sa.CheckConstraint("kind IN ('dependence', 'urinary')", name=op.f(f"ck_{TABLE}_kind")),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f(f"fk_{TABLE}_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["app_user.id"], name=op.f(f"fk_{TABLE}_recorded_by_app_user")
        ),
    )
    op.create_index(op.f(f"ix_{TABLE}_patient_id"), TABLE, ["patient_id"])
    op.create_index(op.f(f"ix_{TABLE}_recorded_by"), TABLE, ["recorded_by"])
    connection = op.get_bind()
    for statement in _trigger_statements(connection.dialect.name):
        connection.execute(sa.text(statement))


def downgrade() -> None:
    """Drop the screens table and its triggers (the screens in it are lost)."""
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        for suffix in ("guard", "no_truncate"):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {TABLE}_{suffix} ON {TABLE}")
    else:
        for suffix in ("no_update", "no_delete"):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {TABLE}_{suffix}")
    op.drop_index(op.f(f"ix_{TABLE}_recorded_by"), table_name=TABLE)
    op.drop_index(op.f(f"ix_{TABLE}_patient_id"), table_name=TABLE)
    op.drop_table(TABLE)
