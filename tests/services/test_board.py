"""The chair board of the day and a patient's course with its cumulative exposure.

A session of the outpatient CRPS plan starts at 08:00 (T0) at 24.5 mg/h; SpO2 89 % at 08:15
fires MON-4 (stop); a normal reading at 08:30 closes it. 24.5 mg/h for 2 h gives 49 mg.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.services.conftest import T0, infusion, signed_plan, started_session, vitals

from ketapath.clinical.observations import SedationScore
from ketapath.errors import AccessError, NotFoundError
from ketapath.services.care import discharge, sessions
from ketapath.services.care.discharge import AldreteObservation, PadssObservation
from ketapath.services.clinic import board
from ketapath.store.tables import UserRole

RATE_MG_PER_H = 24.5
GOOD_ALDRETE = AldreteObservation(activity=2, respiration=2, consciousness=2, on_oxygen=False)
GOOD_PADSS = PadssObservation(activity=2, pain_nausea=2, bleeding=2, intake_output=2)


def _columns(found: board.Board) -> dict[str, list[str]]:
    return {
        "booked": [b.patient.mrn for b in found.booked],
        "in_session": [c.patient.mrn for c in found.in_session],
        "in_recovery": [c.patient.mrn for c in found.in_recovery],
        "ready_for_discharge": [c.patient.mrn for c in found.ready_for_discharge],
        "discharged_today": [c.patient.mrn for c in found.discharged_today],
    }


@pytest.fixture
def running(world):
    """MRN-1 infusing at 24.5 mg/h since 08:00; MRN-2 with a signed plan and no session."""
    sid = started_session(world, signed_plan(world, world.add_patient("MRN-1")))
    sessions.change_rate(world.services, world.nurse, session_id=sid, rate_mg_per_h=RATE_MG_PER_H)
    signed_plan(world, world.add_patient("MRN-2"))
    return sid


def _chart(world, sid, reading):
    """Chart `reading` with a MOAA/S of 5 taken with it (MON-14 asks for one every 15 min)."""
    score = SedationScore(time=reading.time, moaas=5)
    sessions.record_vitals(
        world.services, world.nurse, session_id=sid, vitals=reading, sedation=score
    )


def _read(world, role=UserRole.NURSE):
    return board.today_board(world.services, world.users[role])


def test_board_signed_plan_without_session_is_booked_and_a_started_one_is_in_session(
    world, running
):
    assert _columns(_read(world)) == {
        "booked": ["MRN-2"],
        "in_session": ["MRN-1"],
        "in_recovery": [],
        "ready_for_discharge": [],
        "discharged_today": [],
    }


def test_board_in_session_card_shows_elapsed_time_rate_and_given_mg(world, running, clock):
    clock.advance(hours=2)
    (card,) = _read(world).in_session
    assert card.elapsed_min == pytest.approx(120.0)
    assert card.rate_mg_per_h == pytest.approx(RATE_MG_PER_H)
    assert card.given_mg == pytest.approx(RATE_MG_PER_H * 2)
    assert card.chair == "Chair 3"


@pytest.mark.parametrize(
    ("spo2_pct", "open_rules"),
    [(90.0, ["MON-4"]), (89.0, ["MON-4"]), (98.0, [])],
    ids=["SpO2 90 % alerts", "SpO2 89 % stops", "SpO2 98 % raises nothing"],
)
def test_board_alarm_of_the_latest_reading_is_open(world, running, clock, spo2_pct, open_rules):
    at = clock.advance(minutes=15)
    reading = vitals(at, spo2_pct=spo2_pct)
    _chart(world, running, reading)
    (card,) = _read(world).in_session
    assert [alarm.finding.rule_id for alarm in card.open_alarms] == open_rules
    assert card.last_vitals == reading


def test_board_alarm_is_closed_by_a_later_normal_reading(world, running, clock):
    low = vitals(clock.advance(minutes=15), spo2_pct=89.0)
    _chart(world, running, low)
    normal = vitals(clock.advance(minutes=15))
    _chart(world, running, normal)
    (card,) = _read(world).in_session
    assert card.open_alarms == ()


def _stop(world, sid, clock):
    clock.advance(hours=2)
    sessions.stop_session(world.services, world.nurse, session_id=sid, reason="completed")


def _assess(world, sid):
    return discharge.assess_readiness(
        world.services,
        world.nurse,
        session_id=sid,
        aldrete=GOOD_ALDRETE,
        padss=GOOD_PADSS,
        escort_present=True,
        patient_driving=False,
        follow_up_booked=True,
    )


def test_board_stopped_session_is_in_recovery_then_ready_then_discharged_today(
    world, running, clock
):
    _stop(world, running, clock)
    assert _columns(_read(world))["in_recovery"] == ["MRN-1"]
    clock.advance(minutes=59)
    sessions.record_vitals(
        world.services, world.nurse, session_id=running, vitals=vitals(clock.now)
    )
    assert not _assess(world, running).record.result.ready
    assert _columns(_read(world))["in_recovery"] == ["MRN-1"]
    clock.advance(minutes=1)
    ready = _assess(world, running)
    assert _columns(_read(world))["ready_for_discharge"] == ["MRN-1"]
    discharge.sign_discharge(
        world.services, world.nurse, assessment_id=ready.record.id, statement="fit to go home"
    )
    found = _read(world)
    assert _columns(found) == {
        "booked": ["MRN-2"],
        "in_session": [],
        "in_recovery": [],
        "ready_for_discharge": [],
        "discharged_today": ["MRN-1"],
    }
    (card,) = found.discharged_today
    assert card.discharge is not None
    assert card.discharge.signature is not None
    assert card.discharge.signature.statement == "fit to go home"


def _discharge(world, sid, clock):
    """Stop `sid` two hours in, then assess (an hour later) and sign the discharge."""
    _stop(world, sid, clock)
    clock.advance(hours=1)
    sessions.record_vitals(world.services, world.nurse, session_id=sid, vitals=vitals(clock.now))
    ready = _assess(world, sid)
    discharge.sign_discharge(
        world.services, world.nurse, assessment_id=ready.record.id, statement="fit to go home"
    )


def _booked(world):
    return {b.patient.mrn: (b.session_number, b.course_sessions) for b in _read(world).booked}


def test_board_discharged_session_leaves_the_next_day_and_its_course_is_booked_again(
    world, running, clock
):
    _discharge(world, running, clock)
    clock.now = T0 + timedelta(days=1)  # Tuesday 08:00: the second of ten CRPS sessions
    assert _columns(_read(world))["discharged_today"] == []
    assert _booked(world) == {"MRN-1": (2, 10), "MRN-2": (1, 10)}


def test_board_course_whose_sessions_are_all_given_is_never_booked_again(world, clock):
    one = signed_plan(world, world.add_patient("MRN-7"), orders=[infusion(0.3, duration_h=2.0)])
    assert _booked(world) == {"MRN-7": (1, 1)}
    sid = started_session(world, one)
    sessions.change_rate(world.services, world.nurse, session_id=sid, rate_mg_per_h=21.0)
    _discharge(world, sid, clock)
    for days in (0, 1, 30):
        clock.now = T0 + timedelta(days=days, hours=6)
        assert "MRN-7" not in _booked(world), f"{days} days later"


@pytest.mark.parametrize(
    ("days_later", "booked"),
    [(1, True), (7, True), (8, False), (60, False)],
    ids=[
        "the next day it is booked",
        "a week later it is still booked",
        "eight days later it has lapsed",
        "sixty days later it has lapsed",
    ],
)
def test_board_begun_course_lapses_a_week_after_its_latest_session(
    world, running, clock, days_later, booked
):
    _discharge(world, running, clock)
    clock.now = T0 + timedelta(days=days_later)
    assert ("MRN-1" in _booked(world)) is booked


def test_board_signed_plan_without_a_session_stays_booked_however_long_ago_it_was_signed(
    world, running, clock
):
    clock.now = T0 + timedelta(days=90)
    assert _booked(world)["MRN-2"] == (1, 10)


def test_board_yesterdays_session_is_not_on_todays_board(world, running, clock):
    _stop(world, running, clock)
    clock.advance(days=1)
    assert _columns(_read(world))["in_recovery"] == []


@pytest.mark.parametrize("role", [UserRole.ADMIN, UserRole.RESEARCHER], ids=str)
def test_board_other_roles_are_refused(world, role):
    with pytest.raises(AccessError):
        _read(world, role)


def test_course_exposure_counts_the_infusion_given_until_now(world, running, clock):
    clock.advance(hours=1)
    patient_id = _read(world).in_session[0].patient.id
    course = board.patient_course(world.services, world.nurse, patient_id=patient_id)
    (row,) = course.sessions
    assert row.given_mg == pytest.approx(RATE_MG_PER_H)
    assert course.exposure.total_mg == pytest.approx(RATE_MG_PER_H)
    assert dict(course.exposure.by_year_mg) == {T0.year: pytest.approx(RATE_MG_PER_H)}
    assert list(course.exposure.by_course_mg.values()) == [pytest.approx(RATE_MG_PER_H)]


def test_course_of_a_patient_without_sessions_is_empty(world):
    patient_id = world.add_patient("MRN-9")
    course = board.patient_course(world.services, world.physician, patient_id=patient_id)
    assert course.sessions == ()
    assert course.exposure.total_mg == 0


def test_course_of_another_clinics_patient_is_not_found(world):
    patient_id = world.add_patient("MRN-X", clinic_id=world.other_clinic_id)
    with pytest.raises(NotFoundError):
        board.patient_course(world.services, world.nurse, patient_id=patient_id)


def test_board_session_started_before_midnight_and_still_running_stays_in_session(world, clock):
    clock.now = T0 - timedelta(hours=9)  # 23:00 the day before
    sid = started_session(world, signed_plan(world, world.add_patient("MRN-5")))
    clock.now = T0
    assert [c.session_id for c in _read(world).in_session] == [sid]


def test_board_card_paused_this_instant_shows_no_rate_and_what_was_given(world, running, clock):
    paused_at = clock.advance(hours=1)
    sessions.pause_session(world.services, world.nurse, session_id=running, reason="nausea")
    (card,) = _read(world).in_session  # read at the pause time itself: the segment ended then
    assert (card.paused_at, card.pause_reason) == (paused_at, "nausea")
    assert card.rate_mg_per_h is None
    assert card.given_mg == pytest.approx(RATE_MG_PER_H)
