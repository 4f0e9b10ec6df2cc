"""Typed, validated, immutable records of a patient that the clinical rules read.

Every record is a frozen dataclass checked at construction: a value outside its physical range
raises `InputError` naming the field, the allowed range and the value, so a rule never sees an
impossible record. ``None`` always means *unknown* (not asked, not measured), never "no":

- ``Patient.pregnant is None``: pregnancy status not known;
- ``PatientRecord.medications is None``: no medication list was taken, while ``()`` means the
  patient takes no medication (the same for ``substance_use`` and ``psychiatric_history``).

`Condition.status` has one meaning across concepts: ``active`` present and not controlled
(uncontrolled hypertension, unstable angina, recent coronary syndrome, recent seizures, active
psychosis); ``controlled`` present and stable on treatment; ``remission`` in remission (psychiatric
and substance-use disorders); ``history`` past and resolved.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from ketapath.clinical.codes import (
    PSYCHIATRIC_CONCEPTS,
    Code,
    ConditionConcept,
    DrugClass,
    Indication,
    find_concept,
)
from ketapath.errors import InputError

__all__ = [
    "AGE_YEARS_RANGE",
    "HEIGHT_CM_RANGE",
    "WEIGHT_KG_RANGE",
    "Condition",
    "ConditionSeverity",
    "ConditionStatus",
    "LabResult",
    "LabTest",
    "Medication",
    "Patient",
    "PatientRecord",
    "Sex",
    "Substance",
    "SubstanceUse",
    "UsePattern",
    "VitalSigns",
]

AGE_YEARS_RANGE = (0, 120)
WEIGHT_KG_RANGE = (2.0, 350.0)
HEIGHT_CM_RANGE = (30.0, 250.0)
# Physical plausibility ranges (what a monitor can report), not clinical thresholds.
_VITAL_RANGES: dict[str, tuple[float, float, str]] = {
    "sbp_mmhg": (30.0, 300.0, "mmHg"),
    "dbp_mmhg": (10.0, 200.0, "mmHg"),
    "hr_bpm": (10.0, 300.0, "/min"),
    "rr_per_min": (0.0, 80.0, "/min"),
    "spo2_pct": (0.0, 100.0, "%"),
    "temperature_c": (25.0, 45.0, "°C"),
}


def _check_range(field: str, value: float, bounds: tuple[float, float], unit: str) -> None:
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int | float):
        msg = f"`{field}` must be a number (got {value!r})."
        raise InputError(msg, field=field, value=value)
    if not (math.isfinite(value) and low <= value <= high):
        msg = f"`{field}` must be between {low:g} and {high:g} {unit} (got {value:g})."
        raise InputError(msg, field=field, value=value)


def _check_text(field: str, value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        msg = f"`{field}` must be a non-empty text (got {value!r})."
        raise InputError(msg, field=field, value=value)


class Sex(StrEnum):
    """Sex recorded for clinical purposes (pregnancy potential, reference ranges)."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True, kw_only=True)
class Patient:
    """The person: identity and the body measures dosing and screening need.

    Parameters
    ----------
    patient_id : str
        The clinic's identifier (non-empty).
    age_years : int
        Age in whole years, 0 to 120.
    sex : Sex
        Sex recorded for clinical purposes.
    weight_kg : float or None
        Actual body weight in kg, 2 to 350; None when not measured (DC-8 needs it).
    height_cm : float or None
        Height in cm, 30 to 250; None when not measured.
    pregnant, breastfeeding : bool or None
        None means unknown.
    """

    patient_id: str
    age_years: int
    sex: Sex
    weight_kg: float | None = None
    height_cm: float | None = None
    pregnant: bool | None = None
    breastfeeding: bool | None = None

    def __post_init__(self) -> None:
        _check_text("patient_id", self.patient_id)
        if not isinstance(self.age_years, int) or isinstance(self.age_years, bool):
            msg = f"`age_years` must be a whole number of years (got {self.age_years!r})."
            raise InputError(msg, field="age_years", value=self.age_years)
        _check_range("age_years", self.age_years, AGE_YEARS_RANGE, "years")
        if self.weight_kg is not None:
            _check_range("weight_kg", self.weight_kg, WEIGHT_KG_RANGE, "kg")
        if self.height_cm is not None:
            _check_range("height_cm", self.height_cm, HEIGHT_CM_RANGE, "cm")
        if self.sex is Sex.MALE and (self.pregnant or self.breastfeeding):
            msg = "`pregnant` and `breastfeeding` cannot be true when `sex` is male (got true)."
            raise InputError(msg, field="pregnant", value=True)


