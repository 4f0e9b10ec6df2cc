"""The screening verdict: every finding, the data still missing, and one decision.

The decision, in order (the first that applies wins):

1. **EXCLUDED**: a HARD contraindication fired (any CI-* finding at HARD, CI-18 baseline vitals
   included). CI-6 and CI-7 have an override path, and CI-8 is HARD for repeat courses: a
   clinician may still decide otherwise, with a documented reason, outside this verdict.
2. **NEEDS REVIEW**: data needed for a verdict is missing (`find_missing_data`), or a rule fired
   that asks for a clinician's review before treatment: CI-3b (past psychosis), CI-11 (PTSD,
   C6), CI-12 (recent seizures, "SOFT→HARD per clinician"), DDI-10 (theophylline, "SOFT→HARD")
   and IND-10 (other analgesics have not failed).
3. **ELIGIBLE WITH CAUTIONS**: any other SOFT finding, or a HARD finding that is not a
   contraindication (DDI-12: never co-mix barbiturates in the syringe).
4. **ELIGIBLE**: only INFO findings, or none.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ketapath.clinical.codes import ConditionConcept, Indication
from ketapath.clinical.finding import Finding, Severity
from ketapath.clinical.records import PatientRecord, Sex
from ketapath.clinical.screening import contraindications
from ketapath.clinical.screening.contraindications import check_contraindications
from ketapath.clinical.screening.indications import check_indications, find_indications
from ketapath.clinical.screening.interactions import check_interactions

__all__ = [
    "REVIEW_RULE_IDS",
    "MissingData",
    "ScreeningResult",
    "Verdict",
    "decide_verdict",
    "find_missing_data",
    "screen",
]

REVIEW_RULE_IDS = frozenset({"CI-3b", "CI-11", "CI-12", "DDI-10", "IND-10"})
"""Rules whose findings need a clinician's review before treatment."""

_CONTRAINDICATION_IDS = frozenset(rule.id for rule in contraindications.RULES)
PREGNANCY_AGE_YEARS = (12, 55)
"""Pregnancy status is required for a patient who is not male, aged 12 to 55 (inclusive)."""


class Verdict(StrEnum):
    """The outcome of screening."""

    ELIGIBLE = "ELIGIBLE"
    ELIGIBLE_WITH_CAUTIONS = "ELIGIBLE WITH CAUTIONS"
    NEEDS_REVIEW = "NEEDS REVIEW"
    EXCLUDED = "EXCLUDED"


@dataclass(frozen=True, slots=True, kw_only=True)
class MissingData:
    """A piece of data screening needs and does not have.

    Parameters
    ----------
    field : str
        Where it goes in the record, e.g. ``"patient.weight_kg"`` or ``"medications[2]"``.
    reason : str
        Why it is needed, for a clinician.
    rule_id : str or None
        The rule that needs it, when one does.
    """

    field: str
    reason: str
    rule_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ScreeningResult:
    """The screening of one patient.

    Parameters
    ----------
    patient_id : str
        Whose screening this is.
    verdict : Verdict
        The decision (see the module docstring).
    findings : tuple of Finding
        Every finding: indications and evidence, contraindications, interactions.
    missing : tuple of MissingData
        Data still needed for a verdict.
    decided_by : tuple of str
        The rule ids (or missing fields) that decided the verdict.
    """

    patient_id: str
    verdict: Verdict
    findings: tuple[Finding, ...]
    missing: tuple[MissingData, ...]
    decided_by: tuple[str, ...]


def _missing_basics(record: PatientRecord) -> list[MissingData]:
    patient, missing = record.patient, []
    if patient.weight_kg is None:
        missing.append(
            MissingData(
                field="patient.weight_kg",
                rule_id="DC-8",
                reason="body weight is needed for mg/kg dosing",
            )
        )
    low, high = PREGNANCY_AGE_YEARS
    if (
        patient.pregnant is None
        and patient.sex is not Sex.MALE
        and low <= patient.age_years <= high
    ):
        missing.append(
            MissingData(
                field="patient.pregnant",
                rule_id="CI-9",
                reason=f"pregnancy status is unknown (age {patient.age_years})",
            )
        )
    if not find_indications(record) or find_indications(record) == (Indication.DEPRESSION_ADJUNCT,):
        missing.append(
            MissingData(
                field="conditions", rule_id="IND-1", reason="no active pain indication is recorded"
            )
        )
    if record.failed_conventional_therapy is None:
        missing.append(
            MissingData(
                field="failed_conventional_therapy",
                rule_id="IND-10",
                reason="unknown whether other analgesics have failed",
            )
        )
    return missing


def _missing_histories(record: PatientRecord) -> list[MissingData]:
    missing = []
    if record.medications is None:
        missing.append(
            MissingData(
                field="medications",
                rule_id="DDI-1",
                reason="no medication list: interactions cannot be checked",
            )
        )
    for index, medication in enumerate(record.medications or ()):
        if medication.drug_classes is None:
            reason = f"{medication.name} is not classified: its interactions are unchecked"
            missing.append(MissingData(field=f"medications[{index}].drug_classes", reason=reason))
    if record.substance_use is None:
        missing.append(
            MissingData(field="substance_use", rule_id="CI-8", reason="no substance-use history")
        )
    if record.psychiatric_history is None:
        missing.append(
            MissingData(
                field="psychiatric_history", rule_id="CI-3", reason="no psychiatric history"
            )
        )
    return missing


