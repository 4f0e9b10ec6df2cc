"""The audit trail: admins check that its hash chain is intact."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from ketapath.api.deps import Admin
from ketapath.services.access.audit import verify_audit

router = APIRouter(prefix="/audit", tags=["audit"])


class AuditVerificationOut(BaseModel):
    """Whether every audit entry verifies, and where the chain first breaks when one does not."""

    ok: bool
    entries_checked: int
    first_broken_sequence: int | None
    reason: str | None


@router.get("/verify")
async def verify(caller: Admin) -> AuditVerificationOut:
    """Recompute the audit trail's hash chain (admin)."""
    result = await caller.run(verify_audit)
    return AuditVerificationOut(
        ok=result.ok,
        entries_checked=result.entries_checked,
        first_broken_sequence=result.first_broken_sequence,
        reason=result.reason,
    )
