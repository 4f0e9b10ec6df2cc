"""Contraindications and precautions (CI-1 … CI-18 of the clinical reference, section 2).

Which records fire which rule (condition status as defined in `ketapath.clinical.records`):

- CI-1 HARD: hypertension, angina, coronary syndrome, heart failure, arrhythmia or cardiovascular
  disease that is *active* (uncontrolled, unstable, recent, decompensated) or *severe* (C5).
- CI-2 HARD: severe cerebrovascular disease; aneurysmal vascular disease or AVM present; any
  intracerebral haemorrhage, past ones included.
- CI-3 HARD: active psychosis or schizophrenia. CI-3b SOFT (review): the same, stable or past.
- CI-4 HARD delirium; CI-5 HARD severe hepatic impairment or hepatitis; CI-5b SOFT moderate
  hepatic impairment; CI-6 / CI-7 HARD (override path) raised intraocular / intracranial pressure.
- CI-8 HARD: an active substance use disorder. CI-8b SOFT: one in remission or past (it also
  carries CI-14's "history of substance abuse").
- CI-9 HARD pregnancy; CI-10 HARD active hyperthyroidism or phaeochromocytoma; CI-11 SOFT PTSD
  (review, C6); CI-12 SOFT recent seizures (review: the clinician may make it HARD);
  CI-13 HARD hypersensitivity to ketamine or esketamine, past reactions included.
- CI-14 SOFT respiratory disease, non-psychotic psychiatric disorders not resolved; CI-15 SOFT
  age ≥ 75 y or under 1 y; CI-16 SOFT current chronic alcohol use or intoxication; CI-17 SOFT
  breast-feeding; CI-18 baseline vitals (see `ketapath.clinical.screening.baseline`).
"""

from __future__ import annotations

from collections.abc import Callable

from ketapath.clinical.codes import ConditionConcept
from ketapath.clinical.conflicts import CONFLICTS
from ketapath.clinical.finding import Finding, Rule
from ketapath.clinical.records import (
    Condition,
    ConditionSeverity,
    ConditionStatus,
    PatientRecord,
    Substance,
    SubstanceUse,
    UsePattern,
)
from ketapath.clinical.screening.baseline import CI_18, check_baseline_vitals
from ketapath.clinical.screening.ruletable import parse_rules

__all__ = ["ACTIONS", "RULES", "check_contraindications"]

_BY_ID = parse_rules("""
id    | strength | status | sources                               | title
CI-1  | HARD     | F+S    | Cohen2018; Schwenk2018; 000; 001; 002 | Poorly controlled or severe cardiovascular disease
CI-2  | HARD     | S+F    | 000; SpravatoPI                       | Severe cerebrovascular or aneurysmal disease
CI-3  | HARD     | F+S    | Cohen2018; Schwenk2018; 000; 001; 002 | Active or poorly controlled psychosis
CI-3b | SOFT     | S+F    | 002; Cohen2018; Schwenk2018           | History of psychosis, currently stable
CI-4  | HARD     | S+F    | 000; UK palliative guideline 2012     | Delirium
CI-5  | HARD     | F+S    | Cohen2018; Schwenk2018; 000; 002      | Severe hepatic impairment or hepatitis
CI-5b | SOFT     | F      | Cohen2018                             | Moderate hepatic impairment
CI-6  | HARD     | F+S    | Cohen2018; 000; Miller's Anesthesia   | Raised intraocular pressure, open globe
CI-7  | HARD     | F+S    | Cohen2018; 002; WestJEM 2020          | Raised intracranial pressure, mass, head trauma
CI-8  | HARD     | F+S    | Cohen2018; 000; 003                   | Active substance use disorder
CI-8b | SOFT     | F+S    | SpravatoPI; 004                       | Past substance use disorder in remission
CI-9  | HARD     | F      | Schwenk2018; SpravatoPI               | Pregnancy
CI-10 | HARD     | S      | 000                                   | Hyperthyroidism or phaeochromocytoma
CI-11 | SOFT     | S      | 002; 001                              | PTSD
CI-12 | SOFT     | F      | UK palliative guideline 2012          | Recent seizures
CI-13 | HARD     | F      | SpravatoPI; RCHT nursing guideline    | Hypersensitivity to ketamine or esketamine
CI-14 | SOFT     | S      | 004                                   | Respiratory disease or non-psychotic psychiatric disorder
CI-15 | SOFT     | F      | SCIRP ED protocol                     | Age 75 years or older (or an infant)
CI-16 | SOFT     | F      | Ketamax label (MIMS)                  | Chronic alcohol use or acute intoxication
CI-17 | SOFT     | F      | SpravatoPI                            | Breast-feeding
""")  # noqa: E501 -- one rule per row, as the reference writes it
RULES: tuple[Rule, ...] = (*_BY_ID.values(), CI_18)

