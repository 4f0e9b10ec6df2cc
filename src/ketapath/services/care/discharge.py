"""Discharge: assess readiness after a stopped session, and sign the patient out.

The assessment scores the modified Aldrete (DIS-2) and PADSS (DIS-3) from the observed items and
the charted vital signs (the session's first reading is the pre-dose baseline, its latest the
current one), counts the minimum observation from the end of the last dose as given (DIS-1),
and checks the escort (DIS-4), driving (DIS-5) and the follow-up plan (DIS-6). It is stored with
its result: ready, or not ready with a finding per unmet criterion.

Who signs: the reference gives criteria (Aldrete, PADSS, observation time, escort) and names no
signatory; criteria-based discharge is usually nurse-led, so a nurse or a physician signs, and
only an assessment that found the patient ready can be signed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ketapath.clinical.session.discharge import (
    AldreteScore,
    PadssScore,
    assess_discharge,
    calculate_aldrete,
    calculate_padss,
)
from ketapath.errors import ConflictError, DataError, InputError
from ketapath.services.care.patients import CLINICAL_ROLES, require_patient
from ketapath.services.care.sessions import effective_doses, read_chart
from ketapath.services.context import RequestContext, Services, UserRole, require_role
from ketapath.store.records import SessionChart
from ketapath.store.repositories import DischargeRepository, SessionRepository
from ketapath.store.repositories.discharge import DischargeRecord, SignatureRecord
from ketapath.store.tables import SessionStatus

__all__ = [
    "AldreteObservation",
    "DischargeAssessment",
    "DischargeRecord",
    "PadssObservation",
    "SignatureRecord",
    "assess_readiness",
    "get_discharge",
    "sign_discharge",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class AldreteObservation:
    """The observed items of the modified Aldrete (0–2 points each); circulation and SpO2 are
    scored from the charted vital signs."""

    activity: int
    respiration: int
    consciousness: int
    on_oxygen: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class PadssObservation:
    """The observed items of PADSS (0–2 points each); vital signs are scored from the chart."""

    activity: int
    pain_nausea: int
    bleeding: int
    intake_output: int


@dataclass(frozen=True, slots=True, kw_only=True)
class DischargeAssessment:
    """A stored assessment with the two scores it was built from."""

    record: DischargeRecord
    aldrete: AldreteScore
    padss: PadssScore


def _scores(
    chart: SessionChart, aldrete: AldreteObservation, padss: PadssObservation
) -> tuple[AldreteScore, PadssScore]:
    readings = sorted((stored.record for stored in chart.vitals), key=lambda v: v.time)
    if not readings:
        raise DataError(f"Session {chart.session.id} has no vital signs: chart them first.")
    baseline, current = readings[0], readings[-1]
    aldrete_score = calculate_aldrete(
        activity=aldrete.activity,
        respiration=aldrete.respiration,
        consciousness=aldrete.consciousness,
        predose=baseline,
        current=current,
        on_oxygen=aldrete.on_oxygen,
    )
    padss_score = calculate_padss(
        activity=padss.activity,
        pain_nausea=padss.pain_nausea,
        bleeding=padss.bleeding,
        intake_output=padss.intake_output,
        baseline=baseline,
        current=current,
    )
    return aldrete_score, padss_score


def assess_readiness(  # noqa: PLR0913  # the assessment's inputs, all keyword-only
    services: Services,
    context: RequestContext,
    *,
    session_id: uuid.UUID,
    aldrete: AldreteObservation,
    padss: PadssObservation,
    escort_present: bool,
    patient_driving: bool,
    follow_up_booked: bool,
) -> DischargeAssessment:
    """Assess whether the patient of a stopped session may go home, and store the result.

    Raises
    ------
    ConflictError
        When the session is not stopped (the infusion must have ended).
    DataError
        When the chart lacks what a score needs (vital signs, SpO2, a dose given).
    InputError
        When an observed item is outside 0–2.
    """
    require_role(context, *CLINICAL_ROLES)
    with services.unit_of_work() as session:
        chart = read_chart(session, context, session_id, for_writing=True)
        if chart.session.status is not SessionStatus.STOPPED:
            msg = f"Session {session_id} is {chart.session.status}: stop it before discharge."
            raise ConflictError(msg)
        aldrete_score, padss_score = _scores(chart, aldrete, padss)
        now = services.now()
        result = assess_discharge(
            now=now,
            doses=effective_doses(chart),
            aldrete=aldrete_score,
            padss=padss_score,
            escort_present=escort_present,
            patient_driving=patient_driving,
            follow_up_booked=follow_up_booked,
        )
        repo = DischargeRepository(session, context.to_actor())
        assessment_id = repo.create(
            session_id,
            result,
            assessed_at=now,
            aldrete=aldrete_score,
            padss=padss_score,
            escort_present=escort_present,
            patient_driving=patient_driving,
            follow_up_booked=follow_up_booked,
        )
        return DischargeAssessment(
            record=repo.get(assessment_id), aldrete=aldrete_score, padss=padss_score
        )


def _assessment(
    session: Session, context: RequestContext, assessment_id: uuid.UUID, *, for_writing: bool
) -> DischargeRecord:
    record = DischargeRepository(session, context.to_actor()).get(assessment_id)
    patient_id = SessionRepository(session, context.to_actor()).get(record.session_id).patient_id
    require_patient(session, context, patient_id, for_writing=for_writing)
    return record


def sign_discharge(
    services: Services,
    context: RequestContext,
    *,
    assessment_id: uuid.UUID,
    statement: str,
) -> DischargeRecord:
    """Sign an assessment that found the patient ready: the patient may go home.

    Raises
    ------
    AccessError
        Unless the user is a physician or a nurse.
    InputError
        When the assessment found the patient not ready, or the statement is empty.
    ConflictError
        When it is already signed.
    """
    require_role(context, UserRole.PHYSICIAN, UserRole.NURSE)
    if not isinstance(statement, str) or not statement.strip():
        msg = f"`statement` must be a non-empty text to sign a discharge (got {statement!r})."
        raise InputError(msg, field="statement", value=statement)
    with services.unit_of_work() as session:
        record = _assessment(session, context, assessment_id, for_writing=True)
        if not record.result.ready:
            reasons = " ".join(f"{f.rule_id}: {f.message}" for f in record.result.findings)
            msg = f"The assessment found the patient not ready, so it cannot be signed. {reasons}"
            raise InputError(msg, field="assessment_id", value=str(assessment_id))
        if record.signature is not None:
            raise ConflictError(f"Discharge assessment {assessment_id} is already signed.")
        repo = DischargeRepository(session, context.to_actor())
        repo.sign(assessment_id, role=context.role, statement=statement, signed_at=services.now())
        return repo.get(assessment_id)


def get_discharge(
    services: Services, context: RequestContext, *, assessment_id: uuid.UUID
) -> DischargeRecord:
    """Return a discharge assessment with its result and signature."""
    require_role(context, *CLINICAL_ROLES)
    with services.unit_of_work() as session:
        return _assessment(session, context, assessment_id, for_writing=False)
