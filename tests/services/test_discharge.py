"""Discharge: readiness from the chart (Aldrete, PADSS, observation time, escort), and signing.

The session ran 24.5 mg/h from 08:00 and was stopped at 12:00; the baseline was SBP 120 mmHg,
HR 70 /min. Racemic ketamine needs >= 60 min of observation after the last dose (DIS-1).
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from tests.services.conftest import (
    T0,
    audit_count,
    count_rows,
    signed_plan,
    started_session,
    vitals,
)

from ketapath.errors import AccessError, ConflictError, DataError, InputError, NotFoundError
from ketapath.services.care import discharge, sessions
from ketapath.services.care.discharge import AldreteObservation, PadssObservation
from ketapath.store.repositories import DischargeRepository
from ketapath.store.tables import DischargeAssessment, UserRole

STOPPED_AT = T0 + timedelta(hours=4)
GOOD_ALDRETE = AldreteObservation(activity=2, respiration=2, consciousness=2, on_oxygen=False)
GOOD_PADSS = PadssObservation(activity=2, pain_nausea=2, bleeding=2, intake_output=2)


@pytest.fixture
def session_id(world, clock):
    sid = started_session(world, signed_plan(world, world.add_patient("MRN-1")))
    sessions.change_rate(world.services, world.nurse, session_id=sid, rate_mg_per_h=24.5)
    clock.advance(hours=4)
    sessions.stop_session(world.services, world.nurse, session_id=sid, reason="completed")
    return sid


def _recovery(world, session_id, **overrides):
    sessions.record_vitals(
        world.services,
        world.nurse,
        session_id=session_id,
        vitals=vitals(STOPPED_AT + timedelta(minutes=30), **overrides),
    )


def _assess(world, session_id, *, aldrete=GOOD_ALDRETE, **criteria):
    inputs = {"escort_present": True, "patient_driving": False, "follow_up_booked": True}
    inputs.update(criteria)
    return discharge.assess_readiness(
        world.services,
        world.nurse,
        session_id=session_id,
        aldrete=aldrete,
        padss=GOOD_PADSS,
        **inputs,
    )


def _rules(assessment):
    return [f.rule_id for f in assessment.record.result.findings]


def test_assess_while_the_infusion_runs_is_a_conflict(world):
    sid = started_session(world, signed_plan(world, world.add_patient("MRN-1")))
    with pytest.raises(ConflictError, match="stop it"):
        _assess(world, sid)


@pytest.mark.parametrize(
    ("minutes_after_stop", "ready"),
    [(59, False), (60, True)],
    ids=["59 min after the last dose is too early", "60 min after the last dose is ready"],
)
def test_assess_counts_the_observation_from_the_end_of_the_last_dose(
    world, session_id, clock, minutes_after_stop, ready
):
    _recovery(world, session_id)
    clock.now = STOPPED_AT + timedelta(minutes=minutes_after_stop)
    assessment = _assess(world, session_id)
    assert assessment.record.result.ready is ready
    assert _rules(assessment) == ([] if ready else ["DIS-1"])
    assert assessment.record.result.earliest_at == STOPPED_AT + timedelta(hours=1)


@pytest.mark.parametrize(
    ("current_sbp_mmhg", "circulation", "ready"),
    [(144.0, 2, True), (145.0, 1, False)],
    ids=["SBP 20 % above pre-dose scores 2", "SBP 20.8 % above pre-dose scores 1"],
)
def test_assess_scores_aldrete_circulation_from_the_chart(
    world, session_id, clock, current_sbp_mmhg, circulation, ready
):
    _recovery(world, session_id, sbp_mmhg=current_sbp_mmhg)
    clock.now = STOPPED_AT + timedelta(hours=1)
    drowsy = dataclasses.replace(GOOD_ALDRETE, consciousness=1)
    assessment = _assess(world, session_id, aldrete=drowsy)
    assert assessment.aldrete.circulation == circulation
    assert assessment.record.aldrete_total == 8 + circulation - 1
    assert ("DIS-2" in _rules(assessment)) is not ready


@pytest.mark.parametrize(
    ("criteria", "rule", "ready"),
    [
        ({"escort_present": False}, "DIS-4", False),
        ({"patient_driving": True}, "DIS-5", False),
        ({"follow_up_booked": False}, "DIS-6", True),
    ],
    ids=["no escort blocks", "driving today blocks", "no follow-up booked only warns"],
)
def test_assess_checks_escort_driving_and_follow_up(
    world, session_id, clock, criteria, rule, ready
):
    _recovery(world, session_id)
    clock.now = STOPPED_AT + timedelta(hours=1)
    assessment = _assess(world, session_id, **criteria)
    assert (_rules(assessment), assessment.record.result.ready) == ([rule], ready)


def test_assess_without_a_current_spo2_is_refused(world, session_id, clock):
    _recovery(world, session_id, spo2_pct=None)
    clock.now = STOPPED_AT + timedelta(hours=1)
    with pytest.raises(DataError, match="spo2_pct"):
        _assess(world, session_id)


def test_sign_a_ready_assessment_records_the_nurse_and_is_once_only(world, session_id, clock):
    _recovery(world, session_id)
    clock.now = STOPPED_AT + timedelta(hours=1)
    assessment = _assess(world, session_id)
    signed = discharge.sign_discharge(
        world.services,
        world.nurse,
        assessment_id=assessment.record.id,
        statement="Criteria met; escort present.",
    )
    assert signed.signature is not None
    assert (signed.signature.role, signed.signature.signed_by) == (
        UserRole.NURSE,
        world.nurse.user_id,
    )
    with pytest.raises(ConflictError):
        discharge.sign_discharge(
            world.services, world.physician, assessment_id=assessment.record.id, statement="Again"
        )


def test_sign_a_not_ready_assessment_is_refused_with_the_reasons(world, session_id, clock):
    _recovery(world, session_id)
    clock.now = STOPPED_AT + timedelta(hours=1)
    assessment = _assess(world, session_id, escort_present=False)
    with pytest.raises(InputError, match="DIS-4"):
        discharge.sign_discharge(
            world.services, world.physician, assessment_id=assessment.record.id, statement="Go"
        )
    fetched = discharge.get_discharge(
        world.services, world.nurse, assessment_id=assessment.record.id
    )
    assert fetched.signature is None


def test_sign_needs_a_statement_and_a_clinician(world, session_id, clock):
    _recovery(world, session_id)
    clock.now = STOPPED_AT + timedelta(hours=1)
    assessment_id = _assess(world, session_id).record.id
    with pytest.raises(InputError):
        discharge.sign_discharge(
            world.services, world.nurse, assessment_id=assessment_id, statement=" "
        )
    for role in (UserRole.RESEARCHER, UserRole.ADMIN):
        with pytest.raises(AccessError):
            discharge.sign_discharge(
                world.services, world.users[role], assessment_id=assessment_id, statement="Go"
            )


def test_a_discharge_of_another_clinic_is_not_found(world, session_id, clock):
    _recovery(world, session_id)
    clock.now = STOPPED_AT + timedelta(hours=1)
    assessment_id = _assess(world, session_id).record.id
    stranger = dataclasses.replace(world.nurse, clinic_id=world.other_clinic_id)
    with pytest.raises(NotFoundError):
        discharge.get_discharge(world.services, stranger, assessment_id=assessment_id)


def test_failed_assessment_leaves_nothing_half_written(
    world, session_id, clock, connection, monkeypatch
):
    _recovery(world, session_id)
    clock.now = STOPPED_AT + timedelta(hours=1)
    before = count_rows(connection, DischargeAssessment), audit_count(connection)

    def fail(*_args, **_kwargs):
        raise RuntimeError("connection lost")

    monkeypatch.setattr(DischargeRepository, "get", fail)  # after the assessment is written
    with pytest.raises(RuntimeError):
        _assess(world, session_id)
    assert (count_rows(connection, DischargeAssessment), audit_count(connection)) == before
