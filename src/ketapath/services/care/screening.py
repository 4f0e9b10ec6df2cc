"""Use cases about screening: screen a patient from the stored record; read screenings back.

Screening rebuilds the patient's record as it stands on the day (`PatientRecordRepository`),
runs the screening rules (`ketapath.clinical.screening.screen`) and stores the verdict with every
finding, in one transaction. Physicians and nurses only.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from ketapath.clinical.screening import screen
from ketapath.errors import NotFoundError
from ketapath.services.care.patients import CLINICAL_ROLES, require_patient
from ketapath.services.context import RequestContext, Services, require_role
from ketapath.store.records import ScreeningAnswers
from ketapath.store.repositories import PatientRecordRepository, ScreeningRepository
from ketapath.store.repositories.screening import StoredScreening

__all__ = [
    "ScreeningAnswers",
    "ScreeningPage",
    "StoredScreening",
    "get_screening",
    "list_screenings",
    "run_screening",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class ScreeningPage:
    """One page of a patient's screenings, newest first, and how many there are."""

    items: tuple[StoredScreening, ...]
    total: int


def run_screening(
    services: Services,
    context: RequestContext,
    patient_id: uuid.UUID,
    *,
    answers: ScreeningAnswers,
    on: date | None = None,
) -> StoredScreening:
    """Screen a patient from their stored record and store the result with its findings.

    Parameters
    ----------
    services, context
        The process's services and who asks.
    patient_id : uuid.UUID
        The patient (of the user's clinic, active).
    answers : ScreeningAnswers
        What was asked at the visit (pregnancy, consent, escort...).
    on : date or None
        The day the record is read as of; today (UTC) when None.
    """
    require_role(context, *CLINICAL_ROLES)
    day = on or services.now().date()
    with services.unit_of_work() as session:
        require_patient(session, context, patient_id, for_writing=True)
        actor = context.to_actor()
        record = PatientRecordRepository(session, actor).get(patient_id, on=day, answers=answers)
        screenings = ScreeningRepository(session, actor)
        screening_id = screenings.create(patient_id, screen(record), answers=answers)
        return screenings.get(screening_id)


def list_screenings(
    services: Services,
    context: RequestContext,
    patient_id: uuid.UUID,
    *,
    limit: int,
    offset: int,
) -> ScreeningPage:
    """Return one page of a patient's screenings, newest first."""
    require_role(context, *CLINICAL_ROLES)
    with services.unit_of_work() as session:
        require_patient(session, context, patient_id)
        found = ScreeningRepository(session, context.to_actor()).list_for_patient(patient_id)
    newest_first = tuple(reversed(found))
    return ScreeningPage(items=newest_first[offset : offset + limit], total=len(found))


def get_screening(
    services: Services, context: RequestContext, screening_id: uuid.UUID
) -> StoredScreening:
    """Return a screening as stored (of a patient of the user's clinic)."""
    require_role(context, *CLINICAL_ROLES)
    with services.unit_of_work() as session:
        screening = ScreeningRepository(session, context.to_actor()).get(screening_id)
        try:
            require_patient(session, context, screening.patient_id)
        except NotFoundError:
            raise NotFoundError(f"No screening with id {screening_id}.") from None
    return screening
