"""Sessions: the baseline gate, alarms on every write, rate changes against the order's limits.

The patient weighs 70 kg. The outpatient CRPS protocol orders min(0.35 mg/kg/h, 25 mg/h) =
24.5 mg/h for 4 h, under the protocol's HARD caps (DC-3).
"""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta

import numpy as np
import pytest
from tests.services.conftest import (
    T0,
    audit_count,
    count_rows,
    infusion,
    signed_plan,
    started_session,
    vitals,
)

from ketapath.clinical.finding import Severity
from ketapath.clinical.observations import CadssForm, DissociationScore, SedationScore
from ketapath.clinical.session.monitoring import CrisisSymptom, SessionAction
from ketapath.errors import AccessError, ConflictError, DataError, InputError, NotFoundError
from ketapath.services.care import plans, prediction, sessions
from ketapath.store.records import AdverseEventRecord
from ketapath.store.repositories import SessionRepository
from ketapath.store.tables import (
    SedationScoreEntry,
    SessionAlarm,
    SessionStatus,
    TreatmentSession,
    VitalSignsEntry,
)


@pytest.fixture
def crps_plan(world):
    return signed_plan(world, world.add_patient("MRN-1"))


@pytest.fixture
def session_id(world, crps_plan):
    return started_session(world, crps_plan)


def _rules(alarms):
    return [(a.alarm.finding.rule_id, a.alarm.action) for a in alarms]


def test_start_session_on_a_draft_plan_is_a_conflict(world):
    patient_id = world.add_patient("MRN-1")
    draft = plans.create_custom_plan(
        world.services,
        world.physician,
        patient_id=patient_id,
        orders=[infusion(0.4)],
        care_area="outpatient_infusion_clinic",
    )
    with pytest.raises(ConflictError, match="sign it"):
        started_session(world, draft)


@pytest.mark.parametrize(
    ("baseline", "starts"),
    [
        ({"sbp_mmhg": 180.0}, True),
        ({"sbp_mmhg": 181.0}, False),
        ({"hr_bpm": 50.0}, True),
        ({"hr_bpm": 49.0}, False),
        ({"rr_per_min": 30.0}, True),
        ({"rr_per_min": 31.0}, False),
    ],
    ids=[
        "SBP 180 starts",
        "SBP 181 is refused",
        "HR 50 starts",
        "HR 49 is refused",
        "RR 30 starts",
        "RR 31 is refused",
    ],
)
def test_start_session_applies_the_mon2_baseline_gate(
    world, crps_plan, connection, baseline, starts
):
    before = count_rows(connection, TreatmentSession), count_rows(connection, VitalSignsEntry)
    if starts:
        started_session(world, crps_plan, **baseline)
        assert count_rows(connection, TreatmentSession) == before[0] + 1
        return
    with pytest.raises(InputError, match=r"cannot start\. MON-2 \(HARD\)") as raised:
        started_session(world, crps_plan, **baseline)
    assert raised.value.field == f"baseline.{next(iter(baseline))}"
    after = count_rows(connection, TreatmentSession), count_rows(connection, VitalSignsEntry)
    assert after == before


def test_start_session_charts_a_soft_baseline_finding_as_an_alarm(world, crps_plan):
    started = sessions.start_session(
        world.services,
        world.nurse,
        plan_id=crps_plan.id,
        chair="Chair 1",
        baseline=vitals(T0, sbp_mmhg=140.0, dbp_mmhg=85.0),
    )
    assert started.session.status is SessionStatus.IN_PROGRESS
    assert started.session.started_at == T0
    assert [f.rule_id for f in started.baseline_findings] == ["MON-1"]
    assert _rules(started.alarms) == [("MON-1", SessionAction.ALERT)]


def test_start_session_without_a_baseline_rr_is_refused(world, crps_plan):
    with pytest.raises(DataError, match="rr_per_min"):
        started_session(world, crps_plan, rr_per_min=None)


