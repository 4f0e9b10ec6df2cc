"""Drug interactions with ketamine (DDI-1 … DDI-12 of the clinical reference, section 7).

A medication fires every rule whose drug class it carries (`Medication.drug_classes`); a
medication that was not classified fires nothing here and is listed as missing data by the
verdict. Current substance use counts too: alcohol for DDI-9 and stimulants (cocaine,
amphetamines) for DDI-8.

DDI-12 is HARD in the reference because barbiturates precipitate when mixed with ketamine in
the same syringe: the block applies to preparation (never co-mix), so screening reports it as a
HARD caution and the verdict does not exclude the patient for it. DDI-10 is "SOFT→HARD": it is
coded SOFT and sends the patient to clinician review.
"""

from __future__ import annotations

from ketapath.clinical.codes import DrugClass
from ketapath.clinical.finding import Finding, Rule
from ketapath.clinical.records import Medication, PatientRecord, Substance, SubstanceUse
from ketapath.clinical.screening.ruletable import parse_rules

__all__ = ["ACTIONS", "DIAZEPAM_MG_PER_DAY_LIMIT", "RULES", "check_interactions"]

_BY_ID = parse_rules("""
id     | strength | status | sources                                    | title
DDI-1  | SOFT     | F      | Hagelberg 2010                             | Strong CYP3A inhibitor
DDI-2  | INFO     | F      | Peltoniemi 2011                            | Itraconazole (CYP3A)
DDI-3  | SOFT     | F      | Peltoniemi 2011                            | CYP2B6 inhibitor
DDI-4  | SOFT     | F      | Peltoniemi 2012                            | CYP inducer
DDI-5  | SOFT     | F      | Peltoniemi 2012                            | St John's wort
DDI-6  | SOFT     | F      | UK palliative guideline; Andrashko 2020    | Benzodiazepine
DDI-7  | INFO     | F      | Anand 2000; Andrade 2017                   | Lamotrigine
DDI-8  | SOFT     | F      | SpravatoPI; Bartels (CU Anschutz)          | MAOI or psychostimulant
DDI-9  | SOFT     | F      | SpravatoPI; Singapore palliative formulary | Opioid, CNS depressant or alcohol
DDI-10 | SOFT     | F      | UK palliative guideline                    | Theophylline or aminophylline
DDI-11 | SOFT     | F+S    | UK palliative guideline; 000               | Levothyroxine
DDI-12 | HARD     | F      | Ketamine label (MIMS)                      | Barbiturate
""")  # noqa: E501 -- one rule per row, as the reference writes it
RULES: tuple[Rule, ...] = tuple(_BY_ID.values())

DIAZEPAM_MG_PER_DAY_LIMIT = 8.0
"""DDI-6: more than 8 mg diazepam-equivalent a day is linked to a weaker antidepressant response."""

ACTIONS: dict[str, str] = {
    "DDI-1": "oral S-ketamine Cmax ×3.6, AUC ×2.6 with clarithromycin; reduce the oral dose and "
    "monitor",
    "DDI-2": "no change in oral S-ketamine AUC, but more drowsiness",
    "DDI-3": "oral S-ketamine AUC ×2.4 with ticlopidine; reduce the dose",
    "DDI-4": "ketamine AUC −86% oral, −14% IV with rifampicin; oral ketamine may fail",
    "DDI-5": "oral ketamine AUC −58%, Cmax −66%; oral ketamine may fail",
    "DDI-6": "additive sedation, and diazepam raises ketamine levels; benzodiazepines also serve "
    "as rescue for emergence phenomena",
    "DDI-7": "attenuates ketamine's perceptual and psychotomimetic effects (effect on analgesia "
    "unknown)",
    "DDI-8": "additive blood-pressure rise; monitor BP closely",
    "DDI-9": "additive sedation and respiratory depression; monitor closely",
    "DDI-10": "risk of tachycardia and seizures; clinician review (may be made a hard block)",
    "DDI-11": "risk of hypertension and tachycardia; monitor BP and HR",
    "DDI-12": "never mix with ketamine in the same syringe (precipitate); expect a prolonged "
    "recovery",
}
"""The effect and what to do, for each rule; it ends every finding's message."""

