"""Follow-up: scored questionnaires and their safety flags, contacts, screens, outcomes."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from tests.services.conftest import (
    T0,
    audit_count,
    count_rows,
    signed_plan,
    started_session,
)

from ketapath.clinical.outcomes import ChangeCategory
from ketapath.clinical.safety import DependenceScreen
from ketapath.clinical.toxicity import UrinaryScreen
from ketapath.errors import AccessError, ConflictError, InputError, NotFoundError
from ketapath.services.care import followups, sessions
from ketapath.store.repositories import FollowUpRepository
from ketapath.store.tables import FollowUp, InstrumentResponseEntry, SafetyFlag
from ketapath.store.tables.followup import SafetyScreen

NO_SIGNALS = {
    "tolerance": False,
    "craving": False,
    "street_use": False,
    "social_withdrawal": False,
    "withdrawal_symptoms": False,
}
NO_SYMPTOMS = {
    "frequency_or_nocturia": False,
    "urgency": False,
    "bladder_pain": False,
    "dysuria": False,
    "haematuria": False,
    "incontinence": False,
}


def _respond(world, patient_id, instrument, answers, completed_at=T0, **kwargs):
    return followups.record_response(
        world.services,
        world.nurse,
        patient_id=patient_id,
        instrument=instrument,
        answers=answers,
        completed_at=completed_at,
        **kwargs,
    )


@pytest.mark.parametrize(
    ("item_9", "flagged"),
    [(0, False), (1, True)],
    ids=["PHQ-9 item 9 at 0 raises nothing", "PHQ-9 item 9 at 1 raises a same-day flag"],
)
def test_phq9_item_9_above_0_raises_a_same_day_safety_flag(world, connection, item_9, flagged):
    patient_id = world.add_patient("MRN-1")
    recorded = _respond(world, patient_id, "phq9", [1, 1, 1, 1, 1, 1, 1, 1, item_9])
    assert recorded.score.total == 8 + item_9
    assert [f.finding.rule_id for f in recorded.flags] == (["OUT-5"] if flagged else [])
    assert (recorded.follow_up_id is not None) is flagged
    with world.services.unit_of_work() as session:
        booked = FollowUpRepository(session, world.nurse.to_actor()).list_follow_ups(patient_id)
    assert [(f.record.due_on, f.record.completed_at) for f in booked] == (
        [(T0.date(), None)] if flagged else []
    )
    assert count_rows(connection, SafetyFlag) == int(flagged)


def test_a_response_with_a_wrong_answer_is_refused_and_nothing_is_stored(world, connection):
    patient_id = world.add_patient("MRN-1")
    before = count_rows(connection, InstrumentResponseEntry), audit_count(connection)
    with pytest.raises(InputError) as raised:
        _respond(world, patient_id, "phq9", [1, 1, 1, 1, 1, 1, 1, 1, 4])
    assert raised.value.field == "phq9.item_9"
    assert (count_rows(connection, InstrumentResponseEntry), audit_count(connection)) == before


def test_a_response_for_a_session_of_another_patient_is_not_found(world):
    patient_id = world.add_patient("MRN-1")
    with pytest.raises(NotFoundError):
        _respond(world, patient_id, "nrs", [5], session_id=uuid.uuid4())


def test_record_contact_completes_a_booked_follow_up_once(world, clock):
    patient_id = world.add_patient("MRN-1")
    follow_up_id = followups.schedule_follow_up(
        world.services, world.nurse, patient_id=patient_id, due_on=date(2024, 5, 13), method="phone"
    )
    clock.now = T0 + timedelta(days=7)
    done = followups.record_contact(
        world.services,
        world.nurse,
        patient_id=patient_id,
        notes="Pain 4/10, sleeping better.",
        follow_up_id=follow_up_id,
    )
    assert (done.id, done.record.completed_at) == (follow_up_id, clock.now)
    assert done.record.notes == "Pain 4/10, sleeping better."
    with pytest.raises(ConflictError):
        followups.record_contact(
            world.services,
            world.nurse,
            patient_id=patient_id,
            notes="again",
            follow_up_id=follow_up_id,
        )


def test_record_contact_without_a_booking_records_an_unplanned_contact(world, connection):
    patient_id = world.add_patient("MRN-1")
    done = followups.record_contact(
        world.services, world.nurse, patient_id=patient_id, notes="Called in.", method="video"
    )
    assert (done.record.due_on, str(done.record.method)) == (T0.date(), "video")
    assert count_rows(connection, FollowUp) == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("notes", " "), ("method", "pigeon")],
    ids=["empty notes are refused", "an unknown method is refused"],
)
def test_record_contact_refuses_bad_input_naming_the_field(world, field, value):
    patient_id = world.add_patient("MRN-1")
    inputs = {"notes": "Called.", "method": "phone", field: value}
    with pytest.raises(InputError) as raised:
        followups.record_contact(world.services, world.nurse, patient_id=patient_id, **inputs)
    assert raised.value.field == field


@pytest.mark.parametrize(
    ("signals", "expected"),
    [
        ({}, []),
        ({"craving": True}, ["DEP-2", "DEP-8"]),
        ({"street_use": True}, ["DEP-3", "DEP-8"]),
    ],
    ids=["no signal raises nothing", "one signal: review", "street use: HIGH alert"],
)
def test_dependence_screen_flags_each_signal(world, signals, expected):
    patient_id = world.add_patient("MRN-1")
    screen = DependenceScreen(time=T0, **{**NO_SIGNALS, **signals})
    result = followups.record_dependence_screen(
        world.services, world.nurse, patient_id=patient_id, screen=screen
    )
    assert [f.finding.rule_id for f in result.flags] == expected
    outcomes = followups.list_outcomes(world.services, world.nurse, patient_id=patient_id)
    assert [f.record.finding.rule_id for f in outcomes.flags] == expected


@pytest.mark.parametrize(
    ("symptoms", "expected"),
    [({}, []), ({"dysuria": True}, ["TOX-U4"])],
    ids=["no urinary symptom raises nothing", "dysuria suspends ketamine"],
)
def test_urinary_screen_flags_a_positive_answer(world, symptoms, expected):
    patient_id = world.add_patient("MRN-1")
    screen = UrinaryScreen(time=T0, **{**NO_SYMPTOMS, **symptoms})
    result = followups.record_urinary_screen(
        world.services, world.nurse, patient_id=patient_id, screen=screen
    )
    assert [(f.finding.rule_id, str(f.finding.level)) for f in result.flags] == [
        (rule, "HARD") for rule in expected
    ]


def test_list_outcomes_gives_change_from_the_baseline_before_the_first_session(world, clock):
    patient_id = world.add_patient("MRN-1")
    _respond(world, patient_id, "nrs", [6], completed_at=T0 - timedelta(days=30))
    _respond(world, patient_id, "nrs", [8], completed_at=T0 - timedelta(days=1))  # baseline
    started_session(world, signed_plan(world, patient_id))
    ratings = {7: 6, 14: 5, 21: 4, 28: 9}  # days after: 25 %, 37.5 %, 50 %, worse
    for day, rating in ratings.items():
        _respond(world, patient_id, "nrs", [rating], completed_at=T0 + timedelta(days=day))
    _respond(world, patient_id, "pgic", [2], completed_at=T0 + timedelta(days=7))
    outcomes = followups.list_outcomes(world.services, world.physician, patient_id=patient_id)
    assert (outcomes.baseline_nrs_points, outcomes.baseline_at) == (8, T0 - timedelta(days=1))
    assert [(p.nrs_points, p.change.category) for p in outcomes.points if p.change] == [
        (6, ChangeCategory.MINIMAL),
        (5, ChangeCategory.MODERATE),
        (4, ChangeCategory.SUBSTANTIAL),
        (9, ChangeCategory.WORSE),
    ]
    assert [r.instrument for r in outcomes.responses].count("pgic") == 1


def test_list_outcomes_without_a_session_uses_the_first_rating_and_a_zero_baseline_has_no_change(
    world,
):
    patient_id = world.add_patient("MRN-1")
    _respond(world, patient_id, "nrs", [0], completed_at=T0)
    _respond(world, patient_id, "nrs", [3], completed_at=T0 + timedelta(days=7))
    outcomes = followups.list_outcomes(world.services, world.nurse, patient_id=patient_id)
    assert outcomes.baseline_nrs_points == 0
    assert [(p.nrs_points, p.change) for p in outcomes.points] == [(3, None)]


@pytest.mark.parametrize("role", ["researcher", "admin"])
def test_follow_up_data_is_not_shown_to_researchers_or_admins(world, role):
    patient_id = world.add_patient("MRN-1")
    with pytest.raises(AccessError):
        followups.list_outcomes(world.services, world.users[role], patient_id=patient_id)


def test_failed_response_write_leaves_nothing_half_written(world, connection, monkeypatch):
    patient_id = world.add_patient("MRN-1")
    tables = (InstrumentResponseEntry, SafetyFlag, FollowUp)
    before = [count_rows(connection, t) for t in tables], audit_count(connection)

    def fail(*_args, **_kwargs):
        raise RuntimeError("connection lost")

    # The response and its flag are written, then booking the same-day follow-up fails.
    monkeypatch.setattr(FollowUpRepository, "schedule", fail)
    with pytest.raises(RuntimeError):
        _respond(world, patient_id, "phq9", [0, 0, 0, 0, 0, 0, 0, 0, 2])
    assert ([count_rows(connection, t) for t in tables], audit_count(connection)) == before


def test_the_dependence_screen_reads_the_dose_trend_of_every_session(world, clock):
    patient_id = world.add_patient("MRN-1")
    plan = signed_plan(world, patient_id)
    for week, rate in enumerate((15.0, 18.0, 21.0, 24.0)):  # 60, 72, 84, 96 mg: escalating
        clock.now = T0 + timedelta(days=7 * week)
        sid = started_session(world, plan)
        sessions.change_rate(world.services, world.nurse, session_id=sid, rate_mg_per_h=rate)
        clock.advance(hours=4)
        sessions.stop_session(world.services, world.nurse, session_id=sid, reason="completed")
    screen = DependenceScreen(time=clock.now, **NO_SIGNALS)
    result = followups.record_dependence_screen(
        world.services, world.nurse, patient_id=patient_id, screen=screen
    )
    assert [f.rule_id for f in result.findings] == ["DEP-1", "DEP-8"]


def _screen_dependence(world, patient_id, at, **signals):
    screen = DependenceScreen(time=at, **{**NO_SIGNALS, **signals})
    return followups.record_dependence_screen(
        world.services, world.nurse, patient_id=patient_id, screen=screen
    )


def _screen_urinary(world, patient_id, at, **symptoms):
    screen = UrinaryScreen(time=at, **{**NO_SYMPTOMS, **symptoms})
    return followups.record_urinary_screen(
        world.services, world.nurse, patient_id=patient_id, screen=screen
    )


def test_negative_screens_are_stored_and_listed_newest_first(world, connection):
    patient_id = world.add_patient("MRN-1")
    urinary = _screen_urinary(world, patient_id, T0 + timedelta(days=7))
    dependence = _screen_dependence(world, patient_id, T0)  # asked earlier, recorded later
    assert (urinary.flags, dependence.flags, count_rows(connection, SafetyFlag)) == ((), (), 0)

    found = followups.list_screens(world.services, world.physician, patient_id=patient_id)

    assert [(s.id, s.record.kind, s.record.screened_at) for s in found.screens] == [
        (urinary.screen_id, followups.ScreenKind.URINARY, T0 + timedelta(days=7)),
        (dependence.screen_id, followups.ScreenKind.DEPENDENCE, T0),
    ]
    assert [s.record.has_signal for s in found.screens] == [False, False]
    assert dict(found.screens[1].record.answers) == NO_SIGNALS
    assert {s.recorded_by for s in found.screens} == {world.nurse.user_id}
    assert count_rows(connection, SafetyScreen) == 2


def test_a_positive_screen_keeps_its_answers_and_findings_beside_its_flags(world):
    patient_id = world.add_patient("MRN-1")
    result = _screen_urinary(world, patient_id, T0, dysuria=True, haematuria=True)
    (stored,) = followups.list_screens(world.services, world.nurse, patient_id=patient_id).screens
    assert stored.id == result.screen_id
    assert [k for k, yes in stored.record.answers.items() if yes] == ["dysuria", "haematuria"]
    assert stored.record.findings == result.findings == tuple(f.finding for f in result.flags)
    assert stored.record.findings[0].values["positive_items"] == ("dysuria", "haematuria")


def test_dep7_shows_until_a_dependence_screen_is_recorded(world):
    patient_id = world.add_patient("MRN-1")

    def listed():
        return followups.list_screens(world.services, world.nurse, patient_id=patient_id)

    missing = listed().abuse_risk_findings
    assert [(f.rule_id, str(f.level), f.rule.sources) for f in missing] == [
        ("DEP-7", "HARD", ("SpravatoPI",))
    ]
    assert "No abuse-risk assessment recorded" in missing[0].message
    _screen_urinary(world, patient_id, T0)
    assert [f.rule_id for f in listed().abuse_risk_findings] == ["DEP-7"]  # not abuse risk

    negative = _screen_dependence(world, patient_id, T0 + timedelta(hours=1))

    after = listed()
    assert (after.abuse_risk_findings, after.last_dependence.id) == ((), negative.screen_id)


def test_a_failed_screen_write_leaves_neither_screen_nor_flags(world, connection, monkeypatch):
    patient_id = world.add_patient("MRN-1")
    tables = (SafetyScreen, SafetyFlag)
    before = [count_rows(connection, t) for t in tables], audit_count(connection)

    def fail(*_args, **_kwargs):
        raise RuntimeError("connection lost")

    # The screen is written first, then raising its flag fails: the screen must go too.
    monkeypatch.setattr(FollowUpRepository, "raise_flag", fail)
    with pytest.raises(RuntimeError):
        _screen_dependence(world, patient_id, T0, street_use=True)
    assert ([count_rows(connection, t) for t in tables], audit_count(connection)) == before
    monkeypatch.undo()
    assert followups.list_screens(world.services, world.nurse, patient_id=patient_id).screens == ()


@pytest.mark.parametrize("role", ["researcher", "admin"])
def test_screens_are_not_listed_for_researchers_or_admins(world, role):
    patient_id = world.add_patient("MRN-1")
    _screen_dependence(world, patient_id, T0)
    with pytest.raises(AccessError):
        followups.list_screens(world.services, world.users[role], patient_id=patient_id)
