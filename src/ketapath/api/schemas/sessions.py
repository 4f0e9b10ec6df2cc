"""Sessions as the API takes and shows them: vital signs, scores, rate changes, the chart.

An alarm comes back in the response of the write that raised it, with the action it asks for
(``continue``, ``alert``, ``pause``, ``stop``) and the finding that says why and what to do.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from ketapath.api.schemas.common import (
    AmendmentOut,
    ApiModel,
    FindingModel,
    Reason,
    Timestamp,
    amendments_out,
    findings_out,
)
from ketapath.clinical.dosing.orders import CareArea, Drug, Route
from ketapath.clinical.observations import CadssForm, DissociationScore, SedationScore
from ketapath.clinical.records import VitalSigns
from ketapath.clinical.session.monitoring import CrisisSymptom, SessionAction
from ketapath.services.care.sessions import (
    AdverseEventRecord,
    ChartedAlarm,
    RateChange,
    ReadingResult,
    Resumed,
    SessionChart,
    SessionRecord,
    SessionStarted,
    SessionStatus,
)

__all__ = [
    "AdverseEventIn",
    "AlarmOut",
    "ChartOut",
    "DissociationIn",
    "EntryCreated",
    "PauseIn",
    "RateChangeIn",
    "RateChangeOut",
    "ReadingOut",
    "ResumedOut",
    "SedationIn",
    "SessionOut",
    "SessionStartIn",
    "SessionStartedOut",
    "StopIn",
    "VitalsIn",
    "VitalsReadingIn",
]

Chair = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]


class VitalsIn(ApiModel):
    """A set of vital signs; each measurement is optional, within what a monitor can show."""

    taken_at: Timestamp
    sbp_mmhg: float | None = Field(default=None, ge=30, le=300)
    dbp_mmhg: float | None = Field(default=None, ge=10, le=200)
    hr_bpm: float | None = Field(default=None, ge=10, le=300)
    rr_per_min: float | None = Field(default=None, ge=0, le=80)
    spo2_pct: float | None = Field(default=None, ge=0, le=100)
    temperature_c: float | None = Field(default=None, ge=25, le=45)

    def to_record(self) -> VitalSigns:
        """Return the reading as the rules take it."""
        return VitalSigns(
            time=self.taken_at,
            sbp_mmhg=self.sbp_mmhg,
            dbp_mmhg=self.dbp_mmhg,
            hr_bpm=self.hr_bpm,
            rr_per_min=self.rr_per_min,
            spo2_pct=self.spo2_pct,
            temperature_c=self.temperature_c,
        )


class SedationIn(ApiModel):
    """A MOAA/S (0–5) and/or RASS (−5 to +4) score."""

    assessed_at: Timestamp
    moaas: int | None = Field(default=None, ge=0, le=5)
    rass: int | None = Field(default=None, ge=-5, le=4)

    def to_record(self) -> SedationScore:
        """Return the score as the rules take it (`InputError` when neither is given)."""
        return SedationScore(time=self.assessed_at, moaas=self.moaas, rass=self.rass)


class VitalsReadingIn(VitalsIn):
    """A reading, with the sedation score and crisis symptoms observed with it."""

    sedation: SedationIn | None = None
    symptoms: list[CrisisSymptom] = Field(default_factory=list, max_length=len(CrisisSymptom))


class SessionStartIn(ApiModel):
    """Start a session of a signed plan: the chair and the pre-dose vital signs."""

    chair: Chair
    baseline: VitalsIn


class RateChangeIn(ApiModel):
    """The new infusion rate, from now to the order's planned end."""

    rate_mg_per_h: float = Field(gt=0, le=10_000)
    order_id: uuid.UUID | None = None


class DissociationIn(ApiModel):
    """A CADSS (0–92) or CADSS-6 (0–24) total."""

    assessed_at: Timestamp
    total: int = Field(ge=0, le=92)
    form: CadssForm = CadssForm.FULL

    def to_record(self) -> DissociationScore:
        """Return the score as the rules take it."""
        return DissociationScore(time=self.assessed_at, total=self.total, form=self.form)


class AdverseEventSeverity(StrEnum):
    """How bad an adverse event was."""

    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"
    LIFE_THREATENING = "life-threatening"


