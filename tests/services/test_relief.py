"""A patient's relief duration per finished course: ended, censored, 0 days, missing data, a
later course closing the earlier one's measurement, and who may read it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.services.conftest import T0, signed_plan, started_session

from ketapath.clinical.codes import Indication
from ketapath.errors import AccessError, NotFoundError
from ketapath.services.care import followups, relief, sessions
from ketapath.services.clinic import research
from ketapath.services.context import UserRole

SESSION_H = 4.0
"""Each course is one session from T0 of this many hours."""


def _rate(world, patient_id, points, at):
    followups.record_response(
        world.services,
        world.nurse,
        patient_id=patient_id,
        instrument="nrs",
        answers=[points],
        completed_at=at,
    )


def _course(world, clock, patient_id, *, start=T0, stop=True):
    """One signed plan and one session from `start`; return when it stopped (or None)."""
    clock.now = start
    sid = started_session(world, signed_plan(world, patient_id))
    if not stop:
        return None
    ended = clock.advance(hours=SESSION_H)
    sessions.stop_session(world.services, world.nurse, session_id=sid, reason="completed")
    return ended


def _followed(world, clock, mrn, ratings, *, baseline=8):
    """A patient with a baseline NRS, one finished course and ratings at (days after, points)."""
    patient_id = world.add_patient(mrn)
    if baseline is not None:
        _rate(world, patient_id, baseline, T0 - timedelta(hours=1))
    ended = _course(world, clock, patient_id)
    for days, points in ratings:
        _rate(world, patient_id, points, ended + timedelta(days=days))
    return patient_id


def _only(world, patient_id):
    found = relief.list_course_relief(world.services, world.physician, patient_id=patient_id)
    assert len(found.courses) == 1
    return found.courses[0]


def test_relief_ends_at_the_first_follow_up_without_30_pct_relief(world, clock):
    # after 8: 3 and 4 points are >= 50 % relief, 6 points only 25 %
    patient_id = _followed(world, clock, "R-END", [(1, 3), (7, 4), (14, 6), (21, 2)])
    course = _only(world, patient_id)
    assert course.relief is not None
    assert (course.relief.days, course.relief.censored) == (14.0, False)
    assert (course.baseline_nrs_points, course.baseline_at) == (8.0, T0 - timedelta(hours=1))
    assert (course.sessions, course.follow_up_ratings, course.missing) == (1, 4, None)
    assert course.ended_at == T0 + timedelta(hours=SESSION_H)
    assert course.protocol == "outpatient_crps"


def test_relief_still_present_at_the_last_follow_up_is_censored_there(world, clock):
    patient_id = _followed(world, clock, "R-CENS", [(2, 4), (30.5, 5)])  # 5 after 8: 37.5 %
    course = _only(world, patient_id)
    assert course.relief is not None
    assert (course.relief.days, course.relief.censored) == (30.5, True)


def test_no_relief_at_the_first_follow_up_lasts_0_days(world, clock):
    patient_id = _followed(world, clock, "R-NONE", [(3, 7), (10, 2)])
    course = _only(world, patient_id)
    assert course.relief is not None
    assert (course.relief.days, course.relief.censored) == (0.0, False)


@pytest.mark.parametrize(
    ("baseline", "ratings", "missing"),
    [
        (None, [(1, 3)], "no baseline"),
        (0, [(1, 0)], "Baseline pain NRS is 0 points"),
        (8, [], "No pain NRS after the course's last session yet"),
    ],
    ids=["without a baseline", "with a baseline of 0", "without a follow-up rating"],
)
def test_a_course_without_the_data_has_no_duration_and_says_why(
    world, clock, baseline, ratings, missing
):
    patient_id = _followed(world, clock, "R-MISS", ratings, baseline=baseline)
    course = _only(world, patient_id)
    assert course.relief is None
    assert missing in course.missing


def test_a_course_still_infusing_is_not_finished_and_not_listed(world, clock):
    patient_id = world.add_patient("R-RUN")
    _rate(world, patient_id, 8, T0 - timedelta(hours=1))
    _course(world, clock, patient_id, stop=False)
    found = relief.list_course_relief(world.services, world.nurse, patient_id=patient_id)
    assert found.courses == ()


def test_a_later_course_closes_the_measurement_of_the_earlier_one(world, clock):
    patient_id = _followed(world, clock, "R-TWO", [(7, 3), (20, 4)])
    second = T0 + timedelta(days=30)
    # A booster course while relief lasts: its baseline (4 after 8) is still relief for the first.
    _rate(world, patient_id, 4, second - timedelta(hours=1))
    ended = _course(world, clock, patient_id, start=second)
    _rate(world, patient_id, 2, ended + timedelta(days=5))  # 2 after 4: relief, censored

    found = relief.list_course_relief(world.services, world.physician, patient_id=patient_id)
    first, later = found.courses
    # The first course's relief is censored at its last rating before the second course began
    # (30 days after T0, less the 4-h session and 1 h), not carried on by the later rating.
    assert first.relief is not None
    assert first.relief.censored is True
    assert first.relief.days == pytest.approx(30 - 5 / 24, abs=1e-9)  # float days, no rounding
    assert first.follow_up_ratings == 3
    assert later.relief is not None
    assert (later.baseline_nrs_points, later.relief.days, later.relief.censored) == (4.0, 5.0, True)
    assert later.first_started_at == second


def test_a_rating_before_the_next_course_can_end_the_earlier_relief(world, clock):
    patient_id = _followed(world, clock, "R-NEXT", [(7, 3)])
    second = T0 + timedelta(days=30)
    _rate(world, patient_id, 7, second - timedelta(hours=1))  # 7 after 8: relief is over
    _course(world, clock, patient_id, start=second)
    first, later = relief.list_course_relief(
        world.services, world.physician, patient_id=patient_id
    ).courses
    assert first.relief is not None
    assert first.relief.censored is False
    assert first.relief.days == pytest.approx(30 - 5 / 24, abs=1e-9)
    assert later.relief is None
    assert "No pain NRS after the course's last session yet" in later.missing


def test_a_course_with_no_rating_before_the_next_one_says_so(world, clock):
    patient_id = _followed(world, clock, "R-GAP", [])
    ended = _course(world, clock, patient_id, start=T0 + timedelta(days=10))
    _rate(world, patient_id, 3, ended + timedelta(days=2))
    first, later = relief.list_course_relief(
        world.services, world.nurse, patient_id=patient_id
    ).courses
    assert first.relief is None
    assert first.missing == "No pain NRS between the course's last session and the next course."
    # The later course's baseline is the last rating before it: the first course's, 8 points.
    assert later.relief is not None
    assert (later.baseline_nrs_points, later.relief.days, later.relief.censored) == (8.0, 2.0, True)


def test_a_single_course_agrees_with_the_clinic_outcomes_measure(world, clock):
    patient_id = _followed(world, clock, "R-SAME", [(1, 3), (7, 4), (14, 6)])
    course = _only(world, patient_id)
    with world.services.unit_of_work() as session:
        (outcome,) = research.patient_courses(session, world.physician, patient_id)
    assert outcome.indication is Indication.CRPS
    assert outcome.relief == course.relief


def test_the_result_names_its_rule_source_and_threshold(world, clock):
    patient_id = _followed(world, clock, "R-RULE", [(1, 3)])
    found = relief.list_course_relief(world.services, world.nurse, patient_id=patient_id)
    assert (found.rule.id, found.threshold_pct) == ("OUT-2", 30.0)
    assert "IMMPACT2008" in found.rule.sources
    assert "at least 30 % below the course's baseline" in found.method


@pytest.mark.parametrize("role", [UserRole.RESEARCHER, UserRole.ADMIN], ids=lambda r: f"a {r}")
def test_only_physicians_and_nurses_read_a_patients_relief(world, role):
    patient_id = world.add_patient("R-ROLE")
    with pytest.raises(AccessError):
        relief.list_course_relief(world.services, world.users[role], patient_id=patient_id)


def test_a_patient_of_another_clinic_is_not_found(world):
    patient_id = world.add_patient("R-AWAY", clinic_id=world.other_clinic_id)
    with pytest.raises(NotFoundError):
        relief.list_course_relief(world.services, world.physician, patient_id=patient_id)