_OVERRIDE = "only with a documented clinician override, at a low dose with extreme caution"
ACTIONS: dict[str, str] = {
    "CI-1": "do not infuse",
    "CI-2": "do not give",
    "CI-3": "avoid",
    "CI-3b": "psychiatric review before treatment",
    "CI-4": "avoid",
    "CI-5": "avoid",
    "CI-5b": "allowed with caution and liver-test monitoring (TOX-L)",
    "CI-6": f"do not use; {_OVERRIDE} (grade C)",
    "CI-7": f"do not use; {_OVERRIDE} (grade C)",
    "CI-8": "no serial infusions; any single dose needs universal precautions and abuse monitoring",
    "CI-8b": "allowed with abuse monitoring (DEP rules)",
    "CI-9": "contraindicated (the esketamine label warns of fetal harm)",
    "CI-10": "avoid (sympathomimetic load)",
    "CI-11": "psychiatric review before treatment",
    "CI-12": "avoid; the clinician decides whether this is a hard block",
    "CI-13": "do not give",
    "CI-14": "use cautiously, with close vital-sign and mental-status monitoring",
    "CI-15": "ED protocols exclude patients over 75 and infants; the chronic-pain guideline sets "
    "no age limit: use with caution",
    "CI-16": "use with caution",
    "CI-17": "avoid (esketamine label)",
}
"""What each rule tells the clinician to do; it ends every finding's message."""

CC = ConditionConcept
_CONFLICT_NOTES: dict[str, str] = {
    CC.HYPERTENSION: CONFLICTS["C5"].note,
    CC.PTSD: CONFLICTS["C6"].note,
}
_CARDIOVASCULAR = {CC.HYPERTENSION, CC.ANGINA, CC.ACUTE_CORONARY_SYNDROME, CC.HEART_FAILURE}
_CARDIOVASCULAR |= {CC.ARRHYTHMIA, CC.CARDIOVASCULAR_DISEASE}
_PSYCHOTIC = {CC.PSYCHOSIS, CC.SCHIZOPHRENIA}
_NON_PSYCHOTIC = {CC.DEPRESSION, CC.ANXIETY_DISORDER, CC.BIPOLAR_DISORDER}
_NON_PSYCHOTIC |= {CC.OTHER_PSYCHIATRIC_DISORDER}


def _active(c: Condition) -> bool:
    return c.status is ConditionStatus.ACTIVE


def _present(c: Condition) -> bool:
    return c.is_present


def _any_status(_: Condition) -> bool:
    return True


def _severe(c: Condition) -> bool:
    return c.is_present and c.severity is ConditionSeverity.SEVERE


def _active_or_severe(c: Condition) -> bool:
    return _active(c) or _severe(c)


def _moderate(c: Condition) -> bool:
    return c.is_present and c.severity is ConditionSeverity.MODERATE


def _not_active(c: Condition) -> bool:
    return not _active(c)


def _not_resolved(c: Condition) -> bool:
    return c.status is not ConditionStatus.HISTORY


_Applies = Callable[[Condition], bool]
_CONDITION_RULES: tuple[tuple[str, set[ConditionConcept], _Applies], ...] = (
    ("CI-1", _CARDIOVASCULAR, _active_or_severe),
    ("CI-2", {CC.CEREBROVASCULAR_DISEASE}, _severe),
    ("CI-2", {CC.ANEURYSMAL_VASCULAR_DISEASE, CC.ARTERIOVENOUS_MALFORMATION}, _present),
    ("CI-2", {CC.INTRACEREBRAL_HAEMORRHAGE}, _any_status),
    ("CI-3", _PSYCHOTIC, _active),
    ("CI-3b", _PSYCHOTIC, _not_active),
    ("CI-4", {CC.DELIRIUM}, _present),
    ("CI-5", {CC.HEPATIC_IMPAIRMENT}, _severe),
    ("CI-5", {CC.HEPATITIS}, _present),
    ("CI-5b", {CC.HEPATIC_IMPAIRMENT}, _moderate),
    ("CI-6", {CC.GLAUCOMA, CC.RAISED_INTRAOCULAR_PRESSURE, CC.OPEN_GLOBE_INJURY}, _present),
    (
        "CI-7",
        {CC.RAISED_INTRACRANIAL_PRESSURE, CC.INTRACRANIAL_MASS, CC.ACUTE_HEAD_TRAUMA},
        _present,
    ),
    ("CI-10", {CC.HYPERTHYROIDISM}, _active),
    ("CI-10", {CC.PHAEOCHROMOCYTOMA}, _present),
    ("CI-11", {CC.PTSD}, _any_status),
    ("CI-12", {CC.SEIZURES}, _active),
    ("CI-13", {CC.KETAMINE_HYPERSENSITIVITY}, _any_status),
    ("CI-14", {CC.RESPIRATORY_DISEASE, CC.SLEEP_APNOEA}, _present),
    ("CI-14", _NON_PSYCHOTIC, _not_resolved),
)
"""(rule id, concepts, which conditions of those concepts fire the rule)."""