class AdverseEventIn(ApiModel):
    """What went wrong, how bad, what was done."""

    occurred_at: Timestamp
    kind: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    severity: AdverseEventSeverity
    description: Reason
    action_taken: Reason | None = None

    def to_record(self) -> AdverseEventRecord:
        """Return the event as the store takes it."""
        return AdverseEventRecord(
            occurred_at=self.occurred_at,
            kind=self.kind,
            severity=str(self.severity),
            description=self.description,
            action_taken=self.action_taken,
        )


class StopIn(ApiModel):
    """Why the infusion stops (completed, an alarm, the patient's wish)."""

    reason: Reason


class PauseIn(ApiModel):
    """Why the infusion is paused (a side effect, a PAUSE alarm); it resumes with a new rate."""

    reason: Reason


class EntryCreated(ApiModel):
    """The id of what was written."""

    id: uuid.UUID


class AlarmOut(ApiModel):
    """An alarm just raised: what to do (`action`), and the finding that says why."""

    id: uuid.UUID
    raised_at: datetime
    action: SessionAction
    finding: FindingModel

    @classmethod
    def charted(cls, charted: ChartedAlarm) -> AlarmOut:
        """Return a stored alarm."""
        alarm = charted.alarm
        (finding,) = findings_out([alarm.finding])
        return cls(id=charted.id, raised_at=charted.raised_at, action=alarm.action, finding=finding)


class ReadingOut(ApiModel):
    """A charted reading or score and the alarms its write raised, most severe first."""

    id: uuid.UUID
    action: SessionAction
    alarms: list[AlarmOut]

    @classmethod
    def of(cls, result: ReadingResult) -> ReadingOut:
        """Return `result` as the API shows it."""
        alarms = [AlarmOut.charted(alarm) for alarm in result.alarms]
        return cls(id=result.entry_id, action=result.action, alarms=alarms)


class SessionOut(ApiModel):
    """A session: where, its status, when it started, was paused (while paused) and stopped, and
    why."""

    id: uuid.UUID
    patient_id: uuid.UUID
    plan_id: uuid.UUID | None
    chair: str
    care_area: CareArea
    status: SessionStatus
    started_at: datetime | None
    stopped_at: datetime | None
    stop_reason: str | None
    paused_at: datetime | None
    pause_reason: str | None
    amendments: list[AmendmentOut]

    @classmethod
    def of(cls, record: SessionRecord) -> SessionOut:
        """Return `record` as the API shows it."""
        return cls(
            id=record.id,
            patient_id=record.patient_id,
            plan_id=record.plan_id,
            chair=record.chair,
            care_area=record.care_area,
            status=record.status,
            started_at=record.started_at,
            stopped_at=record.stopped_at,
            stop_reason=record.stop_reason,
            paused_at=record.paused_at,
            pause_reason=record.pause_reason,
            amendments=amendments_out(record.history),
        )


class SessionStartedOut(ApiModel):
    """A started session and the baseline findings that did not block it."""

    session: SessionOut
    baseline_findings: list[FindingModel]
    alarms: list[AlarmOut]

    @classmethod
    def of(cls, started: SessionStarted) -> SessionStartedOut:
        """Return `started` as the API shows it."""
        return cls(
            session=SessionOut.of(started.session),
            baseline_findings=findings_out(started.baseline_findings),
            alarms=[AlarmOut.charted(alarm) for alarm in started.alarms],
        )


class RateChangeOut(ApiModel):
    """A new administration segment and the findings that did not refuse it."""

    segment_id: uuid.UUID
    order_id: uuid.UUID
    rate_mg_per_h: float
    started_at: datetime
    planned_end_at: datetime
    findings: list[FindingModel]

    @classmethod
    def of(cls, change: RateChange) -> RateChangeOut:
        """Return `change` as the API shows it."""
        return cls(
            segment_id=change.segment_id,
            order_id=change.order_id,
            rate_mg_per_h=change.rate_mg_per_h,
            started_at=change.started_at,
            planned_end_at=change.planned_end_at,
            findings=findings_out(change.findings),
        )


