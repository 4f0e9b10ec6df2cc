"""Follow-up as the API takes and shows it: questionnaires, contacts, screens, outcomes."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import Field

from ketapath.api.schemas.common import (
    AmendmentOut,
    ApiModel,
    FindingModel,
    Reason,
    Timestamp,
    amendments_out,
    findings_out,
)
from ketapath.clinical.instruments import INSTRUMENTS, InstrumentScore
from ketapath.clinical.outcomes import ChangeCategory
from ketapath.clinical.safety import DependenceScreen
from ketapath.clinical.toxicity import UrinaryScreen
from ketapath.services.care.followups import (
    ContactMethod,
    FollowUpRecord,
    PatientOutcomes,
    PatientScreens,
    RaisedFlag,
    ResponseRecorded,
    SafetyFlagRecord,
    SafetyScreenRecord,
    ScreenKind,
    ScreenResult,
    Stored,
)

__all__ = [
    "ContactIn",
    "DependenceScreenIn",
    "FlagOut",
    "FollowUpIn",
    "FollowUpOut",
    "OutcomesOut",
    "ResponseIn",
    "ResponseOut",
    "SafetyScreenOut",
    "ScreenOut",
    "ScreensOut",
    "UrinaryScreenIn",
]


class ResponseIn(ApiModel):
    """A completed questionnaire: the raw answers, one per item, null where skipped."""

    instrument: str = Field(
        min_length=1, max_length=32, description=f"One of: {', '.join(INSTRUMENTS)}."
    )
    answers: list[int | None] = Field(min_length=1, max_length=30)
    completed_at: Timestamp
    session_id: uuid.UUID | None = None


class FlagOut(ApiModel):
    """A safety flag just raised."""

    id: uuid.UUID
    finding: FindingModel

    @classmethod
    def of(cls, flag: RaisedFlag) -> FlagOut:
        """Return `flag` as the API shows it."""
        return cls(id=flag.id, finding=findings_out([flag.finding])[0])


class ScoreOut(ApiModel):
    """A questionnaire's score: total, band, subscores, and what it found."""

    instrument: str
    total: float
    maximum: float
    unit: str
    band: str
    subscores: dict[str, float]
    findings: list[FindingModel]

    @classmethod
    def of(cls, score: InstrumentScore) -> ScoreOut:
        """Return `score` as the API shows it."""
        return cls(
            instrument=score.instrument,
            total=score.total,
            maximum=score.maximum,
            unit=score.unit,
            band=score.band,
            subscores=dict(score.subscores),
            findings=findings_out(score.findings),
        )


class ResponseOut(ApiModel):
    """A stored questionnaire, its score, the flags raised and the same-day follow-up."""

    id: uuid.UUID
    score: ScoreOut
    flags: list[FlagOut]
    follow_up_id: uuid.UUID | None

    @classmethod
    def of(cls, recorded: ResponseRecorded) -> ResponseOut:
        """Return `recorded` as the API shows it."""
        return cls(
            id=recorded.response_id,
            score=ScoreOut.of(recorded.score),
            flags=[FlagOut.of(flag) for flag in recorded.flags],
            follow_up_id=recorded.follow_up_id,
        )


class FollowUpIn(ApiModel):
    """Book a follow-up contact for a day."""

    due_on: date = Field(ge=date(2000, 1, 1), le=date(2200, 1, 1))
    method: ContactMethod = ContactMethod.PHONE
    session_id: uuid.UUID | None = None


class ContactIn(ApiModel):
    """A contact made now: a booked follow-up (``follow_up_id``) or an unplanned one."""

    notes: Reason
    method: ContactMethod = ContactMethod.PHONE
    follow_up_id: uuid.UUID | None = None


class FollowUpOut(ApiModel):
    """A follow-up contact, done once ``completed_at`` is set."""

    id: uuid.UUID
    due_on: date
    method: ContactMethod
    session_id: uuid.UUID | None
    completed_at: datetime | None
    notes: str | None
    amendments: list[AmendmentOut]

    @classmethod
    def of(cls, stored: Stored[FollowUpRecord]) -> FollowUpOut:
        """Return `stored` as the API shows it."""
        record = stored.record
        return cls(
            id=stored.id,
            due_on=record.due_on,
            method=record.method,
            session_id=record.session_id,
            completed_at=record.completed_at,
            notes=record.notes,
            amendments=amendments_out(stored.history),
        )


class DependenceScreenIn(ApiModel):
    """The dependence and misuse screen (DEP-1 to DEP-5), asked at the visit."""

    asked_at: Timestamp
    tolerance: bool
    craving: bool
    street_use: bool
    social_withdrawal: bool
    withdrawal_symptoms: bool

    def to_screen(self) -> DependenceScreen:
        """Return the screen as the rules take it."""
        return DependenceScreen(time=self.asked_at, **self.model_dump(exclude={"asked_at"}))


