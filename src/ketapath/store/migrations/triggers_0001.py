"""The triggers of revision 0001 that make records insert-only, frozen as created.

- Insert-only tables: any UPDATE, DELETE (or TRUNCATE on PostgreSQL) is refused.
- Users and patients: never deleted; an UPDATE may change only the deactivation columns (and a
  user's password hash). The audit chain's head may change only its sequence and hash.

Both databases refuse with an integrity error (PostgreSQL SQLSTATE 23001 ``restrict_violation``;
SQLite ``RAISE(ABORT)``, a constraint failure) whose message says why.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

__all__ = ["INSERT_ONLY", "LIMITED_UPDATE", "drop_triggers", "install_triggers"]

INSERT_ONLY = (
    "administration_segment",
    "adverse_event",
    "amendment",
    "audit_entry",
    "body_measurement",
    "clinic",
    "condition_entry",
    "discharge_assessment",
    "discharge_signature",
    "dissociation_score",
    "dose_override",
    "follow_up",
    "history_review",
    "instrument_response",
    "lab_result",
    "medication_entry",
    "order_finding",
    "safety_flag",
    "screening",
    "screening_finding",
    "sedation_score",
    "session_alarm",
    "substance_use_entry",
    "treatment_order",
    "treatment_plan",
    "treatment_session",
    "vital_signs",
)
# table: (columns an UPDATE may change, columns it may not)
LIMITED_UPDATE = {
    "app_user": (
        ("active", "deactivated_at", "deactivated_by", "password_hash"),
        ("id", "username", "full_name", "role", "clinic_id", "created_at"),
    ),
    "patient": (
        ("active", "deactivated_at", "deactivated_by"),
        (
            "id",
            "clinic_id",
            "mrn",
            "given_name",
            "family_name",
            "birth_date",
            "sex",
            "created_at",
            "created_by",
        ),
    ),
    "audit_chain_head": (("sequence", "entry_hash"), ("id",)),
}
_WHY = "clinical records are insert-only; record an amendment instead"

_PG_FUNCTIONS = (
    f"""
    CREATE FUNCTION ketapath_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% on % is refused: {_WHY}', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation';
    END;
    $$
    """,
    """
    CREATE FUNCTION ketapath_limit_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - TG_ARGV) = (to_jsonb(OLD) - TG_ARGV) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION '% on % is refused: rows are never deleted, only % may change',
            TG_OP, TG_TABLE_NAME, array_to_string(TG_ARGV, ', ')
            USING ERRCODE = 'restrict_violation';
    END;
    $$
    """,
)


def _postgresql(table: str, function: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_guard BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION ketapath_refuse_change()",
    ]


def _sqlite(table: str, *, fixed: tuple[str, ...] | None) -> list[str]:
    if fixed is None:
        when, why = "", _WHY
    else:
        when = " WHEN " + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in fixed)
        why = "rows are never deleted, only the deactivation columns may change"
    return [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}{when} "
        f"BEGIN SELECT RAISE(ABORT, 'UPDATE on {table} is refused: {why}'); END",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'DELETE on {table} is refused: {why}'); END",
    ]


def _statements(dialect: str) -> list[str]:
    statements: list[str] = []
    if dialect == "postgresql":
        statements.extend(_PG_FUNCTIONS)
        for table in INSERT_ONLY:
            statements += _postgresql(table, "ketapath_refuse_change()")
        for table, (changeable, _fixed) in LIMITED_UPDATE.items():
            arguments = ", ".join(f"'{column}'" for column in changeable)
            statements += _postgresql(table, f"ketapath_limit_update({arguments})")
        return statements
    for table in INSERT_ONLY:
        statements += _sqlite(table, fixed=None)
    for table, (_changeable, fixed) in LIMITED_UPDATE.items():
        statements += _sqlite(table, fixed=fixed)
    return statements


def install_triggers(connection: Connection) -> None:
    """Create the functions and triggers for the connection's database (SQLite or PostgreSQL)."""
    for statement in _statements(connection.dialect.name):
        # text() doubles the '%' of RAISE for psycopg's placeholder syntax
        connection.execute(text(statement))


def drop_triggers(connection: Connection) -> None:
    """Drop what `install_triggers` created (used by the downgrade)."""
    tables = (*INSERT_ONLY, *LIMITED_UPDATE)
    if connection.dialect.name == "postgresql":
        for table in tables:
            for suffix in ("guard", "no_truncate"):
                connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_{suffix} ON {table}")
        connection.exec_driver_sql("DROP FUNCTION IF EXISTS ketapath_refuse_change()")
        connection.exec_driver_sql("DROP FUNCTION IF EXISTS ketapath_limit_update()")
        return
    for table in tables:
        for suffix in ("no_update", "no_delete"):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_{suffix}")
