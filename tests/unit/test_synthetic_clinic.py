"""The synthetic clinic: deterministic for a seed, sensible counts and proportions, every record
valid and consistent with the clinic's own rules (screening, protocols, monitoring, outcomes).

The rules are the oracle here: the generator plants a contraindication or an alarm, and the
test asks `ketapath.clinical` (not the generator) whether it fires.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from itertools import pairwise

import pytest

from ketapath.clinical.codes import find_concept
from ketapath.clinical.outcomes import calculate_change
from ketapath.clinical.safety import assess_dependence
from ketapath.clinical.screening import Verdict, screen
from ketapath.clinical.session.monitoring import SessionAction, assess_reading
from ketapath.clinical.toxicity import assess_urinary
from ketapath.errors import InputError
from ketapath.interop.synthetic import (
    SYNTHETIC_INDICATIONS,
    Scenario,
    ScriptedEvent,
    SyntheticClinic,
    generate_clinic,
)

AS_OF = date(2024, 11, 6)  # a Wednesday
SEEDS = (0, 7, 2024)


@pytest.fixture(scope="module", params=SEEDS, ids=lambda seed: f"seed {seed}")
def clinic(request) -> SyntheticClinic:
    return generate_clinic(request.param, as_of=AS_OF)


def _treated(clinic: SyntheticClinic):
    return [p for p in clinic.patients if p.sessions]


def _given(clinic: SyntheticClinic):
    return [s for s in clinic.sessions if not s.is_booked]


def test_clinic_is_identical_for_the_same_seed_and_day():
    assert generate_clinic(11, as_of=AS_OF) == generate_clinic(11, as_of=AS_OF)


def test_clinic_differs_between_seeds():
    first, second = generate_clinic(1, as_of=AS_OF), generate_clinic(2, as_of=AS_OF)

    assert [p.identity for p in first.patients] != [p.identity for p in second.patients]


@pytest.mark.parametrize("count", [0, 501, True, 2.5], ids=["zero", "501", "a bool", "a float"])
def test_generate_clinic_refuses_a_patient_count_out_of_range(count):
    with pytest.raises(InputError, match="`patients` must be a whole number from 1 to 500"):
        generate_clinic(1, as_of=AS_OF, patients=count)


def test_clinic_has_fifty_patients_spread_evenly_over_the_four_indications(clinic):
    counts = Counter(p.indication for p in clinic.patients)

    assert len(clinic.patients) == 50
    assert set(counts) == set(SYNTHETIC_INDICATIONS)
    assert all(12 <= n <= 13 for n in counts.values()), counts


def test_patients_are_adults_with_plausible_body_measures(clinic):
    for patient in clinic.patients:
        person = patient.record.patient
        bmi = person.weight_kg / (person.height_cm / 100) ** 2
        assert 21 <= person.age_years <= 80
        assert 18.5 <= bmi <= 38.5, (person.patient_id, bmi)  # 19–38 before rounding
        assert 40 <= person.weight_kg <= 150


def test_fibromyalgia_patients_are_mostly_women(clinic):
    sexes = Counter(p.identity.sex for p in clinic.patients if p.indication == "fibromyalgia")

    assert sexes["female"] > sexes["male"]


def test_birth_date_gives_the_recorded_age_on_the_clinic_day(clinic):
    for patient in clinic.patients:
        born = patient.identity.birth_date
        had_birthday = (AS_OF.month, AS_OF.day) >= (born.month, born.day)
        assert AS_OF.year - born.year - (not had_birthday) == patient.record.patient.age_years


def test_mrns_are_unique_and_marked_as_demo_data(clinic):
    mrns = [p.identity.mrn for p in clinic.patients]

    assert len(set(mrns)) == len(mrns)
    assert all(mrn.startswith("DEMO-") for mrn in mrns)


def test_each_pain_condition_is_coded_with_a_code_of_its_indication(clinic):
    for patient in clinic.patients:
        pain = patient.record.conditions[0]
        assert pain.concept == patient.indication
        assert find_concept(pain.code) == patient.indication


@pytest.mark.parametrize(
    ("scenario", "verdict", "rule_id"),
    [
        (Scenario.UNCONTROLLED_HYPERTENSION, Verdict.EXCLUDED, "CI-1"),
        (Scenario.ACTIVE_PSYCHOSIS, Verdict.EXCLUDED, "CI-3"),
        (Scenario.PREGNANCY, Verdict.EXCLUDED, "CI-9"),
        (Scenario.PTSD, Verdict.NEEDS_REVIEW, "CI-11"),
    ],
    ids=[
        "uncontrolled hypertension is excluded by CI-1",
        "active psychosis is excluded by CI-3",
        "pregnancy is excluded by CI-9",
        "PTSD needs a review by CI-11",
    ],
)
def test_planted_scenario_gets_its_verdict_from_the_screening_rules(
    clinic, scenario, verdict, rule_id
):
    (patient,) = [p for p in clinic.patients if p.scenario is scenario]
    result = screen(patient.record)

    assert result.verdict is verdict
    assert rule_id in {f.rule_id for f in result.findings}
    assert patient.sessions == ()


def test_only_patients_the_rules_find_eligible_are_treated(clinic):
    treatable = {Verdict.ELIGIBLE, Verdict.ELIGIBLE_WITH_CAUTIONS}
    for patient in clinic.patients:
        verdict = screen(patient.record).verdict
        assert bool(patient.sessions) == (verdict in treatable), patient.identity.mrn
    assert len(_treated(clinic)) >= 40


def test_every_medication_is_classified_and_some_interact(clinic):
    medications = [m for p in clinic.patients for m in p.record.medications]
    with_interactions = [
        p
        for p in clinic.patients
        if any(f.rule_id.startswith("DDI-") for f in screen(p.record).findings)
    ]

    assert all(m.drug_classes is not None for m in medications)
    assert 3 <= len(with_interactions) <= 35


def test_crps_course_sessions_run_the_schwartzman_rate_for_four_hours(clinic):
    # outpatient_crps: min(0.35 mg/kg/h, 25 mg/h) x 4 h (the protocol's summary).
    for patient in _treated(clinic):
        weight_kg = patient.record.patient.weight_kg
        for session in patient.sessions:
            if session.plan.protocol == "outpatient_crps":
                expected = min(0.35 * weight_kg, 25.0)
                assert session.plan.rate_mg_per_h == pytest.approx(expected, rel=1e-9)
                assert session.plan.duration_h == 4.0


def test_trial_infusions_give_80_mg_over_2_hours_or_more_at_most_half_a_mg_per_kg_per_hour(
    clinic,
):
    for patient in _treated(clinic):
        weight_kg = patient.record.patient.weight_kg
        for session in patient.sessions:
            plan = session.plan
            if plan.protocol == "first_outpatient_trial":
                # 1e-9: the rate is 80 mg divided by a quarter-hour duration.
                assert plan.rate_mg_per_h * plan.duration_h == pytest.approx(80.0, abs=1e-9)
                assert plan.duration_h >= 2.0
                assert plan.rate_mg_per_h <= 0.5 * weight_kg + 1e-9


def test_given_sessions_are_charted_from_baseline_to_an_hour_after_the_infusion(clinic):
    for session in _given(clinic):
        times = [v.time for v in session.vitals]
        last_dose_end = max(d.end_time for d in session.doses)
        assert times == sorted(times)
        assert times[0] == session.plan.start < session.doses[0].time
        assert times[-1] >= last_dose_end + timedelta(minutes=60)
        assert max(b - a for a, b in pairwise(times)) <= timedelta(minutes=25)
        assert len(session.sedation) == len(session.vitals)
        assert session.dissociation, session.plan.session_id


EXPECTED_ALARM = {
    ScriptedEvent.BP_SPIKE: ("MON-3", SessionAction.PAUSE),
    ScriptedEvent.LOW_SPO2: ("MON-4", SessionAction.ALERT),
    ScriptedEvent.DEEP_SEDATION: ("MON-9", SessionAction.PAUSE),
    ScriptedEvent.DESATURATION_STOP: ("MON-4", SessionAction.STOP),
}


def _worst_reading(session):
    """The most severe monitoring result over the session's readings, and its rule ids."""
    worst = None
    for index, reading in enumerate(session.vitals):
        sedation = next(s for s in session.sedation if s.time == reading.time)
        result = assess_reading(session.vitals[: index + 1], sedation=sedation)
        if worst is None or result.action.rank > worst.action.rank:
            worst = result
    return worst


