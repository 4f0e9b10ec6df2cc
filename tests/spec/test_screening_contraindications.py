"""Contraindications CI-1 … CI-18, one table per kind of cause, both sides of every threshold.

Read a row as: a patient with <this> -> these rule findings at these strengths (an empty list
means nothing fires). Expected strengths are copied from the clinical reference, section 2.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ketapath.clinical.codes import ConditionConcept
from ketapath.clinical.finding import Evidence, Severity
from ketapath.clinical.records import (
    Condition,
    ConditionSeverity,
    ConditionStatus,
    Patient,
    PatientRecord,
    Sex,
    Substance,
    SubstanceUse,
    UsePattern,
    VitalSigns,
)
from ketapath.clinical.screening.contraindications import RULES, check_contraindications

CC = ConditionConcept
ACTIVE, CONTROLLED = ConditionStatus.ACTIVE, ConditionStatus.CONTROLLED
REMISSION, HISTORY = ConditionStatus.REMISSION, ConditionStatus.HISTORY
MILD, MODERATE, SEVERE = (
    ConditionSeverity.MILD,
    ConditionSeverity.MODERATE,
    ConditionSeverity.SEVERE,
)
H, S = "HARD", "SOFT"
T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


def table(text: str) -> list[object]:
    """Rows of a `|` table (header first) as pytest params, the last cell being the test id."""
    lines = [line for line in text.strip().splitlines()[1:] if line.strip()]
    params = []
    for line in lines:
        *cells, reads_as = (cell.strip() for cell in line.split("|"))
        params.append(pytest.param(*cells, id=reads_as))
    return params


def findings(cell: str) -> list[tuple[str, str]]:
    """``"CI-1 HARD, CI-18 SOFT"`` -> [("CI-1", "HARD"), ("CI-18", "SOFT")]; ``"-"`` -> []."""
    if cell == "-":
        return []
    return [tuple(item.split()) for item in cell.split(",")]  # type: ignore[misc]


def patient(*, age_years: int = 45, sex: Sex = Sex.MALE, **fields: object) -> Patient:
    return Patient(patient_id="p1", age_years=age_years, sex=sex, weight_kg=70, **fields)  # type: ignore[arg-type]


def fired(record: PatientRecord) -> list[tuple[str, str]]:
    return [(f.rule_id, f.level.value) for f in check_contraindications(record)]


def with_condition(
    concept: CC, status: ConditionStatus, severity: ConditionSeverity | None = None
) -> PatientRecord:
    condition = Condition(concept=concept, status=status, severity=severity)
    return PatientRecord(patient=patient(), conditions=(condition,))


CONDITION_TABLE = table("""
concept                    | status     | severity | fires      | reads as
hypertension               | active     | -        | CI-1 HARD  | uncontrolled hypertension: CI-1
hypertension               | controlled | -        | -          | controlled hypertension: nothing
hypertension               | controlled | severe   | CI-1 HARD  | severe hypertension: CI-1
angina                     | active     | -        | CI-1 HARD  | unstable angina: CI-1 HARD
acute_coronary_syndrome    | active     | -        | CI-1 HARD  | recent ACS: CI-1 HARD
acute_coronary_syndrome    | history    | -        | -          | ACS long ago: nothing
heart_failure              | active     | -        | CI-1 HARD  | decompensated heart failure: CI-1
arrhythmia                 | active     | -        | CI-1 HARD  | unstable arrhythmia: CI-1
cardiovascular_disease     | controlled | moderate | -          | controlled moderate CVD: nothing
cerebrovascular_disease    | controlled | severe   | CI-2 HARD  | severe cerebrovascular: CI-2
cerebrovascular_disease    | controlled | mild     | -          | mild cerebrovascular: nothing
aneurysmal_vascular_disease| controlled | -        | CI-2 HARD  | aneurysm: CI-2
arteriovenous_malformation | active     | -        | CI-2 HARD  | AVM: CI-2
intracerebral_haemorrhage  | history    | -        | CI-2 HARD  | prior brain bleed: CI-2
psychosis                  | active     | -        | CI-3 HARD  | active psychosis: CI-3 HARD
schizophrenia              | active     | -        | CI-3 HARD  | uncontrolled schizophrenia: CI-3
schizophrenia              | controlled | -        | CI-3b SOFT | stable schizophrenia: CI-3b review
psychosis                  | history    | -        | CI-3b SOFT | past psychosis: CI-3b review
delirium                   | active     | -        | CI-4 HARD  | delirium: CI-4 HARD
delirium                   | history    | -        | -          | resolved delirium: nothing
hepatic_impairment         | active     | severe   | CI-5 HARD  | Child-Pugh C: CI-5 HARD
hepatic_impairment         | active     | moderate | CI-5b SOFT | moderate hepatic impairment: CI-5b
hepatic_impairment         | active     | mild     | -          | mild hepatic impairment: nothing
hepatitis                  | active     | -        | CI-5 HARD  | hepatitis: CI-5 HARD
glaucoma                   | controlled | -        | CI-6 HARD  | glaucoma on drops: CI-6 HARD
open_globe_injury          | active     | -        | CI-6 HARD  | open globe injury: CI-6
raised_intracranial_pressure | active   | -        | CI-7 HARD  | raised ICP: CI-7 HARD
intracranial_mass          | active     | -        | CI-7 HARD  | intracranial mass: CI-7
acute_head_trauma          | history    | -        | -          | old head trauma: nothing
hyperthyroidism            | active     | -        | CI-10 HARD | hyperthyroidism: CI-10 HARD
hyperthyroidism            | controlled | -        | -          | treated, euthyroid: nothing
phaeochromocytoma          | controlled | -        | CI-10 HARD | phaeochromocytoma: CI-10
ptsd                       | controlled | -        | CI-11 SOFT | PTSD: CI-11 review
ptsd                       | history    | -        | CI-11 SOFT | past PTSD: CI-11 review
seizures                   | active     | -        | CI-12 SOFT | recent seizures: CI-12 SOFT
seizures                   | controlled | -        | -          | no recent seizures: nothing
ketamine_hypersensitivity  | history    | -        | CI-13 HARD | past reaction to ketamine: CI-13
respiratory_disease        | controlled | -        | CI-14 SOFT | COPD: CI-14 SOFT
sleep_apnoea               | active     | -        | CI-14 SOFT | sleep apnoea: CI-14 SOFT
depression                 | remission  | -        | CI-14 SOFT | depression in remission: CI-14
depression                 | history    | -        | -          | resolved depression: nothing
bipolar_disorder           | controlled | -        | CI-14 SOFT | bipolar disorder: CI-14
""")


@pytest.mark.parametrize(("concept", "status", "severity", "fires"), CONDITION_TABLE)
def test_contraindication_condition_fires_expected_rules(
    concept: str, status: str, severity: str, fires: str
) -> None:
    grade = None if severity == "-" else ConditionSeverity(severity)
    record = with_condition(CC(concept), ConditionStatus(status), grade)
    assert fired(record) == findings(fires)


def test_contraindication_psychiatric_history_is_read_like_conditions() -> None:
    ptsd = Condition(concept=CC.PTSD, status=CONTROLLED)
    record = PatientRecord(patient=patient(), psychiatric_history=(ptsd,))
    assert fired(record) == [("CI-11", S)]


SUBSTANCE_TABLE = table("""
substance  | pattern      | status    | fires      | reads as
opioids    | use_disorder | active    | CI-8 HARD  | active opioid use disorder: CI-8 HARD
ketamine   | use_disorder | remission | CI-8b SOFT | ketamine use disorder in remission: CI-8b
stimulants | use_disorder | history   | CI-8b SOFT | past stimulant use disorder: CI-8b
alcohol    | chronic      | active    | CI-16 SOFT | chronic alcohol use: CI-16 SOFT
alcohol    | intoxicated  | active    | CI-16 SOFT | alcohol intoxication: CI-16 SOFT
alcohol    | chronic      | history   | -          | past chronic alcohol use: nothing
alcohol    | occasional   | active    | -          | occasional drinking: nothing
cannabis   | chronic      | active    | -          | chronic cannabis use: nothing here
""")


@pytest.mark.parametrize(("substance", "pattern", "status", "fires"), SUBSTANCE_TABLE)
def test_contraindication_substance_use_fires_expected_rules(
    substance: str, pattern: str, status: str, fires: str
) -> None:
    entry = SubstanceUse(
        substance=Substance(substance), pattern=UsePattern(pattern), status=ConditionStatus(status)
    )
    assert fired(PatientRecord(patient=patient(), substance_use=(entry,))) == findings(fires)


PATIENT_TABLE = table("""
age | sex    | pregnant | breastfeeding | fires      | reads as
74  | male   | -        | -             | -          | age 74: nothing
75  | male   | -        | -             | CI-15 SOFT | age 75: CI-15 SOFT
1   | male   | -        | -             | -          | age 1: nothing
0   | male   | -        | -             | CI-15 SOFT | an infant: CI-15 SOFT
30  | female | yes      | -             | CI-9 HARD  | pregnant: CI-9 HARD
30  | female | no       | -             | -          | not pregnant: nothing
30  | female | -        | -             | -          | pregnancy unknown: missing data
30  | female | no       | yes           | CI-17 SOFT | breast-feeding: CI-17 SOFT
""")
YES_NO = {"yes": True, "no": False, "-": None}


@pytest.mark.parametrize(("age", "sex", "pregnant", "breastfeeding", "fires"), PATIENT_TABLE)
def test_contraindication_patient_fields_fire_expected_rules(
    age: str, sex: str, pregnant: str, breastfeeding: str, fires: str
) -> None:
    person = patient(
        age_years=int(age),
        sex=Sex(sex),
        pregnant=YES_NO[pregnant],
        breastfeeding=YES_NO[breastfeeding],
    )
    assert fired(PatientRecord(patient=person)) == findings(fires)


def with_vitals(**values: float) -> PatientRecord:
    return PatientRecord(patient=patient(), vitals=(VitalSigns(time=T0, **values),))


VITALS_TABLE = table("""
sbp_mmhg | dbp_mmhg | hr_bpm | rr_per_min | fires                | reads as
180      | 85       | -      | -          | CI-18 SOFT           | SBP 180: MON-1 SOFT only
181      | 85       | -      | -          | CI-18 HARD           | SBP 181: MON-2 HARD
90       | 60       | -      | -          | -                    | SBP 90: nothing
89       | 60       | -      | -          | CI-18 HARD           | SBP 89: MON-2 HARD
-        | -        | 150    | -          | -                    | HR 150: nothing
-        | -        | 151    | -          | CI-18 HARD           | HR 151: MON-2 HARD
-        | -        | 50     | -          | -                    | HR 50: nothing
-        | -        | 49     | -          | CI-18 HARD           | HR 49: MON-2 HARD
-        | -        | -      | 10         | -                    | RR 10: nothing
-        | -        | -      | 9          | CI-18 HARD           | RR 9: MON-2 HARD
-        | -        | -      | 30         | -                    | RR 30: nothing
-        | -        | -      | 31         | CI-18 HARD           | RR 31: MON-2 HARD
139      | 89       | -      | -          | -                    | BP 139/89: nothing
140      | 89       | -      | -          | CI-18 SOFT           | BP 140/89: MON-1 SOFT
139      | 90       | -      | -          | CI-18 SOFT           | BP 139/90: MON-1 SOFT
-        | 95       | -      | -          | CI-18 SOFT           | diastolic 95 alone: MON-1 SOFT
150      | 95       | 160    | -          | CI-18 HARD, CI-18 SOFT | HR 160, BP 150/95: both
""")


@pytest.mark.parametrize(("sbp_mmhg", "dbp_mmhg", "hr_bpm", "rr_per_min", "fires"), VITALS_TABLE)
def test_contraindication_baseline_vitals_fire_expected_findings(
    sbp_mmhg: str, dbp_mmhg: str, hr_bpm: str, rr_per_min: str, fires: str
) -> None:
    cells = {"sbp_mmhg": sbp_mmhg, "dbp_mmhg": dbp_mmhg, "hr_bpm": hr_bpm, "rr_per_min": rr_per_min}
    values = {name: float(cell) for name, cell in cells.items() if cell != "-"}
    assert fired(with_vitals(**values)) == findings(fires)


def test_contraindication_spo2_and_temperature_are_not_baseline_limits() -> None:
    assert fired(with_vitals(spo2_pct=85, temperature_c=39)) == []


def test_contraindication_baseline_uses_the_latest_vitals() -> None:
    old = VitalSigns(time=T0, sbp_mmhg=200, dbp_mmhg=100)
    new = VitalSigns(time=T0.replace(hour=10), sbp_mmhg=130, dbp_mmhg=80)
    assert fired(PatientRecord(patient=patient(), vitals=(old, new))) == []


def test_contraindication_baseline_finding_names_value_and_limit() -> None:
    (finding,) = check_contraindications(with_vitals(sbp_mmhg=181, dbp_mmhg=85))
    assert "181 mmHg is above 180 mmHg" in finding.message
    assert finding.values["sbp_mmhg"] == 181


def test_contraindication_uncontrolled_hypertension_message_cites_conflict_c5() -> None:
    (finding,) = check_contraindications(with_condition(CC.HYPERTENSION, ACTIVE))
    assert "Conflict C5" in finding.message
    assert "HARD block" in finding.message


def test_contraindication_high_baseline_sbp_message_cites_conflict_c5() -> None:
    (finding,) = check_contraindications(with_vitals(sbp_mmhg=190, dbp_mmhg=100))
    assert "Conflict C5" in finding.message


def test_contraindication_ptsd_message_cites_conflict_c6() -> None:
    (finding,) = check_contraindications(with_condition(CC.PTSD, ACTIVE))
    assert "Conflict C6" in finding.message
    assert "psychiatric review" in finding.message


def test_contraindication_finding_carries_the_condition_values() -> None:
    (finding,) = check_contraindications(with_condition(CC.HEPATIC_IMPAIRMENT, ACTIVE, MODERATE))
    assert dict(finding.values) == {
        "concept": "hepatic_impairment",
        "status": "active",
        "severity": "moderate",
    }


def test_contraindication_nothing_known_fires_nothing() -> None:
    assert fired(PatientRecord(patient=patient())) == []


# The reference's section 2: id -> strength and status letters, copied by hand.
REFERENCE_RULES = {
    "CI-1": ("HARD", "F+S"),
    "CI-2": ("HARD", "S+F"),
    "CI-3": ("HARD", "F+S"),
    "CI-3b": ("SOFT", "S+F"),
    "CI-4": ("HARD", "S+F"),
    "CI-5": ("HARD", "F+S"),
    "CI-5b": ("SOFT", "F"),
    "CI-6": ("HARD", "F+S"),
    "CI-7": ("HARD", "F+S"),
    "CI-8": ("HARD", "F+S"),
    "CI-8b": ("SOFT", "F+S"),
    "CI-9": ("HARD", "F"),
    "CI-10": ("HARD", "S"),
    "CI-11": ("SOFT", "S"),
    "CI-12": ("SOFT", "F"),
    "CI-13": ("HARD", "F"),
    "CI-14": ("SOFT", "S"),
    "CI-15": ("SOFT", "F"),
    "CI-16": ("SOFT", "F"),
    "CI-17": ("SOFT", "F"),
    "CI-18": ("HARD", "F"),
}


def test_contraindication_rules_are_exactly_the_reference_rows() -> None:
    assert [rule.id for rule in RULES] == list(REFERENCE_RULES)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: f"{rule.id} has the reference strength")
def test_contraindication_rule_strength_and_status_match_the_reference(rule: object) -> None:
    strength, status = REFERENCE_RULES[rule.id]  # type: ignore[attr-defined]
    assert rule.strength == Severity(strength)  # type: ignore[attr-defined]
    assert rule.evidence == tuple(Evidence(letter) for letter in status.split("+"))  # type: ignore[attr-defined]
    assert rule.sources  # type: ignore[attr-defined]
