"""A patient's history, and the `PatientRecord` that the screening rules read, rebuilt from it.

Entries are insert-only. A condition that resolves, or a medication that stops, is amended
(``status``, ``stopped_on``), so the record on any day can be rebuilt with `get_record`.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketapath.clinical.codes import (
    CodeSystem,
    ConditionConcept,
    DrugClass,
    ICD10CMCode,
    Indication,
    SNOMEDCTCode,
)
from ketapath.clinical.records import (
    HEIGHT_CM_RANGE,
    WEIGHT_KG_RANGE,
    Condition,
    ConditionSeverity,
    ConditionStatus,
    LabResult,
    LabTest,
    Medication,
    Substance,
    SubstanceUse,
    UsePattern,
)
from ketapath.errors import InputError
from ketapath.store.amendments import AmendedRow, AmendmentKind
from ketapath.store.audit import AuditAction
from ketapath.store.records import Stored
from ketapath.store.repositories.base import Repository, as_check, require_user
from ketapath.store.tables import (
    BodyMeasurement,
    ConditionEntry,
    ConditionSection,
    HistoryReview,
    HistorySection,
    LabResultEntry,
    MedicationEntry,
    Patient,
    SubstanceUseEntry,
)
from ketapath.store.tables.base import PatientRow

__all__ = [
    "HistoryEntry",
    "HistoryRepository",
    "PatientRowT",
    "condition_from_row",
    "lab_from_row",
    "medication_from_row",
    "patient_rows",
    "substance_use_from_row",
]


class HistoryEntry(StrEnum):
    """The kinds of history entry that can be amended."""

    CONDITION = "condition"
    MEDICATION = "medication"
    SUBSTANCE_USE = "substance_use"
    LAB_RESULT = "lab_result"


def condition_from_row(a: AmendedRow) -> Condition:
    concept_text = a.get("concept", str)
    concept = (
        Indication(concept_text)
        if concept_text in Indication.__members__.values()
        else ConditionConcept(concept_text)
    )
    system, value = a.find("code_system", str), a.find("code", str)
    code = None
    if system is not None and value is not None:
        code = SNOMEDCTCode(value) if system == CodeSystem.SNOMEDCT else ICD10CMCode(value)
    severity = a.find("severity", str)
    return Condition(
        concept=concept,
        status=ConditionStatus(a.get("status", str)),
        code=code,
        severity=None if severity is None else ConditionSeverity(severity),
        noted_on=a.find("noted_on", date),
    )


def medication_from_row(a: AmendedRow) -> Medication:
    classes = a.find("drug_classes_json", list)
    return Medication(
        name=a.get("name", str),
        drug_classes=None if classes is None else tuple(DrugClass(c) for c in classes),
        daily_dose_mg=a.find("daily_dose_mg", float),
    )


def substance_use_from_row(a: AmendedRow) -> SubstanceUse:
    return SubstanceUse(
        substance=Substance(a.get("substance", str)),
        pattern=UsePattern(a.get("pattern", str)),
        status=ConditionStatus(a.get("status", str)),
    )


def lab_from_row(a: AmendedRow) -> LabResult:
    return LabResult(
        test=LabTest(a.get("test", str)),
        value_u_per_l=a.get("value_u_per_l", float),
        uln_u_per_l=a.get("uln_u_per_l", float),
        time=a.get("sampled_at", datetime),
    )


def _check_measure(field: str, value: float | None, bounds: tuple[float, float], unit: str) -> None:
    low, high = bounds
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(f"`{field}` must be a number (got {value!r}).", field=field, value=value)
    if not low <= value <= high:
        msg = f"`{field}` must be between {low:g} and {high:g} {unit} (got {value:g})."
        raise InputError(msg, field=field, value=value)


PatientRowT = TypeVar("PatientRowT", bound=PatientRow)


def patient_rows(
    session: Session, table: type[PatientRowT], patient_id: uuid.UUID
) -> list[PatientRowT]:
    """Return a patient's rows of `table` (any table with a ``patient_id``), oldest first."""
    query = select(table).where(table.patient_id == patient_id)
    return list(session.scalars(query.order_by(table.recorded_at, table.id)))


def clinic_row_ids(
    session: Session,
    table: type[PatientRowT],
    clinic_id: uuid.UUID,
    *,
    since: datetime | None = None,
) -> list[uuid.UUID]:
    """Return the ids of the rows of `table` (any table with a ``patient_id``) of a clinic's
    active patients, recorded from `since` on when given, oldest first."""
    query = select(table.id).join(Patient, Patient.id == table.patient_id)
    query = query.where(Patient.clinic_id == clinic_id, Patient.active.is_(True))
    if since is not None:
        query = query.where(table.recorded_at >= since)
    return list(session.scalars(query.order_by(table.recorded_at, table.id)))


_ENTRIES: dict[HistoryEntry, tuple[Any, Callable[[AmendedRow], object]]] = {
    HistoryEntry.CONDITION: (ConditionEntry, condition_from_row),
    HistoryEntry.MEDICATION: (MedicationEntry, medication_from_row),
    HistoryEntry.SUBSTANCE_USE: (SubstanceUseEntry, substance_use_from_row),
    HistoryEntry.LAB_RESULT: (LabResultEntry, lab_from_row),
}