class ResumedOut(ApiModel):
    """A paused session in progress again, and the rate segment it resumed at."""

    session: SessionOut
    segment: RateChangeOut

    @classmethod
    def of(cls, resumed: Resumed) -> ResumedOut:
        """Return `resumed` as the API shows it."""
        return cls(session=SessionOut.of(resumed.session), segment=RateChangeOut.of(resumed.change))


class ProvenanceOut(ApiModel):
    """Who charted an entry and when."""

    id: uuid.UUID
    recorded_at: datetime
    recorded_by: uuid.UUID


class SegmentOut(ProvenanceOut):
    """A dose given, or a rate segment as charted (it runs until the next rate change)."""

    route: Route
    drug: Drug
    started_at: datetime
    planned_end_at: datetime | None
    dose_mg: float | None
    rate_mg_per_h: float | None


class VitalsOut(ProvenanceOut):
    """A charted set of vital signs."""

    taken_at: datetime
    sbp_mmhg: float | None
    dbp_mmhg: float | None
    hr_bpm: float | None
    rr_per_min: float | None
    spo2_pct: float | None
    temperature_c: float | None


class SedationOut(ProvenanceOut):
    """A charted MOAA/S and/or RASS score."""

    assessed_at: datetime
    moaas: int | None
    rass: int | None


class DissociationOut(ProvenanceOut):
    """A charted CADSS or CADSS-6 total."""

    assessed_at: datetime
    total: int
    form: CadssForm


class AdverseEventOut(ProvenanceOut):
    """A charted adverse event."""

    occurred_at: datetime
    kind: str
    severity: str
    description: str
    action_taken: str | None


class ChartAlarmOut(ProvenanceOut):
    """A charted alarm: when the reading that raised it was taken (`raised_at`; `recorded_at` is
    when it was written), the action it asked for and its finding."""

    raised_at: datetime
    action: SessionAction
    finding: FindingModel


class ChartOut(ApiModel):
    """A session and everything charted in it, each list in time order."""

    session: SessionOut
    segments: list[SegmentOut]
    vitals: list[VitalsOut]
    sedation: list[SedationOut]
    dissociation: list[DissociationOut]
    adverse_events: list[AdverseEventOut]
    alarms: list[ChartAlarmOut]

    @classmethod
    def of(cls, chart: SessionChart) -> ChartOut:
        """Return `chart` as the API shows it."""

        def who(stored: object) -> dict[str, object]:
            return {name: getattr(stored, name) for name in ("id", "recorded_at", "recorded_by")}

        return cls(
            session=SessionOut.of(chart.session),
            segments=[
                SegmentOut(
                    **who(s),
                    route=s.record.route,
                    drug=s.record.drug,
                    started_at=s.record.time,
                    planned_end_at=s.record.end,
                    dose_mg=s.record.dose_mg,
                    rate_mg_per_h=s.record.rate_mg_per_h,
                )
                for s in chart.doses
            ],
            vitals=[
                VitalsOut(
                    **who(v),
                    taken_at=v.record.time,
                    sbp_mmhg=v.record.sbp_mmhg,
                    dbp_mmhg=v.record.dbp_mmhg,
                    hr_bpm=v.record.hr_bpm,
                    rr_per_min=v.record.rr_per_min,
                    spo2_pct=v.record.spo2_pct,
                    temperature_c=v.record.temperature_c,
                )
                for v in chart.vitals
            ],
            sedation=[
                SedationOut(
                    **who(s), assessed_at=s.record.time, moaas=s.record.moaas, rass=s.record.rass
                )
                for s in chart.sedation
            ],
            dissociation=[
                DissociationOut(
                    **who(d), assessed_at=d.record.time, total=d.record.total, form=d.record.form
                )
                for d in chart.dissociation
            ],
            adverse_events=[
                AdverseEventOut(
                    **who(e),
                    occurred_at=e.record.occurred_at,
                    kind=e.record.kind,
                    severity=e.record.severity,
                    description=e.record.description,
                    action_taken=e.record.action_taken,
                )
                for e in chart.adverse_events
            ],
            alarms=[
                ChartAlarmOut(
                    **who(a),
                    raised_at=a.record.raised_at,
                    action=a.record.action,
                    finding=findings_out([a.record.finding])[0],
                )
                for a in chart.alarms
            ],
        )
