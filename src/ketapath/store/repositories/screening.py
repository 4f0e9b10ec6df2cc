"""Screenings: the verdict, the answers asked at the visit, every finding; read back as stored."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ketapath.clinical.screening.verdict import MissingData, ScreeningResult, Verdict
from ketapath.store.audit import AuditAction
from ketapath.store.findings import finding_from_columns, finding_to_columns
from ketapath.store.records import ScreeningAnswers
from ketapath.store.repositories.base import Repository, require_user
from ketapath.store.tables import Screening, ScreeningFinding

__all__ = ["ScreeningRepository", "StoredScreening"]


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredScreening:
    """A screening as stored: the result the rules gave, the answers, who and when."""

    id: uuid.UUID
    patient_id: uuid.UUID
    result: ScreeningResult
    answers: ScreeningAnswers
    recorded_at: datetime
    recorded_by: uuid.UUID


def _missing_to_json(missing: MissingData) -> dict[str, str | None]:
    return {"field": missing.field, "reason": missing.reason, "rule_id": missing.rule_id}


class ScreeningRepository(Repository):
    """Screenings of patients. Every method appends an audit entry."""

    def create(
        self, patient_id: uuid.UUID, result: ScreeningResult, *, answers: ScreeningAnswers
    ) -> uuid.UUID:
        """Store a screening and its findings, in the order the rules gave them."""
        row = Screening(
            patient_id=patient_id,
            verdict=str(result.verdict),
            pregnant=answers.pregnant,
            breastfeeding=answers.breastfeeding,
            failed_conventional_therapy=answers.failed_conventional_therapy,
            consent_signed=answers.consent_signed,
            escort_available=answers.escort_available,
            missing_data_json=[_missing_to_json(m) for m in result.missing],
            decided_by_json=list(result.decided_by),
            recorded_by=require_user(self.actor),
        )
        self._add(row, what="screening")
        findings = [
            ScreeningFinding(
                screening_id=row.id, recorded_by=row.recorded_by, **finding_to_columns(f, i)
            )
            for i, f in enumerate(result.findings)
        ]
        self._add(*findings, what="screening findings")
        self._audit(AuditAction.CREATE, row, row.id, patient_id=patient_id, detail=row.verdict)
        return row.id

    def get(self, screening_id: uuid.UUID) -> StoredScreening:
        """Return a screening as it was stored; `NotFoundError` when there is none."""
        row = self._get(Screening, screening_id)
        self._audit(AuditAction.READ, row, row.id, patient_id=row.patient_id)
        return self._screening(row)

    def list_for_patient(self, patient_id: uuid.UUID) -> tuple[StoredScreening, ...]:
        """Return a patient's screenings, oldest first."""
        query = select(Screening).where(Screening.patient_id == patient_id)
        rows = list(self.session.scalars(query.order_by(Screening.recorded_at, Screening.id)))
        detail = f"listed {len(rows)} screenings"
        self._audit(
            AuditAction.READ,
            "screening",
            f"patient:{patient_id}",
            patient_id=patient_id,
            detail=detail,
        )
        return tuple(self._screening(row) for row in rows)

    def _screening(self, row: Screening) -> StoredScreening:
        query = (
            select(ScreeningFinding)
            .where(ScreeningFinding.screening_id == row.id)
            .order_by(ScreeningFinding.position)
        )
        findings = tuple(
            finding_from_columns(finding_row) for finding_row in self.session.scalars(query)
        )
        result = ScreeningResult(
            patient_id=str(row.patient_id),
            verdict=Verdict(row.verdict),
            findings=findings,
            missing=tuple(MissingData(**item) for item in row.missing_data_json),
            decided_by=tuple(row.decided_by_json),
        )
        answers = ScreeningAnswers(
            pregnant=row.pregnant,
            breastfeeding=row.breastfeeding,
            failed_conventional_therapy=row.failed_conventional_therapy,
            consent_signed=row.consent_signed,
            escort_available=row.escort_available,
        )
        return StoredScreening(
            id=row.id,
            patient_id=row.patient_id,
            result=result,
            answers=answers,
            recorded_at=row.recorded_at,
            recorded_by=row.recorded_by,
        )
