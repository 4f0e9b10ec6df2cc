"""The patient JSON file: pydantic models, conversion into `PatientRecord`, and its JSON Schema.

A file looks like ``examples/patients/eligible_crps.json``. Every problem in it, whether a wrong
type, an out-of-range value, an unknown field or an inconsistent record, becomes one `InputError`
that names the field path (``conditions[0].status``), the value received and what is allowed.
``null`` or an absent key means *unknown*, exactly as ``None`` does in the records.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import ErrorDetails

from ketapath.clinical.codes import (
    Code,
    CodeSystem,
    ConditionConcept,
    DrugClass,
    ICD10CMCode,
    Indication,
    SNOMEDCTCode,
    find_concept,
    find_drug_classes,
)
from ketapath.clinical.records import (
    AGE_YEARS_RANGE,
    HEIGHT_CM_RANGE,
    WEIGHT_KG_RANGE,
    Condition,
    ConditionSeverity,
    ConditionStatus,
    LabResult,
    LabTest,
    Medication,
    Patient,
    PatientRecord,
    Sex,
    Substance,
    SubstanceUse,
    UsePattern,
    VitalSigns,
)
from ketapath.errors import InputError

__all__ = [
    "PatientFile",
    "parse_patient_json",
    "patient_json_schema",
    "read_patient_file",
    "to_patient_record",
]

_T = TypeVar("_T")
_M = TypeVar("_M", bound=BaseModel)
_INDICATIONS = frozenset(c.value for c in Indication)
_CONCEPTS = [c.value for c in Indication] + [c.value for c in ConditionConcept]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class PatientModel(_Model):
    """The person (see `ketapath.clinical.records.Patient`)."""

    patient_id: Annotated[str, Field(min_length=1)]
    age_years: Annotated[int, Field(ge=AGE_YEARS_RANGE[0], le=AGE_YEARS_RANGE[1])]
    sex: Sex
    weight_kg: Annotated[float | None, Field(ge=WEIGHT_KG_RANGE[0], le=WEIGHT_KG_RANGE[1])] = None
    height_cm: Annotated[float | None, Field(ge=HEIGHT_CM_RANGE[0], le=HEIGHT_CM_RANGE[1])] = None
    pregnant: bool | None = None
    breastfeeding: bool | None = None


class CodeModel(_Model):
    """A code in a coding system: ``{"system": "icd10cm", "code": "G90.513"}``."""

    system: CodeSystem
    code: str


class ConditionModel(_Model):
    """A condition; `concept` may be left out when `code` is one the reference maps."""

    concept: Annotated[str | None, Field(json_schema_extra={"enum": [*_CONCEPTS, None]})] = None
    code: CodeModel | None = None
    status: ConditionStatus
    severity: ConditionSeverity | None = None
    noted_on: date | None = None

    @field_validator("concept")
    @classmethod
    def _known_concept(cls, value: str | None) -> str | None:
        if value is not None and value not in _CONCEPTS:
            msg = "must be one of the indications or condition concepts listed in the schema"
            raise ValueError(msg)
        return value


class MedicationModel(_Model):
    """A current medication; `drug_classes` is looked up by name when left out."""

    name: Annotated[str, Field(min_length=1)]
    drug_classes: list[DrugClass] | None = None
    daily_dose_mg: Annotated[float | None, Field(gt=0)] = None


class SubstanceUseModel(_Model):
    """One entry of the substance-use history."""

    substance: Substance
    pattern: UsePattern
    status: ConditionStatus


class LabResultModel(_Model):
    """A liver test in U/L with its upper limit of normal."""

    test: LabTest
    value_u_per_l: Annotated[float, Field(ge=0)]
    uln_u_per_l: Annotated[float, Field(gt=0)]
    time: datetime


class VitalSignsModel(_Model):
    """One set of vital signs; all measurements optional."""

    time: datetime
    sbp_mmhg: float | None = None
    dbp_mmhg: float | None = None
    hr_bpm: float | None = None
    rr_per_min: float | None = None
    spo2_pct: float | None = None
    temperature_c: float | None = None


class PatientFile(_Model):
    """The whole patient file. Lists left out (null) mean *not taken*; ``[]`` means *none*."""

    schema_uri: Annotated[str | None, Field(alias="$schema")] = None
    patient: PatientModel
    conditions: list[ConditionModel] = []
    medications: list[MedicationModel] | None = None
    substance_use: list[SubstanceUseModel] | None = None
    psychiatric_history: list[ConditionModel] | None = None
    labs: list[LabResultModel] = []
    vitals: list[VitalSignsModel] = []
    failed_conventional_therapy: bool | None = None
    consent_signed: bool | None = None
    escort_available: bool | None = None


def _at(path: str, build: Callable[[], _T]) -> _T:
    """Build a record, naming `path` in any `InputError` it raises."""
    try:
        return build()
    except InputError as exc:
        inner = exc.field or ""
        field = ".".join(part for part in (path, inner) if part)
        message = str(exc).replace(f"`{inner}`", f"`{field}`", 1)
        raise InputError(message, field=field, value=exc.value) from None


def _to_code(model: CodeModel, path: str) -> Code:
    make = SNOMEDCTCode if model.system is CodeSystem.SNOMEDCT else ICD10CMCode
    return _at(f"{path}.code", lambda: make(model.code))


def _to_concept(name: str) -> Indication | ConditionConcept:
    return Indication(name) if name in _INDICATIONS else ConditionConcept(name)


def _to_condition(model: ConditionModel, path: str) -> Condition:
    code = None if model.code is None else _to_code(model.code, path)
    if model.concept is not None:
        concept = _to_concept(model.concept)
    elif code is not None and (found := find_concept(code)) is not None:
        concept = found
    else:
        msg = f"`{path}.concept` is required unless `code` is one the reference maps (got null)."
        raise InputError(msg, field=f"{path}.concept", value=None)
    fields = model.model_dump(exclude={"concept", "code"})
    return _at(path, lambda: Condition(concept=concept, code=code, **fields))


def _to_medication(model: MedicationModel, path: str) -> Medication:
    given = model.drug_classes
    classes = tuple(given) if given is not None else find_drug_classes(model.name)
    dose = model.daily_dose_mg
    return _at(path, lambda: Medication(name=model.name, drug_classes=classes, daily_dose_mg=dose))


def _optional(
    items: list[_M] | None, convert: Callable[[_M, str], _T], name: str
) -> tuple[_T, ...] | None:
    if items is None:
        return None
    return tuple(convert(item, f"{name}[{index}]") for index, item in enumerate(items))


def _plain(kind: Callable[..., _T]) -> Callable[[BaseModel, str], _T]:
    return lambda model, path: _at(path, lambda: kind(**model.model_dump()))


def to_patient_record(model: PatientFile) -> PatientRecord:
    """Convert a validated file into a `PatientRecord`.

    Raises
    ------
    InputError
        When the record is inconsistent (a code that contradicts its concept, diastolic above
        systolic pressure...), naming the field path.
    """
    return _at(
        "",
        lambda: PatientRecord(
            patient=_at("patient", lambda: Patient(**model.patient.model_dump())),
            conditions=_optional(model.conditions, _to_condition, "conditions") or (),
            medications=_optional(model.medications, _to_medication, "medications"),
            substance_use=_optional(model.substance_use, _plain(SubstanceUse), "substance_use"),
            psychiatric_history=_optional(
                model.psychiatric_history, _to_condition, "psychiatric_history"
            ),
            labs=_optional(model.labs, _plain(LabResult), "labs") or (),
            vitals=_optional(model.vitals, _plain(VitalSigns), "vitals") or (),
            failed_conventional_therapy=model.failed_conventional_therapy,
            consent_signed=model.consent_signed,
            escort_available=model.escort_available,
        ),
    )


def _path(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".") or "file"


def _describe(error: ErrorDetails) -> str:
    path, kind = _path(error["loc"]), error["type"]
    if kind == "missing":
        return f"`{path}` is required."
    if kind == "extra_forbidden":
        return f"`{path}` is not a field of the patient file (see the schema)."
    if kind == "json_invalid":
        return f"The file is not valid JSON: {error['ctx'].get('error', error['msg'])}."
    message = error["msg"].removeprefix("Value error, ")
    message = message.replace("Input should be", "must be", 1)
    got = json.dumps(error["input"], default=str)
    subject = f"`{path}`" if error["loc"] else "The patient file"
    return f"{subject} {message} (got {got})."


def _to_input_error(exc: ValidationError) -> InputError:
    errors = exc.errors()
    first = errors[0]
    shown = " ".join(_describe(error) for error in errors[:3])
    if len(errors) > 3:
        shown += f" ({len(errors) - 3} more problems.)"
    field = _path(first["loc"])
    return InputError(shown, field=field, value=first.get("input"))


def parse_patient_json(text: str | bytes) -> PatientRecord:
    """Parse the text of a patient file into a `PatientRecord`.

    Parameters
    ----------
    text : str or bytes
        The JSON document.

    Returns
    -------
    PatientRecord
        The validated record.

    Raises
    ------
    InputError
        For any problem, naming the field path, the value and what is allowed.
    """
    try:
        model = PatientFile.model_validate_json(text)
    except ValidationError as exc:
        raise _to_input_error(exc) from None
    return to_patient_record(model)


def read_patient_file(path: Path) -> PatientRecord:
    """Read a patient file from disk; see `parse_patient_json`.

    Raises
    ------
    InputError
        When the file cannot be read, or for any problem in it.
    """
    try:
        text = path.read_bytes()
    except OSError as exc:
        msg = f"`--patient` must be a readable file (got {str(path)!r}: {exc.strerror})."
        raise InputError(msg, field="patient", value=str(path)) from None
    return parse_patient_json(text)


def patient_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the patient file."""
    schema = PatientFile.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "KetaPath patient file"
    return schema