def test_each_scripted_event_fires_its_monitoring_rule_and_nothing_else_alarms(clinic):
    for session in _given(clinic):
        worst = _worst_reading(session)
        if session.event is None:
            assert worst.action is SessionAction.CONTINUE, session.plan.session_id
        else:
            rule_id, action = EXPECTED_ALARM[session.event]
            assert worst.action is action
            assert rule_id in {f.rule_id for f in worst.findings}


def test_a_few_sessions_carry_an_alarm(clinic):
    given = _given(clinic)
    with_event = [s for s in given if s.event is not None]

    assert 3 <= len(with_event) <= 0.12 * len(given)


def test_paused_sessions_resume_at_a_lower_rate_and_stopped_ones_end_early(clinic):
    for session in _given(clinic):
        rates = [d.rate_mg_per_h for d in session.doses]
        if session.event in (ScriptedEvent.BP_SPIKE, ScriptedEvent.DEEP_SEDATION):
            assert len(rates) == 2
            assert rates[1] < rates[0]
            assert session.doses[1].time > session.doses[0].end_time
        elif session.event is ScriptedEvent.DESATURATION_STOP:
            planned_mg = session.plan.rate_mg_per_h * session.plan.duration_h
            assert len(rates) == 1
            assert session.given_mg < planned_mg


