"""The tables of revision 0001, frozen as they were created (never edit: write a new revision).

A migration must not import the application's models, which change; this module and
`schema_0001_care` are the schema of revision 0001 written out once, in a compact form.
"""

from __future__ import annotations

import sqlalchemy as sa

__all__ = ["METADATA"]

METADATA = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _ts(name: str, *, null: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=null)


def _str(name: str, length: int = 200, *, null: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.String(length), nullable=null)


def _text(name: str, *, null: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.Text(), nullable=null)


def _num(name: str, *, null: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.Double(), nullable=null)


def _int(name: str, *, null: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.Integer(), nullable=null)


def _bool(name: str, *, null: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.Boolean(), nullable=null)


def _json(name: str, *, null: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.JSON(), nullable=null)


def _fk(name: str, target: str, *, null: bool = False, index: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.Uuid(), sa.ForeignKey(f"{target}.id"), nullable=null, index=index)


def _id() -> sa.Column[object]:
    return sa.Column("id", sa.Uuid(), primary_key=True)


def _clinical(name: str, *columns: sa.Column[object] | sa.Constraint, patient: bool) -> sa.Table:
    """An insert-only clinical table: its columns, then id, recorded_at and recorded_by."""
    shared = [_id(), _ts("recorded_at"), _fk("recorded_by", "app_user")]
    if patient:
        shared.insert(0, _fk("patient_id", "patient"))
    return sa.Table(name, METADATA, *columns, *shared)


def _finding_columns() -> list[sa.Column[object]]:
    return [
        _int("position"),
        sa.Column("rule_id", sa.String(32), nullable=False, index=True),
        _str("rule_title", 300),
        _str("strength", 8),
        _str("severity", 8),
        _str("message", 2000),
        _json("values_json"),
        _json("sources_json"),
        _json("evidence_json"),
    ]


sa.Table(
    "audit_chain_head",
    METADATA,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
    _int("sequence"),
    _str("entry_hash", 64),
)
sa.Table(
    "audit_entry",
    METADATA,
    sa.Column("sequence", sa.Integer(), primary_key=True, autoincrement=False),
    _ts("at"),
    sa.Column("user_id", sa.Uuid(), nullable=True),
    *(_str(name, 32) for name in ("role", "action")),
    *(_str(name, 64) for name in ("resource_type", "resource_id")),
    sa.Column("patient_id", sa.Uuid(), nullable=True, index=True),
    _str("client_address", 64, null=True),
    _text("detail"),
    *(_str(name, 64) for name in ("previous_hash", "entry_hash")),
)
sa.Table(
    "clinic",
    METADATA,
    _id(),
    sa.Column("name", sa.String(200), unique=True, nullable=False),
    _ts("created_at"),
)
sa.Table(
    "app_user",
    METADATA,
    _id(),
    sa.Column("username", sa.String(64), unique=True, nullable=False),
    _str("full_name"),
    _str("role", 16),
    _str("password_hash", 256),
    _fk("clinic_id", "clinic", null=True, index=False),
    _bool("active"),
    _ts("created_at"),
    _ts("deactivated_at", null=True),
    _fk("deactivated_by", "app_user", null=True, index=False),
)
sa.Table(
    "amendment",
    METADATA,
    _id(),
    _str("table_name", 64),
    sa.Column("row_id", sa.Uuid(), nullable=False, index=True),
    _str("field", 64),
    _text("old_value_json"),
    _text("new_value_json"),
    _str("kind", 16),
    _text("reason"),
    _fk("amended_by", "app_user", index=False),
    _ts("amended_at"),
)
sa.Table(
    "patient",
    METADATA,
    _id(),
    _fk("clinic_id", "clinic"),
    _str("mrn", 64),
    _str("given_name"),
    _str("family_name"),
    sa.Column("birth_date", sa.Date(), nullable=False),
    _str("sex", 16),
    _bool("active"),
    _ts("created_at"),
    _fk("created_by", "app_user", index=False),
    _ts("deactivated_at", null=True),
    _fk("deactivated_by", "app_user", null=True, index=False),
    sa.UniqueConstraint("clinic_id", "mrn"),
)

# History
_clinical(
    "body_measurement", _ts("measured_at"), _num("weight_kg"), _num("height_cm"), patient=True
)
_clinical(
    "condition_entry",
    _str("section", 32),
    _str("concept", 64),
    _str("status", 16),
    _str("code_system", 16, null=True),
    _str("code", 32, null=True),
    _str("severity", 16, null=True),
    sa.Column("noted_on", sa.Date(), nullable=True),
    patient=True,
)
_clinical("history_review", _str("section", 32), _ts("reviewed_at"), patient=True)
_clinical(
    "lab_result",
    _str("test", 16),
    _num("value_u_per_l", null=False),
    _num("uln_u_per_l", null=False),
    _ts("sampled_at"),
    patient=True,
)
_clinical(
    "medication_entry",
    _str("name"),
    _json("drug_classes_json", null=True),
    _num("daily_dose_mg"),
    sa.Column("started_on", sa.Date(), nullable=True),
    sa.Column("stopped_on", sa.Date(), nullable=True),
    patient=True,
)
_clinical(
    "substance_use_entry",
    _str("substance", 32),
    _str("pattern", 32),
    _str("status", 16),
    patient=True,
)

# Screening, follow-up and safety
_clinical(
    "screening",
    _str("verdict", 32),
    *(
        _bool(name, null=True)
        for name in (
            "pregnant",
            "breastfeeding",
            "failed_conventional_therapy",
            "consent_signed",
            "escort_available",
        )
    ),
    _json("missing_data_json"),
    _json("decided_by_json"),
    patient=True,
)
_clinical("screening_finding", _fk("screening_id", "screening"), *_finding_columns(), patient=False)
_clinical(
    "safety_flag",
    _ts("raised_at"),
    _ts("resolved_at", null=True),
    *_finding_columns(),
    patient=True,
)
