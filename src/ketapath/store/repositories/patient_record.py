"""The `PatientRecord` that the screening rules read, rebuilt from the stored history.

The record is rebuilt as it stood on one day: the age on that day, the medications current then
(started on or before it, not stopped by it), the labs sampled by then. A list that was never
taken (no `HistoryReview` and no entry) is ``None`` (unknown), not empty.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from ketapath.clinical.records import Patient, PatientRecord, VitalSigns
from ketapath.store.amendments import AmendedRow
from ketapath.store.audit import AuditAction
from ketapath.store.records import ScreeningAnswers
from ketapath.store.repositories.base import Repository
from ketapath.store.repositories.history import (
    condition_from_row,
    lab_from_row,
    medication_from_row,
    patient_rows,
    substance_use_from_row,
)
from ketapath.store.repositories.patient import to_identity
from ketapath.store.repositories.session import vitals_from_row
from ketapath.store.tables import (
    BodyMeasurement,
    ConditionEntry,
    ConditionSection,
    HistoryReview,
    HistorySection,
    LabResultEntry,
    MedicationEntry,
    SubstanceUseEntry,
    VitalSignsEntry,
)
from ketapath.store.tables import Patient as PatientRow

__all__ = ["PatientRecordRepository"]

_PSYCHIATRIC = str(ConditionSection.PSYCHIATRIC_HISTORY)


def _latest(rows: Sequence[AmendedRow], field: str) -> float | None:
    """The most recent non-empty value of `field` among measurements."""
    measured = [(row.get("measured_at", datetime), row.find(field, float)) for row in rows]
    known = [(at, value) for at, value in measured if value is not None]
    return max(known, key=lambda pair: pair[0])[1] if known else None


def _current(medication: AmendedRow, on: date) -> bool:
    started, stopped = medication.find("started_on", date), medication.find("stopped_on", date)
    return (started is None or started <= on) and (stopped is None or stopped > on)


class PatientRecordRepository(Repository):
    """The read model of a patient's record for the rules. Every read appends an audit entry."""

    def get(
        self, patient_id: uuid.UUID, *, on: date, answers: ScreeningAnswers | None = None
    ) -> PatientRecord:
        """Rebuild the `PatientRecord` screening reads, as it stands on the day `on`.

        Parameters
        ----------
        patient_id : uuid.UUID
            The patient.
        on : date
            The day: the age, the current medications and the labs are those of that day.
        answers : ScreeningAnswers or None
            The answers asked at screening (pregnancy, consent...); None leaves them unknown.
        """
        identity = to_identity(self._amended([self._get(PatientRow, patient_id)])[0][1])
        detail = f"patient record on {on.isoformat()}"
        self._audit(AuditAction.READ, "patient", patient_id, patient_id=patient_id, detail=detail)
        answers = answers or ScreeningAnswers()
        reviewed = set(
            self.session.scalars(
                select(HistoryReview.section).where(HistoryReview.patient_id == patient_id)
            )
        )
        measures = self._amended_rows(BodyMeasurement, patient_id)
        patient = Patient(
            patient_id=str(identity.id),
            age_years=identity.age_years(on),
            sex=identity.sex,
            weight_kg=_latest(measures, "weight_kg"),
            height_cm=_latest(measures, "height_cm"),
            pregnant=answers.pregnant,
            breastfeeding=answers.breastfeeding,
        )
        conditions = self._amended_rows(ConditionEntry, patient_id)
        psychiatric = [a for a in conditions if a.get("section", str) == _PSYCHIATRIC]

        def known(
            section: HistorySection, rows: Sequence[AmendedRow], entries: Sequence[Any]
        ) -> tuple[Any, ...] | None:
            # Taken when reviewed, or when anything was ever entered (even since stopped).
            return tuple(entries) if rows or section in reviewed else None

        medications = self._amended_rows(MedicationEntry, patient_id)
        labs = map(lab_from_row, self._amended_rows(LabResultEntry, patient_id))
        uses = self._amended_rows(SubstanceUseEntry, patient_id)
        return PatientRecord(
            patient=patient,
            conditions=tuple(condition_from_row(a) for a in conditions if a not in psychiatric),
            medications=known(
                HistorySection.MEDICATIONS,
                medications,
                [medication_from_row(a) for a in medications if _current(a, on)],
            ),
            substance_use=known(
                HistorySection.SUBSTANCE_USE, uses, list(map(substance_use_from_row, uses))
            ),
            psychiatric_history=known(
                HistorySection.PSYCHIATRIC_HISTORY,
                psychiatric,
                list(map(condition_from_row, psychiatric)),
            ),
            labs=tuple(lab for lab in labs if lab.time.date() <= on),
            vitals=self._intake_vitals(patient_id),
            failed_conventional_therapy=answers.failed_conventional_therapy,
            consent_signed=answers.consent_signed,
            escort_available=answers.escort_available,
        )

    def _amended_rows(self, table: Any, patient_id: uuid.UUID) -> list[AmendedRow]:  # noqa: ANN401  # any table with a patient_id
        rows = patient_rows(self.session, table, patient_id)
        return [amended for _, amended in self._amended(rows)]

    def _intake_vitals(self, patient_id: uuid.UUID) -> tuple[VitalSigns, ...]:
        query = select(VitalSignsEntry).where(
            VitalSignsEntry.patient_id == patient_id, VitalSignsEntry.session_id.is_(None)
        )
        rows = list(self.session.scalars(query.order_by(VitalSignsEntry.taken_at)))
        return tuple(vitals_from_row(amended) for _, amended in self._amended(rows))