class UrinaryScreenIn(ApiModel):
    """The six-item urinary symptom screen (TOX-U1): each item yes or no."""

    asked_at: Timestamp
    frequency_or_nocturia: bool
    urgency: bool
    bladder_pain: bool
    dysuria: bool
    haematuria: bool
    incontinence: bool

    def to_screen(self) -> UrinaryScreen:
        """Return the screen as the rules take it."""
        return UrinaryScreen(time=self.asked_at, **self.model_dump(exclude={"asked_at"}))


class ScreenOut(ApiModel):
    """A stored screen: its id, what it found (empty: no signal), and the safety flags raised."""

    id: uuid.UUID
    findings: list[FindingModel]
    flags: list[FlagOut]

    @classmethod
    def of(cls, result: ScreenResult) -> ScreenOut:
        """Return `result` as the API shows it."""
        return cls(
            id=result.screen_id,
            findings=findings_out(result.findings),
            flags=[FlagOut.of(f) for f in result.flags],
        )


class SafetyScreenOut(ApiModel):
    """A dependence or urinary screen as stored: when asked, the answers as given, what it found."""

    id: uuid.UUID
    kind: ScreenKind
    screened_at: datetime
    answers: dict[str, bool] = Field(description="Each question's answer as given (true: yes).")
    findings: list[FindingModel] = Field(description="What the rules found; empty: no signal.")
    recorded_at: datetime
    recorded_by: uuid.UUID

    @classmethod
    def of(cls, stored: Stored[SafetyScreenRecord]) -> SafetyScreenOut:
        """Return `stored` as the API shows it."""
        record = stored.record
        return cls(
            id=stored.id,
            kind=record.kind,
            screened_at=record.screened_at,
            answers=dict(record.answers),
            findings=findings_out(record.findings),
            recorded_at=stored.recorded_at,
            recorded_by=stored.recorded_by,
        )


class ScreensOut(ApiModel):
    """A patient's safety screens, newest first, and the abuse-risk assessment status (DEP-7)."""

    patient_id: uuid.UUID
    last_dependence_screen_at: datetime | None = Field(
        description="When the newest dependence (abuse-risk) screen was asked; null: none."
    )
    abuse_risk_findings: list[FindingModel] = Field(
        description="The DEP-7 finding (HARD) while no dependence screen is recorded."
    )
    screens: list[SafetyScreenOut]

    @classmethod
    def of(cls, found: PatientScreens) -> ScreensOut:
        """Return `found` as the API shows it."""
        last = found.last_dependence
        return cls(
            patient_id=found.patient_id,
            last_dependence_screen_at=None if last is None else last.record.screened_at,
            abuse_risk_findings=findings_out(found.abuse_risk_findings),
            screens=[SafetyScreenOut.of(s) for s in found.screens],
        )


class OutcomePointOut(ApiModel):
    """A pain rating after baseline and its change (null when the baseline is 0)."""

    completed_at: datetime
    nrs_points: float
    reduction_points: float | None
    reduction_pct: float | None
    category: ChangeCategory | None
    responder: bool | None


class ScoredResponseOut(ApiModel):
    """A stored questionnaire with its score."""

    id: uuid.UUID
    completed_at: datetime
    score: ScoreOut


class SafetyFlagOut(ApiModel):
    """A safety flag, open until resolved."""

    id: uuid.UUID
    raised_at: datetime
    resolved_at: datetime | None
    finding: FindingModel


def _flag(stored: Stored[SafetyFlagRecord]) -> SafetyFlagOut:
    record = stored.record
    return SafetyFlagOut(
        id=stored.id,
        raised_at=record.raised_at,
        resolved_at=record.resolved_at,
        finding=findings_out([record.finding])[0],
    )


class OutcomesOut(ApiModel):
    """A patient's outcomes: change in pain from baseline (IMMPACT), scores and safety flags."""

    patient_id: uuid.UUID
    baseline_nrs_points: float | None
    baseline_at: datetime | None
    points: list[OutcomePointOut]
    responses: list[ScoredResponseOut]
    flags: list[SafetyFlagOut]

    @classmethod
    def of(cls, outcomes: PatientOutcomes) -> OutcomesOut:
        """Return `outcomes` as the API shows it."""
        points = [
            OutcomePointOut(
                completed_at=p.completed_at,
                nrs_points=p.nrs_points,
                reduction_points=None if p.change is None else p.change.reduction_points,
                reduction_pct=None if p.change is None else p.change.reduction_pct,
                category=None if p.change is None else p.change.category,
                responder=None if p.change is None else p.change.is_responder,
            )
            for p in outcomes.points
        ]
        return cls(
            patient_id=outcomes.patient_id,
            baseline_nrs_points=outcomes.baseline_nrs_points,
            baseline_at=outcomes.baseline_at,
            points=points,
            responses=[
                ScoredResponseOut(id=r.id, completed_at=r.completed_at, score=ScoreOut.of(r.score))
                for r in outcomes.responses
            ],
            flags=[_flag(flag) for flag in outcomes.flags],
        )
