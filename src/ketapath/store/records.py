"""What the repositories return: the pure records of `ketapath.clinical`, wrapped with provenance.

Where `ketapath.clinical` has a record (a `Condition`, an `Order`, `VitalSigns`...), a repository
returns it inside `Stored`, which adds the row id, who recorded it and when, and its amendments.
Records that only the store knows (identities, plans, sessions) are defined here.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Generic, TypeVar

from ketapath.clinical.dosing.orders import CareArea, Order
from ketapath.clinical.dosing.overrides import Override
from ketapath.clinical.finding import Finding
from ketapath.clinical.observations import AdministeredDose, DissociationScore, SedationScore
from ketapath.clinical.records import Sex, VitalSigns
from ketapath.clinical.session.monitoring import Alarm, SessionAction
from ketapath.store.amendments import AmendmentRecord
from ketapath.store.tables import OrderStatus, PlanStatus, SessionStatus, UserRole
from ketapath.store.tables.followup import ScreenKind

__all__ = [
    "AdverseEventRecord",
    "ClinicRecord",
    "PatientIdentity",
    "PlanRecord",
    "RaisedAlarm",
    "RecentReadings",
    "SafetyScreenRecord",
    "ScreenKind",
    "ScreeningAnswers",
    "SessionChart",
    "SessionRecord",
    "Stored",
    "StoredOrder",
    "UserRecord",
]

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class Stored(Generic[T]):
    """A record as stored: its row id, who recorded it and when, and its amendments.

    Parameters
    ----------
    id : uuid.UUID
        The row id.
    record : T
        The record, with every amendment applied.
    recorded_at : datetime
        When it was first written (UTC).
    recorded_by : uuid.UUID
        Who wrote it.
    history : tuple of AmendmentRecord
        Its amendments, oldest first; empty when it was never amended.
    """

    id: uuid.UUID
    record: T
    recorded_at: datetime
    recorded_by: uuid.UUID
    history: tuple[AmendmentRecord, ...] = ()

    @property
    def is_amended(self) -> bool:
        """True when the record was changed after it was first written."""
        return bool(self.history)


@dataclass(frozen=True, slots=True, kw_only=True)
class ScreeningAnswers:
    """What screening asks that is not part of the history; None means not asked.

    Parameters
    ----------
    pregnant, breastfeeding : bool or None
        Pregnancy and breastfeeding status.
    failed_conventional_therapy : bool or None
        Whether other analgesics have failed (IND-10).
    consent_signed : bool or None
        Informed consent for ketamine therapy signed.
    escort_available : bool or None
        A responsible adult will take the patient home (DIS-4).
    """

    pregnant: bool | None = None
    breastfeeding: bool | None = None
    failed_conventional_therapy: bool | None = None
    consent_signed: bool | None = None
    escort_available: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ClinicRecord:
    """A clinic."""

    id: uuid.UUID
    name: str
    created_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class UserRecord:
    """A user account, without its password hash."""

    id: uuid.UUID
    username: str
    full_name: str
    role: UserRole
    clinic_id: uuid.UUID | None
    active: bool
    created_at: datetime
    deactivated_at: datetime | None = None
    deactivated_by: uuid.UUID | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientIdentity:
    """Who a patient is, with the amendments of their identity.

    Parameters
    ----------
    id : uuid.UUID
        The row id, also used as `ketapath.clinical.records.Patient.patient_id`.
    clinic_id : uuid.UUID
        The clinic whose medical record number `mrn` is.
    mrn : str
        Medical record number, unique in the clinic.
    given_name, family_name : str
        Names.
    birth_date : date
        Date of birth.
    sex : Sex
        Sex recorded for clinical purposes.
    active : bool
        False once deactivated; the record stays.
    history : tuple of AmendmentRecord
        Corrections of the identity, oldest first.
    """

    id: uuid.UUID
    clinic_id: uuid.UUID
    mrn: str
    given_name: str
    family_name: str
    birth_date: date
    sex: Sex
    active: bool
    created_at: datetime
    created_by: uuid.UUID
    deactivated_at: datetime | None = None
    deactivated_by: uuid.UUID | None = None
    history: tuple[AmendmentRecord, ...] = ()

    def age_years(self, on: date) -> int:
        """Return the age in whole years on the day `on`."""
        before_birthday = (on.month, on.day) < (self.birth_date.month, self.birth_date.day)
        return on.year - self.birth_date.year - int(before_birthday)


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredOrder:
    """An order of a plan: the order as asked, where, its status, findings and overrides."""

    id: uuid.UUID
    position: int
    order: Order
    care_area: CareArea
    status: OrderStatus
    findings: tuple[Stored[Finding], ...]
    overrides: tuple[Stored[Override], ...]
    history: tuple[AmendmentRecord, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanRecord:
    """A treatment plan and its orders."""

    id: uuid.UUID
    patient_id: uuid.UUID
    protocol: str | None
    care_area: CareArea
    weight_kg: float | None
    status: PlanStatus
    notes: str | None
    orders: tuple[StoredOrder, ...]
    recorded_at: datetime
    recorded_by: uuid.UUID
    history: tuple[AmendmentRecord, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionRecord:
    """A treatment session (its chart is read with `SessionRepository.get_chart`)."""

    id: uuid.UUID
    patient_id: uuid.UUID
    plan_id: uuid.UUID | None
    chair: str
    care_area: CareArea
    status: SessionStatus
    started_at: datetime | None
    stopped_at: datetime | None
    stop_reason: str | None
    recorded_at: datetime
    recorded_by: uuid.UUID
    history: tuple[AmendmentRecord, ...] = ()
    paused_at: datetime | None = None
    pause_reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RaisedAlarm:
    """A charted alarm: the time of the reading that raised it (not the time it was written),
    the finding and the action it asked for."""

    raised_at: datetime
    alarm: Alarm

    @property
    def finding(self) -> Finding:
        """The finding that says why."""
        return self.alarm.finding

    @property
    def action(self) -> SessionAction:
        """What to do."""
        return self.alarm.action


@dataclass(frozen=True, slots=True, kw_only=True)
class AdverseEventRecord:
    """Something that went wrong in a session."""

    occurred_at: datetime
    kind: str
    severity: str
    description: str
    action_taken: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RecentReadings:
    """What a new reading is judged with: the session, its latest vital signs up to the reading's
    time (oldest first) and its latest sedation scores in a window before it; and where the
    patient is registered, and whether their record is open, for the access check."""

    session: SessionRecord
    patient_clinic_id: uuid.UUID
    patient_active: bool
    vitals: tuple[VitalSigns, ...]
    sedation: tuple[SedationScore, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionChart:
    """A session and everything charted in it, each list in time order."""

    session: SessionRecord
    doses: tuple[Stored[AdministeredDose], ...]
    vitals: tuple[Stored[VitalSigns], ...]
    sedation: tuple[Stored[SedationScore], ...]
    dissociation: tuple[Stored[DissociationScore], ...]
    adverse_events: tuple[Stored[AdverseEventRecord], ...]
    alarms: tuple[Stored[RaisedAlarm], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class SafetyScreenRecord:
    """A dependence (DEP-1 … DEP-5) or urinary symptom (TOX-U1) screen, kept whatever it found.

    Parameters
    ----------
    kind : ScreenKind
        Which screen.
    screened_at : datetime
        When it was asked (UTC).
    answers : Mapping of str to bool
        Each question's answer as given, by the field name of the clinical screen record
        (``craving``, ``dysuria``...); True means yes.
    findings : tuple of Finding
        What the rules found, with the rule as it was shown; empty when the screen found no
        signal.
    """

    kind: ScreenKind
    screened_at: datetime
    answers: Mapping[str, bool]
    findings: tuple[Finding, ...] = ()

    @property
    def has_signal(self) -> bool:
        """True when the screen found anything."""
        return bool(self.findings)
