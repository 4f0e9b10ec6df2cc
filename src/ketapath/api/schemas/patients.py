"""Patients as the API takes and shows them: identity, corrections, history entries, summary."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from ketapath.api.schemas.common import (
    AmendmentOut,
    ApiModel,
    BirthDate,
    Reason,
    Text,
    Timestamp,
    amendments_out,
)
from ketapath.clinical.codes import (
    CodeSystem,
    ConditionConcept,
    DrugClass,
    ICD10CMCode,
    Indication,
    SNOMEDCTCode,
)
from ketapath.clinical.records import (
    Condition,
    ConditionSeverity,
    ConditionStatus,
    LabResult,
    LabTest,
    Medication,
    Sex,
    Substance,
    SubstanceUse,
    UsePattern,
)
from ketapath.services.care.patients import (
    ConditionSection,
    HistorySection,
    PatientIdentity,
    PatientSummary,
)

__all__ = [
    "ConditionIn",
    "EntryCreated",
    "HistoryReviewIn",
    "LabResultIn",
    "MeasurementIn",
    "MedicationIn",
    "PatientAmend",
    "PatientCreate",
    "PatientOut",
    "PatientSummaryOut",
    "SubstanceUseIn",
]

Mrn = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^\S+$")
]


class PatientCreate(ApiModel):
    """A new patient of the user's clinic."""

    mrn: Mrn = Field(description="Medical record number, unique in the clinic.")
    given_name: Text
    family_name: Text
    birth_date: BirthDate
    sex: Sex


class PatientChanges(ApiModel):
    """The identity fields to correct (at least one)."""

    given_name: Text | None = None
    family_name: Text | None = None
    birth_date: BirthDate | None = None
    sex: Sex | None = None

    @model_validator(mode="after")
    def _at_least_one(self) -> PatientChanges:
        if not self.model_dump(exclude_none=True):
            raise ValueError("name at least one field to correct")
        return self


class PatientAmend(ApiModel):
    """A correction of a patient's identity, with its reason."""

    changes: PatientChanges
    reason: Reason


class PatientOut(ApiModel):
    """A patient's identity, as corrected, with the corrections."""

    id: uuid.UUID
    mrn: str
    given_name: str
    family_name: str
    birth_date: date
    sex: Sex
    active: bool
    created_at: datetime
    deactivated_at: datetime | None
    amendments: list[AmendmentOut]

    @classmethod
    def of(cls, patient: PatientIdentity) -> PatientOut:
        """Return `patient` as the API shows it."""
        return cls(
            id=patient.id,
            mrn=patient.mrn,
            given_name=patient.given_name,
            family_name=patient.family_name,
            birth_date=patient.birth_date,
            sex=patient.sex,
            active=patient.active,
            created_at=patient.created_at,
            deactivated_at=patient.deactivated_at,
            amendments=amendments_out(patient.history),
        )


class ConditionIn(ApiModel):
    """A diagnosis, or (section ``psychiatric_history``) a psychiatric history entry."""

    concept: Indication | ConditionConcept
    status: ConditionStatus
    code_system: CodeSystem | None = None
    code: Annotated[str, StringConstraints(min_length=1, max_length=32)] | None = None
    severity: ConditionSeverity | None = None
    noted_on: BirthDate | None = None
    section: ConditionSection = ConditionSection.CONDITIONS

    def to_record(self) -> Condition:
        """Return the clinical record (`InputError` when the code is malformed or disagrees)."""
        code: SNOMEDCTCode | ICD10CMCode | None = None
        if self.code is not None:
            system = self.code_system or CodeSystem.ICD10CM
            code = (
                SNOMEDCTCode(self.code) if system is CodeSystem.SNOMEDCT else ICD10CMCode(self.code)
            )
        return Condition(
            concept=self.concept,
            status=self.status,
            code=code,
            severity=self.severity,
            noted_on=self.noted_on,
        )


class MedicationIn(ApiModel):
    """A medication the patient takes."""

    name: Text
    drug_classes: list[DrugClass] | None = Field(
        default=None, description="Interaction classes; [] when reviewed and in none."
    )
    daily_dose_mg: float | None = Field(default=None, gt=0, le=100_000)
    started_on: BirthDate | None = None

    def to_record(self) -> Medication:
        """Return the clinical record."""
        classes = None if self.drug_classes is None else tuple(self.drug_classes)
        return Medication(name=self.name, drug_classes=classes, daily_dose_mg=self.daily_dose_mg)


class SubstanceUseIn(ApiModel):
    """An entry of the substance-use history."""

    substance: Substance
    pattern: UsePattern
    status: ConditionStatus

    def to_record(self) -> SubstanceUse:
        """Return the clinical record."""
        return SubstanceUse(substance=self.substance, pattern=self.pattern, status=self.status)


