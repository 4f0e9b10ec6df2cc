"""Session monitoring rules: MON-1 … MON-11, MON-13, MON-14 and the cadence rules MON-5 … MON-7.

Each table lists a reading and the rules (and session action) it must fire, with both sides of
every threshold from section 4 of the clinical reference.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from ketapath.clinical.dosing.orders import CareArea
from ketapath.clinical.finding import Severity
from ketapath.clinical.observations import CadssForm, DissociationScore, SedationScore
from ketapath.clinical.records import VitalSigns
from ketapath.clinical.session.cadence import check_monitoring_setup, find_next_observation
from ketapath.clinical.session.monitoring import (
    STOP_RULES,
    CrisisSymptom,
    SessionAction,
    assess_baseline,
    assess_reading,
)
from ketapath.errors import DataError, InputError

T0 = datetime(2024, 5, 1, 9, 0)
CALM = {"sbp_mmhg": 120, "dbp_mmhg": 75, "hr_bpm": 72, "rr_per_min": 14, "spo2_pct": 98}


def vitals(minute: int = 0, **changes: float | None) -> VitalSigns:
    """A calm set of vital signs at T0 + `minute`, with `changes` applied."""
    return VitalSigns(time=T0 + timedelta(minutes=minute), **{**CALM, **changes})


ALERT = SedationScore(time=T0, moaas=5, rass=0)

# ---------------------------------------------------------------- baseline gates (MON-1, MON-2)

BASELINE = [
    ({}, []),
    ({"sbp_mmhg": 180, "dbp_mmhg": 85}, [("MON-1", Severity.SOFT)]),
    ({"sbp_mmhg": 181, "dbp_mmhg": 85}, [("MON-2", Severity.HARD)]),
    ({"sbp_mmhg": 90, "dbp_mmhg": 60}, []),
    ({"sbp_mmhg": 89, "dbp_mmhg": 60}, [("MON-2", Severity.HARD)]),
    ({"hr_bpm": 150}, []),
    ({"hr_bpm": 151}, [("MON-2", Severity.HARD)]),
    ({"hr_bpm": 50}, []),
    ({"hr_bpm": 49}, [("MON-2", Severity.HARD)]),
    ({"rr_per_min": 10}, []),
    ({"rr_per_min": 9}, [("MON-2", Severity.HARD)]),
    ({"rr_per_min": 30}, []),
    ({"rr_per_min": 31}, [("MON-2", Severity.HARD)]),
    ({"sbp_mmhg": 139, "dbp_mmhg": 89}, []),
    ({"sbp_mmhg": 140, "dbp_mmhg": 80}, [("MON-1", Severity.SOFT)]),
    ({"sbp_mmhg": 130, "dbp_mmhg": 90}, [("MON-1", Severity.SOFT)]),
    ({"sbp_mmhg": 150, "hr_bpm": 151}, [("MON-2", Severity.HARD), ("MON-1", Severity.SOFT)]),
]


@pytest.mark.parametrize(
    ("changes", "expected"),
    BASELINE,
    ids=[
        "calm vitals: start",
        "SBP 180 is allowed but flagged by MON-1 (>= 140)",
        "SBP 181: do not start",
        "SBP 90: start",
        "SBP 89: do not start",
        "HR 150: start",
        "HR 151: do not start",
        "HR 50: start",
        "HR 49: do not start",
        "RR 10: start",
        "RR 9: do not start",
        "RR 30: start",
        "RR 31: do not start",
        "BP 139/89: no flag",
        "BP 140/80: flag",
        "BP 130/90: flag",
        "HR 151 and BP 150/75: do not start, and flag the BP",
    ],
)
def test_baseline_vitals_fire_mon1_and_mon2(changes, expected):
    findings = assess_baseline(vitals(**changes))
    assert [(f.rule_id, f.level) for f in findings] == expected


def test_baseline_without_respiratory_rate_is_a_data_error():
    with pytest.raises(DataError, match=r"`rr_per_min`"):
        assess_baseline(vitals(rr_per_min=None))


# ---------------------------------------------------------------- in-session alarms

READINGS = [
    ({}, "continue", []),
    ({"sbp_mmhg": 181}, "pause", ["MON-3"]),
    ({"sbp_mmhg": 89}, "pause", ["MON-3"]),
    ({"hr_bpm": 151}, "pause", ["MON-3"]),
    ({"hr_bpm": 49}, "pause", ["MON-3"]),
    ({"rr_per_min": 9}, "pause", ["MON-3"]),
    ({"rr_per_min": 31}, "pause", ["MON-3"]),
    ({"sbp_mmhg": 180, "hr_bpm": 150, "rr_per_min": 30}, "continue", []),
    ({"spo2_pct": 92}, "continue", []),
    ({"spo2_pct": 91}, "alert", ["MON-4"]),
    ({"spo2_pct": 90}, "alert", ["MON-4"]),
    ({"spo2_pct": 89}, "stop", ["MON-4"]),
    ({"spo2_pct": None}, "pause", ["MON-13"]),
    ({"rr_per_min": None}, "pause", ["MON-13"]),
    ({"rr_per_min": 8, "spo2_pct": 88}, "stop", ["MON-3", "MON-4"]),
]


@pytest.mark.parametrize(
    ("changes", "action", "rule_ids"),
    READINGS,
    ids=[
        "calm reading: continue",
        "SBP 181: pause",
        "SBP 89: pause",
        "HR 151: pause",
        "HR 49: pause",
        "RR 9: pause",
        "RR 31: pause",
        "SBP 180, HR 150, RR 30 are within limits",
        "SpO2 92 %: no alarm",
        "SpO2 91 %: alarm",
        "SpO2 90 %: alarm, not yet a stop",
        "SpO2 89 %: stop",
        "no SpO2: respiratory monitoring missing, pause",
        "no RR: respiratory monitoring missing, pause",
        "RR 8 with SpO2 88 %: stop wins over pause",
    ],
)
def test_in_session_reading_fires_alarms_with_actions(changes, action, rule_ids):
    result = assess_reading([vitals(**changes)], sedation=ALERT)
    assert result.action == SessionAction(action)
    assert [f.rule_id for f in result.findings] == rule_ids


@pytest.mark.parametrize(
    ("spo2_pct", "action"),
    [(91, SessionAction.ALERT), (89, SessionAction.STOP)],
    ids=["SpO2 below 92 % alerts", "SpO2 below 90 % stops, as a SOFT rule (unverified level)"],
)
def test_spo2_alarm_is_graded_and_shows_conflict_c3(spo2_pct, action):
    result = assess_reading([vitals(spo2_pct=spo2_pct)], sedation=ALERT)
    (finding,) = result.findings
    assert result.action is action
    assert finding.level is Severity.SOFT
    assert "Conflict C3" in finding.message


def test_spo2_stop_level_says_it_is_unverified():
    (finding,) = assess_reading([vitals(spo2_pct=85)], sedation=ALERT).findings
    assert "unverified" in finding.message
    assert "unverified" in finding.rule.title


def test_missing_respiratory_monitoring_shows_conflict_c3():
    (finding,) = assess_reading([vitals(spo2_pct=None)], sedation=ALERT).findings
    assert (finding.rule_id, finding.level) == ("MON-13", Severity.HARD)
    assert "Conflict C3" in finding.message


PERSISTENT = [
    ((181, 181), "stop", ["MON-3", "MON-8"]),
    ((180, 181), "pause", ["MON-3"]),
    ((181, 180), "continue", []),
    ((181,), "pause", ["MON-3"]),
]


@pytest.mark.parametrize(
    ("sbps", "action", "rule_ids"),
    PERSISTENT,
    ids=[
        "SBP 181 twice in a row: persistent, stop",
        "SBP 180 then 181: not yet persistent, pause",
        "SBP 181 then 180: settled, continue",
        "a single SBP 181: pause",
    ],
)
def test_persistent_high_bp_stops_the_infusion(sbps, action, rule_ids):
    readings = [vitals(15 * i, sbp_mmhg=s) for i, s in enumerate(sbps)]
    result = assess_reading(list(reversed(readings)), sedation=ALERT)  # order does not matter
    assert result.action == SessionAction(action)
    assert [f.rule_id for f in result.findings] == rule_ids


def test_hypertensive_crisis_symptom_stops_the_infusion():
    result = assess_reading(
        [vitals()], sedation=ALERT, symptoms={CrisisSymptom.CHEST_PAIN, CrisisSymptom.SEIZURE}
    )
    assert result.action is SessionAction.STOP
    (finding,) = result.findings
    assert (finding.rule_id, finding.level) == ("MON-8", Severity.HARD)
    assert "chest pain, seizure" in finding.message


SEDATION = [
    ({"moaas": 3}, "continue", []),
    ({"moaas": 2}, "pause", ["MON-9"]),
    ({"moaas": 0}, "pause", ["MON-9"]),
    ({"rass": -2}, "continue", []),
    ({"rass": -3}, "pause", ["MON-10"]),
    ({"rass": 1}, "continue", []),
    ({"rass": 2}, "pause", ["MON-10"]),
    ({"moaas": 2, "rass": -4}, "pause", ["MON-9", "MON-10"]),
]


@pytest.mark.parametrize(
    ("score", "action", "rule_ids"),
    SEDATION,
    ids=[
        "MOAA/S 3: continue",
        "MOAA/S 2: pause",
        "MOAA/S 0: pause",
        "RASS -2: continue",
        "RASS -3: pause",
        "RASS +1: continue",
        "RASS +2: pause",
        "MOAA/S 2 and RASS -4: both alarms",
    ],
)
def test_sedation_scores_fire_alarms(score, action, rule_ids):
    result = assess_reading([vitals()], sedation=SedationScore(time=T0, **score))
    assert result.action == SessionAction(action)
    assert [f.rule_id for f in result.findings] == rule_ids


def test_sedation_alarms_are_soft_and_unverified():
    result = assess_reading([vitals()], sedation=SedationScore(time=T0, moaas=0, rass=-5))
    assert [f.level for f in result.findings] == [Severity.SOFT, Severity.SOFT]
    assert all("unverified" in f.message for f in result.findings)
    assert "loss of consciousness" in result.findings[0].message


def test_reading_without_sedation_score_asks_for_mental_status():
    result = assess_reading([vitals()])
    assert result.action is SessionAction.ALERT
    assert [(f.rule_id, f.level) for f in result.findings] == [("MON-14", Severity.HARD)]


def test_dissociation_score_is_tracked_without_alarm():
    cadss = DissociationScore(time=T0, total=12, form=CadssForm.SHORT)
    result = assess_reading([vitals()], sedation=ALERT, dissociation=cadss)
    assert result.action is SessionAction.CONTINUE
    (finding,) = result.findings
    assert (finding.rule_id, finding.level) == ("MON-11", Severity.INFO)
    assert finding.values == {"cadss6_points": 12}


def test_reading_list_must_not_be_empty():
    with pytest.raises(InputError, match=r"`readings` must hold at least one reading"):
        assess_reading([])


def test_stop_rule_set_lists_every_rule_that_pauses_or_stops():
    assert [r.id for r in STOP_RULES] == ["MON-3", "MON-4", "MON-8", "MON-9", "MON-10", "MON-13"]


@pytest.mark.parametrize(
    "rule_id", ["MON-3", "MON-9", "MON-10"], ids=lambda r: f"{r} is G: SOFT and unverified"
)
def test_unverified_alarm_rules_are_soft(rule_id):
    rule = next(r for r in STOP_RULES if r.id == rule_id)
    assert rule.strength is Severity.SOFT
    assert "unverified" in rule.title


# ---------------------------------------------------------------- monitoring set (MON-5)


SETUP = [
    ((True, True, 15), []),
    ((True, True, 16), ["BP at least every 15 min (cycle is 16 min)"]),
    ((True, False, 5), ["continuous ECG"]),
    ((False, True, 15), ["continuous pulse oximetry"]),
]


@pytest.mark.parametrize(
    ("setup", "missing"),
    SETUP,
    ids=["complete set", "BP every 16 min", "no ECG", "no pulse oximetry"],
)
def test_monitoring_setup_requires_spo2_ecg_and_bp_every_15_min(setup, missing):
    spo2, ecg, nibp = setup
    findings = check_monitoring_setup(continuous_spo2=spo2, ecg=ecg, nibp_interval_min=nibp)
    assert [f.rule_id for f in findings] == (["MON-5"] if missing else [])
    for item in missing:
        assert item in findings[0].message
    if not spo2:
        assert "Conflict C3" in findings[0].message


def test_monitoring_setup_refuses_a_zero_bp_cycle():
    with pytest.raises(InputError, match=r"`nibp_interval_min` must be > 0"):
        check_monitoring_setup(continuous_spo2=True, ecg=True, nibp_interval_min=0)


# ---------------------------------------------------------------- cadence (MON-5, MON-6, MON-7)

CADENCE = [
    (CareArea.WARD, 0, 15, "MON-6"),
    (CareArea.WARD, 59, 74, "MON-6"),
    (CareArea.WARD, 60, 90, "MON-6"),
    (CareArea.WARD, 179, 209, "MON-6"),
    (CareArea.WARD, 180, 240, "MON-6"),
    (CareArea.OUTPATIENT_INFUSION_CLINIC, 0, 15, "MON-5"),
    (CareArea.OUTPATIENT_INFUSION_CLINIC, 200, 215, "MON-5"),
    (CareArea.MONITORED_PACU, 60, 75, "MON-5"),
]


@pytest.mark.parametrize(
    ("area", "last_min", "due_min", "rule_id"),
    CADENCE,
    ids=[
        "ward, start: every 15 min",
        "ward, observed at 59 min: next at 74",
        "ward, observed at 60 min: next at 90",
        "ward, observed at 179 min: next at 209",
        "ward, observed at 180 min: hourly, next at 240",
        "clinic, start: every 15 min",
        "clinic, any time: every 15 min",
        "PACU: every 15 min",
    ],
)
def test_next_observation_follows_the_cadence(area, last_min, due_min, rule_id):
    due = find_next_observation(
        started_at=T0, last_observed_at=T0 + timedelta(minutes=last_min), care_area=area
    )
    assert (due.due_at, due.rule.id) == (T0 + timedelta(minutes=due_min), rule_id)


DOSE_RECHECK = [
    (0, 39, CareArea.OUTPATIENT_INFUSION_CLINIC, 40, "MON-7"),
    (0, 40, CareArea.OUTPATIENT_INFUSION_CLINIC, 55, "MON-5"),
    (0, 30, CareArea.WARD, 40, "MON-7"),
    (0, 20, CareArea.WARD, 35, "MON-6"),
    (200, 205, CareArea.WARD, 240, "MON-7"),
]


@pytest.mark.parametrize(
    ("dosed_min", "last_min", "area", "due_min", "rule_id"),
    DOSE_RECHECK,
    ids=[
        "dose at 0, last check at 39 min: BP re-check due at 40",
        "dose at 0, last check at 40 min: re-check done, every 15 min",
        "ward, dose at 0, checked at 30: re-check at 40 comes before 45",
        "ward, dose at 0, checked at 20: the 15-min round at 35 comes first",
        "ward, dose at 200, checked at 205: re-check at 240 before the hourly round at 265",
    ],
)
def test_bp_recheck_is_due_40_min_after_a_dose(dosed_min, last_min, area, due_min, rule_id):
    due = find_next_observation(
        started_at=T0,
        last_observed_at=T0 + timedelta(minutes=last_min),
        care_area=area,
        dosed_at=T0 + timedelta(minutes=dosed_min),
    )
    assert (due.due_at, due.rule.id) == (T0 + timedelta(minutes=due_min), rule_id)


def test_last_observation_before_start_is_refused():
    with pytest.raises(InputError, match=r"`last_observed_at` must not be before `started_at`"):
        find_next_observation(
            started_at=T0, last_observed_at=T0 - timedelta(minutes=1), care_area=CareArea.WARD
        )


# ---------------------------------------------------------------- observation records


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, r"`moaas` or `rass` must be given"),
        ({"moaas": 6}, r"`moaas` must be a whole number from 0 to 5 \(got 6\)"),
        ({"rass": -6}, r"`rass` must be a whole number from -5 to 4 \(got -6\)"),
        ({"rass": 5}, r"`rass` must be a whole number from -5 to 4 \(got 5\)"),
    ],
    ids=["neither scale", "MOAA/S 6", "RASS -6", "RASS +5"],
)
def test_sedation_score_refuses_out_of_range_values(fields, message):
    with pytest.raises(InputError, match=message):
        SedationScore(time=T0, **fields)


@pytest.mark.parametrize(
    ("form", "total", "valid"),
    [
        (CadssForm.FULL, 92, True),
        (CadssForm.FULL, 93, False),
        (CadssForm.SHORT, 24, True),
        (CadssForm.SHORT, 25, False),
    ],
    ids=["CADSS 92", "CADSS 93", "CADSS-6 24", "CADSS-6 25"],
)
def test_dissociation_score_total_is_bounded_by_its_form(form, total, valid):
    if valid:
        assert DissociationScore(time=T0, total=total, form=form).total == total
    else:
        with pytest.raises(InputError, match=r"`total` must be a whole number"):
            DissociationScore(time=T0, total=total, form=form)