class HistoryRepository(Repository):
    """A patient's history. Every method appends an audit entry."""

    def add_condition(
        self,
        patient_id: uuid.UUID,
        condition: Condition,
        *,
        section: ConditionSection = ConditionSection.CONDITIONS,
    ) -> uuid.UUID:
        """Record a diagnosis, or (``section=psychiatric_history``) a psychiatric history entry."""
        code = condition.code
        row = ConditionEntry(
            patient_id=patient_id,
            section=str(ConditionSection(section)),
            concept=str(condition.concept),
            status=str(condition.status),
            code_system=None if code is None else str(code.system),
            code=None if code is None else code.value,
            severity=None if condition.severity is None else str(condition.severity),
            noted_on=condition.noted_on,
            recorded_by=require_user(self.actor),
        )
        return self._write(row, patient_id)

    def add_medication(
        self, patient_id: uuid.UUID, medication: Medication, *, started_on: date | None = None
    ) -> uuid.UUID:
        """Record a medication the patient takes."""
        classes = medication.drug_classes
        row = MedicationEntry(
            patient_id=patient_id,
            name=medication.name,
            drug_classes_json=None if classes is None else [str(c) for c in classes],
            daily_dose_mg=medication.daily_dose_mg,
            started_on=started_on,
            recorded_by=require_user(self.actor),
        )
        return self._write(row, patient_id)

    def add_substance_use(self, patient_id: uuid.UUID, use: SubstanceUse) -> uuid.UUID:
        """Record an entry of the substance-use history."""
        row = SubstanceUseEntry(
            patient_id=patient_id,
            substance=str(use.substance),
            pattern=str(use.pattern),
            status=str(use.status),
            recorded_by=require_user(self.actor),
        )
        return self._write(row, patient_id)

    def add_review(
        self, patient_id: uuid.UUID, section: HistorySection, *, reviewed_at: datetime
    ) -> uuid.UUID:
        """Record that a list was taken with the patient (an empty list then means "none")."""
        row = HistoryReview(
            patient_id=patient_id,
            section=str(HistorySection(section)),
            reviewed_at=reviewed_at,
            recorded_by=require_user(self.actor),
        )
        return self._write(row, patient_id)

    def add_lab_result(self, patient_id: uuid.UUID, lab: LabResult) -> uuid.UUID:
        """Record a liver-test result."""
        row = LabResultEntry(
            patient_id=patient_id,
            test=str(lab.test),
            value_u_per_l=lab.value_u_per_l,
            uln_u_per_l=lab.uln_u_per_l,
            sampled_at=lab.time,
            recorded_by=require_user(self.actor),
        )
        return self._write(row, patient_id)

    def add_measurement(
        self,
        patient_id: uuid.UUID,
        *,
        measured_at: datetime,
        weight_kg: float | None = None,
        height_cm: float | None = None,
    ) -> uuid.UUID:
        """Record a weight and/or height (in the ranges a `Patient` record accepts)."""
        if weight_kg is None and height_cm is None:
            msg = "`weight_kg` or `height_cm` must be given (got neither)."
            raise InputError(msg, field="weight_kg")
        _check_measure("weight_kg", weight_kg, WEIGHT_KG_RANGE, "kg")
        _check_measure("height_cm", height_cm, HEIGHT_CM_RANGE, "cm")
        row = BodyMeasurement(
            patient_id=patient_id,
            measured_at=measured_at,
            weight_kg=weight_kg,
            height_cm=height_cm,
            recorded_by=require_user(self.actor),
        )
        return self._write(row, patient_id)

    def _write(self, row: Any, patient_id: uuid.UUID) -> uuid.UUID:  # noqa: ANN401  # any history table
        self._add(row, what=row.__tablename__)
        self._audit(AuditAction.CREATE, row, row.id, patient_id=patient_id)
        return uuid.UUID(str(row.id))

    def amend(
        self,
        entry: HistoryEntry,
        entry_id: uuid.UUID,
        changes: Mapping[str, object],
        *,
        reason: str,
        kind: AmendmentKind = AmendmentKind.CORRECTION,
    ) -> Stored[Any]:
        """Amend a history entry (a condition resolved, a medication stopped, a lab corrected)."""
        table, to_record = _ENTRIES[HistoryEntry(entry)]
        row = self._get(table, entry_id)
        check = as_check(to_record)
        patient_id = row.patient_id
        self._amend(
            row, changes=changes, reason=reason, patient_id=patient_id, kind=kind, check=check
        )
        return self._stored([row], to_record)[0]

    def list_entries(self, entry: HistoryEntry, patient_id: uuid.UUID) -> tuple[Stored[Any], ...]:
        """Return every entry of one kind, as amended, oldest first (ended ones included)."""
        table, to_record = _ENTRIES[HistoryEntry(entry)]
        self._audit(
            AuditAction.READ, table.__tablename__, f"patient:{patient_id}", patient_id=patient_id
        )
        return self._stored(self._rows(table, patient_id), to_record)

    def _rows(self, table: type[PatientRowT], patient_id: uuid.UUID) -> list[PatientRowT]:
        return patient_rows(self.session, table, patient_id)
