"""Discharge: the readiness assessment as the rules judged it, and the clinician's signature."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ketapath.clinical.session.discharge import AldreteScore, DischargeResult, PadssScore
from ketapath.errors import ConflictError, InputError
from ketapath.store.audit import AuditAction
from ketapath.store.columns import utc_now
from ketapath.store.findings import finding_from_json, finding_to_json
from ketapath.store.repositories.base import Repository, require_user
from ketapath.store.tables import (
    DischargeAssessment,
    DischargeSignature,
    TreatmentSession,
    UserRole,
)

__all__ = ["DischargeRecord", "DischargeRepository", "SignatureRecord"]

_SIGNING_ROLES = frozenset({UserRole.PHYSICIAN, UserRole.NURSE})


@dataclass(frozen=True, slots=True, kw_only=True)
class SignatureRecord:
    """Who released the patient, in what role, when, and what they attested."""

    signed_by: uuid.UUID
    role: UserRole
    signed_at: datetime
    statement: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DischargeRecord:
    """A discharge assessment: the inputs the rules read, their result, and the signature."""

    id: uuid.UUID
    session_id: uuid.UUID
    assessed_at: datetime
    aldrete_total: int
    padss_total: int
    escort_present: bool
    patient_driving: bool
    follow_up_booked: bool
    result: DischargeResult
    signature: SignatureRecord | None
    recorded_by: uuid.UUID


def _signature(row: DischargeSignature) -> SignatureRecord:
    return SignatureRecord(
        signed_by=row.signed_by,
        role=UserRole(row.role),
        signed_at=row.signed_at,
        statement=row.statement,
    )


class DischargeRepository(Repository):
    """Discharge assessments and signatures. Every method appends an audit entry."""

    def create(  # noqa: PLR0913  # the assessment's inputs, all keyword-only
        self,
        session_id: uuid.UUID,
        result: DischargeResult,
        *,
        assessed_at: datetime,
        aldrete: AldreteScore,
        padss: PadssScore,
        escort_present: bool,
        patient_driving: bool,
        follow_up_booked: bool,
    ) -> uuid.UUID:
        """Store a discharge assessment with the result `assess_discharge` gave."""
        session = self._get(TreatmentSession, session_id)
        row = DischargeAssessment(
            session_id=session_id,
            assessed_at=assessed_at,
            aldrete_total=aldrete.total,
            padss_total=padss.total,
            escort_present=escort_present,
            patient_driving=patient_driving,
            follow_up_booked=follow_up_booked,
            ready=result.ready,
            earliest_at=result.earliest_at,
            no_driving_until=result.no_driving_until,
            findings_json=[finding_to_json(f) for f in result.findings],
            recorded_by=require_user(self.actor),
        )
        self._add(row, what="discharge assessment")
        self._audit(AuditAction.CREATE, row, row.id, patient_id=session.patient_id)
        return row.id

    def sign(
        self,
        assessment_id: uuid.UUID,
        *,
        role: UserRole,
        statement: str,
        signed_at: datetime | None = None,
    ) -> SignatureRecord:
        """Sign an assessment that found the patient ready (once; a second signature conflicts);
        `signed_at` is the service's clock (the system clock when not given)."""
        assessment = self._get(DischargeAssessment, assessment_id)
        if not assessment.ready:
            msg = "The assessment found the patient not ready: it cannot be signed."
            raise InputError(msg, field="assessment_id", value=str(assessment_id))
        if role not in _SIGNING_ROLES or not statement.strip():
            msg = f"`role` must be physician or nurse, with a statement, to sign (got {role})."
            raise InputError(msg, field="role", value=str(role))
        session = self._get(TreatmentSession, assessment.session_id)
        user = require_user(self.actor)
        row = DischargeSignature(
            assessment_id=assessment_id,
            signed_by=user,
            role=str(UserRole(role)),
            signed_at=signed_at or utc_now(),
            statement=statement.strip(),
            recorded_by=user,
        )
        try:
            self._add(row, what="discharge signature")
        except ConflictError:
            raise ConflictError(
                f"Discharge assessment {assessment_id} is already signed."
            ) from None
        self._audit(AuditAction.SIGN, row, row.id, patient_id=session.patient_id)
        return _signature(row)

    def find_latest(self, session_id: uuid.UUID) -> DischargeRecord | None:
        """Return the session's latest assessment (by assessment time), or None."""
        query = (
            select(DischargeAssessment.id)
            .where(DischargeAssessment.session_id == session_id)
            .order_by(DischargeAssessment.assessed_at.desc(), DischargeAssessment.id)
        )
        found = self.session.scalars(query).first()
        return None if found is None else self.get(found)

    def get(self, assessment_id: uuid.UUID) -> DischargeRecord:
        """Return an assessment and its signature, if signed."""
        row = self._get(DischargeAssessment, assessment_id)
        session = self._get(TreatmentSession, row.session_id)
        self._audit(AuditAction.READ, row, row.id, patient_id=session.patient_id)
        signature = self.session.scalar(
            select(DischargeSignature).where(DischargeSignature.assessment_id == row.id)
        )
        result = DischargeResult(
            ready=row.ready,
            findings=tuple(finding_from_json(document) for document in row.findings_json),
            earliest_at=row.earliest_at,
            no_driving_until=row.no_driving_until,
        )
        return DischargeRecord(
            id=row.id,
            session_id=row.session_id,
            assessed_at=row.assessed_at,
            aldrete_total=row.aldrete_total,
            padss_total=row.padss_total,
            escort_present=row.escort_present,
            patient_driving=row.patient_driving,
            follow_up_booked=row.follow_up_booked,
            result=result,
            recorded_by=row.recorded_by,
            signature=None if signature is None else _signature(signature),
        )
