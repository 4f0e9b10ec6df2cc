"""Drug interactions DDI-1 … DDI-12: which co-medication fires which rule, at which strength.

Read a row as: a patient taking <medication> of <classes> -> these findings. Strengths and
status letters are copied from the clinical reference, section 7.
"""

from __future__ import annotations

import pytest

from ketapath.clinical.codes import DrugClass
from ketapath.clinical.finding import Evidence, Severity
from ketapath.clinical.records import (
    ConditionStatus,
    Medication,
    Patient,
    PatientRecord,
    Sex,
    Substance,
    SubstanceUse,
    UsePattern,
)
from ketapath.clinical.screening.interactions import RULES, check_interactions

PATIENT = Patient(patient_id="p1", age_years=50, sex=Sex.MALE, weight_kg=80)


def table(text: str) -> list[object]:
    """Rows of a `|` table (header first) as pytest params, the last cell being the test id."""
    lines = [line for line in text.strip().splitlines()[1:] if line.strip()]
    params = []
    for line in lines:
        *cells, reads_as = (cell.strip() for cell in line.split("|"))
        params.append(pytest.param(*cells, id=reads_as))
    return params


def findings(cell: str) -> list[tuple[str, str]]:
    """``"DDI-9 SOFT, DDI-12 HARD"`` -> [("DDI-9", "SOFT"), ("DDI-12", "HARD")]; "-" -> []."""
    if cell == "-":
        return []
    return [tuple(item.split()) for item in cell.split(",")]  # type: ignore[misc]


def fired(
    *medications: Medication, substance_use: tuple[SubstanceUse, ...] = ()
) -> list[tuple[str, str]]:
    record = PatientRecord(patient=PATIENT, medications=medications, substance_use=substance_use)
    return [(f.rule_id, f.level.value) for f in check_interactions(record)]


MEDICATION_TABLE = table("""
medication      | classes                                  | fires                             | reads as
clarithromycin  | strong_cyp3a_inhibitor                   | DDI-1 SOFT                        | clarithromycin: DDI-1
itraconazole    | itraconazole                             | DDI-2 INFO                        | itraconazole: DDI-2 INFO
ticlopidine     | cyp2b6_inhibitor                         | DDI-3 SOFT                        | ticlopidine: DDI-3
rifampicin      | cyp_inducer                              | DDI-4 SOFT                        | rifampicin: DDI-4
St John's wort  | st_johns_wort                            | DDI-5 SOFT                        | St John's wort: DDI-5
lorazepam       | benzodiazepine                           | DDI-6 SOFT                        | lorazepam: DDI-6
lamotrigine     | lamotrigine                              | DDI-7 INFO                        | lamotrigine: DDI-7 INFO
phenelzine      | maoi                                     | DDI-8 SOFT                        | an MAOI: DDI-8
methylphenidate | psychostimulant                          | DDI-8 SOFT                        | a stimulant: DDI-8
oxycodone       | opioid                                   | DDI-9 SOFT                        | an opioid: DDI-9
zopiclone       | cns_depressant                           | DDI-9 SOFT                        | a CNS depressant: DDI-9
theophylline    | theophylline                             | DDI-10 SOFT                       | theophylline: DDI-10
levothyroxine   | levothyroxine                            | DDI-11 SOFT                       | levothyroxine: DDI-11
phenobarbital   | barbiturate, cyp_inducer, cns_depressant | DDI-12 HARD, DDI-4 SOFT, DDI-9 SOFT | phenobarbital: three rules
tramadol        | opioid, cns_depressant                   | DDI-9 SOFT                        | two DDI-9 classes: one finding
gabapentin      | -                                        | -                                 | reviewed, no class: nothing
""")  # noqa: E501 -- one interaction per row, as the reference writes it


@pytest.mark.parametrize(("medication", "classes", "fires"), MEDICATION_TABLE)
def test_interaction_medication_fires_expected_rules(
    medication: str, classes: str, fires: str
) -> None:
    drug_classes = () if classes == "-" else tuple(DrugClass(c.strip()) for c in classes.split(","))
    assert fired(Medication(name=medication, drug_classes=drug_classes)) == findings(fires)


def test_interaction_unclassified_medication_fires_nothing() -> None:
    assert fired(Medication(name="clarithromycin", drug_classes=None)) == []


