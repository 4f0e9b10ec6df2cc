"""Use cases about the audit trail: check that its hash chain is intact."""

from __future__ import annotations

from ketapath.config import Settings
from ketapath.services.context import RequestContext, Services, create_services, require_role
from ketapath.store.audit import AuditVerification, verify_chain
from ketapath.store.tables import UserRole

__all__ = ["AuditVerification", "verify_audit", "verify_audit_chain"]


def verify_audit(services: Services, context: RequestContext) -> AuditVerification:
    """Recompute the audit trail's hash chain (admins only); report the first broken entry."""
    require_role(context, UserRole.ADMIN)
    with services.unit_of_work() as session:
        return verify_chain(session)


def verify_audit_chain(settings: Settings) -> AuditVerification:
    """Recompute the hash chain of the database in `settings` (the operator's command line)."""
    services = create_services(settings)
    try:
        with services.unit_of_work() as session:
            return verify_chain(session)
    finally:
        services.dispose()
