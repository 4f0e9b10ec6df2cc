"""A screening: the verdict, the answers asked at that visit, and every finding with its rule."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ketapath.store.tables.base import Base, ClinicalRow, FindingColumns, PatientRow

__all__ = ["Screening", "ScreeningFinding"]


class Screening(PatientRow, Base):
    """The screening of a patient for ketamine therapy.

    The answers that are not part of the history (pregnancy, consent, escort...) are kept here,
    as they were at the visit; ``None`` means not asked.
    """

    __tablename__ = "screening"

    verdict: Mapped[str] = mapped_column(String(32))
    pregnant: Mapped[bool | None]
    breastfeeding: Mapped[bool | None]
    failed_conventional_therapy: Mapped[bool | None]
    consent_signed: Mapped[bool | None]
    escort_available: Mapped[bool | None]
    missing_data_json: Mapped[list[Any]]
    decided_by_json: Mapped[list[Any]]


class ScreeningFinding(FindingColumns, ClinicalRow, Base):
    """One finding of a screening (a contraindication, an interaction, an indication...)."""

    __tablename__ = "screening_finding"

    screening_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("screening.id"), index=True)