def test_follow_ups_of_responders_show_30_percent_relief_and_of_others_less(clinic):
    followed = [p for p in _treated(clinic) if p.follow_ups]
    for patient in followed:
        for follow_up in patient.follow_ups:
            nrs = next(r for r in follow_up.responses if r.instrument == "nrs")
            change = calculate_change(patient.intake_pain_points, nrs.score().total)
            assert change.is_responder is patient.responder, patient.identity.mrn
    assert len(followed) >= 0.8 * len(_treated(clinic))


def test_responders_are_between_a_quarter_and_three_quarters_of_the_treated(clinic):
    treated = _treated(clinic)
    responders = [p for p in treated if p.responder]

    assert 0.25 * len(treated) <= len(responders) <= 0.75 * len(treated)


def test_a_few_follow_ups_raise_dependence_urinary_and_self_harm_flags(clinic):
    follow_ups = [f for p in clinic.patients for f in p.follow_ups]
    dependence = [f for f in follow_ups if assess_dependence(f.dependence)]
    urinary = [f for f in follow_ups if assess_urinary(f.urinary, prior_sessions=1)]
    self_harm = [
        f
        for f in follow_ups
        for r in f.responses
        if r.instrument == "phq9" and "OUT-5" in {x.rule_id for x in r.score().findings}
    ]

    assert (len(dependence), len(urinary), len(self_harm)) == (2, 2, 1)


def test_sessions_from_the_clinic_day_on_are_booked_and_some_are_today(clinic):
    for session in clinic.sessions:
        assert session.is_booked == (session.plan.start.date() >= AS_OF)
    today = [s for s in clinic.sessions if s.plan.start.date() == AS_OF]
    assert 3 <= len(today) <= 12


def test_no_chair_is_booked_twice_and_no_patient_comes_twice_a_day(clinic):
    slots = [(s.plan.start, s.plan.chair) for s in clinic.sessions]
    assert len(set(slots)) == len(slots)
    for patient in clinic.patients:
        days = [s.plan.start.date() for s in patient.sessions]
        assert len(set(days)) == len(days)


def test_all_care_happens_in_the_six_months_before_the_clinic_day_or_the_next_four_weeks(
    clinic,
):
    earliest, latest = AS_OF - timedelta(days=183), AS_OF + timedelta(days=28 + 3)
    for session in clinic.sessions:
        assert earliest <= session.plan.start.date() <= latest