_RULE_OF_CLASS: dict[DrugClass, str] = {
    DrugClass.STRONG_CYP3A_INHIBITOR: "DDI-1",
    DrugClass.ITRACONAZOLE: "DDI-2",
    DrugClass.CYP2B6_INHIBITOR: "DDI-3",
    DrugClass.CYP_INDUCER: "DDI-4",
    DrugClass.ST_JOHNS_WORT: "DDI-5",
    DrugClass.BENZODIAZEPINE: "DDI-6",
    DrugClass.LAMOTRIGINE: "DDI-7",
    DrugClass.MAOI: "DDI-8",
    DrugClass.PSYCHOSTIMULANT: "DDI-8",
    DrugClass.OPIOID: "DDI-9",
    DrugClass.CNS_DEPRESSANT: "DDI-9",
    DrugClass.ALCOHOL: "DDI-9",
    DrugClass.THEOPHYLLINE: "DDI-10",
    DrugClass.LEVOTHYROXINE: "DDI-11",
    DrugClass.BARBITURATE: "DDI-12",
}
_RULE_OF_SUBSTANCE: dict[Substance, tuple[str, DrugClass]] = {
    Substance.ALCOHOL: ("DDI-9", DrugClass.ALCOHOL),
    Substance.STIMULANTS: ("DDI-8", DrugClass.PSYCHOSTIMULANT),
}


def _extra(rule_id: str, medication: Medication, drug_class: DrugClass) -> str:
    """Dose- or class-specific advice added to a finding's message."""
    if drug_class is DrugClass.OPIOID:
        return " Ketamine is opioid-sparing: consider reducing the opioid dose by about 50%."
    dose = medication.daily_dose_mg
    is_diazepam = medication.name.strip().lower() == "diazepam"
    if rule_id == "DDI-6" and is_diazepam and dose is not None and dose > DIAZEPAM_MG_PER_DAY_LIMIT:
        return (
            f" {dose:g} mg/day is above {DIAZEPAM_MG_PER_DAY_LIMIT:g} mg diazepam-equivalent"
            "/day, linked to a weaker antidepressant response."
        )
    return ""


def _medication_findings(medication: Medication) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[str] = set()
    for drug_class in medication.drug_classes or ():
        rule_id = _RULE_OF_CLASS[drug_class]
        if rule_id in seen:  # one finding per rule and medication
            continue
        seen.add(rule_id)
        values: dict[str, object] = {"medication": medication.name, "drug_class": drug_class.value}
        if medication.daily_dose_mg is not None:
            values["daily_dose_mg"] = medication.daily_dose_mg
        message = f"{medication.name} ({drug_class.value.replace('_', ' ')}): {ACTIONS[rule_id]}."
        message += _extra(rule_id, medication, drug_class)
        findings.append(Finding(rule=_BY_ID[rule_id], message=message, values=values))
    return findings


def _substance_finding(entry: SubstanceUse) -> Finding | None:
    if not entry.is_current or entry.substance not in _RULE_OF_SUBSTANCE:
        return None
    rule_id, drug_class = _RULE_OF_SUBSTANCE[entry.substance]
    values: dict[str, object] = {"substance": entry.substance.value}
    values["drug_class"] = drug_class.value
    what = f"Current {entry.substance.value} use ({entry.pattern.value.replace('_', ' ')})"
    return Finding(rule=_BY_ID[rule_id], message=f"{what}: {ACTIONS[rule_id]}.", values=values)


def check_interactions(record: PatientRecord) -> list[Finding]:
    """Check current medications and substance use against the interaction table (DDI-1 … 12).

    Parameters
    ----------
    record : PatientRecord
        The patient; `medications` entries with ``drug_classes=None`` (unclassified) and an
        absent medication list fire nothing here (the verdict lists them as missing).

    Returns
    -------
    list of Finding
        One finding per medication (or substance) and rule, in medication order.

    Examples
    --------
    >>> from ketapath.clinical.records import Patient, Sex
    >>> patient = Patient(patient_id="p1", age_years=50, sex=Sex.MALE)
    >>> morphine = Medication(name="morphine", drug_classes=(DrugClass.OPIOID,))
    >>> record = PatientRecord(patient=patient, medications=(morphine,))
    >>> [(f.rule_id, f.level.value) for f in check_interactions(record)]
    [('DDI-9', 'SOFT')]
    """
    findings = [
        f for medication in record.medications or () for f in _medication_findings(medication)
    ]
    for entry in record.substance_use or ():
        finding = _substance_finding(entry)
        findings += [finding] if finding is not None else []
    return findings
