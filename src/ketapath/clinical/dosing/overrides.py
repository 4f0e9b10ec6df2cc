"""Overrides of soft dose limits: only a physician, only with a reason, never a hard limit.

The architecture's invariant: "A hard limit cannot be passed. A soft limit can be passed only by
a physician, with a reason that is stored with the dose." An `Override` is that stored record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from ketapath.clinical.finding import Finding, Severity
from ketapath.errors import InputError

__all__ = ["Override", "Role", "apply_override", "is_order_cleared"]


class Role(StrEnum):
    """Who is acting on an order."""

    PHYSICIAN = "physician"
    NURSE_PRACTITIONER = "nurse_practitioner"
    NURSE = "nurse"
    PHARMACIST = "pharmacist"


@dataclass(frozen=True, slots=True, kw_only=True)
class Override:
    """A soft-limit finding passed on purpose: which finding, who, in what role, and why.

    Parameters
    ----------
    finding : Finding
        The SOFT finding overridden.
    role : Role
        Always ``physician`` (only a physician may override).
    by : str
        Who overrode it (the clinician's identifier).
    reason : str
        Why, stored with the dose.
    """

    finding: Finding
    role: Role
    by: str
    reason: str

    @property
    def rule_id(self) -> str:
        """The id of the rule overridden."""
        return self.finding.rule_id


def apply_override(
    findings: Iterable[Finding], *, role: Role | str, reason: str, by: str
) -> tuple[Override, ...]:
    """Record a physician's override of the SOFT findings of an order.

    Parameters
    ----------
    findings : iterable of Finding
        The findings to override (INFO findings need none and are skipped).
    role : Role
        The role of the person overriding; only ``physician`` may.
    reason : str
        Why the limit is passed (non-empty); it is stored with the dose.
    by : str
        Who overrides (non-empty identifier).

    Returns
    -------
    tuple of Override
        One override per SOFT finding.

    Raises
    ------
    InputError
        When a finding is HARD (the message names its rule: a hard limit is never passed), the
        role is not physician, or the reason or the identifier is empty.

    Examples
    --------
    >>> from ketapath.clinical.dosing.rules import DA_3
    >>> soft = Finding(rule=DA_3, message="Infusion rate 0.6 mg/kg/h asked; ...")
    >>> [o.rule_id for o in apply_override([soft], role="physician", reason="opioid-tolerant",
    ...                                    by="dr-lee")]
    ['DA-3']
    """
    chosen = list(findings)
    hard = [finding.rule_id for finding in chosen if finding.level is Severity.HARD]
    if hard:
        msg = f"`findings` include HARD finding {hard[0]}: a hard limit can never be overridden."
        raise InputError(msg, field="findings", value=hard[0])
    if role not in {member.value for member in Role}:
        msg = f"`role` must be one of {', '.join(Role)} (got {role!r})."
        raise InputError(msg, field="role", value=role)
    if role != Role.PHYSICIAN:
        msg = f"`role` must be physician to override a soft limit (got {role})."
        raise InputError(msg, field="role", value=role)
    for name, text in (("reason", reason), ("by", by)):
        if not isinstance(text, str) or not text.strip():
            msg = f"`{name}` must be a non-empty text for an override (got {text!r})."
            raise InputError(msg, field=name, value=text)
    return tuple(
        Override(finding=finding, role=Role.PHYSICIAN, by=by.strip(), reason=reason.strip())
        for finding in chosen
        if finding.level is Severity.SOFT
    )


def is_order_cleared(findings: Iterable[Finding], overrides: Iterable[Override]) -> bool:
    """True when an order may be given: no HARD finding, and every SOFT one overridden.

    Examples
    --------
    >>> is_order_cleared([], [])
    True
    """
    passed = [override.finding for override in overrides]
    for finding in findings:
        if finding.level is Severity.HARD:
            return False
        if finding.level is Severity.SOFT and finding not in passed:
            return False
    return True