@pytest.mark.parametrize(
    ("spo2_pct", "expected"),
    [
        (92.0, []),
        (91.0, [("MON-4", SessionAction.ALERT)]),
        (90.0, [("MON-4", SessionAction.ALERT)]),
        (89.0, [("MON-4", SessionAction.STOP)]),
    ],
    ids=["SpO2 92 % raises nothing", "SpO2 91 % alerts", "SpO2 90 % alerts", "SpO2 89 % stops"],
)
def test_record_vitals_returns_the_alarms_it_raised(world, session_id, clock, spo2_pct, expected):
    at = clock.advance(minutes=15)
    result = sessions.record_vitals(
        world.services,
        world.nurse,
        session_id=session_id,
        vitals=vitals(at, spo2_pct=spo2_pct),
        sedation=SedationScore(time=at, moaas=5),
    )
    assert _rules(result.alarms) == expected
    assert result.action is (expected[0][1] if expected else SessionAction.CONTINUE)
    chart = sessions.get_chart(world.services, world.nurse, session_id=session_id)
    assert [a.id for a in chart.alarms] == [a.id for a in result.alarms]
    assert [s.record.moaas for s in chart.sedation] == [5]


@pytest.mark.parametrize(
    ("minutes_before", "expected"),
    [(15, []), (16, [("MON-14", SessionAction.ALERT)])],
    ids=["a score 15 min old counts", "a score 16 min old does not"],
)
def test_record_vitals_uses_a_recent_sedation_score(
    world, session_id, clock, minutes_before, expected
):
    at = clock.advance(minutes=30)
    sessions.record_sedation(
        world.services,
        world.nurse,
        session_id=session_id,
        score=SedationScore(time=at - timedelta(minutes=minutes_before), moaas=5),
    )
    result = sessions.record_vitals(
        world.services, world.nurse, session_id=session_id, vitals=vitals(at)
    )
    assert _rules(result.alarms) == expected


def test_two_readings_above_180_stop_the_session(world, session_id, clock):
    for sbp in (185.0, 186.0):
        at = clock.advance(minutes=5)
        result = sessions.record_vitals(
            world.services,
            world.nurse,
            session_id=session_id,
            vitals=vitals(at, sbp_mmhg=sbp),
            sedation=SedationScore(time=at, moaas=5),
            symptoms={CrisisSymptom.SEVERE_HEADACHE},
        )
    assert result.action is SessionAction.STOP
    assert {rule for rule, _ in _rules(result.alarms)} == {"MON-3", "MON-8"}
    assert result.alarms[0].alarm.action is SessionAction.STOP  # most severe first


def test_a_reading_charted_late_is_judged_with_the_readings_before_it(world, session_id):
    def chart(minutes, sbp_mmhg):
        at = T0 + timedelta(minutes=minutes)
        return sessions.record_vitals(
            world.services,
            world.nurse,
            session_id=session_id,
            vitals=vitals(at, sbp_mmhg=sbp_mmhg),
            sedation=SedationScore(time=at, moaas=5),
        )

    chart(10, 185.0)
    chart(20, 120.0)
    late = chart(15, 186.0)  # the second reading above 180 in a row, entered after the 3rd
    assert ("MON-8", SessionAction.STOP) in _rules(late.alarms)


@pytest.mark.parametrize(
    ("moaas", "expected"),
    [(3, []), (2, [("MON-9", SessionAction.PAUSE)])],
    ids=["MOAA/S 3 raises nothing", "MOAA/S 2 pauses"],
)
def test_record_sedation_raises_the_sedation_alarm(world, session_id, clock, moaas, expected):
    result = sessions.record_sedation(
        world.services,
        world.nurse,
        session_id=session_id,
        score=SedationScore(time=clock.advance(minutes=10), moaas=moaas),
    )
    assert _rules(result.alarms) == expected
    chart = sessions.get_chart(world.services, world.nurse, session_id=session_id)
    assert [a.id for a in chart.alarms] == [a.id for a in result.alarms]


@pytest.mark.parametrize(
    ("rate_mg_per_h", "accepted"),
    [(24.5, True), (24.6, False)],
    ids=["24.5 mg/h (0.35 mg/kg/h) is accepted", "24.6 mg/h is above the DC-3 hard cap"],
)
def test_change_rate_is_checked_against_the_protocol_caps(
    world, session_id, connection, rate_mg_per_h, accepted
):
    if accepted:
        change = sessions.change_rate(
            world.services, world.nurse, session_id=session_id, rate_mg_per_h=rate_mg_per_h
        )
        assert (change.started_at, change.planned_end_at) == (T0, T0 + timedelta(hours=4))
        return
    before = audit_count(connection)
    with pytest.raises(InputError, match=r"DC-3 \(HARD\)") as raised:
        sessions.change_rate(
            world.services, world.nurse, session_id=session_id, rate_mg_per_h=rate_mg_per_h
        )
    assert raised.value.field == "rate_mg_per_h"
    assert audit_count(connection) == before