_SEVERITY_NEEDED: dict[str, str] = {
    ConditionConcept.HEPATIC_IMPAIRMENT: "CI-5",
    ConditionConcept.CEREBROVASCULAR_DISEASE: "CI-2",
    ConditionConcept.CARDIOVASCULAR_DISEASE: "CI-1",
}


def _missing_severities(record: PatientRecord) -> list[MissingData]:
    missing = []
    for index, condition in enumerate(record.conditions):
        rule_id = _SEVERITY_NEEDED.get(condition.concept)
        if rule_id is not None and condition.is_present and condition.severity is None:
            reason = f"the severity of {condition.concept.label.lower()} is unknown"
            missing.append(
                MissingData(field=f"conditions[{index}].severity", reason=reason, rule_id=rule_id)
            )
    return missing


def _missing_consent(record: PatientRecord) -> list[MissingData]:
    missing = []
    if record.consent_signed is not True:
        state = "not signed" if record.consent_signed is False else "not recorded"
        missing.append(MissingData(field="consent_signed", reason=f"informed consent {state}"))
    if record.escort_available is not True:
        state = "no escort" if record.escort_available is False else "escort not confirmed"
        reason = f"{state}: a responsible adult must take the patient home"
        missing.append(MissingData(field="escort_available", reason=reason, rule_id="DIS-4"))
    return missing


def find_missing_data(record: PatientRecord) -> tuple[MissingData, ...]:
    """List the data screening needs and the record lacks.

    Parameters
    ----------
    record : PatientRecord
        The patient.

    Returns
    -------
    tuple of MissingData
        Weight (DC-8), pregnancy status for a patient who is not male aged 12-55 (CI-9), a pain
        indication, failed conventional therapy (IND-10), the medication list and each
        medication's interaction class, substance-use and psychiatric histories, the severity
        of conditions whose rule depends on it, consent and an escort (DIS-4).

    Examples
    --------
    >>> from ketapath.clinical.records import Patient
    >>> record = PatientRecord(patient=Patient(patient_id="p1", age_years=30, sex=Sex.FEMALE))
    >>> [m.field for m in find_missing_data(record)][:2]
    ['patient.weight_kg', 'patient.pregnant']
    """
    return tuple(
        _missing_basics(record)
        + _missing_histories(record)
        + _missing_severities(record)
        + _missing_consent(record)
    )


def decide_verdict(
    findings: tuple[Finding, ...], missing: tuple[MissingData, ...]
) -> tuple[Verdict, tuple[str, ...]]:
    """Decide the verdict from findings and missing data (rules in the module docstring).

    Parameters
    ----------
    findings : tuple of Finding
        Every finding of the screening.
    missing : tuple of MissingData
        The data still missing.

    Returns
    -------
    tuple
        The verdict, and the rule ids or missing fields that decided it.

    Examples
    --------
    >>> decide_verdict((), ())
    (<Verdict.ELIGIBLE: 'ELIGIBLE'>, ())
    """
    hard = [f.rule_id for f in findings if f.level is Severity.HARD]
    excluding = [rule_id for rule_id in hard if rule_id in _CONTRAINDICATION_IDS]
    if excluding:
        return Verdict.EXCLUDED, tuple(dict.fromkeys(excluding))
    review = [f.rule_id for f in findings if f.rule_id in REVIEW_RULE_IDS]
    if missing or review:
        return Verdict.NEEDS_REVIEW, tuple(dict.fromkeys(review + [m.field for m in missing]))
    cautions = [f.rule_id for f in findings if f.level is not Severity.INFO]
    if cautions:
        return Verdict.ELIGIBLE_WITH_CAUTIONS, tuple(dict.fromkeys(cautions))
    return Verdict.ELIGIBLE, ()


def screen(record: PatientRecord) -> ScreeningResult:
    """Screen a patient for ketamine therapy: findings, missing data and a verdict.

    Parameters
    ----------
    record : PatientRecord
        Everything known about the patient.

    Returns
    -------
    ScreeningResult
        Contraindication and interaction findings first (most severe first), then indications
        and evidence; the missing data; the verdict and what decided it.

    Examples
    --------
    >>> from ketapath.clinical.records import Patient
    >>> record = PatientRecord(patient=Patient(patient_id="p1", age_years=40, sex=Sex.MALE,
    ...                                        weight_kg=80, pregnant=None), )
    >>> screen(record).verdict
    <Verdict.NEEDS_REVIEW: 'NEEDS REVIEW'>
    """
    order = {Severity.HARD: 0, Severity.SOFT: 1, Severity.INFO: 2}
    safety = check_contraindications(record) + check_interactions(record)
    safety.sort(key=lambda f: order[f.level])
    findings = tuple(safety + check_indications(record))
    missing = find_missing_data(record)
    verdict, decided_by = decide_verdict(findings, missing)
    return ScreeningResult(
        patient_id=record.patient.patient_id,
        verdict=verdict,
        findings=findings,
        missing=missing,
        decided_by=decided_by,
    )
