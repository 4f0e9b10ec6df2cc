"""Every KetaPath table, one module per group of aggregates; `Base.metadata` holds them all.

`INSERT_ONLY_TABLES` and `LIMITED_UPDATE_TABLES` list the tables whose rows the migrations'
triggers protect (see `ketapath.store.tables.base`).
"""

from ketapath.store.tables.access import CredentialRevocation, SignInAttempt
from ketapath.store.tables.audit import GENESIS_HASH, Amendment, AuditChainHead, AuditEntry
from ketapath.store.tables.base import Base, new_id
from ketapath.store.tables.drug_library import DrugLibraryVersion
from ketapath.store.tables.followup import FollowUp, InstrumentResponseEntry, SafetyFlag
from ketapath.store.tables.history import (
    BodyMeasurement,
    ConditionEntry,
    ConditionSection,
    HistoryReview,
    HistorySection,
    LabResultEntry,
    MedicationEntry,
    SubstanceUseEntry,
)
from ketapath.store.tables.people import Clinic, Patient, User, UserRole
from ketapath.store.tables.screening import Screening, ScreeningFinding
from ketapath.store.tables.session import (
    AdministrationSegment,
    AdverseEvent,
    DischargeAssessment,
    DischargeSignature,
    DissociationScoreEntry,
    SedationScoreEntry,
    SessionAlarm,
    SessionStatus,
    TreatmentSession,
    VitalSignsEntry,
)
from ketapath.store.tables.treatment import (
    DoseOverride,
    OrderFinding,
    OrderStatus,
    PlanStatus,
    TreatmentOrder,
    TreatmentPlan,
)

__all__ = [
    "GENESIS_HASH",
    "INSERT_ONLY_TABLES",
    "LIMITED_UPDATE_TABLES",
    "AdministrationSegment",
    "AdverseEvent",
    "Amendment",
    "AuditChainHead",
    "AuditEntry",
    "Base",
    "BodyMeasurement",
    "Clinic",
    "ConditionEntry",
    "ConditionSection",
    "CredentialRevocation",
    "DischargeAssessment",
    "DischargeSignature",
    "DissociationScoreEntry",
    "DoseOverride",
    "DrugLibraryVersion",
    "FollowUp",
    "HistoryReview",
    "HistorySection",
    "InstrumentResponseEntry",
    "LabResultEntry",
    "MedicationEntry",
    "OrderFinding",
    "OrderStatus",
    "Patient",
    "PlanStatus",
    "SafetyFlag",
    "Screening",
    "ScreeningFinding",
    "SedationScoreEntry",
    "SessionAlarm",
    "SessionStatus",
    "SignInAttempt",
    "SubstanceUseEntry",
    "TreatmentOrder",
    "TreatmentPlan",
    "TreatmentSession",
    "User",
    "UserRole",
    "VitalSignsEntry",
    "new_id",
]

INSERT_ONLY_TABLES: tuple[str, ...] = tuple(
    sorted(
        table.name
        for table in Base.metadata.sorted_tables
        if table.name not in {"app_user", "patient", "audit_chain_head"}
    )
)
"""Tables whose rows can never be updated or deleted (clinical rows, amendments, audit,
sign-in attempts and sign-outs)."""

LIMITED_UPDATE_TABLES: dict[str, tuple[str, ...]] = {
    "app_user": ("active", "deactivated_at", "deactivated_by", "password_hash"),
    "patient": ("active", "deactivated_at", "deactivated_by"),
    "audit_chain_head": ("sequence", "entry_hash"),
}
"""Tables whose rows are never deleted, with the only columns an UPDATE may change."""
