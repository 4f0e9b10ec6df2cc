"""The screening verdict, the missing data it lists, and the indication and evidence findings.

Verdict order: a HARD contraindication -> EXCLUDED; missing data or a review rule -> NEEDS REVIEW;
any other SOFT (or a HARD that is not a contraindication) -> ELIGIBLE WITH CAUTIONS; else ELIGIBLE.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketapath.clinical import conflicts
from ketapath.clinical.codes import ConditionConcept, DrugClass, Indication
from ketapath.clinical.finding import Severity
from ketapath.clinical.records import (
    Condition,
    ConditionSeverity,
    ConditionStatus,
    Medication,
    Patient,
    PatientRecord,
    Sex,
    Substance,
    SubstanceUse,
    UsePattern,
    VitalSigns,
)
from ketapath.clinical.screening import (
    Verdict,
    contraindications,
    indications,
    interactions,
    screen,
)
from ketapath.clinical.screening.verdict import find_missing_data
from ketapath.interop.patient_file import read_patient_file

ACTIVE, CONTROLLED = ConditionStatus.ACTIVE, ConditionStatus.CONTROLLED
CRPS = Condition(concept=Indication.CRPS, status=ACTIVE)
T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "patients"


def complete(*, conditions: tuple[Condition, ...] = (CRPS,), **changes: object) -> PatientRecord:
    """A record with every piece of data screening needs and nothing against treatment."""
    fields: dict[str, object] = {
        "patient": Patient(patient_id="p1", age_years=45, sex=Sex.MALE, weight_kg=80),
        "conditions": conditions,
        "medications": (),
        "substance_use": (),
        "psychiatric_history": (),
        "failed_conventional_therapy": True,
        "consent_signed": True,
        "escort_available": True,
    }
    fields.update(changes)
    return PatientRecord(**fields)  # type: ignore[arg-type]


def condition(concept: ConditionConcept, status: ConditionStatus = ACTIVE) -> Condition:
    return Condition(concept=concept, status=status)


def test_verdict_complete_record_with_crps_and_nothing_against_is_eligible() -> None:
    result = screen(complete())
    assert result.verdict is Verdict.ELIGIBLE
    assert result.missing == ()
    assert {f.level for f in result.findings} == {Severity.INFO}


VERDICT_CASES = [
    pytest.param(
        complete(conditions=(CRPS, condition(ConditionConcept.GLAUCOMA))),
        Verdict.EXCLUDED,
        ("CI-6",),
        id="glaucoma (HARD CI-6) excludes",
    ),
    pytest.param(
        complete(
            patient=Patient(
                patient_id="p1", age_years=30, sex=Sex.FEMALE, weight_kg=60, pregnant=True
            )
        ),
        Verdict.EXCLUDED,
        ("CI-9",),
        id="pregnancy excludes",
    ),
    pytest.param(
        complete(vitals=(VitalSigns(time=T0, sbp_mmhg=181, dbp_mmhg=90),)),
        Verdict.EXCLUDED,
        ("CI-18",),
        id="SBP 181 on the day excludes",
    ),
    pytest.param(
        complete(vitals=(VitalSigns(time=T0, sbp_mmhg=180, dbp_mmhg=89),)),
        Verdict.ELIGIBLE_WITH_CAUTIONS,
        ("CI-18",),
        id="SBP 180 is only a caution",
    ),
    pytest.param(
        complete(
            conditions=(CRPS, condition(ConditionConcept.GLAUCOMA)),
            consent_signed=None,
            medications=None,
        ),
        Verdict.EXCLUDED,
        ("CI-6",),
        id="a HARD contraindication wins over missing data",
    ),
    pytest.param(
        complete(psychiatric_history=(condition(ConditionConcept.PTSD, CONTROLLED),)),
        Verdict.NEEDS_REVIEW,
        ("CI-11",),
        id="PTSD needs psychiatric review",
    ),
    pytest.param(
        complete(
            psychiatric_history=(condition(ConditionConcept.PSYCHOSIS, ConditionStatus.HISTORY),)
        ),
        Verdict.NEEDS_REVIEW,
        ("CI-3b",),
        id="past psychosis needs review",
    ),
    pytest.param(
        complete(conditions=(CRPS, condition(ConditionConcept.SEIZURES))),
        Verdict.NEEDS_REVIEW,
        ("CI-12",),
        id="recent seizures need review",
    ),
    pytest.param(
        complete(
            medications=(Medication(name="theophylline", drug_classes=(DrugClass.THEOPHYLLINE,)),)
        ),
        Verdict.NEEDS_REVIEW,
        ("DDI-10",),
        id="theophylline needs review",
    ),
    pytest.param(
        complete(failed_conventional_therapy=False),
        Verdict.NEEDS_REVIEW,
        ("IND-10",),
        id="no failed conventional therapy needs review",
    ),
    pytest.param(
        complete(medications=(Medication(name="morphine", drug_classes=(DrugClass.OPIOID,)),)),
        Verdict.ELIGIBLE_WITH_CAUTIONS,
        ("DDI-9",),
        id="an opioid is a caution",
    ),
    pytest.param(
        complete(
            medications=(Medication(name="thiopental", drug_classes=(DrugClass.BARBITURATE,)),)
        ),
        Verdict.ELIGIBLE_WITH_CAUTIONS,
        ("DDI-12",),
        id="a barbiturate (HARD, no co-mixing) is a caution",
    ),
    pytest.param(
        complete(conditions=(Condition(concept=Indication.MIGRAINE, status=ACTIVE),)),
        Verdict.ELIGIBLE_WITH_CAUTIONS,
        ("IND-3",),
        id="migraine has weak evidence: a caution",
    ),
    pytest.param(
        complete(
            conditions=(
                CRPS,
                Condition(
                    concept=ConditionConcept.HEPATIC_IMPAIRMENT,
                    status=ACTIVE,
                    severity=ConditionSeverity.MODERATE,
                ),
            )
        ),
        Verdict.ELIGIBLE_WITH_CAUTIONS,
        ("CI-5b",),
        id="moderate hepatic impairment is a caution",
    ),
    pytest.param(
        complete(
            substance_use=(
                SubstanceUse(
                    substance=Substance.OPIOIDS, pattern=UsePattern.USE_DISORDER, status=ACTIVE
                ),
            )
        ),
        Verdict.EXCLUDED,
        ("CI-8",),
        id="active opioid use disorder excludes",
    ),
]


@pytest.mark.parametrize(("record", "verdict", "decided_by"), VERDICT_CASES)
def test_verdict_follows_the_decision_order(
    record: PatientRecord, verdict: Verdict, decided_by: tuple[str, ...]
) -> None:
    result = screen(record)
    assert result.verdict is verdict
    assert result.decided_by[: len(decided_by)] == decided_by


MISSING_CASES = [
    pytest.param(
        {"patient": Patient(patient_id="p1", age_years=45, sex=Sex.MALE)},
        "patient.weight_kg",
        "DC-8",
        id="unknown weight (DC-8)",
    ),
    pytest.param({"medications": None}, "medications", "DDI-1", id="no medication list"),
    pytest.param(
        {"medications": (Medication(name="paracetamol"),)},
        "medications[0].drug_classes",
        None,
        id="an unclassified medication",
    ),
    pytest.param({"substance_use": None}, "substance_use", "CI-8", id="no substance-use history"),
    pytest.param(
        {"psychiatric_history": None}, "psychiatric_history", "CI-3", id="no psychiatric history"
    ),
    pytest.param({"consent_signed": None}, "consent_signed", None, id="consent not recorded"),
    pytest.param({"consent_signed": False}, "consent_signed", None, id="consent not signed"),
    pytest.param(
        {"escort_available": None}, "escort_available", "DIS-4", id="escort not confirmed"
    ),
    pytest.param({"escort_available": False}, "escort_available", "DIS-4", id="no escort"),
    pytest.param(
        {"failed_conventional_therapy": None},
        "failed_conventional_therapy",
        "IND-10",
        id="unknown whether other therapy failed",
    ),
    pytest.param({"conditions": ()}, "conditions", "IND-1", id="no pain indication"),
    pytest.param(
        {"conditions": (Condition(concept=Indication.CRPS, status=ConditionStatus.HISTORY),)},
        "conditions",
        "IND-1",
        id="only a resolved pain indication",
    ),
    pytest.param(
        {"conditions": (Condition(concept=Indication.DEPRESSION_ADJUNCT, status=ACTIVE),)},
        "conditions",
        "IND-1",
        id="depression only, no pain indication",
    ),
    pytest.param(
        {"conditions": (CRPS, condition(ConditionConcept.HEPATIC_IMPAIRMENT))},
        "conditions[1].severity",
        "CI-5",
        id="hepatic impairment of unknown severity",
    ),
    pytest.param(
        {"conditions": (CRPS, condition(ConditionConcept.CEREBROVASCULAR_DISEASE, CONTROLLED))},
        "conditions[1].severity",
        "CI-2",
        id="cerebrovascular disease of unknown severity",
    ),
]


@pytest.mark.parametrize(("changes", "field", "rule_id"), MISSING_CASES)
def test_verdict_missing_data_is_listed_and_needs_review(
    changes: dict[str, object], field: str, rule_id: str | None
) -> None:
    result = screen(complete(**changes))
    assert [(m.field, m.rule_id) for m in result.missing] == [(field, rule_id)]
    assert result.verdict is Verdict.NEEDS_REVIEW
    assert field in result.decided_by


PREGNANCY_AGES = [
    pytest.param(Sex.FEMALE, 11, False, id="girl of 11: pregnancy status not required"),
    pytest.param(Sex.FEMALE, 12, True, id="girl of 12: pregnancy status required"),
    pytest.param(Sex.FEMALE, 55, True, id="woman of 55: pregnancy status required"),
    pytest.param(Sex.FEMALE, 56, False, id="woman of 56: pregnancy status not required"),
    pytest.param(Sex.UNKNOWN, 30, True, id="sex unknown, 30: pregnancy status required"),
    pytest.param(Sex.MALE, 30, False, id="man of 30: pregnancy status not required"),
]


@pytest.mark.parametrize(("sex", "age_years", "required"), PREGNANCY_AGES)
def test_verdict_unknown_pregnancy_is_missing_for_age_12_to_55(
    sex: Sex, age_years: int, required: bool
) -> None:
    patient = Patient(patient_id="p1", age_years=age_years, sex=sex, weight_kg=60)
    missing = [m.field for m in find_missing_data(complete(patient=patient))]
    assert ("patient.pregnant" in missing) is required


def test_verdict_known_pregnancy_status_is_not_missing() -> None:
    patient = Patient(patient_id="p1", age_years=30, sex=Sex.FEMALE, weight_kg=60, pregnant=False)
    assert find_missing_data(complete(patient=patient)) == ()


def test_verdict_findings_put_contraindications_first_most_severe_first() -> None:
    record = complete(
        conditions=(
            CRPS,
            condition(ConditionConcept.RESPIRATORY_DISEASE),
            condition(ConditionConcept.GLAUCOMA),
        )
    )
    levels = [f.level for f in screen(record).findings]
    assert levels[:2] == [Severity.HARD, Severity.SOFT]
    assert set(levels[2:]) == {Severity.INFO}


INDICATION_CASES = [
    pytest.param(Indication.CRPS, ["IND-1"], id="CRPS: IND-1 moderate evidence"),
    pytest.param(Indication.SPINAL_CORD_INJURY_PAIN, ["IND-2"], id="spinal cord injury: IND-2"),
    pytest.param(Indication.FIBROMYALGIA, ["IND-3"], id="fibromyalgia: IND-3 weak"),
    pytest.param(Indication.LOW_BACK_PAIN, ["IND-3"], id="low back pain: IND-3 weak"),
    pytest.param(
        Indication.DIABETIC_NEUROPATHY,
        ["IND-3", "IND-8", "IND-9"],
        id="diabetic neuropathy: weak, article-listed",
    ),
    pytest.param(
        Indication.REFRACTORY_HEADACHE,
        ["IND-3", "IND-7"],
        id="refractory headache: weak, listed by 000",
    ),
    pytest.param(Indication.CHRONIC_PAIN, ["IND-3"], id="unspecified chronic pain: IND-3"),
    pytest.param(Indication.POSTOPERATIVE_PAIN, ["IND-4"], id="post-operative pain: IND-4"),
    pytest.param(Indication.SICKLE_CELL_PAIN, ["IND-6"], id="sickle-cell pain: IND-6"),
    pytest.param(
        Indication.DEPRESSION_ADJUNCT, ["IND-9"], id="depression adjunct: listed by 003 only"
    ),
]


@pytest.mark.parametrize(("indication", "rule_ids"), INDICATION_CASES)
def test_indication_fires_its_evidence_rules(indication: Indication, rule_ids: list[str]) -> None:
    record = complete(conditions=(Condition(concept=indication, status=ACTIVE),))
    fired = [
        f.rule_id
        for f in indications.check_indications(record)
        if f.rule_id.startswith("IND") and f.rule_id != "IND-11"
    ]
    assert fired == rule_ids


def test_indication_postoperative_pain_on_opioids_with_sleep_apnoea_fires_ind_5_and_ind_6() -> None:
    postop = Condition(concept=Indication.POSTOPERATIVE_PAIN, status=ACTIVE)
    opioid = Medication(name="oxycodone", drug_classes=(DrugClass.OPIOID,))
    record = complete(
        conditions=(postop, condition(ConditionConcept.SLEEP_APNOEA)), medications=(opioid,)
    )
    fired = [f.rule_id for f in indications.check_indications(record)]
    assert fired[:3] == ["IND-4", "IND-5", "IND-6"]


def test_indication_weak_evidence_is_soft_and_crps_is_info() -> None:
    levels = {
        f.rule_id: f.level
        for f in indications.check_indications(
            complete(conditions=(CRPS, Condition(concept=Indication.MIGRAINE, status=ACTIVE)))
        )
    }
    assert levels["IND-1"] is Severity.INFO
    assert levels["IND-3"] is Severity.SOFT


EVIDENCE_CASES = [
    pytest.param(
        Indication.CRPS,
        ["EV-1", "EV-2", "EV-5", "EV-6", "EV-7", "EV-8", "EV-9", "EV-10"],
        id="CRPS: meta-analysis, CRPS trials, duration",
    ),
    pytest.param(
        Indication.FIBROMYALGIA,
        ["EV-1", "EV-2", "EV-3", "EV-4", "EV-9", "EV-10"],
        id="fibromyalgia: meta-analysis and fibromyalgia trial",
    ),
    pytest.param(
        Indication.POSTOPERATIVE_PAIN, ["EV-10"], id="post-operative pain: hallucination rate only"
    ),
]


@pytest.mark.parametrize(("indication", "evidence"), EVIDENCE_CASES)
def test_indication_shows_the_evidence_statements_that_bear_on_it(
    indication: Indication, evidence: list[str]
) -> None:
    record = complete(conditions=(Condition(concept=indication, status=ACTIVE),))
    assert [
        f.rule_id for f in indications.check_indications(record) if f.rule_id.startswith("EV")
    ] == evidence


def message_of(rule_id: str, record: PatientRecord) -> str:
    (finding,) = [f for f in screen(record).findings if f.rule_id == rule_id]
    return finding.message


def test_evidence_ev2_shows_short_term_benefit_citing_both_sources_c1() -> None:
    message = message_of("EV-2", complete())
    assert "short-term (≈2 wk) benefit" in message
    assert "002" in message
    assert "Orhurhu2019" in message
    assert "Conflict C1" in message


@pytest.mark.parametrize("rule_id", ["IND-1", "EV-8"])
def test_crps_relief_is_shown_as_up_to_12_weeks_fading_c7(rule_id: str) -> None:
    message = message_of(rule_id, complete())
    assert "up to ~12 weeks, fading" in message
    assert "Conflict C7" in message


def test_every_fired_rule_is_declared_in_a_rules_tuple() -> None:
    declared = {
        r.id for module in (contraindications, interactions, indications) for r in module.RULES
    }
    record = complete(
        conditions=(CRPS, condition(ConditionConcept.PTSD)),
        medications=(Medication(name="x", drug_classes=tuple(DrugClass)),),
    )
    assert {f.rule_id for f in screen(record).findings} <= declared


def test_conflicts_c1_to_c8_are_all_defined_with_a_resolution() -> None:
    assert list(conflicts.CONFLICTS) == [f"C{n}" for n in range(1, 9)]
    assert all(
        c.resolution and c.literature and c.article_claim for c in conflicts.CONFLICTS.values()
    )
    assert [r.id for r in conflicts.RULES] == list(conflicts.CONFLICTS)


EXAMPLE_VERDICTS = [
    pytest.param("eligible_crps.json", Verdict.ELIGIBLE, id="the CRPS example is eligible"),
    pytest.param(
        "cautions_postherpetic_opioids.json",
        Verdict.ELIGIBLE_WITH_CAUTIONS,
        id="the 77-year-old on morphine is eligible with cautions",
    ),
    pytest.param(
        "needs_review_ptsd.json", Verdict.NEEDS_REVIEW, id="the PTSD example needs review"
    ),
    pytest.param(
        "excluded_uncontrolled_htn.json",
        Verdict.EXCLUDED,
        id="the uncontrolled hypertension example is excluded",
    ),
]


@pytest.mark.parametrize(("name", "verdict"), EXAMPLE_VERDICTS)
def test_verdict_of_each_example_patient_file(name: str, verdict: Verdict) -> None:
    assert screen(read_patient_file(EXAMPLES / name)).verdict is verdict


HARD_CONDITIONS = [
    ConditionConcept.GLAUCOMA,
    ConditionConcept.DELIRIUM,
    ConditionConcept.INTRACRANIAL_MASS,
]
any_condition = st.builds(
    Condition,
    concept=st.sampled_from([*Indication, *ConditionConcept]),
    status=st.sampled_from(ConditionStatus),
    severity=st.none() | st.sampled_from(ConditionSeverity),
)
any_medication = st.builds(
    Medication,
    name=st.just("drug"),
    drug_classes=st.none() | st.lists(st.sampled_from(DrugClass), max_size=3).map(tuple),
)
any_record = st.builds(
    complete,
    conditions=st.lists(any_condition, max_size=5).map(tuple),
    medications=st.none() | st.lists(any_medication, max_size=3).map(tuple),
    failed_conventional_therapy=st.none() | st.booleans(),
)


@given(any_record)
def test_verdict_is_excluded_exactly_when_a_hard_contraindication_fires(
    record: PatientRecord,
) -> None:
    result = screen(record)
    ci_ids = {r.id for r in contraindications.RULES}
    hard_ci = any(f.level is Severity.HARD and f.rule_id in ci_ids for f in result.findings)
    assert (result.verdict is Verdict.EXCLUDED) is hard_ci


@given(any_record, st.sampled_from(HARD_CONDITIONS))
def test_verdict_adding_a_hard_contraindication_always_excludes(
    record: PatientRecord, concept: ConditionConcept
) -> None:
    worse = complete(
        conditions=(*record.conditions, condition(concept)), medications=record.medications
    )
    assert screen(worse).verdict is Verdict.EXCLUDED


@given(any_record)
def test_verdict_is_eligible_only_without_missing_data_or_warnings(record: PatientRecord) -> None:
    result = screen(record)
    if result.verdict is Verdict.ELIGIBLE:
        assert result.missing == ()
        assert all(f.level is Severity.INFO for f in result.findings)