@pytest.mark.parametrize(
    ("rate_mg_per_h", "refused_by"),
    [(35.0, None), (42.0, None), (42.7, "DA-3 (SOFT, not overridden"), (70.7, "DA-2 (HARD)")],
    ids=[
        "0.5 mg/kg/h is inside the usual range",
        "0.6 mg/kg/h is the rate the physician overrode",
        "0.61 mg/kg/h goes past the override",
        "1.01 mg/kg/h passes the hard ceiling",
    ],
)
def test_change_rate_passes_a_soft_limit_only_as_far_as_overridden(
    world, clock, rate_mg_per_h, refused_by
):
    plan = signed_plan(world, world.add_patient("MRN-2"), orders=[infusion(0.6)])
    session_id = started_session(world, plan)
    clock.advance(minutes=5)
    if refused_by is None:
        change = sessions.change_rate(
            world.services, world.nurse, session_id=session_id, rate_mg_per_h=rate_mg_per_h
        )
        assert change.order_id == plan.orders[0].id
        return
    with pytest.raises(InputError, match=re.escape(refused_by)):
        sessions.change_rate(
            world.services, world.nurse, session_id=session_id, rate_mg_per_h=rate_mg_per_h
        )


def test_change_rate_counts_what_was_given_against_the_session_cap(world, session_id, clock):
    sessions.change_rate(world.services, world.nurse, session_id=session_id, rate_mg_per_h=24.5)
    clock.advance(hours=2)  # 49 mg given; 2 h left
    change = sessions.change_rate(
        world.services, world.nurse, session_id=session_id, rate_mg_per_h=20.0
    )
    assert change.planned_end_at == T0 + timedelta(hours=4)
    assert [f.level for f in change.findings if f.level is Severity.HARD] == []


def test_change_rate_after_the_planned_end_is_refused(world, session_id, clock):
    sessions.change_rate(world.services, world.nurse, session_id=session_id, rate_mg_per_h=20.0)
    clock.advance(hours=4)
    with pytest.raises(InputError, match="ran its planned time"):
        sessions.change_rate(world.services, world.nurse, session_id=session_id, rate_mg_per_h=20.0)


def test_effective_doses_cut_each_segment_at_the_next_change_and_the_stop(world, session_id, clock):
    sessions.change_rate(world.services, world.nurse, session_id=session_id, rate_mg_per_h=24.5)
    clock.advance(hours=1)
    sessions.change_rate(world.services, world.nurse, session_id=session_id, rate_mg_per_h=20.0)
    clock.advance(hours=2)
    stopped = sessions.stop_session(
        world.services, world.nurse, session_id=session_id, reason="infusion completed"
    )
    assert (stopped.status, stopped.stopped_at) == (SessionStatus.STOPPED, T0 + timedelta(hours=3))
    chart = sessions.get_chart(world.services, world.nurse, session_id=session_id)
    doses = sessions.effective_doses(chart)
    assert [(d.time, d.end) for d in doses] == [
        (T0, T0 + timedelta(hours=1)),
        (T0 + timedelta(hours=1), T0 + timedelta(hours=3)),
    ]
    assert sum(d.amount_mg for d in doses) == pytest.approx(24.5 + 40.0)
    assert [d.record.end for d in chart.doses] == [T0 + timedelta(hours=4)] * 2  # as written


def test_chart_holds_scores_events_and_stop_in_time_order(world, session_id, clock):
    at = clock.advance(minutes=20)
    sessions.record_dissociation(
        world.services,
        world.nurse,
        session_id=session_id,
        score=DissociationScore(time=at, total=6, form=CadssForm.SHORT),
    )
    event = AdverseEventRecord(occurred_at=at, kind="nausea", severity="mild", description="Sick")
    sessions.record_adverse_event(world.services, world.nurse, session_id=session_id, event=event)
    sessions.stop_session(world.services, world.physician, session_id=session_id, reason="nausea")
    chart = sessions.get_chart(world.services, world.physician, session_id=session_id)
    assert [d.record.total for d in chart.dissociation] == [6]
    assert [e.record for e in chart.adverse_events] == [event]
    assert chart.session.stop_reason == "nausea"
    assert len(chart.vitals) == 1  # the baseline, charted with the start


