"""A patient's history: conditions, medications, substance use, psychiatric history, labs, measures.

Each entry is an insert-only row; an entry that ends (a medication stopped, a condition
resolved) is amended, so the list as it stood on any day can be rebuilt. A `HistoryReview`
records that a list was taken at all: a medication list reviewed and empty is "no medication",
while no review at all is "unknown" (``None`` in `ketapath.clinical.records.PatientRecord`).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ketapath.store.tables.base import Base, PatientRow

__all__ = [
    "BodyMeasurement",
    "ConditionEntry",
    "ConditionSection",
    "HistoryReview",
    "HistorySection",
    "LabResultEntry",
    "MedicationEntry",
    "SubstanceUseEntry",
]


class ConditionSection(StrEnum):
    """Which list a condition belongs to: the medical conditions or the psychiatric history."""

    CONDITIONS = "conditions"
    PSYCHIATRIC_HISTORY = "psychiatric_history"


class HistorySection(StrEnum):
    """The lists whose absence means "not taken" rather than "none"."""

    MEDICATIONS = "medications"
    SUBSTANCE_USE = "substance_use"
    PSYCHIATRIC_HISTORY = "psychiatric_history"


class ConditionEntry(PatientRow, Base):
    """A diagnosis (pain indications included) or an entry of the psychiatric history."""

    __tablename__ = "condition_entry"

    section: Mapped[str] = mapped_column(String(32))
    concept: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    code_system: Mapped[str | None] = mapped_column(String(16))
    code: Mapped[str | None] = mapped_column(String(32))
    severity: Mapped[str | None] = mapped_column(String(16))
    noted_on: Mapped[date | None]


class MedicationEntry(PatientRow, Base):
    """A medication the patient takes; ``stopped_on`` is set by an amendment when it stops."""

    __tablename__ = "medication_entry"

    name: Mapped[str]
    drug_classes_json: Mapped[list[Any] | None]
    daily_dose_mg: Mapped[float | None]
    started_on: Mapped[date | None]
    stopped_on: Mapped[date | None]


class SubstanceUseEntry(PatientRow, Base):
    """One entry of the substance-use history."""

    __tablename__ = "substance_use_entry"

    substance: Mapped[str] = mapped_column(String(32))
    pattern: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))


class HistoryReview(PatientRow, Base):
    """A list of the history was taken (reviewed with the patient) at ``reviewed_at``."""

    __tablename__ = "history_review"

    section: Mapped[str] = mapped_column(String(32))
    reviewed_at: Mapped[datetime]


class LabResultEntry(PatientRow, Base):
    """A liver-test result and its laboratory's upper limit of normal, both in U/L."""

    __tablename__ = "lab_result"

    test: Mapped[str] = mapped_column(String(16))
    value_u_per_l: Mapped[float]
    uln_u_per_l: Mapped[float]
    sampled_at: Mapped[datetime]


class BodyMeasurement(PatientRow, Base):
    """A weight and/or height measurement."""

    __tablename__ = "body_measurement"

    measured_at: Mapped[datetime]
    weight_kg: Mapped[float | None]
    height_cm: Mapped[float | None]
