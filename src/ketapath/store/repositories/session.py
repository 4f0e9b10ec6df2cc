"""Treatment sessions and their chart: doses and rate changes, vitals, scores, events, alarms.

Starting, pausing, resuming and stopping a session are amendments of kind ``status_change`` of
its row, so the row keeps what was first written; so is the end of a rate segment at a pause.
Vital signs taken at intake (no session) are written here too.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TypeVar, cast

from sqlalchemy import Integer, Table, bindparam, select
from sqlalchemy.orm import Session

from ketapath.clinical.dosing.orders import CareArea, Drug, Route
from ketapath.clinical.observations import (
    AdministeredDose,
    CadssForm,
    DissociationScore,
    SedationScore,
)
from ketapath.clinical.records import VitalSigns
from ketapath.clinical.session.monitoring import Alarm, SessionAction
from ketapath.errors import InputError, NotFoundError
from ketapath.store.amendments import AmendedRow, AmendmentKind
from ketapath.store.audit import Actor, AuditAction
from ketapath.store.findings import finding_from_json, finding_to_columns
from ketapath.store.records import (
    AdverseEventRecord,
    RaisedAlarm,
    RecentReadings,
    SessionChart,
    SessionRecord,
)
from ketapath.store.repositories.base import Repository, as_check, require_user
from ketapath.store.tables import (
    AdministrationSegment,
    AdverseEvent,
    Base,
    DissociationScoreEntry,
    Patient,
    SedationScoreEntry,
    SessionAlarm,
    SessionStatus,
    TreatmentSession,
    VitalSignsEntry,
)

__all__ = ["SessionRepository", "vitals_from_row"]

_RECENT_MARGIN = 8  # extra rows read so that an amended reading time is still honoured

# The statements of `SessionRepository.get_recent`, built once (a vital-sign write runs them all);
# they read plain columns, only those the rules need, without ORM objects.
_VITALS = ("sbp_mmhg", "dbp_mmhg", "hr_bpm", "rr_per_min", "spo2_pct", "temperature_c")
_SESSION_TABLE = cast("Table", TreatmentSession.__table__)
_VITALS_TABLE = cast("Table", VitalSignsEntry.__table__)
_SEDATION_TABLE = cast("Table", SedationScoreEntry.__table__)
_SESSION_WITH_REGISTRATION = (
    select(
        _SESSION_TABLE,
        Patient.clinic_id.label("patient_clinic_id"),
        Patient.active.label("patient_active"),
    )
    .join_from(_SESSION_TABLE, Patient, Patient.id == _SESSION_TABLE.c.patient_id)
    .where(_SESSION_TABLE.c.id == bindparam("session_id"))
)
_LATEST_VITALS = (
    select(*(_VITALS_TABLE.c[name] for name in ("id", "taken_at", *_VITALS)))
    .where(
        _VITALS_TABLE.c.session_id == bindparam("session_id"),
        _VITALS_TABLE.c.taken_at <= bindparam("until"),
    )
    .order_by(_VITALS_TABLE.c.taken_at.desc(), _VITALS_TABLE.c.id.desc())
    .limit(bindparam("rows", type_=Integer))
)
_LATEST_SEDATION = (
    select(*(_SEDATION_TABLE.c[name] for name in ("id", "assessed_at", "moaas", "rass")))
    .where(
        _SEDATION_TABLE.c.session_id == bindparam("session_id"),
        _SEDATION_TABLE.c.assessed_at >= bindparam("since"),
        _SEDATION_TABLE.c.assessed_at <= bindparam("until"),
    )
    .order_by(_SEDATION_TABLE.c.assessed_at.desc(), _SEDATION_TABLE.c.id.desc())
    .limit(1 + _RECENT_MARGIN)
)
ChartRowT = TypeVar(
    "ChartRowT",
    AdministrationSegment,
    VitalSignsEntry,
    SedationScoreEntry,
    DissociationScoreEntry,
    AdverseEvent,
    SessionAlarm,
)


def _session(a: AmendedRow) -> SessionRecord:
    return SessionRecord(
        id=a.row_id,
        patient_id=a.get("patient_id", uuid.UUID),
        plan_id=a.find("plan_id", uuid.UUID),
        chair=a.get("chair", str),
        care_area=CareArea(a.get("care_area", str)),
        status=SessionStatus(a.get("status", str)),
        started_at=a.find("started_at", datetime),
        stopped_at=a.find("stopped_at", datetime),
        stop_reason=a.find("stop_reason", str),
        recorded_at=a.get("recorded_at", datetime),
        recorded_by=a.get("recorded_by", uuid.UUID),
        history=a.history,
        paused_at=a.find("paused_at", datetime),
        pause_reason=a.find("pause_reason", str),
    )


def vitals_from_row(a: AmendedRow) -> VitalSigns:
    """Map a `VitalSignsEntry` (amended) to `VitalSigns`."""
    values = {name: a.find(name, float) for name in _VITALS}
    return VitalSigns(time=a.get("taken_at", datetime), **values)


def _dose(a: AmendedRow, course_id: str) -> AdministeredDose:
    return AdministeredDose(
        time=a.get("started_at", datetime),
        route=Route(a.get("route", str)),
        session_id=str(a.get("session_id", uuid.UUID)),
        course_id=course_id,
        drug=Drug(a.get("drug", str)),
        dose_mg=a.find("dose_mg", float),
        rate_mg_per_h=a.find("rate_mg_per_h", float),
        end=a.find("ended_at", datetime),
    )


def _sedation(a: AmendedRow) -> SedationScore:
    return SedationScore(
        time=a.get("assessed_at", datetime), moaas=a.find("moaas", int), rass=a.find("rass", int)
    )


def _dissociation(a: AmendedRow) -> DissociationScore:
    form = CadssForm(a.get("form", str))
    return DissociationScore(
        time=a.get("assessed_at", datetime), total=a.get("total", int), form=form
    )


def _alarm(a: AmendedRow) -> RaisedAlarm:
    alarm = Alarm(finding=finding_from_json(a.values), action=SessionAction(a.get("action", str)))
    return RaisedAlarm(raised_at=a.get("raised_at", datetime), alarm=alarm)


def _event(a: AmendedRow) -> AdverseEventRecord:
    return AdverseEventRecord(
        occurred_at=a.get("occurred_at", datetime),
        kind=a.get("kind", str),
        severity=a.get("severity", str),
        description=a.get("description", str),
        action_taken=a.find("action_taken", str),
    )


class SessionRepository(Repository):
    """Sessions and their charts. Every method appends an audit entry."""

    def __init__(self, session: Session, actor: Actor) -> None:
        super().__init__(session, actor)
        self._session_patients: dict[uuid.UUID, uuid.UUID] = {}  # session id -> its patient

    def create(
        self,
        patient_id: uuid.UUID,
        *,
        chair: str,
        care_area: CareArea | str,
        plan_id: uuid.UUID | None = None,
    ) -> SessionRecord:
        """Schedule a session in `chair`."""
        row = TreatmentSession(
            patient_id=patient_id,
            plan_id=plan_id,
            chair=chair,
            care_area=str(CareArea(care_area)),
            status=str(SessionStatus.SCHEDULED),
            recorded_by=require_user(self.actor),
        )
        self._add(row, what=f"session in chair {chair!r}")
        self._audit(AuditAction.CREATE, row, row.id, patient_id=patient_id)
        return _session(self._amended([row])[0][1])

    def start(self, session_id: uuid.UUID, *, at: datetime) -> SessionRecord:
        """Mark the session started at `at`."""
        return self._change(
            session_id, {"status": SessionStatus.IN_PROGRESS, "started_at": at}, "session started"
        )

    def stop(self, session_id: uuid.UUID, *, at: datetime, reason: str) -> SessionRecord:
        """Mark the session stopped at `at`, with the reason (completed, alarm, patient's wish)."""
        changes: dict[str, object] = {
            "status": SessionStatus.STOPPED,
            "stopped_at": at,
            "stop_reason": reason,
        }
        current = self._amended([self._get(TreatmentSession, session_id)])[0][1]
        if current.find("paused_at", datetime) is not None:  # stopped while paused
            changes.update(paused_at=None, pause_reason=None)
        return self._change(session_id, changes, reason)

    def lock(self, session_id: uuid.UUID) -> None:
        """Hold the session's row until the transaction ends (PostgreSQL ``FOR UPDATE``; SQLite
        writers hold the whole database already), so that use cases that check its status and
        then write (pause, resume, a rate change, stop) run one after the other."""
        query = select(TreatmentSession.id).where(TreatmentSession.id == session_id)
        self.session.execute(query.with_for_update())

    def pause(self, session_id: uuid.UUID, *, at: datetime, reason: str) -> SessionRecord:
        """Mark the session paused at `at`, with the reason (a side effect, a PAUSE alarm)."""
        changes = {"status": SessionStatus.PAUSED, "paused_at": at, "pause_reason": reason}
        return self._change(session_id, changes, reason)

    def resume(self, session_id: uuid.UUID, *, reason: str) -> SessionRecord:
        """Mark a paused session in progress again (the pause stays in its amendments)."""
        changes: dict[str, object] = {
            "status": SessionStatus.IN_PROGRESS,
            "paused_at": None,
            "pause_reason": None,
        }
        return self._change(session_id, changes, reason)

    def end_segment(self, segment_id: uuid.UUID, *, at: datetime, reason: str) -> None:
        """End a rate segment at `at` (a pause): an amendment of its end, the end as planned
        kept."""
        row = self._get(AdministrationSegment, segment_id)
        session = self._get(TreatmentSession, row.session_id)
        check = as_check(lambda amended: _dose(amended, str(session.plan_id or session.id)))
        self._amend(
            row,
            changes={"ended_at": at},
            reason=reason,
            patient_id=session.patient_id,
            kind=AmendmentKind.STATUS_CHANGE,
            check=check,
        )

    def _change(
        self, session_id: uuid.UUID, changes: dict[str, object], reason: str
    ) -> SessionRecord:
        row = self._get(TreatmentSession, session_id)
        kind = AmendmentKind.STATUS_CHANGE
        amended = self._amend(
            row, changes=changes, reason=reason, patient_id=row.patient_id, kind=kind
        )
        return _session(amended)

    def add_dose(self, dose: AdministeredDose, *, order_id: uuid.UUID | None = None) -> uuid.UUID:
        """Chart a dose given, or a constant-rate segment (each rate change is a new one)."""
        try:
            session_id = uuid.UUID(dose.session_id)
        except ValueError:
            msg = f"`session_id` must be the id of a stored session (got {dose.session_id!r})."
            raise InputError(msg, field="session_id", value=dose.session_id) from None
        values = {
            "session_id": session_id,
            "order_id": order_id,
            "route": str(dose.route),
            "drug": str(dose.drug),
            "started_at": dose.time,
            "ended_at": dose.end,
            "dose_mg": dose.dose_mg,
            "rate_mg_per_h": dose.rate_mg_per_h,
        }
        return self._chart(AdministrationSegment, values)

    def add_vitals(
        self, patient_id: uuid.UUID, vitals: VitalSigns, *, session_id: uuid.UUID | None = None
    ) -> uuid.UUID:
        """Chart a set of vital signs, in a session or (without `session_id`) at intake."""
        values: dict[str, object] = {name: getattr(vitals, name) for name in _VITALS}
        values.update(patient_id=patient_id, session_id=session_id, taken_at=vitals.time)
        return self._chart(VitalSignsEntry, values, patient_id=patient_id)

    def add_sedation(self, session_id: uuid.UUID, score: SedationScore) -> uuid.UUID:
        """Chart a MOAA/S and/or RASS assessment."""
        values = {
            "session_id": session_id,
            "assessed_at": score.time,
            "moaas": score.moaas,
            "rass": score.rass,
        }
        return self._chart(SedationScoreEntry, values)

    def add_dissociation(self, session_id: uuid.UUID, score: DissociationScore) -> uuid.UUID:
        """Chart a CADSS or CADSS-6 total."""
        values = {
            "session_id": session_id,
            "assessed_at": score.time,
            "total": score.total,
            "form": str(score.form),
        }
        return self._chart(DissociationScoreEntry, values)

    def add_adverse_event(self, session_id: uuid.UUID, event: AdverseEventRecord) -> uuid.UUID:
        """Chart an adverse event."""
        if not event.description.strip():
            raise InputError(
                "`description` must be a non-empty text (got '').", field="description"
            )
        values = {
            "session_id": session_id,
            "occurred_at": event.occurred_at,
            "kind": event.kind,
            "severity": event.severity,
            "description": event.description,
            "action_taken": event.action_taken,
        }
        return self._chart(AdverseEvent, values)

    def add_alarm(self, session_id: uuid.UUID, alarm: Alarm, *, raised_at: datetime) -> uuid.UUID:
        """Chart an alarm raised by a reading, with the action it asked for."""
        values = {
            "session_id": session_id,
            "raised_at": raised_at,
            "action": str(alarm.action),
            **finding_to_columns(alarm.finding, 0),
        }
        return self._chart(SessionAlarm, values)

    def _chart(
        self,
        table: type[ChartRowT],
        values: Mapping[str, object],
        *,
        patient_id: uuid.UUID | None = None,
    ) -> uuid.UUID:
        """Insert a charted row (by `recorded_by`, the actor) and its audit entry; a row of a
        session is the session's patient's (`patient_id` of the session, unless given)."""
        if patient_id is None:
            patient_id = self._patient_of(cast("uuid.UUID", values["session_id"]))
        row_id = self._insert(table, {**values, "recorded_by": require_user(self.actor)})
        self._audit(AuditAction.CREATE, table.__tablename__, row_id, patient_id=patient_id)
        return row_id

    def _patient_of(self, session_id: uuid.UUID) -> uuid.UUID:
        """The patient of a session (it must exist), remembered by this repository."""
        patient_id = self._session_patients.get(session_id)
        if patient_id is None:
            patient_id = self._get(TreatmentSession, session_id).patient_id
            self._session_patients[session_id] = patient_id
        return patient_id

    def get(self, session_id: uuid.UUID) -> SessionRecord:
        """Return the session as amended."""
        row = self._get(TreatmentSession, session_id)
        self._audit(AuditAction.READ, row, row.id, patient_id=row.patient_id)
        return _session(self._amended([row])[0][1])

    def list_for_plans(self, plan_ids: Sequence[uuid.UUID]) -> list[SessionRecord]:
        """Return the sessions of the plans, as amended, in the order they were recorded."""
        query = select(TreatmentSession.id).where(TreatmentSession.plan_id.in_(plan_ids))
        ids = self.session.scalars(
            query.order_by(TreatmentSession.recorded_at, TreatmentSession.id)
        )
        return [self.get(session_id) for session_id in ids]

    def get_chart(self, session_id: uuid.UUID) -> SessionChart:
        """Return the session and everything charted in it."""
        row = self._get(TreatmentSession, session_id)
        self._audit(AuditAction.READ, row, row.id, patient_id=row.patient_id, detail="chart")
        course_id = str(row.plan_id or row.id)
        rows = self._rows
        return SessionChart(
            session=_session(self._amended([row])[0][1]),
            doses=self._stored(
                rows(AdministrationSegment, session_id, "started_at"),
                lambda amended: _dose(amended, course_id),
            ),
            vitals=self._stored(rows(VitalSignsEntry, session_id, "taken_at"), vitals_from_row),
            sedation=self._stored(rows(SedationScoreEntry, session_id, "assessed_at"), _sedation),
            dissociation=self._stored(
                rows(DissociationScoreEntry, session_id, "assessed_at"), _dissociation
            ),
            adverse_events=self._stored(rows(AdverseEvent, session_id, "occurred_at"), _event),
            alarms=self._stored(rows(SessionAlarm, session_id, "raised_at"), _alarm),
        )

    def get_recent(
        self, session_id: uuid.UUID, *, until: datetime, sedation_since: datetime, readings: int = 2
    ) -> RecentReadings:
        """Return what a new reading at ``until`` is judged with, without reading the whole chart.

        The latest ``readings`` vital signs taken at or before ``until`` and the latest sedation
        score from ``sedation_since`` to ``until`` (each oldest first), all as amended. Rows are
        chosen by their recorded time with a margin of extra rows, then filtered on the amended
        time, so a corrected time is honoured unless more than that margin of rows moved past it.
        """
        params = {"session_id": session_id, "until": until, "since": sedation_since}
        run = self.session.connection().execute
        found = run(_SESSION_WITH_REGISTRATION, params).mappings().one_or_none()
        if found is None:
            raise NotFoundError(f"No treatment_session with id {session_id}.")
        session_values = {column.name: found[column.name] for column in _SESSION_TABLE.columns}
        patient_id = cast("uuid.UUID", session_values["patient_id"])
        self._session_patients[session_id] = patient_id
        self._audit(AuditAction.READ, "treatment_session", session_id, patient_id=patient_id)
        rows = readings + _RECENT_MARGIN
        vitals_rows = list(run(_LATEST_VITALS, {**params, "rows": rows}).mappings())
        score_rows = list(run(_LATEST_SEDATION, params).mappings())
        read: list[tuple[type[Base], Mapping[str, object]]] = [(TreatmentSession, session_values)]
        read += [(VitalSignsEntry, dict(row)) for row in vitals_rows]
        read += [(SedationScoreEntry, dict(row)) for row in score_rows]
        session, *amended = self._amended_values(read)
        split = len(vitals_rows)
        vitals = sorted(map(vitals_from_row, amended[:split]), key=lambda v: v.time)
        scores = sorted(map(_sedation, amended[split:]), key=lambda score: score.time)
        return RecentReadings(
            session=_session(session),
            patient_clinic_id=found["patient_clinic_id"],
            patient_active=found["patient_active"],
            vitals=tuple(v for v in vitals if v.time <= until)[-readings:],
            sedation=tuple(score for score in scores if sedation_since <= score.time <= until),
        )

    def _rows(self, table: type[ChartRowT], session_id: uuid.UUID, order: str) -> list[ChartRowT]:
        query = select(table).where(table.session_id == session_id)
        return list(self.session.scalars(query.order_by(getattr(table, order), table.id)))
