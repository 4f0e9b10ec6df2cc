"""Treatment plans and their orders, the guardrail findings of each order, and overrides.

An order is stored exactly as asked (`ketapath.clinical.dosing.orders.Order`), with the care area
whose drug-library profile checked it. A physician's override of a SOFT finding is a row of its
own that names the finding, who, in what role, and why ("a soft limit can be passed only by a
physician, with a reason that is stored with the dose").
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ketapath.store.tables.base import Base, ClinicalRow, FindingColumns, PatientRow

__all__ = [
    "DoseOverride",
    "OrderFinding",
    "OrderStatus",
    "PlanStatus",
    "TreatmentOrder",
    "TreatmentPlan",
]


class PlanStatus(StrEnum):
    """Where a plan stands; each change after the first is an amendment."""

    DRAFT = "draft"
    APPROVED = "approved"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class OrderStatus(StrEnum):
    """Where an order stands; each change after the first is an amendment."""

    PROPOSED = "proposed"
    APPROVED = "approved"
    GIVEN = "given"
    CANCELLED = "cancelled"


class TreatmentPlan(PatientRow, Base):
    """A course of treatment for one patient, from a named protocol or written by hand."""

    __tablename__ = "treatment_plan"

    protocol: Mapped[str | None] = mapped_column(String(64))
    care_area: Mapped[str] = mapped_column(String(32))
    weight_kg: Mapped[float | None]
    status: Mapped[str] = mapped_column(String(16))
    notes: Mapped[str | None] = mapped_column(Text)


class TreatmentOrder(ClinicalRow, Base):
    """One dose order of a plan, with units in every column name."""

    __tablename__ = "treatment_order"

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("treatment_plan.id"), index=True)
    position: Mapped[int]
    route: Mapped[str] = mapped_column(String(32))
    drug: Mapped[str] = mapped_column(String(32))
    care_area: Mapped[str] = mapped_column(String(32))
    dose_mg: Mapped[float | None]
    dose_mg_per_kg: Mapped[float | None]
    rate_mg_per_h: Mapped[float | None]
    rate_mg_per_kg_per_h: Mapped[float | None]
    duration_h: Mapped[float | None]
    push_duration_s: Mapped[float | None]
    interval_h: Mapped[float | None]
    concentration_mg_per_ml: Mapped[float | None]
    take_home: Mapped[bool]
    protocol: Mapped[str | None] = mapped_column(String(64))
    label: Mapped[str]
    status: Mapped[str] = mapped_column(String(16))


class OrderFinding(FindingColumns, ClinicalRow, Base):
    """A guardrail finding of an order (a dose or rate limit, a gate, a concentration)."""

    __tablename__ = "order_finding"

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("treatment_order.id"), index=True)


class DoseOverride(ClinicalRow, Base):
    """A physician's override of one SOFT finding of an order."""

    __tablename__ = "dose_override"

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("treatment_order.id"), index=True)
    finding_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("order_finding.id"), unique=True)
    rule_id: Mapped[str] = mapped_column(String(32))
    by_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    role: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    overridden_at: Mapped[datetime]
