"""Screenings as the API takes and shows them: the answers asked, the verdict and its findings."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from ketapath.api.schemas.common import ApiModel, FindingModel, findings_out
from ketapath.clinical.screening import Verdict
from ketapath.interop.findings_json import MissingDataModel
from ketapath.services.care.screening import ScreeningAnswers, StoredScreening

__all__ = ["ScreeningAnswersIn", "ScreeningOut", "ScreeningRequest"]


class ScreeningAnswersIn(ApiModel):
    """What screening asks at the visit; null (or absent) means "not asked"."""

    pregnant: bool | None = None
    breastfeeding: bool | None = None
    failed_conventional_therapy: bool | None = None
    consent_signed: bool | None = None
    escort_available: bool | None = None

    def to_answers(self) -> ScreeningAnswers:
        """Return the answers as the use case takes them."""
        return ScreeningAnswers(**self.model_dump())


class ScreeningRequest(ApiModel):
    """Screen the patient from their stored record, as it stands on `on` (default today)."""

    answers: ScreeningAnswersIn = ScreeningAnswersIn()
    on: date | None = None


class ScreeningOut(ApiModel):
    """A stored screening: the verdict, what decided it, every finding and the data missing."""

    id: uuid.UUID
    patient_id: uuid.UUID
    verdict: Verdict
    decided_by: list[str]
    findings: list[FindingModel]
    missing: list[MissingDataModel]
    answers: ScreeningAnswersIn
    recorded_at: datetime
    recorded_by: uuid.UUID

    @classmethod
    def of(cls, screening: StoredScreening) -> ScreeningOut:
        """Return `screening` as the API shows it."""
        result, answers = screening.result, screening.answers
        return cls(
            id=screening.id,
            patient_id=screening.patient_id,
            verdict=result.verdict,
            decided_by=list(result.decided_by),
            findings=findings_out(result.findings),
            missing=[
                MissingDataModel(field=m.field, reason=m.reason, rule_id=m.rule_id)
                for m in result.missing
            ],
            answers=ScreeningAnswersIn(
                pregnant=answers.pregnant,
                breastfeeding=answers.breastfeeding,
                failed_conventional_therapy=answers.failed_conventional_therapy,
                consent_signed=answers.consent_signed,
                escort_available=answers.escort_available,
            ),
            recorded_at=screening.recorded_at,
            recorded_by=screening.recorded_by,
        )
