"""The drug library in the database: insert-only versions, the first one the packaged library.

Version 1 is written here, from the library file the package ships, by the system (no user), so
that reading the library never writes: two first readers cannot race to create it, and the
history starts when the clinic installs the schema. A later release's packaged file does not
replace a clinic's library: it is only the first version of a new installation.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import resources

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "drug_library_version"
INSERT_ONLY = (TABLE,)
"""The tables this revision protects with insert-only triggers."""

FIRST_REASON = "The packaged drug library, installed with the database schema."
_WHY = "drug library versions are insert-only; record a new version instead"


def _packaged_document() -> str:
    data = resources.files("ketapath.clinical.dosing").joinpath("data/drug_library.json")
    return data.read_text("utf-8")


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
    """Create the versions table, write version 1 and install the insert-only triggers."""
    table = op.create_table(
        TABLE,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
        sa.UniqueConstraint("version", name=op.f(f"uq_{TABLE}_version")),
        sa.CheckConstraint("version >= 1", name=op.f(f"ck_{TABLE}_version_from_one")),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["app_user.id"], name=op.f(f"fk_{TABLE}_recorded_by_app_user")
        ),
    )
    connection = op.get_bind()
    now = datetime.now(UTC)
    connection.execute(
        sa.insert(table).values(
            id=uuid.uuid4(),
            version=1,
            document=_packaged_document(),
            reason=FIRST_REASON,
            # SQLite keeps no offset: the store writes UTC without one (`UtcDateTime`)
            recorded_at=now.replace(tzinfo=None) if connection.dialect.name == "sqlite" else now,
            recorded_by=None,
        )
    )
    for statement in _trigger_statements(connection.dialect.name):
        connection.execute(sa.text(statement))


def downgrade() -> None:
    """Drop the versions table and its triggers."""
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        for suffix in ("guard", "no_truncate"):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {TABLE}_{suffix} ON {TABLE}")
    else:
        for suffix in ("no_update", "no_delete"):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {TABLE}_{suffix}")
    op.drop_table(TABLE)