def _finding(rule_id: str, what: str, values: dict[str, object], note: str = "") -> Finding:
    rule = _BY_ID[rule_id]
    title = "" if what.lower().startswith(rule.title.lower()) else f"{rule.title.lower()}; "
    message = f"{what}: {title}{ACTIONS[rule_id]}."
    return Finding(rule=rule, message=f"{message} {note}".strip(), values=values)


def _condition_finding(rule_id: str, condition: Condition) -> Finding:
    values: dict[str, object] = {"concept": condition.concept.value}
    values["status"] = condition.status.value
    described = f"{condition.status.value}"
    if condition.severity is not None:
        values["severity"] = condition.severity.value
        described += f", {condition.severity.value}"
    what = f"{condition.concept.label} ({described})"
    note = _CONFLICT_NOTES.get(condition.concept, "")
    return _finding(rule_id, what, values, note)


def _check_conditions(record: PatientRecord) -> list[Finding]:
    return [
        _condition_finding(rule_id, condition)
        for condition in record.all_conditions
        for rule_id, concepts, applies in _CONDITION_RULES
        if condition.concept in concepts and applies(condition)
    ]


def _substance_finding(entry: SubstanceUse) -> Finding | None:
    values: dict[str, object] = {"substance": entry.substance.value}
    values |= {"pattern": entry.pattern.value, "status": entry.status.value}
    what = f"{entry.substance.value.capitalize()}, {entry.pattern.value.replace('_', ' ')} "
    what += f"({entry.status.value})"
    if entry.pattern is UsePattern.USE_DISORDER:
        rule_id = "CI-8" if entry.status is ConditionStatus.ACTIVE else "CI-8b"
        return _finding(rule_id, what, values)
    heavy = entry.pattern in (UsePattern.CHRONIC, UsePattern.INTOXICATED)
    if entry.substance is Substance.ALCOHOL and heavy and entry.is_current:
        return _finding("CI-16", what, values)
    return None


def _check_patient(record: PatientRecord) -> list[Finding]:
    patient = record.patient
    findings = []
    if patient.pregnant:
        findings.append(_finding("CI-9", "Pregnant", {"pregnant": True}))
    if patient.age_years >= 75 or patient.age_years < 1:
        age = patient.age_years
        findings.append(_finding("CI-15", f"Age {age} years", {"age_years": age}))
    if patient.breastfeeding:
        findings.append(_finding("CI-17", "Breast-feeding", {"breastfeeding": True}))
    return findings


def check_contraindications(record: PatientRecord) -> list[Finding]:
    """Check a patient record against every contraindication and precaution (CI-1 … CI-18).

    Parameters
    ----------
    record : PatientRecord
        The patient; unknown data (None) fires nothing here: the verdict lists it as missing.

    Returns
    -------
    list of Finding
        One finding per rule and cause (a condition, a substance-use entry, a patient field or a
        vital sign); empty when nothing applies.

    Examples
    --------
    >>> from ketapath.clinical.records import Patient, Sex
    >>> record = PatientRecord(patient=Patient(patient_id="p1", age_years=80, sex=Sex.MALE))
    >>> [(f.rule_id, f.level.value) for f in check_contraindications(record)]
    [('CI-15', 'SOFT')]
    """
    findings = _check_conditions(record)
    for entry in record.substance_use or ():
        finding = _substance_finding(entry)
        findings += [finding] if finding is not None else []
    return findings + _check_patient(record) + check_baseline_vitals(record)