class ConditionStatus(StrEnum):
    """Clinical status of a condition (see the module docstring for the exact meaning)."""

    ACTIVE = "active"
    CONTROLLED = "controlled"
    REMISSION = "remission"
    HISTORY = "history"


class ConditionSeverity(StrEnum):
    """Severity, where a rule depends on it (hepatic impairment, cerebrovascular disease)."""

    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


@dataclass(frozen=True, slots=True, kw_only=True)
class Condition:
    """A diagnosis: a controlled concept, optionally its code, its status and severity.

    Parameters
    ----------
    concept : Indication or ConditionConcept
        What the condition is, in the controlled vocabulary the rules read.
    status : ConditionStatus
        Active, controlled, in remission or history.
    code : SNOMEDCTCode or ICD10CMCode or None
        The code it was recorded with; when the code is mapped, it must agree with `concept`.
    severity : ConditionSeverity or None
        Where relevant; None when not graded.
    noted_on : date or None
        When it was diagnosed or last confirmed.
    """

    concept: Indication | ConditionConcept
    status: ConditionStatus
    code: Code | None = None
    severity: ConditionSeverity | None = None
    noted_on: date | None = None

    def __post_init__(self) -> None:
        if self.code is not None:
            mapped = find_concept(self.code)
            if mapped is not None and mapped != self.concept:
                msg = (
                    f"`concept` must agree with `code` {self.code.value} ({mapped.value}) "
                    f"(got {self.concept.value})."
                )
                raise InputError(msg, field="concept", value=self.concept.value)

    @property
    def is_present(self) -> bool:
        """True when the condition is active or controlled (not resolved, not in remission)."""
        return self.status in (ConditionStatus.ACTIVE, ConditionStatus.CONTROLLED)


@dataclass(frozen=True, slots=True, kw_only=True)
class Medication:
    """A current medication, with the interaction classes the DDI rules read.

    Parameters
    ----------
    name : str
        Generic name.
    drug_classes : tuple of DrugClass or None
        Its interaction classes; ``()`` when reviewed and in none; None when not classified.
    daily_dose_mg : float or None
        Total daily dose in mg, where a rule needs it (DDI-6 diazepam > 8 mg/day).
    """

    name: str
    drug_classes: tuple[DrugClass, ...] | None = None
    daily_dose_mg: float | None = None

    def __post_init__(self) -> None:
        _check_text("name", self.name)
        if self.drug_classes is not None:
            object.__setattr__(self, "drug_classes", tuple(self.drug_classes))
        if self.daily_dose_mg is not None:
            _check_range("daily_dose_mg", self.daily_dose_mg, (0.0, 100_000.0), "mg")

    def has_class(self, drug_class: DrugClass) -> bool:
        """Tell whether the medication is in `drug_class`."""
        return self.drug_classes is not None and drug_class in self.drug_classes


class Substance(StrEnum):
    """Substances asked about in a substance-use history."""

    ALCOHOL = "alcohol"
    KETAMINE = "ketamine"
    OPIOIDS = "opioids"
    STIMULANTS = "stimulants"
    BENZODIAZEPINES = "benzodiazepines"
    CANNABIS = "cannabis"
    OTHER = "other"


class UsePattern(StrEnum):
    """How a substance is used: occasional use, chronic heavy use, a use disorder, intoxication."""

    OCCASIONAL = "occasional"
    CHRONIC = "chronic"
    USE_DISORDER = "use_disorder"
    INTOXICATED = "intoxicated"


@dataclass(frozen=True, slots=True, kw_only=True)
class SubstanceUse:
    """One entry of the substance-use history (CI-8, CI-8b, CI-16, DDI-8, DDI-9).

    Parameters
    ----------
    substance : Substance
        What is used.
    pattern : UsePattern
        Occasional, chronic, a use disorder, or acute intoxication.
    status : ConditionStatus
        Active (current), remission or history.
    """

    substance: Substance
    pattern: UsePattern
    status: ConditionStatus

    @property
    def is_current(self) -> bool:
        """True when the use is current (active or controlled)."""
        return self.status in (ConditionStatus.ACTIVE, ConditionStatus.CONTROLLED)


class LabTest(StrEnum):
    """Liver tests the safety rules read (TOX-L), all in U/L."""

    ALT = "ALT"
    AST = "AST"
    ALP = "ALP"
    GGT = "GGT"