class LabResultIn(ApiModel):
    """A liver-test result, in U/L with the laboratory's upper limit of normal."""

    test: LabTest
    value_u_per_l: float = Field(ge=0, le=1_000_000)
    uln_u_per_l: float = Field(gt=0, le=1_000_000)
    sampled_at: Timestamp

    def to_record(self) -> LabResult:
        """Return the clinical record."""
        return LabResult(
            test=self.test,
            value_u_per_l=self.value_u_per_l,
            uln_u_per_l=self.uln_u_per_l,
            time=self.sampled_at,
        )


class MeasurementIn(ApiModel):
    """A weight and/or height."""

    measured_at: Timestamp
    weight_kg: float | None = Field(default=None, ge=0, le=1000)
    height_cm: float | None = Field(default=None, ge=0, le=1000)


class HistoryReviewIn(ApiModel):
    """A list that was taken with the patient (an empty list then means "none")."""

    section: HistorySection
    reviewed_at: Timestamp


class EntryCreated(ApiModel):
    """The id of the entry written."""

    id: uuid.UUID


class ConditionOut(ApiModel):
    """A condition as the record holds it."""

    concept: str
    status: ConditionStatus
    code_system: CodeSystem | None
    code: str | None
    severity: ConditionSeverity | None
    noted_on: date | None

    @classmethod
    def of(cls, condition: Condition) -> ConditionOut:
        """Return `condition` as the API shows it."""
        code = condition.code
        return cls(
            concept=str(condition.concept),
            status=condition.status,
            code_system=None if code is None else code.system,
            code=None if code is None else code.value,
            severity=condition.severity,
            noted_on=condition.noted_on,
        )


class MedicationOut(ApiModel):
    """A current medication."""

    name: str
    drug_classes: list[DrugClass] | None
    daily_dose_mg: float | None


class LabResultOut(ApiModel):
    """A liver-test result."""

    test: LabTest
    value_u_per_l: float
    uln_u_per_l: float
    sampled_at: datetime


class VitalSignsOut(ApiModel):
    """Vital signs taken at intake (outside a session)."""

    taken_at: datetime
    sbp_mmhg: float | None
    dbp_mmhg: float | None
    hr_bpm: float | None
    rr_per_min: float | None
    spo2_pct: float | None
    temperature_c: float | None


def _medications(items: tuple[Medication, ...] | None) -> list[MedicationOut] | None:
    if items is None:
        return None
    return [
        MedicationOut(
            name=m.name,
            drug_classes=None if m.drug_classes is None else list(m.drug_classes),
            daily_dose_mg=m.daily_dose_mg,
        )
        for m in items
    ]


def _conditions(items: tuple[Condition, ...] | None) -> list[ConditionOut] | None:
    return None if items is None else [ConditionOut.of(c) for c in items]


def _substance_use(items: tuple[SubstanceUse, ...] | None) -> list[SubstanceUseIn] | None:
    if items is None:
        return None
    return [
        SubstanceUseIn(substance=u.substance, pattern=u.pattern, status=u.status) for u in items
    ]


class PatientSummaryOut(ApiModel):
    """A patient's identity and record as it stands on `as_of` (what screening reads).

    A list that was never taken is null (unknown); an empty list means "none". Medications are
    those current on `as_of`.
    """

    patient: PatientOut
    as_of: date
    age_years: int
    weight_kg: float | None
    height_cm: float | None
    conditions: list[ConditionOut]
    psychiatric_history: list[ConditionOut] | None
    medications: list[MedicationOut] | None
    substance_use: list[SubstanceUseIn] | None
    labs: list[LabResultOut]
    intake_vitals: list[VitalSignsOut]

    @classmethod
    def of(cls, summary: PatientSummary) -> PatientSummaryOut:
        """Return `summary` as the API shows it."""
        record = summary.record
        return cls(
            patient=PatientOut.of(summary.identity),
            as_of=summary.as_of,
            age_years=record.patient.age_years,
            weight_kg=record.patient.weight_kg,
            height_cm=record.patient.height_cm,
            conditions=[ConditionOut.of(c) for c in record.conditions],
            psychiatric_history=_conditions(record.psychiatric_history),
            medications=_medications(record.medications),
            substance_use=_substance_use(record.substance_use),
            labs=[
                LabResultOut(
                    test=lab.test,
                    value_u_per_l=lab.value_u_per_l,
                    uln_u_per_l=lab.uln_u_per_l,
                    sampled_at=lab.time,
                )
                for lab in record.labs
            ],
            intake_vitals=[
                VitalSignsOut(
                    taken_at=v.time,
                    sbp_mmhg=v.sbp_mmhg,
                    dbp_mmhg=v.dbp_mmhg,
                    hr_bpm=v.hr_bpm,
                    rr_per_min=v.rr_per_min,
                    spo2_pct=v.spo2_pct,
                    temperature_c=v.temperature_c,
                )
                for v in record.vitals
            ],
        )
