"""Clinic outcomes: responder rates, relief curves by indication, safety events by rule."""

from __future__ import annotations

import pytest
from tests.services.conftest import T0, infusion, signed_plan, started_session, vitals
from tests.services.test_research import CRPS_RATINGS, _course

from ketapath.clinical.codes import Indication
from ketapath.errors import AccessError
from ketapath.services.care import followups, sessions
from ketapath.services.clinic import clinic_outcomes
from ketapath.services.context import UserRole


@pytest.fixture
def clinic(world, clock):
    """Five CRPS courses (three responders), four fibromyalgia ones, one PHQ-9 flag, one alarm."""
    first = None
    for number, rating in enumerate(CRPS_RATINGS):
        patient_id = _course(world, clock, f"CRPS-{number}", Indication.CRPS, rating)
        first = first or patient_id
    for number in range(4):
        _course(world, clock, f"FM-{number}", Indication.FIBROMYALGIA, 3, orders=[infusion(0.4)])
    followups.record_response(
        world.services,
        world.nurse,
        patient_id=first,
        instrument="phq9",
        answers=[1, 1, 1, 1, 1, 1, 1, 1, 1],
        completed_at=T0,
    )
    alarmed = world.add_patient("ALARM-0", indication=Indication.CRPS)
    clock.now = T0
    sid = started_session(world, signed_plan(world, alarmed))
    at = clock.advance(minutes=15)
    sessions.record_vitals(
        world.services, world.nurse, session_id=sid, vitals=vitals(at, spo2_pct=90.0)
    )
    return world


def _responders(summary, indication):
    return next(cell for cell in summary.responders if cell.indication is indication)


def _curve(summary, indication):
    return next(curve for curve in summary.curves if curve.indication is indication)


def test_physician_sees_every_group_small_ones_marked(clinic):
    summary = clinic_outcomes.summarise_clinic_outcomes(clinic.services, clinic.physician)
    assert summary.deidentified is False
    crps = _responders(summary, Indication.CRPS)
    assert (crps.protocol, crps.patients, crps.courses, crps.responders) == (
        "outpatient_crps",
        5,
        5,
        3,
    )
    assert crps.responder_rate == pytest.approx(0.6)
    fibromyalgia = _responders(summary, Indication.FIBROMYALGIA)
    assert (fibromyalgia.suppressed, fibromyalgia.patients, fibromyalgia.responders) == (
        False,
        4,
        4,
    )
    # A small group shown to a physician keeps its median relief (relief over by day 28, from
    # the end of the 4-h session).
    assert fibromyalgia.relief_median_days == pytest.approx(28 - 4 / 24)
    assert _curve(summary, Indication.FIBROMYALGIA).few_patients is True
    assert "fewer than 5 patients" in summary.note


def test_relief_curves_are_step_functions_from_1_at_day_0_with_a_band(clinic):
    summary = clinic_outcomes.summarise_clinic_outcomes(clinic.services, clinic.physician)
    curve = _curve(summary, Indication.CRPS)
    assert (curve.suppressed, curve.few_patients, curve.patients, curve.courses) == (
        False,
        False,
        5,
        5,
    )
    assert (curve.time_days[0], curve.survival[0]) == (0.0, 1.0)
    assert list(curve.time_days) == sorted(curve.time_days)
    assert list(curve.survival) == sorted(curve.survival, reverse=True)
    assert len(curve.lower) == len(curve.upper) == len(curve.survival)
    assert curve.confidence == pytest.approx(0.95)
    # Two courses had no relief at day 7 (0 days); all relief was over by day 28.
    assert curve.survival[-1] == pytest.approx(0.0)
    for low, mid, high in zip(curve.lower, curve.survival, curve.upper, strict=True):
        if low is not None and high is not None:
            assert low <= mid + 1e-9 <= high + 2e-9


def test_safety_events_are_counted_by_rule(clinic):
    summary = clinic_outcomes.summarise_clinic_outcomes(clinic.services, clinic.physician)
    flags = {count.rule_id: count for count in summary.flags}
    assert (flags["OUT-5"].events, flags["OUT-5"].patients, flags["OUT-5"].few_patients) == (
        1,
        1,
        True,
    )
    alarms = {count.rule_id: count for count in summary.alarms}
    assert alarms["MON-4"].events >= 1
    assert alarms["MON-4"].patients == 1
    assert alarms["MON-4"].rule_title


def test_researcher_gets_small_groups_suppressed_and_nothing_identifying(clinic):
    summary = clinic_outcomes.summarise_clinic_outcomes(clinic.services, clinic.researcher)
    assert summary.deidentified is True
    assert _responders(summary, Indication.CRPS).patients == 5
    fibromyalgia = _responders(summary, Indication.FIBROMYALGIA)
    assert (fibromyalgia.suppressed, fibromyalgia.patients, fibromyalgia.responder_rate) == (
        True,
        None,
        None,
    )
    hidden = _curve(summary, Indication.FIBROMYALGIA)
    assert (hidden.suppressed, hidden.time_days, hidden.median_days) == (True, (), None)
    assert all(c.suppressed and c.events is None for c in (*summary.flags, *summary.alarms))
    text = repr(summary)
    for secret in ("CRPS-0", "FM-0", "Okafor", "1974"):
        assert secret not in text


@pytest.mark.parametrize("role", [UserRole.NURSE, UserRole.ADMIN])
def test_other_roles_are_refused(world, role):
    with pytest.raises(AccessError):
        clinic_outcomes.summarise_clinic_outcomes(world.services, world.users[role])


def test_an_empty_clinic_gives_empty_tables(world):
    summary = clinic_outcomes.summarise_clinic_outcomes(world.services, world.physician)
    assert (summary.responders, summary.curves, summary.flags, summary.alarms) == ((), (), (), ())
