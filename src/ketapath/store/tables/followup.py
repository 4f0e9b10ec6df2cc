"""After the session: questionnaire answers, follow-up contacts, safety screens and flags."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ketapath.store.tables.base import Base, FindingColumns, PatientRow

__all__ = ["FollowUp", "InstrumentResponseEntry", "SafetyFlag", "SafetyScreen", "ScreenKind"]


class ScreenKind(StrEnum):
    """Which safety screen: dependence and misuse (DEP-1 to DEP-5) or urinary symptoms (TOX-U1)."""

    DEPENDENCE = "dependence"
    URINARY = "urinary"


class InstrumentResponseEntry(PatientRow, Base):
    """A completed questionnaire: the raw answers, and the score they gave when recorded."""

    __tablename__ = "instrument_response"

    session_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("treatment_session.id"), index=True
    )
    instrument: Mapped[str] = mapped_column(String(32))
    answers_json: Mapped[list[Any]]
    completed_at: Mapped[datetime]
    total: Mapped[float]
    band: Mapped[str] = mapped_column(String(64))


class FollowUp(PatientRow, Base):
    """A planned follow-up contact; ``completed_at`` and the outcome are set by amendment."""

    __tablename__ = "follow_up"

    session_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("treatment_session.id"), index=True
    )
    due_on: Mapped[date]
    method: Mapped[str] = mapped_column(String(16))
    completed_at: Mapped[datetime | None]
    notes: Mapped[str | None] = mapped_column(Text)


class SafetyFlag(FindingColumns, PatientRow, Base):
    """A safety signal about a patient (dependence, organ toxicity, suicidality...)."""

    __tablename__ = "safety_flag"

    raised_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]


class SafetyScreen(PatientRow, Base):
    """A dependence or urinary screen as it was asked, kept whatever it found.

    A screen that finds nothing is still the record that the assessment was done (DEP-7).
    ``answers_json`` holds each question's answer as given (``{"craving": false, ...}``);
    ``findings_json`` every finding the rules gave, with the rule as it was shown (empty: no
    signal). The safety flags the findings raised are `SafetyFlag` rows of the same transaction.
    """

    __tablename__ = "safety_screen"
    __table_args__ = (CheckConstraint("kind IN ('dependence', 'urinary')", name="kind"),)

    kind: Mapped[str] = mapped_column(String(16))
    screened_at: Mapped[datetime]
    answers_json: Mapped[dict[str, Any]]
    findings_json: Mapped[list[Any]]