def test_scores_taken_together_are_charted_together_or_not_at_all(world, session_id, clock):
    at = clock.advance(minutes=20)
    together = {
        "sedation": SedationScore(time=at, moaas=2),
        "dissociation": DissociationScore(time=at, total=6, form=CadssForm.SHORT),
    }
    refused_event = AdverseEventRecord(
        occurred_at=at, kind="nausea", severity="mild", description=""
    )
    with pytest.raises(InputError, match="description"):  # the last one is refused ...
        sessions.record_scores(
            world.services, world.nurse, session_id=session_id, event=refused_event, **together
        )
    empty = sessions.get_chart(world.services, world.nurse, session_id=session_id)
    assert (empty.sedation, empty.dissociation, empty.alarms) == ((), (), ())  # ... so none is

    event = dataclasses.replace(refused_event, description="Sick")
    result = sessions.record_scores(
        world.services, world.nurse, session_id=session_id, event=event, **together
    )

    chart = sessions.get_chart(world.services, world.nurse, session_id=session_id)
    assert [s.record for s in chart.sedation] == [together["sedation"]]
    assert [d.record for d in chart.dissociation] == [together["dissociation"]]
    assert [e.record for e in chart.adverse_events] == [event]
    assert result is not None
    assert _rules(result.alarms) == [("MON-9", SessionAction.PAUSE)]  # as record_sedation does
    assert [a.id for a in chart.alarms] == [a.id for a in result.alarms]


def test_stop_needs_a_reason_and_happens_once(world, session_id):
    with pytest.raises(InputError):
        sessions.stop_session(world.services, world.nurse, session_id=session_id, reason=" ")
    sessions.stop_session(world.services, world.nurse, session_id=session_id, reason="done")
    with pytest.raises(ConflictError):
        sessions.stop_session(world.services, world.nurse, session_id=session_id, reason="again")
    with pytest.raises(ConflictError):
        sessions.change_rate(world.services, world.nurse, session_id=session_id, rate_mg_per_h=10.0)


def test_recovery_vitals_are_charted_after_the_stop(world, session_id, clock):
    sessions.stop_session(world.services, world.nurse, session_id=session_id, reason="done")
    at = clock.advance(minutes=30)
    result = sessions.record_vitals(
        world.services,
        world.nurse,
        session_id=session_id,
        vitals=vitals(at),
        sedation=SedationScore(time=at, moaas=5),
    )
    assert result.alarms == ()


@pytest.mark.parametrize("role", ["researcher", "admin"])
def test_charting_by_a_researcher_or_admin_is_refused(world, session_id, role):
    with pytest.raises(AccessError):
        sessions.get_chart(world.services, world.users[role], session_id=session_id)


def test_a_session_of_another_clinic_is_not_found(world, session_id):
    stranger = dataclasses.replace(world.nurse, clinic_id=world.other_clinic_id)
    with pytest.raises(NotFoundError):
        sessions.get_chart(world.services, stranger, session_id=session_id)


def test_failed_vitals_write_leaves_nothing_half_written(
    world, session_id, connection, monkeypatch
):
    counted = (SessionAlarm, VitalSignsEntry, SedationScoreEntry)
    before = [count_rows(connection, t) for t in counted], audit_count(connection)

    def fail(*_args, **_kwargs):
        raise RuntimeError("connection lost")

    # The sedation score and the vital signs are written, then storing the alarm fails.
    monkeypatch.setattr(SessionRepository, "add_alarm", fail)
    with pytest.raises(RuntimeError):
        sessions.record_vitals(
            world.services,
            world.nurse,
            session_id=session_id,
            vitals=vitals(T0 + timedelta(minutes=15), spo2_pct=85.0),
            sedation=SedationScore(time=T0 + timedelta(minutes=15), moaas=5),
        )
    assert ([count_rows(connection, t) for t in counted], audit_count(connection)) == before


def _pause(world, session_id, reason="nausea, MOAA/S 2 (MON-9)"):
    return sessions.pause_session(world.services, world.nurse, session_id=session_id, reason=reason)


def _paused_and_resumed(world, session_id, clock):
    """24.5 mg/h from T0, paused at 1 h for 30 min, resumed at 20 mg/h."""
    sessions.change_rate(world.services, world.nurse, session_id=session_id, rate_mg_per_h=24.5)
    clock.advance(hours=1)
    paused = _pause(world, session_id)
    clock.advance(minutes=30)
    resumed = sessions.resume_session(
        world.services, world.nurse, session_id=session_id, rate_mg_per_h=20.0
    )
    return paused, resumed


