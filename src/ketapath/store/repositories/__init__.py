"""Typed repositories, one per aggregate: each is built with a session and the acting user.

A repository never commits (the service owns the transaction), never updates or deletes a
clinical row (changes are amendments), and appends an audit entry for every read or write of a
patient's data.
"""

from ketapath.store.repositories.access import AccessRepository
from ketapath.store.repositories.discharge import DischargeRepository
from ketapath.store.repositories.drug_library import DrugLibraryRepository
from ketapath.store.repositories.followup import FollowUpRepository
from ketapath.store.repositories.history import HistoryRepository
from ketapath.store.repositories.patient import PatientRepository
from ketapath.store.repositories.patient_record import PatientRecordRepository
from ketapath.store.repositories.screening import ScreeningRepository
from ketapath.store.repositories.session import SessionRepository
from ketapath.store.repositories.treatment import TreatmentRepository
from ketapath.store.repositories.user import ClinicRepository, UserRepository

__all__ = [
    "AccessRepository",
    "ClinicRepository",
    "DischargeRepository",
    "DrugLibraryRepository",
    "FollowUpRepository",
    "HistoryRepository",
    "PatientRecordRepository",
    "PatientRepository",
    "ScreeningRepository",
    "SessionRepository",
    "TreatmentRepository",
    "UserRepository",
]
