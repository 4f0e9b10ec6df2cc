"""Discharge as the API takes and shows it: the observed items, the result, the signature."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import Field

from ketapath.api.schemas.common import ApiModel, FindingModel, Reason, findings_out
from ketapath.services.care.discharge import (
    AldreteObservation,
    DischargeAssessment,
    DischargeRecord,
    PadssObservation,
)
from ketapath.services.context import UserRole

__all__ = ["AldreteIn", "DischargeIn", "DischargeOut", "PadssIn", "SignIn", "SignatureOut"]

_ITEM = Field(ge=0, le=2, description="0–2 points.")


class AldreteIn(ApiModel):
    """The observed modified-Aldrete items; circulation and SpO2 are scored from the chart."""

    activity: int = _ITEM
    respiration: int = _ITEM
    consciousness: int = _ITEM
    on_oxygen: bool

    def to_observation(self) -> AldreteObservation:
        """Return the items as the use case takes them."""
        return AldreteObservation(**self.model_dump())


class PadssIn(ApiModel):
    """The observed PADSS items; vital signs are scored from the chart."""

    activity: int = _ITEM
    pain_nausea: int = _ITEM
    bleeding: int = _ITEM
    intake_output: int = _ITEM

    def to_observation(self) -> PadssObservation:
        """Return the items as the use case takes them."""
        return PadssObservation(**self.model_dump())


class DischargeIn(ApiModel):
    """What the nurse observes and asks before discharge."""

    aldrete: AldreteIn
    padss: PadssIn
    escort_present: bool
    patient_driving: bool
    follow_up_booked: bool


class SignIn(ApiModel):
    """What the clinician attests when signing the patient out."""

    statement: Reason


class SignatureOut(ApiModel):
    """Who released the patient, in what role, when, and what they attested."""

    signed_by: uuid.UUID
    role: UserRole
    signed_at: datetime
    statement: str


class DischargeOut(ApiModel):
    """A discharge assessment: ready or not, with the reasons, and the signature once signed."""

    id: uuid.UUID
    session_id: uuid.UUID
    assessed_at: datetime
    ready: bool
    findings: list[FindingModel]
    earliest_at: datetime
    no_driving_until: date
    aldrete_total: int
    padss_total: int
    aldrete_circulation: int | None = None
    aldrete_spo2: int | None = None
    padss_vital_signs: int | None = None
    escort_present: bool
    patient_driving: bool
    follow_up_booked: bool
    signature: SignatureOut | None

    @classmethod
    def of(cls, record: DischargeRecord, **scored: int) -> DischargeOut:
        """Return `record` (and the items scored from the chart, when just assessed)."""
        signature = record.signature
        return cls(
            id=record.id,
            session_id=record.session_id,
            assessed_at=record.assessed_at,
            ready=record.result.ready,
            findings=findings_out(record.result.findings),
            earliest_at=record.result.earliest_at,
            no_driving_until=record.result.no_driving_until,
            aldrete_total=record.aldrete_total,
            padss_total=record.padss_total,
            escort_present=record.escort_present,
            patient_driving=record.patient_driving,
            follow_up_booked=record.follow_up_booked,
            signature=None
            if signature is None
            else SignatureOut(
                signed_by=signature.signed_by,
                role=signature.role,
                signed_at=signature.signed_at,
                statement=signature.statement,
            ),
            **scored,
        )

    @classmethod
    def assessed(cls, assessment: DischargeAssessment) -> DischargeOut:
        """Return a new assessment with the items scored from the chart."""
        return cls.of(
            assessment.record,
            aldrete_circulation=assessment.aldrete.circulation,
            aldrete_spo2=assessment.aldrete.spo2,
            padss_vital_signs=assessment.padss.vital_signs,
        )