def test_pause_then_resume_gives_segments_with_a_gap(world, session_id, clock):
    paused, resumed = _paused_and_resumed(world, session_id, clock)
    assert (paused.status, paused.paused_at) == (SessionStatus.PAUSED, T0 + timedelta(hours=1))
    assert paused.pause_reason == "nausea, MOAA/S 2 (MON-9)"
    assert resumed.session.status is SessionStatus.IN_PROGRESS
    assert (resumed.session.paused_at, resumed.session.pause_reason) == (None, None)
    # the pause does not move the order's planned end (T0 + 4 h)
    assert (resumed.change.started_at, resumed.change.planned_end_at) == (
        T0 + timedelta(minutes=90),
        T0 + timedelta(hours=4),
    )
    chart = sessions.get_chart(world.services, world.nurse, session_id=session_id)
    doses = sessions.effective_doses(chart)
    assert [(d.time, d.end, d.rate_mg_per_h) for d in doses] == [
        (T0, T0 + timedelta(hours=1), 24.5),
        (T0 + timedelta(minutes=90), T0 + timedelta(hours=4), 20.0),
    ]
    first = chart.doses[0]  # the end as planned stays in the segment's amendment
    assert [(h.field, h.old_value, h.new_value, h.kind) for h in first.history] == [
        ("ended_at", T0 + timedelta(hours=4), T0 + timedelta(hours=1), "status_change")
    ]
    assert first.history[0].reason == "Infusion paused: nausea, MOAA/S 2 (MON-9)"
    statuses = [h for h in chart.session.history if h.field == "status"]
    assert [(h.new_value, h.kind, h.reason) for h in statuses] == [
        ("in_progress", "status_change", "session started"),
        ("paused", "status_change", "nausea, MOAA/S 2 (MON-9)"),
        ("in_progress", "status_change", "Resumed at 20 mg/h."),
    ]


def test_pause_at_the_instant_a_rate_was_set_is_a_conflict_and_ends_nothing(world, session_id):
    sessions.change_rate(world.services, world.nurse, session_id=session_id, rate_mg_per_h=20.0)
    with pytest.raises(ConflictError, match="has not run"):
        _pause(world, session_id)
    chart = sessions.get_chart(world.services, world.nurse, session_id=session_id)
    assert chart.session.status is SessionStatus.IN_PROGRESS
    assert [d.record.end for d in chart.doses] == [T0 + timedelta(hours=4)]


def test_predicted_concentration_falls_while_paused(world, session_id, clock):
    _paused_and_resumed(world, session_id, clock)
    found = prediction.predict_session(world.services, world.nurse, session_id=session_id)
    assert found is not None
    times = np.asarray(found.times_min)
    plasma = np.asarray(found.plasma_typical_ng_per_ml)
    gap = plasma[(times >= 60.0) & (times <= 90.0)]
    assert len(gap) >= 3
    assert np.all(np.diff(gap) < 0.0)  # nothing given from 60 to 90 min: every step is lower
    before = plasma[(times > 30.0) & (times < 60.0)]
    assert np.all(np.diff(before) > 0.0)  # while 24.5 mg/h ran, it rose


@pytest.mark.parametrize(
    ("status", "setup"),
    [("stopped", "stop"), ("paused", "pause")],
    ids=["a stopped session cannot be paused", "a paused session cannot be paused again"],
)
def test_pause_from_a_session_not_in_progress_is_a_conflict_naming_the_status(
    world, session_id, clock, status, setup
):
    clock.advance(minutes=10)
    if setup == "stop":
        sessions.stop_session(world.services, world.nurse, session_id=session_id, reason="done")
    else:
        _pause(world, session_id)
    with pytest.raises(ConflictError, match=f"is {status}: cannot pause it"):
        _pause(world, session_id, reason="again")


def test_pause_needs_a_reason_and_resume_needs_a_paused_session(world, session_id):
    with pytest.raises(InputError, match="`reason` must be a non-empty text to pause") as raised:
        _pause(world, session_id, reason=" ")
    assert raised.value.field == "reason"
    with pytest.raises(ConflictError, match="is in_progress: cannot resume it"):
        sessions.resume_session(
            world.services, world.nurse, session_id=session_id, rate_mg_per_h=10.0
        )


