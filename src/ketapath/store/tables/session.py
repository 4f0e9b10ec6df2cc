"""A treatment session and its chart: doses and rate changes, vital signs, sedation and
dissociation scores, adverse events, alarms, and the discharge assessment with its signature.

Vital signs taken outside a session (at intake) have no ``session_id``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ketapath.store.tables.base import Base, ClinicalRow, FindingColumns, PatientRow

__all__ = [
    "AdministrationSegment",
    "AdverseEvent",
    "DischargeAssessment",
    "DischargeSignature",
    "DissociationScoreEntry",
    "SedationScoreEntry",
    "SessionAlarm",
    "SessionStatus",
    "TreatmentSession",
    "VitalSignsEntry",
]


class SessionStatus(StrEnum):
    """Where a session stands; each change after the first is an amendment.

    A paused session (a side effect, a PAUSE alarm) gives no ketamine until it is resumed at a
    new rate; it can be charted and stopped as one in progress can.
    """

    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    PAUSED = "paused"
    STOPPED = "stopped"
    COMPLETED = "completed"


class TreatmentSession(PatientRow, Base):
    """One visit in the chair."""

    __tablename__ = "treatment_session"

    plan_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("treatment_plan.id"), index=True)
    chair: Mapped[str] = mapped_column(String(32))
    care_area: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime | None]
    stopped_at: Mapped[datetime | None]
    stop_reason: Mapped[str | None] = mapped_column(Text)
    paused_at: Mapped[datetime | None]
    pause_reason: Mapped[str | None] = mapped_column(Text)


class AdministrationSegment(ClinicalRow, Base):
    """A dose given: a single dose (``dose_mg``) or a constant-rate segment (a rate change)."""

    __tablename__ = "administration_segment"

    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("treatment_session.id"), index=True)
    order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("treatment_order.id"))
    route: Mapped[str] = mapped_column(String(32))
    drug: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    dose_mg: Mapped[float | None]
    rate_mg_per_h: Mapped[float | None]


class VitalSignsEntry(PatientRow, Base):
    """A set of vital signs; every measurement is optional."""

    __tablename__ = "vital_signs"

    session_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("treatment_session.id"), index=True
    )
    taken_at: Mapped[datetime]
    sbp_mmhg: Mapped[float | None]
    dbp_mmhg: Mapped[float | None]
    hr_bpm: Mapped[float | None]
    rr_per_min: Mapped[float | None]
    spo2_pct: Mapped[float | None]
    temperature_c: Mapped[float | None]


class SedationScoreEntry(ClinicalRow, Base):
    """A MOAA/S and/or RASS assessment."""

    __tablename__ = "sedation_score"

    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("treatment_session.id"), index=True)
    assessed_at: Mapped[datetime]
    moaas: Mapped[int | None]
    rass: Mapped[int | None]


class DissociationScoreEntry(ClinicalRow, Base):
    """A CADSS (0-92) or CADSS-6 (0-24) total."""

    __tablename__ = "dissociation_score"

    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("treatment_session.id"), index=True)
    assessed_at: Mapped[datetime]
    total: Mapped[int]
    form: Mapped[str] = mapped_column(String(16))


class AdverseEvent(ClinicalRow, Base):
    """Something that went wrong, how bad it was and what was done."""

    __tablename__ = "adverse_event"

    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("treatment_session.id"), index=True)
    occurred_at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)
    action_taken: Mapped[str | None] = mapped_column(Text)


class SessionAlarm(FindingColumns, ClinicalRow, Base):
    """An alarm raised by a reading: the finding and the action it asked for."""

    __tablename__ = "session_alarm"

    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("treatment_session.id"), index=True)
    raised_at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(16))


class DischargeAssessment(ClinicalRow, Base):
    """The discharge readiness assessment (DIS-1 to DIS-6), as the rules judged it."""

    __tablename__ = "discharge_assessment"

    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("treatment_session.id"), index=True)
    assessed_at: Mapped[datetime]
    aldrete_total: Mapped[int]
    padss_total: Mapped[int]
    escort_present: Mapped[bool]
    patient_driving: Mapped[bool]
    follow_up_booked: Mapped[bool]
    ready: Mapped[bool]
    earliest_at: Mapped[datetime]
    no_driving_until: Mapped[date]
    findings_json: Mapped[list[Any]]


class DischargeSignature(ClinicalRow, Base):
    """The clinician's signature that releases the patient (one per assessment)."""

    __tablename__ = "discharge_signature"

    assessment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("discharge_assessment.id"), unique=True
    )
    signed_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    role: Mapped[str] = mapped_column(String(16))
    signed_at: Mapped[datetime]
    statement: Mapped[str] = mapped_column(Text)