def test_interaction_no_medication_list_fires_nothing() -> None:
    assert check_interactions(PatientRecord(patient=PATIENT)) == []


DIAZEPAM_TABLE = table("""
daily_dose_mg | warned | reads as
8             | no     | diazepam 8 mg/day: no dose warning
8.5           | yes    | diazepam 8.5 mg/day: above 8 mg, warned
-             | no     | diazepam without a dose: no dose warning
""")


@pytest.mark.parametrize(("daily_dose_mg", "warned"), DIAZEPAM_TABLE)
def test_interaction_diazepam_above_8_mg_a_day_adds_the_dose_warning(
    daily_dose_mg: str, warned: str
) -> None:
    dose = None if daily_dose_mg == "-" else float(daily_dose_mg)
    diazepam = Medication(
        name="diazepam", drug_classes=(DrugClass.BENZODIAZEPINE,), daily_dose_mg=dose
    )
    record = PatientRecord(patient=PATIENT, medications=(diazepam,))
    (finding,) = check_interactions(record)
    assert finding.rule_id == "DDI-6"
    assert ("weaker antidepressant response" in finding.message) is (warned == "yes")


def test_interaction_opioid_message_suggests_halving_the_opioid_dose() -> None:
    record = PatientRecord(
        patient=PATIENT,
        medications=(
            Medication(name="morphine", drug_classes=(DrugClass.OPIOID,), daily_dose_mg=60),
        ),
    )
    (finding,) = check_interactions(record)
    assert "about 50%" in finding.message
    assert finding.values["daily_dose_mg"] == 60


def test_interaction_barbiturate_message_forbids_co_mixing() -> None:
    (finding,) = check_interactions(
        PatientRecord(
            patient=PATIENT,
            medications=(Medication(name="thiopental", drug_classes=(DrugClass.BARBITURATE,)),),
        )
    )
    assert finding.level is Severity.HARD
    assert "same syringe" in finding.message


SUBSTANCE_TABLE = table("""
substance  | pattern      | status    | fires      | reads as
alcohol    | occasional   | active    | DDI-9 SOFT | current drinking: DDI-9
alcohol    | chronic      | history   | -          | past drinking: nothing
stimulants | occasional   | active    | DDI-8 SOFT | current cocaine or amphetamine use: DDI-8
stimulants | use_disorder | remission | -          | stimulant use in remission: nothing
cannabis   | chronic      | active    | -          | cannabis: no interaction row
""")


@pytest.mark.parametrize(("substance", "pattern", "status", "fires"), SUBSTANCE_TABLE)
def test_interaction_substance_use_fires_expected_rules(
    substance: str, pattern: str, status: str, fires: str
) -> None:
    entry = SubstanceUse(
        substance=Substance(substance), pattern=UsePattern(pattern), status=ConditionStatus(status)
    )
    assert fired(substance_use=(entry,)) == findings(fires)


def test_interaction_every_drug_class_fires_a_rule() -> None:
    for drug_class in DrugClass:
        assert fired(Medication(name="x", drug_classes=(drug_class,))), drug_class


REFERENCE_RULES = {
    "DDI-1": ("SOFT", "F"),
    "DDI-2": ("INFO", "F"),
    "DDI-3": ("SOFT", "F"),
    "DDI-4": ("SOFT", "F"),
    "DDI-5": ("SOFT", "F"),
    "DDI-6": ("SOFT", "F"),
    "DDI-7": ("INFO", "F"),
    "DDI-8": ("SOFT", "F"),
    "DDI-9": ("SOFT", "F"),
    "DDI-10": ("SOFT", "F"),
    "DDI-11": ("SOFT", "F+S"),
    "DDI-12": ("HARD", "F"),
}
"""Section 7 of the reference: strength (DDI-10 "SOFT→HARD" coded SOFT) and status letters."""


def test_interaction_rules_are_exactly_the_reference_rows() -> None:
    assert [rule.id for rule in RULES] == list(REFERENCE_RULES)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: f"{rule.id} has the reference strength")
def test_interaction_rule_strength_and_status_match_the_reference(rule: object) -> None:
    strength, status = REFERENCE_RULES[rule.id]  # type: ignore[attr-defined]
    assert rule.strength == Severity(strength)  # type: ignore[attr-defined]
    assert rule.evidence == tuple(Evidence(x) for x in status.split("+"))  # type: ignore[attr-defined]