@dataclass(frozen=True, slots=True, kw_only=True)
class LabResult:
    """A liver-test result with its laboratory's upper limit of normal, both in U/L.

    Parameters
    ----------
    test : LabTest
        ALT, AST, ALP or GGT.
    value_u_per_l : float
        Result in U/L (>= 0).
    uln_u_per_l : float
        The laboratory's upper limit of normal in U/L (> 0).
    time : datetime
        When the sample was taken.
    """

    test: LabTest
    value_u_per_l: float
    uln_u_per_l: float
    time: datetime

    def __post_init__(self) -> None:
        _check_range("value_u_per_l", self.value_u_per_l, (0.0, 1_000_000.0), "U/L")
        _check_range("uln_u_per_l", self.uln_u_per_l, (0.001, 100_000.0), "U/L")

    @property
    def times_uln(self) -> float:
        """The result as a multiple of the upper limit of normal."""
        return self.value_u_per_l / self.uln_u_per_l


@dataclass(frozen=True, slots=True, kw_only=True)
class VitalSigns:
    """One set of vital signs taken at `time`; every measurement is optional.

    Parameters
    ----------
    time : datetime
        When they were taken.
    sbp_mmhg, dbp_mmhg : float or None
        Systolic and diastolic blood pressure in mmHg (systolic >= diastolic).
    hr_bpm : float or None
        Heart rate in beats per minute.
    rr_per_min : float or None
        Respiratory rate in breaths per minute.
    spo2_pct : float or None
        Oxygen saturation by pulse oximetry in %.
    temperature_c : float or None
        Body temperature in °C.
    """

    time: datetime
    sbp_mmhg: float | None = None
    dbp_mmhg: float | None = None
    hr_bpm: float | None = None
    rr_per_min: float | None = None
    spo2_pct: float | None = None
    temperature_c: float | None = None

    def __post_init__(self) -> None:
        for name, (low, high, unit) in _VITAL_RANGES.items():
            value = getattr(self, name)
            if value is not None:
                _check_range(name, value, (low, high), unit)
        sbp, dbp = self.sbp_mmhg, self.dbp_mmhg
        if sbp is not None and dbp is not None and dbp > sbp:
            msg = f"`dbp_mmhg` must not exceed `sbp_mmhg` ({sbp:g} mmHg) (got {dbp:g})."
            raise InputError(msg, field="dbp_mmhg", value=dbp)


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientRecord:
    """Everything screening reads about one patient.

    Parameters
    ----------
    patient : Patient
        The person.
    conditions : tuple of Condition
        Diagnoses, pain indications included.
    medications : tuple of Medication or None
        Current medications; None when no medication list was taken.
    substance_use : tuple of SubstanceUse or None
        Substance-use history; ``()`` when taken and negative, None when not taken.
    psychiatric_history : tuple of Condition or None
        Psychiatric diagnoses (psychiatric concepts only); None when not taken.
    labs : tuple of LabResult
        Liver tests.
    vitals : tuple of VitalSigns
        Vital signs; the latest set is the baseline screening reads (CI-18).
    failed_conventional_therapy : bool or None
        Whether other analgesics have failed (IND-10); None when unknown.
    consent_signed : bool or None
        Informed consent for ketamine therapy signed.
    escort_available : bool or None
        A responsible adult will take the patient home (DIS-4).
    """

    patient: Patient
    conditions: tuple[Condition, ...] = ()
    medications: tuple[Medication, ...] | None = None
    substance_use: tuple[SubstanceUse, ...] | None = None
    psychiatric_history: tuple[Condition, ...] | None = None
    labs: tuple[LabResult, ...] = ()
    vitals: tuple[VitalSigns, ...] = ()
    failed_conventional_therapy: bool | None = None
    consent_signed: bool | None = None
    escort_available: bool | None = None

    def __post_init__(self) -> None:
        for name in ("conditions", "labs", "vitals"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        for name in ("medications", "substance_use", "psychiatric_history"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, tuple(value))
        for index, entry in enumerate(self.psychiatric_history or ()):
            if entry.concept not in PSYCHIATRIC_CONCEPTS:
                allowed = ", ".join(sorted(c.value for c in PSYCHIATRIC_CONCEPTS))
                msg = (
                    f"`psychiatric_history[{index}].concept` must be a psychiatric concept "
                    f"({allowed}) (got {entry.concept.value})."
                )
                raise InputError(msg, field=f"psychiatric_history[{index}].concept")

    @property
    def all_conditions(self) -> tuple[Condition, ...]:
        """The conditions and the psychiatric history together."""
        return self.conditions + (self.psychiatric_history or ())

    @property
    def latest_vitals(self) -> VitalSigns | None:
        """The most recent set of vital signs, or None when none was taken."""
        return max(self.vitals, key=lambda v: v.time, default=None)
