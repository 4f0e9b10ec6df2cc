"""After the session: questionnaire answers, follow-up contacts, safety screens and flags.

Completing a follow-up and resolving a flag are amendments of kind ``status_change``. A safety
screen is kept whatever it found (DEP-7: the record that the assessment was done).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, TypeVar

from ketapath.clinical.finding import Finding
from ketapath.clinical.observations import InstrumentResponse
from ketapath.store.amendments import AmendedRow, AmendmentKind
from ketapath.store.audit import AuditAction
from ketapath.store.findings import finding_from_json, finding_to_columns, finding_to_json
from ketapath.store.records import SafetyScreenRecord, ScreenKind, Stored
from ketapath.store.repositories.base import Repository, require_user
from ketapath.store.repositories.history import patient_rows
from ketapath.store.tables import FollowUp, InstrumentResponseEntry, SafetyFlag
from ketapath.store.tables.followup import SafetyScreen

__all__ = [
    "ContactMethod",
    "FollowUpRecord",
    "FollowUpRepository",
    "SafetyFlagRecord",
]


ListedT = TypeVar("ListedT", InstrumentResponseEntry, FollowUp, SafetyFlag, SafetyScreen)
RecordT = TypeVar("RecordT")


class ContactMethod(StrEnum):
    """How a follow-up is made."""

    PHONE = "phone"
    VISIT = "visit"
    VIDEO = "video"
    MESSAGE = "message"


@dataclass(frozen=True, slots=True, kw_only=True)
class FollowUpRecord:
    """A planned follow-up contact, done once ``completed_at`` is set."""

    due_on: date
    method: ContactMethod
    session_id: uuid.UUID | None = None
    completed_at: datetime | None = None
    notes: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SafetyFlagRecord:
    """A safety finding about a patient, open until ``resolved_at`` is set."""

    finding: Finding
    raised_at: datetime
    resolved_at: datetime | None = None


def _response(a: AmendedRow) -> InstrumentResponse:
    answers = a.get("answers_json", list)
    return InstrumentResponse(
        instrument=a.get("instrument", str),
        answers=tuple(answers),
        time=a.get("completed_at", datetime),
    )


def _follow_up(a: AmendedRow) -> FollowUpRecord:
    return FollowUpRecord(
        due_on=a.get("due_on", date),
        method=ContactMethod(a.get("method", str)),
        session_id=a.find("session_id", uuid.UUID),
        completed_at=a.find("completed_at", datetime),
        notes=a.find("notes", str),
    )


def _flag(a: AmendedRow) -> SafetyFlagRecord:
    return SafetyFlagRecord(
        finding=finding_from_json(a.values),
        raised_at=a.get("raised_at", datetime),
        resolved_at=a.find("resolved_at", datetime),
    )


def _screen(a: AmendedRow) -> SafetyScreenRecord:
    answers: dict[str, Any] = a.get("answers_json", dict)
    return SafetyScreenRecord(
        kind=ScreenKind(a.get("kind", str)),
        screened_at=a.get("screened_at", datetime),
        answers=MappingProxyType({str(k): bool(v) for k, v in answers.items()}),
        findings=tuple(finding_from_json(f) for f in a.get("findings_json", list)),
    )


class FollowUpRepository(Repository):
    """Answers, follow-ups, safety screens and flags. Every method appends an audit entry."""

    def add_response(
        self,
        patient_id: uuid.UUID,
        response: InstrumentResponse,
        *,
        session_id: uuid.UUID | None = None,
    ) -> uuid.UUID:
        """Store a completed questionnaire and the score it gave."""
        score = response.score()
        row = InstrumentResponseEntry(
            patient_id=patient_id,
            session_id=session_id,
            instrument=response.instrument,
            answers_json=list(response.answers),
            completed_at=response.time,
            total=score.total,
            band=score.band,
            recorded_by=require_user(self.actor),
        )
        return self._write(row, patient_id)

    def schedule(self, patient_id: uuid.UUID, follow_up: FollowUpRecord) -> uuid.UUID:
        """Plan a follow-up contact."""
        row = FollowUp(
            patient_id=patient_id,
            session_id=follow_up.session_id,
            due_on=follow_up.due_on,
            method=str(ContactMethod(follow_up.method)),
            notes=follow_up.notes,
            recorded_by=require_user(self.actor),
        )
        return self._write(row, patient_id)

    def complete(
        self, follow_up_id: uuid.UUID, *, at: datetime, notes: str
    ) -> Stored[FollowUpRecord]:
        """Record that the follow-up was made at `at`, with what was said."""
        row = self._get(FollowUp, follow_up_id)
        changes = {"completed_at": at, "notes": notes}
        self._amend(
            row,
            changes=changes,
            reason="follow-up completed",
            patient_id=row.patient_id,
            kind=AmendmentKind.STATUS_CHANGE,
        )
        return self._stored([row], _follow_up)[0]

    def raise_flag(
        self, patient_id: uuid.UUID, finding: Finding, *, raised_at: datetime
    ) -> uuid.UUID:
        """Store a safety finding about a patient."""
        row = SafetyFlag(
            patient_id=patient_id,
            raised_at=raised_at,
            recorded_by=require_user(self.actor),
            **finding_to_columns(finding, 0),
        )
        return self._write(row, patient_id)

    def resolve_flag(
        self, flag_id: uuid.UUID, *, at: datetime, reason: str
    ) -> Stored[SafetyFlagRecord]:
        """Mark a safety flag resolved, with the reason."""
        row = self._get(SafetyFlag, flag_id)
        self._amend(
            row,
            changes={"resolved_at": at},
            reason=reason,
            patient_id=row.patient_id,
            kind=AmendmentKind.STATUS_CHANGE,
        )
        return self._stored([row], _flag)[0]

    def add_screen(self, patient_id: uuid.UUID, screen: SafetyScreenRecord) -> uuid.UUID:
        """Store a safety screen: its answers as given and what the rules found."""
        row = SafetyScreen(
            patient_id=patient_id,
            kind=str(ScreenKind(screen.kind)),
            screened_at=screen.screened_at,
            answers_json={str(k): bool(v) for k, v in screen.answers.items()},
            findings_json=[finding_to_json(f) for f in screen.findings],
            recorded_by=require_user(self.actor),
        )
        return self._write(row, patient_id)

    def list_responses(self, patient_id: uuid.UUID) -> tuple[Stored[InstrumentResponse], ...]:
        """Return a patient's questionnaires, oldest first."""
        return self._list(InstrumentResponseEntry, patient_id, _response)

    def list_follow_ups(self, patient_id: uuid.UUID) -> tuple[Stored[FollowUpRecord], ...]:
        """Return a patient's follow-ups, oldest first."""
        return self._list(FollowUp, patient_id, _follow_up)

    def list_flags(self, patient_id: uuid.UUID) -> tuple[Stored[SafetyFlagRecord], ...]:
        """Return a patient's safety flags, resolved ones included, oldest first."""
        return self._list(SafetyFlag, patient_id, _flag)

    def list_screens(self, patient_id: uuid.UUID) -> tuple[Stored[SafetyScreenRecord], ...]:
        """Return a patient's safety screens, both kinds, in the order they were recorded."""
        return self._list(SafetyScreen, patient_id, _screen)

    def _list(
        self,
        table: type[ListedT],
        patient_id: uuid.UUID,
        to_record: Callable[[AmendedRow], RecordT],
    ) -> tuple[Stored[RecordT], ...]:
        where = f"patient:{patient_id}"
        self._audit(AuditAction.READ, table.__tablename__, where, patient_id=patient_id)
        return self._stored(patient_rows(self.session, table, patient_id), to_record)

    def _write(self, row: ListedT, patient_id: uuid.UUID) -> uuid.UUID:
        self._add(row, what=row.__tablename__)
        self._audit(AuditAction.CREATE, row, row.id, patient_id=patient_id)
        return row.id