def test_resume_past_a_hard_limit_is_refused_and_the_session_stays_paused(
    world, session_id, clock, connection
):
    sessions.change_rate(world.services, world.nurse, session_id=session_id, rate_mg_per_h=20.0)
    clock.advance(minutes=30)
    _pause(world, session_id)
    clock.advance(minutes=10)
    before = audit_count(connection)
    with pytest.raises(InputError, match=r"DC-3 \(HARD\)") as raised:
        sessions.resume_session(
            world.services, world.nurse, session_id=session_id, rate_mg_per_h=24.6
        )
    assert raised.value.field == "rate_mg_per_h"
    assert audit_count(connection) == before
    chart = sessions.get_chart(world.services, world.nurse, session_id=session_id)
    assert chart.session.status is SessionStatus.PAUSED
    with pytest.raises(ConflictError, match="is paused: cannot change the rate"):
        sessions.change_rate(world.services, world.nurse, session_id=session_id, rate_mg_per_h=10.0)


def test_a_paused_session_is_charted_and_can_be_stopped(world, session_id, clock):
    sessions.change_rate(world.services, world.nurse, session_id=session_id, rate_mg_per_h=20.0)
    clock.advance(minutes=30)
    _pause(world, session_id)
    at = clock.advance(minutes=5)
    result = sessions.record_vitals(
        world.services,
        world.nurse,
        session_id=session_id,
        vitals=vitals(at, spo2_pct=91.0),
        sedation=SedationScore(time=at, moaas=4),
    )
    assert _rules(result.alarms) == [("MON-4", SessionAction.ALERT)]
    clock.advance(minutes=5)
    stopped = sessions.stop_session(
        world.services, world.nurse, session_id=session_id, reason="nausea persisted"
    )
    assert (stopped.status, stopped.stopped_at) == (
        SessionStatus.STOPPED,
        T0 + timedelta(minutes=40),
    )
    assert (stopped.paused_at, stopped.pause_reason) == (None, None)  # no longer paused
    chart = sessions.get_chart(world.services, world.nurse, session_id=session_id)
    assert sum(d.amount_mg for d in sessions.effective_doses(chart)) == pytest.approx(10.0)


def test_the_chart_keeps_the_time_of_the_reading_that_raised_an_alarm(world, session_id, clock):
    taken = clock.advance(minutes=15)
    clock.advance(minutes=20)  # charted 20 min after it was taken
    result = sessions.record_vitals(
        world.services, world.nurse, session_id=session_id, vitals=vitals(taken, spo2_pct=91.0)
    )
    chart = sessions.get_chart(world.services, world.nurse, session_id=session_id)
    stored = next(a for a in chart.alarms if a.id == result.alarms[0].id)
    assert stored.record.raised_at == taken
    assert stored.recorded_at != taken  # the write time is the database's clock, not the reading


def test_the_daily_limit_counts_every_session_of_the_day(world, crps_plan, session_id, clock):
    # DC-3 (HARD): at most 100 mg a day in the outpatient CRPS protocol, one 4-h session a day.
    sessions.change_rate(world.services, world.nurse, session_id=session_id, rate_mg_per_h=20.0)
    clock.advance(hours=3)
    sessions.stop_session(world.services, world.nurse, session_id=session_id, reason="completed")
    clock.advance(hours=1)
    second = started_session(world, crps_plan)

    # 60 mg given this morning + 20 mg/h for the 4 h of the order = 140 mg in one day.
    with pytest.raises(InputError, match=r"DC-3 \(HARD\)") as raised:
        sessions.change_rate(world.services, world.nurse, session_id=second, rate_mg_per_h=20.0)
    assert raised.value.field == "rate_mg_per_h"
    chart = sessions.get_chart(world.services, world.nurse, session_id=second)
    assert not sessions.effective_doses(chart)


def test_a_session_the_next_day_has_the_whole_daily_allowance(world, crps_plan, session_id, clock):
    sessions.change_rate(world.services, world.nurse, session_id=session_id, rate_mg_per_h=24.0)
    clock.advance(hours=4)
    sessions.stop_session(world.services, world.nurse, session_id=session_id, reason="completed")
    clock.advance(hours=20)  # the same hour the next day: 96 mg given in the last 24 h
    second = started_session(world, crps_plan)

    change = sessions.change_rate(
        world.services, world.nurse, session_id=second, rate_mg_per_h=24.0
    )
    assert change.rate_mg_per_h == 24.0
