"""Patients: registered, found, corrected by amendment, deactivated; every access audited."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime

from sqlalchemy import select

from ketapath.clinical.records import Sex
from ketapath.errors import InputError
from ketapath.store.amendments import AmendedRow
from ketapath.store.audit import AuditAction
from ketapath.store.columns import utc_now
from ketapath.store.records import PatientIdentity
from ketapath.store.repositories.base import Repository, require_user
from ketapath.store.tables import Patient

__all__ = ["AMENDABLE_FIELDS", "PatientRepository", "to_identity"]

_TEXT_FIELDS = ("mrn", "given_name", "family_name")
AMENDABLE_FIELDS = ("given_name", "family_name", "birth_date", "sex")
"""What a correction may change; the MRN is the clinic's key and is never reassigned."""


def _sex(value: object) -> Sex:
    try:
        return Sex(str(value))
    except ValueError:
        msg = f"`sex` must be one of {', '.join(Sex)} (got {value!r})."
        raise InputError(msg, field="sex", value=value) from None


def _check(values: Mapping[str, object]) -> None:
    for name in _TEXT_FIELDS:
        text = values[name]
        if not isinstance(text, str) or not text.strip():
            msg = f"`{name}` must be a non-empty text (got {text!r})."
            raise InputError(msg, field=name, value=text)
    birth_date = values["birth_date"]
    if not isinstance(birth_date, date) or birth_date > date.today():
        msg = f"`birth_date` must be a date not in the future (got {birth_date!r})."
        raise InputError(msg, field="birth_date", value=birth_date)
    _sex(values["sex"])


def to_identity(amended: AmendedRow) -> PatientIdentity:
    """Map a `Patient` row (amended) to `PatientIdentity`."""
    get = amended.get
    return PatientIdentity(
        id=amended.row_id,
        clinic_id=get("clinic_id", uuid.UUID),
        mrn=get("mrn", str),
        given_name=get("given_name", str),
        family_name=get("family_name", str),
        birth_date=get("birth_date", date),
        sex=_sex(get("sex", str)),
        active=get("active", bool),
        created_at=get("created_at", datetime),
        created_by=get("created_by", uuid.UUID),
        deactivated_at=amended.find("deactivated_at", datetime),
        deactivated_by=amended.find("deactivated_by", uuid.UUID),
        history=amended.history,
    )


class PatientRepository(Repository):
    """A clinic's patients. Every method appends an audit entry."""

    def create(
        self,
        *,
        clinic_id: uuid.UUID,
        mrn: str,
        given_name: str,
        family_name: str,
        birth_date: date,
        sex: Sex | str,
    ) -> PatientIdentity:
        """Register a patient; `ConflictError` when the clinic already has this MRN."""
        values = {"mrn": mrn, "given_name": given_name, "family_name": family_name}
        _check({**values, "birth_date": birth_date, "sex": sex})
        row = Patient(
            clinic_id=clinic_id,
            mrn=mrn.strip(),
            given_name=given_name.strip(),
            family_name=family_name.strip(),
            birth_date=birth_date,
            sex=str(_sex(sex)),
            created_by=require_user(self.actor),
        )
        self._add(row, what=f"patient with MRN {mrn!r}")
        self._audit(AuditAction.CREATE, row, row.id, patient_id=row.id)
        return to_identity(self._amended([row])[0][1])

    def get(self, patient_id: uuid.UUID) -> PatientIdentity:
        """Return the patient as amended; `NotFoundError` when there is none."""
        row = self._get(Patient, patient_id)
        self._audit(AuditAction.READ, row, row.id, patient_id=row.id)
        return to_identity(self._amended([row])[0][1])

    def find_by_mrn(self, clinic_id: uuid.UUID, mrn: str) -> PatientIdentity | None:
        """Return the clinic's patient with medical record number `mrn`, or None."""
        query = select(Patient).where(Patient.clinic_id == clinic_id, Patient.mrn == mrn)
        row = self.session.scalar(query)
        if row is None:
            return None
        self._audit(AuditAction.READ, row, row.id, patient_id=row.id, detail="found by MRN")
        return to_identity(self._amended([row])[0][1])

    def list_active(self, clinic_id: uuid.UUID) -> tuple[PatientIdentity, ...]:
        """Return the clinic's active patients, by family name (one audit entry for the list)."""
        query = (
            select(Patient)
            .where(Patient.clinic_id == clinic_id, Patient.active.is_(True))
            .order_by(Patient.family_name, Patient.given_name, Patient.id)
        )
        found = tuple(to_identity(amended) for _, amended in self._select_amended(query))
        detail = f"listed {len(found)} active patients"
        self._audit(
            AuditAction.READ, "patient", f"clinic:{clinic_id}", patient_id=None, detail=detail
        )
        return tuple(sorted(found, key=lambda p: (p.family_name, p.given_name, str(p.id))))

    def amend(
        self, patient_id: uuid.UUID, changes: Mapping[str, object], *, reason: str
    ) -> PatientIdentity:
        """Correct names, birth date or sex; the original stays in the history."""
        for field in changes:
            if field not in AMENDABLE_FIELDS:
                msg = f"`{field}` cannot be amended; a patient's {', '.join(AMENDABLE_FIELDS)} can."
                raise InputError(msg, field=field)
        row = self._get(Patient, patient_id)
        amended = self._amend(row, changes=changes, reason=reason, patient_id=row.id, check=_check)
        return to_identity(amended)

    def deactivate(self, patient_id: uuid.UUID, *, reason: str) -> PatientIdentity:
        """Deactivate a patient (discharged from the clinic, duplicate record); nothing is lost."""
        if not isinstance(reason, str) or not reason.strip():
            msg = f"`reason` must be a non-empty text to deactivate a patient (got {reason!r})."
            raise InputError(msg, field="reason", value=reason)
        row = self._get(Patient, patient_id)
        if not row.active:
            raise InputError(f"Patient {row.mrn!r} is already deactivated.", field="patient_id")
        row.active, row.deactivated_at = False, utc_now()
        row.deactivated_by = require_user(self.actor)
        self._add(row, what=f"patient {row.mrn!r}")
        self._audit(AuditAction.DEACTIVATE, row, row.id, patient_id=row.id, detail=reason.strip())
        return to_identity(self._amended([row])[0][1])
