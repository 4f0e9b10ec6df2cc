"""Discharge readiness: DIS-1 … DIS-6, with the modified Aldrete and PADSS item tables.

Each row gives the vital signs or times and the expected item score or verdict, with both sides
of every threshold from section 5 of the clinical reference.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from ketapath.clinical.dosing.orders import Drug, Route
from ketapath.clinical.finding import Severity
from ketapath.clinical.observations import AdministeredDose
from ketapath.clinical.records import VitalSigns
from ketapath.clinical.session.discharge import (
    AldreteScore,
    PadssScore,
    assess_discharge,
    calculate_aldrete,
    calculate_padss,
)
from ketapath.errors import DataError, InputError

T0 = datetime(2024, 5, 1, 9, 0)
END = T0 + timedelta(hours=4)
FULL_ALDRETE = AldreteScore(activity=2, respiration=2, circulation=2, consciousness=2, spo2=2)
FULL_PADSS = PadssScore(vital_signs=2, activity=2, pain_nausea=2, bleeding=2, intake_output=2)


def infusion(drug: Drug = Drug.KETAMINE, end: datetime = END) -> AdministeredDose:
    """A 25 mg/h IV segment ending at `end`."""
    return AdministeredDose(
        time=end - timedelta(hours=4),
        end=end,
        rate_mg_per_h=25,
        route=Route.IV_INFUSION,
        drug=drug,
        session_id="s1",
        course_id="c1",
    )


def discharge(**changes: object):
    """Assess a patient who meets every criterion, except for `changes`."""
    arguments: dict[str, object] = {
        "now": END + timedelta(minutes=60),
        "doses": [infusion()],
        "aldrete": FULL_ALDRETE,
        "padss": FULL_PADSS,
        "escort_present": True,
        "patient_driving": False,
        "follow_up_booked": True,
    }
    return assess_discharge(**{**arguments, **changes})  # type: ignore[arg-type]


# ---------------------------------------------------------------- modified Aldrete (DIS-2)

CIRCULATION = [
    (100, 120, 2),
    (100, 121, 1),
    (100, 80, 2),
    (100, 79, 1),
    (100, 149, 1),
    (100, 150, 0),
    (100, 50, 0),
]


@pytest.mark.parametrize(
    ("predose_sbp", "current_sbp", "points"),
    CIRCULATION,
    ids=[
        "SBP 100 -> 120 (+20 %) scores 2",
        "SBP 100 -> 121 (+21 %) scores 1",
        "SBP 100 -> 80 (-20 %) scores 2",
        "SBP 100 -> 79 (-21 %) scores 1",
        "SBP 100 -> 149 (+49 %) scores 1",
        "SBP 100 -> 150 (+50 %) scores 0",
        "SBP 100 -> 50 (-50 %) scores 0",
    ],
)
def test_aldrete_circulation_scores_bp_change_from_predose(predose_sbp, current_sbp, points):
    score = calculate_aldrete(
        activity=2,
        respiration=2,
        consciousness=2,
        predose=VitalSigns(time=T0, sbp_mmhg=predose_sbp),
        current=VitalSigns(time=END, sbp_mmhg=current_sbp, spo2_pct=98),
        on_oxygen=False,
    )
    assert score.circulation == points


OXYGEN = [
    (93, False, 2),
    (92, False, 1),
    (91, False, 1),
    (95, True, 1),
    (91, True, 1),
    (90, True, 0),
    (90, False, 0),
]


@pytest.mark.parametrize(
    ("spo2_pct", "on_oxygen", "points"),
    OXYGEN,
    ids=[
        "93 % on air scores 2",
        "92 % on air scores 1 (2 needs > 92 %)",
        "91 % on air scores 1",
        "95 % on oxygen scores 1",
        "91 % on oxygen scores 1",
        "90 % on oxygen scores 0",
        "90 % on air scores 0",
    ],
)
def test_aldrete_spo2_needs_more_than_92_percent_on_air(spo2_pct, on_oxygen, points):
    score = calculate_aldrete(
        activity=2,
        respiration=2,
        consciousness=2,
        predose=VitalSigns(time=T0, sbp_mmhg=120),
        current=VitalSigns(time=END, sbp_mmhg=120, spo2_pct=spo2_pct),
        on_oxygen=on_oxygen,
    )
    assert score.spo2 == points


@pytest.mark.parametrize(
    ("consciousness", "ready", "rule_ids"),
    [(1, True, []), (0, False, ["DIS-2"])],
    ids=["Aldrete 9/10: ready", "Aldrete 8/10: not ready"],
)
def test_aldrete_below_nine_blocks_discharge(consciousness, ready, rule_ids):
    aldrete = AldreteScore(
        activity=2, respiration=2, circulation=2, consciousness=consciousness, spo2=2
    )
    result = discharge(aldrete=aldrete)
    assert (result.ready, [f.rule_id for f in result.findings]) == (ready, rule_ids)


def test_aldrete_needs_current_spo2():
    with pytest.raises(DataError, match=r"`spo2_pct`"):
        calculate_aldrete(
            activity=2,
            respiration=2,
            consciousness=2,
            predose=VitalSigns(time=T0, sbp_mmhg=120),
            current=VitalSigns(time=END, sbp_mmhg=120),
            on_oxygen=False,
        )


# ---------------------------------------------------------------- PADSS (DIS-3)

PADSS_VITALS = [
    ((120, 70), (144, 70), 2),
    ((120, 70), (145, 70), 1),
    ((100, 70), (140, 70), 1),
    ((100, 70), (141, 70), 0),
    ((120, 70), (120, 84), 2),
    ((120, 70), (120, 85), 1),
    ((120, 70), (120, 99), 0),
]


@pytest.mark.parametrize(
    ("baseline", "current", "points"),
    PADSS_VITALS,
    ids=[
        "SBP +20 % scores 2",
        "SBP +20.8 % scores 1",
        "SBP +40 % scores 1",
        "SBP +41 % scores 0",
        "HR +20 % scores 2",
        "HR +21.4 % scores 1",
        "HR +41.4 % scores 0",
    ],
)
def test_padss_vital_signs_score_the_larger_change_from_baseline(baseline, current, points):
    score = calculate_padss(
        activity=2,
        pain_nausea=2,
        bleeding=2,
        intake_output=2,
        baseline=VitalSigns(time=T0, sbp_mmhg=baseline[0], hr_bpm=baseline[1]),
        current=VitalSigns(time=END, sbp_mmhg=current[0], hr_bpm=current[1]),
    )
    assert score.vital_signs == points


@pytest.mark.parametrize(
    ("bleeding", "ready", "rule_ids"),
    [(1, True, []), (0, False, ["DIS-3"])],
    ids=["PADSS 9/10: ready", "PADSS 8/10: not ready"],
)
def test_padss_below_nine_blocks_discharge(bleeding, ready, rule_ids):
    padss = PadssScore(vital_signs=2, activity=2, pain_nausea=2, bleeding=bleeding, intake_output=2)
    result = discharge(padss=padss)
    assert (result.ready, [f.rule_id for f in result.findings]) == (ready, rule_ids)


def test_padss_needs_heart_rate():
    with pytest.raises(DataError, match=r"`hr_bpm`"):
        calculate_padss(
            activity=2,
            pain_nausea=2,
            bleeding=2,
            intake_output=2,
            baseline=VitalSigns(time=T0, sbp_mmhg=120),
            current=VitalSigns(time=END, sbp_mmhg=120),
        )


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: AldreteScore(activity=3, respiration=2, circulation=2, consciousness=2, spo2=2),
            r"^`aldrete.activity` must be 0–2 \(got 3\)\.$",
        ),
        (
            lambda: PadssScore(
                vital_signs=2, activity=2, pain_nausea=-1, bleeding=2, intake_output=2
            ),
            r"^`padss.pain_nausea` must be 0–2 \(got -1\)\.$",
        ),
    ],
    ids=["Aldrete activity 3", "PADSS pain/nausea -1"],
)
def test_score_items_must_be_0_to_2(make, message):
    with pytest.raises(InputError, match=message):
        make()


# ---------------------------------------------------------------- observation time (DIS-1)

OBSERVATION = [
    (Drug.KETAMINE, 59, False),
    (Drug.KETAMINE, 60, True),
    (Drug.ESKETAMINE, 119, False),
    (Drug.ESKETAMINE, 120, True),
]


@pytest.mark.parametrize(
    ("drug", "minutes", "ready"),
    OBSERVATION,
    ids=[
        "ketamine, 59 min after the last dose: not ready",
        "ketamine, 60 min: ready",
        "esketamine, 119 min: not ready",
        "esketamine, 120 min: ready",
    ],
)
def test_minimum_observation_after_last_dose(drug, minutes, ready):
    result = discharge(now=END + timedelta(minutes=minutes), doses=[infusion(drug)])
    assert result.ready is ready
    assert [f.rule_id for f in result.findings] == ([] if ready else ["DIS-1"])
    assert result.earliest_at == END + timedelta(minutes=120 if drug is Drug.ESKETAMINE else 60)


def test_observation_counts_from_the_end_of_the_last_dose():
    late = AdministeredDose(
        time=END + timedelta(minutes=10),
        dose_mg=10,
        route=Route.IV_BOLUS,
        session_id="s1",
        course_id="c1",
    )
    result = discharge(now=END + timedelta(minutes=60), doses=[infusion(), late])
    (finding,) = result.findings
    assert finding.rule_id == "DIS-1"
    assert finding.values == {"observed_min": 50.0, "required_min": 60}


def test_discharge_without_doses_is_a_data_error():
    with pytest.raises(DataError, match=r"DIS-1"):
        discharge(doses=[])


# ---------------------------------------------------------------- escort, driving, follow-up

CHECKLIST = [
    ({}, True, []),
    ({"escort_present": False}, False, [("DIS-4", Severity.HARD)]),
    ({"patient_driving": True}, False, [("DIS-5", Severity.HARD)]),
    ({"follow_up_booked": False}, True, [("DIS-6", Severity.SOFT)]),
]


@pytest.mark.parametrize(
    ("changes", "ready", "expected"),
    CHECKLIST,
    ids=[
        "everything in place: ready",
        "no escort: not ready",
        "the patient means to drive: not ready",
        "no follow-up booked: ready, flagged",
    ],
)
def test_escort_driving_and_follow_up(changes, ready, expected):
    result = discharge(**changes)
    assert result.ready is ready
    assert [(f.rule_id, f.level) for f in result.findings] == expected


def test_no_driving_until_the_next_day():
    result = discharge(now=datetime(2024, 12, 31, 23, 30), doses=[infusion(end=END)])
    assert result.no_driving_until == date(2025, 1, 1)
