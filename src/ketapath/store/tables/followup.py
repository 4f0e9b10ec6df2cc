"""After the session: questionnaire answers, follow-up contacts and safety flags."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ketapath.store.tables.base import Base, FindingColumns, PatientRow

__all__ = ["FollowUp", "InstrumentResponseEntry", "SafetyFlag"]


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
