"""What a clinical rule is, and what it says when it fires.

A `Rule` is the static description of a row of the clinical reference (id, strength, sources,
evidence status). A `Finding` is one firing of a rule for one patient, with the values that fired
it and a message a clinician can read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

__all__ = ["Evidence", "Finding", "Rule", "Severity"]


class Severity(StrEnum):
    """How strongly a rule acts.

    HARD blocks (a hard dose limit can never be passed; a HARD contraindication needs a
    documented clinician decision), SOFT warns and needs acknowledgement, INFO only informs.
    """

    HARD = "HARD"
    SOFT = "SOFT"
    INFO = "INFO"


class Evidence(StrEnum):
    """Where a rule's content comes from, as the clinical reference marks it.

    S: a founding article; F: found in a public source (guideline, label, validated scale);
    G: general clinical knowledge not confirmed in a source, coded as a soft rule and said so.
    """

    ARTICLE = "S"
    FOUND = "F"
    UNVERIFIED = "G"


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """One rule of the clinical reference.

    Parameters
    ----------
    id : str
        The reference's id, e.g. ``"CI-1"`` or ``"MON-2"``.
    title : str
        A short human title.
    strength : Severity
        HARD, SOFT or INFO as the reference marks it (or as downgraded for unverified content).
    sources : tuple of str
        Source keys from the reference (``"Cohen2018"``, ``"000"``...).
    evidence : tuple of Evidence
        The reference's status letters for the rule.
    """

    id: str
    title: str
    strength: Severity
    sources: tuple[str, ...]
    evidence: tuple[Evidence, ...]

    def __post_init__(self) -> None:
        if not self.id or not self.sources:
            msg = f"`Rule` needs an id and at least one source (got id={self.id!r})."
            raise ValueError(msg)


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One firing of a rule: which rule, how severe, why (the values), and what to do.

    Parameters
    ----------
    rule : Rule
        The rule that fired.
    message : str
        A sentence for a clinician: what was found, the threshold, and what to do.
    values : Mapping
        The values that fired the rule, keyed by name with the unit in the key
        (``{"sbp_mmhg": 181}``).
    severity : Severity or None
        Overrides the rule's strength where the reference grades one rule at two levels
        (e.g. a rule whose lower threshold warns and whose higher one blocks).
    """

    rule: Rule
    message: str
    values: Mapping[str, object] = field(default_factory=dict)
    severity: Severity | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))
        if self.severity is None:
            object.__setattr__(self, "severity", self.rule.strength)

    @property
    def rule_id(self) -> str:
        """The id of the rule that fired."""
        return self.rule.id

    @property
    def level(self) -> Severity:
        """The effective severity of this finding."""
        return self.severity if self.severity is not None else self.rule.strength
