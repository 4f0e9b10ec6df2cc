"""Sign-in attempts and signed-out credentials in the database, both insert-only.

The sign-in throttle counts failures from `sign_in_attempt`, and every request checks its token
against `credential_revocation`, so that both hold across server processes and restarts (they
were kept in one process's memory before). Indexes serve the throttle's two look-ups: a
username's recent attempts, and an address's.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ATTEMPTS = "sign_in_attempt"
REVOCATIONS = "credential_revocation"
INSERT_ONLY = (REVOCATIONS, ATTEMPTS)
"""The tables this revision protects with insert-only triggers."""

_WHY = "sign-in records are insert-only"


def _create_attempts() -> None:
    op.create_table(
        ATTEMPTS,
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(200), nullable=False),
        sa.Column("username_folded", sa.String(200), nullable=False),
        sa.Column("client_address", sa.String(200), nullable=True),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("throttled", sa.Boolean(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{ATTEMPTS}")),
        sa.CheckConstraint(
            "NOT (succeeded AND throttled)", name=op.f(f"ck_{ATTEMPTS}_succeeded_or_throttled")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f(f"fk_{ATTEMPTS}_user_id_app_user")
        ),
    )
    op.create_index(f"ix_{ATTEMPTS}_username_folded_at", ATTEMPTS, ["username_folded", "at"])
    op.create_index(f"ix_{ATTEMPTS}_client_address_at", ATTEMPTS, ["client_address", "at"])


def _create_revocations() -> None:
    op.create_table(
        REVOCATIONS,
        sa.Column("jti", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("jti", name=op.f(f"pk_{REVOCATIONS}")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f(f"fk_{REVOCATIONS}_user_id_app_user")
        ),
    )


def _trigger_statements(dialect: str, table: str) -> list[str]:
    if dialect == "postgresql":  # ketapath_refuse_change() comes from revision 0001
        return [
            f"CREATE TRIGGER {table}_guard BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION ketapath_refuse_change()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ketapath_refuse_change()",
        ]
    return [
        f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{verb} on {table} is refused: {_WHY}'); END"
        for verb in ("UPDATE", "DELETE")
    ]


def upgrade() -> None:
    """Create both tables and their indexes, and install the insert-only triggers."""
    _create_attempts()
    _create_revocations()
    connection = op.get_bind()
    for table in INSERT_ONLY:
        for statement in _trigger_statements(connection.dialect.name, table):
            connection.execute(sa.text(statement))


def downgrade() -> None:
    """Drop both tables and their triggers (the records in them are lost)."""
    connection = op.get_bind()
    for table in INSERT_ONLY:
        if connection.dialect.name == "postgresql":
            for suffix in ("guard", "no_truncate"):
                connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_{suffix} ON {table}")
        else:
            for suffix in ("no_update", "no_delete"):
                connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_{suffix}")
    op.drop_index(f"ix_{ATTEMPTS}_client_address_at", table_name=ATTEMPTS)
    op.drop_index(f"ix_{ATTEMPTS}_username_folded_at", table_name=ATTEMPTS)
    op.drop_table(REVOCATIONS)
    op.drop_table(ATTEMPTS)
