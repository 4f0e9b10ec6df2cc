"""The care tables of revision 0001 (plans, orders, sessions, follow-up), frozen as created.

Part of the schema written out in `ketapath.store.migrations.schema_0001`; never edit.
"""

from __future__ import annotations

import sqlalchemy as sa

from ketapath.store.migrations.schema_0001 import (
    _bool,
    _clinical,
    _finding_columns,
    _fk,
    _int,
    _json,
    _num,
    _str,
    _text,
    _ts,
)

__all__: list[str] = []

_VITALS = ("sbp_mmhg", "dbp_mmhg", "hr_bpm", "rr_per_min", "spo2_pct", "temperature_c")

# Treatment plans and orders
_clinical(
    "treatment_plan",
    _str("protocol", 64, null=True),
    _str("care_area", 32),
    _num("weight_kg"),
    _str("status", 16),
    _text("notes", null=True),
    patient=True,
)
_clinical(
    "treatment_order",
    _fk("plan_id", "treatment_plan"),
    _int("position"),
    *(_str(name, 32) for name in ("route", "drug", "care_area")),
    *(
        _num(name)
        for name in (
            "dose_mg",
            "dose_mg_per_kg",
            "rate_mg_per_h",
            "rate_mg_per_kg_per_h",
            "duration_h",
            "push_duration_s",
            "interval_h",
            "concentration_mg_per_ml",
        )
    ),
    _bool("take_home"),
    _str("protocol", 64, null=True),
    _str("label"),
    _str("status", 16),
    patient=False,
)
_clinical("order_finding", _fk("order_id", "treatment_order"), *_finding_columns(), patient=False)
_clinical(
    "dose_override",
    _fk("order_id", "treatment_order"),
    sa.Column(
        "finding_id", sa.Uuid(), sa.ForeignKey("order_finding.id"), nullable=False, unique=True
    ),
    _str("rule_id", 32),
    _fk("by_user_id", "app_user", index=False),
    _str("role", 32),
    _text("reason"),
    _ts("overridden_at"),
    patient=False,
)

# Sessions and their charts
_clinical(
    "treatment_session",
    _fk("plan_id", "treatment_plan", null=True),
    _str("chair", 32),
    _str("care_area", 32),
    _str("status", 16),
    _ts("started_at", null=True),
    _ts("stopped_at", null=True),
    _text("stop_reason", null=True),
    patient=True,
)
_clinical(
    "administration_segment",
    _fk("session_id", "treatment_session"),
    _fk("order_id", "treatment_order", null=True, index=False),
    _str("route", 32),
    _str("drug", 32),
    _ts("started_at"),
    _ts("ended_at", null=True),
    _num("dose_mg"),
    _num("rate_mg_per_h"),
    patient=False,
)
_clinical(
    "vital_signs",
    _fk("session_id", "treatment_session", null=True),
    _ts("taken_at"),
    *(_num(name) for name in _VITALS),
    patient=True,
)
_clinical(
    "sedation_score",
    _fk("session_id", "treatment_session"),
    _ts("assessed_at"),
    _int("moaas", null=True),
    _int("rass", null=True),
    patient=False,
)
_clinical(
    "dissociation_score",
    _fk("session_id", "treatment_session"),
    _ts("assessed_at"),
    _int("total"),
    _str("form", 16),
    patient=False,
)
_clinical(
    "adverse_event",
    _fk("session_id", "treatment_session"),
    _ts("occurred_at"),
    _str("kind", 64),
    _str("severity", 16),
    _text("description"),
    _text("action_taken", null=True),
    patient=False,
)
_clinical(
    "session_alarm",
    _fk("session_id", "treatment_session"),
    _ts("raised_at"),
    _str("action", 16),
    *_finding_columns(),
    patient=False,
)
_clinical(
    "discharge_assessment",
    _fk("session_id", "treatment_session"),
    _ts("assessed_at"),
    _int("aldrete_total"),
    _int("padss_total"),
    *(_bool(name) for name in ("escort_present", "patient_driving", "follow_up_booked", "ready")),
    _ts("earliest_at"),
    sa.Column("no_driving_until", sa.Date(), nullable=False),
    _json("findings_json"),
    patient=False,
)
_clinical(
    "discharge_signature",
    sa.Column(
        "assessment_id",
        sa.Uuid(),
        sa.ForeignKey("discharge_assessment.id"),
        nullable=False,
        unique=True,
    ),
    _fk("signed_by", "app_user", index=False),
    _str("role", 16),
    _ts("signed_at"),
    _text("statement"),
    patient=False,
)

# After the session
_clinical(
    "instrument_response",
    _fk("session_id", "treatment_session", null=True),
    _str("instrument", 32),
    _json("answers_json"),
    _ts("completed_at"),
    _num("total", null=False),
    _str("band", 64),
    patient=True,
)
_clinical(
    "follow_up",
    _fk("session_id", "treatment_session", null=True),
    sa.Column("due_on", sa.Date(), nullable=False),
    _str("method", 16),
    _ts("completed_at", null=True),
    _text("notes", null=True),
    patient=True,
)
