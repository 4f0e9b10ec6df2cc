"""Patients: registered, found, corrected by amendment, deactivated; every access audited."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime

from sqlalchemy import ColumnElement, func, or_, select

from ketapath.clinical.records import Sex
from ketapath.errors import InputError
from ketapath.store.amendments import AmendedRow
from ketapath.store.audit import AuditAction
from ketapath.store.columns import utc_now
from ketapath.store.records import PatientIdentity
from ketapath.store.repositories.base import Repository, require_user
from ketapath.store.tables import Amendment, Patient

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


def _matches(patient: PatientIdentity, *, name: str | None, mrn_prefix: str | None) -> bool:
    if mrn_prefix is not None and not patient.mrn.casefold().startswith(mrn_prefix.casefold()):
        return False
    if name is None:
        return True
    return name.strip().casefold() in f"{patient.given_name} {patient.family_name}".casefold()


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

    def registration(self, patient_id: uuid.UUID) -> tuple[uuid.UUID, bool] | None:
        """Return the patient's clinic and whether their record is open, or None when there is no
        such patient (for access checks: nothing clinical is read, so nothing is audited)."""
        query = select(Patient.clinic_id, Patient.active).where(Patient.id == patient_id)
        found = self.session.execute(query).one_or_none()
        return None if found is None else (found.clinic_id, found.active)

    def ids_in_clinic(self, clinic_id: uuid.UUID) -> tuple[uuid.UUID, ...]:
        """Return the ids of the clinic's patients, active or not, in a stable order (for
        aggregates; each patient's records are read, and audited, by their own repositories)."""
        query = select(Patient.id).where(Patient.clinic_id == clinic_id).order_by(Patient.id)
        return tuple(self.session.scalars(query))

    def search(
        self,
        clinic_id: uuid.UUID,
        *,
        name: str | None = None,
        mrn_prefix: str | None = None,
        active: bool | None = True,
    ) -> tuple[PatientIdentity, ...]:
        """Return the clinic's patients matching, by family and given name (one audit entry).

        `name` is a part of "given family" and `mrn_prefix` the start of the MRN, both ignoring
        case; names are matched as amended. The database narrows the rows (the MRN, which is
        never amended; the name as first written, or any patient with an amended name or a
        non-ASCII letter in it), then each is checked as amended with Python's case folding.
        """
        query = select(Patient).where(Patient.clinic_id == clinic_id)
        if active is not None:
            query = query.where(Patient.active.is_(active))
        if mrn_prefix is not None and mrn_prefix.isascii():
            prefix = func.lower(Patient.mrn).startswith(mrn_prefix.lower(), autoescape=True)
            query = query.where(prefix)
        if name is not None and name.strip().isascii():
            query = query.where(self._may_match_name(name.strip().lower()))
        found = [to_identity(amended) for _, amended in self._select_amended(query)]
        matching = sorted(
            (p for p in found if _matches(p, name=name, mrn_prefix=mrn_prefix)),
            key=lambda p: (p.family_name.casefold(), p.given_name.casefold(), str(p.id)),
        )
        detail = f"searched the clinic's patients: {len(matching)} found"
        self._audit(
            AuditAction.READ, "patient", f"clinic:{clinic_id}", patient_id=None, detail=detail
        )
        return tuple(matching)

    def _may_match_name(self, text: str) -> ColumnElement[bool]:
        full = func.lower(Patient.given_name + " " + Patient.family_name)
        amended = select(Amendment.row_id).where(
            Amendment.table_name == Patient.__tablename__,
            Amendment.field.in_(("given_name", "family_name")),
        )
        both = Patient.given_name + Patient.family_name
        if self.session.get_bind().dialect.name == "postgresql":
            non_ascii = both.op("~")("[^[:ascii:]]")
        else:
            non_ascii = both.op("GLOB")("*[^ -~]*")
        return or_(full.contains(text, autoescape=True), Patient.id.in_(amended), non_ascii)

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
