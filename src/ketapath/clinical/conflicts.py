"""Article-versus-literature conflicts (C1 … C8 of the clinical reference, section 11), as data.

Each conflict records what a founding article claims, what the literature says, and the
resolution the project implements. Rules whose findings a conflict affects put its `note` in
their message, so a clinician sees the disagreement where it matters:

======  ==================================================  =====================================
id      resolution                                          where it is enforced
======  ==================================================  =====================================
C1      show a short-term (≈2 wk) benefit, cite both        EV-1, EV-2 (screening indications)
C2      never allow home esketamine orders (HARD)           dosing guardrails
C3      respiratory monitoring stays mandatory (HARD)       monitoring
C4      allow repeat courses; warn outside CRPS (SOFT)      dosing guardrails
C5      uncontrolled hypertension is a HARD block           CI-1, CI-18 (screening)
C6      PTSD: SOFT flag + psychiatric review                CI-11 (screening)
C7      CRPS relief "up to ~12 weeks, fading"               IND-1, EV-5, EV-8 (screening)
C8      block the neuraxial route entirely (HARD)           dosing guardrails
======  ==================================================  =====================================

Other modules import the texts (``CONFLICTS["C2"].note``) and, where they raise a finding for the
resolution itself, the conflict's `Rule` (``CONFLICTS["C2"].rule``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ketapath.clinical.finding import Evidence, Rule, Severity

__all__ = ["CONFLICTS", "RULES", "Conflict"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Conflict:
    """One conflict between a founding article and the literature, and how it is resolved.

    Parameters
    ----------
    rule : Rule
        The conflict as a rule (id ``"C1"`` … ``"C8"``), with the strength of its resolution.
    article_claim : str
        What the article says, with its key.
    literature : str
        What the literature says, with its sources.
    resolution : str
        What KetaPath does.
    """

    rule: Rule
    article_claim: str
    literature: str
    resolution: str

    @property
    def id(self) -> str:
        """The conflict's id, e.g. ``"C6"``."""
        return self.rule.id

    @property
    def note(self) -> str:
        """A sentence for a finding's message: the disagreement and its resolution.

        Examples
        --------
        >>> CONFLICTS["C5"].note.startswith("Conflict C5:")
        True
        """
        return (
            f"Conflict {self.id}: {self.article_claim}; {self.literature}. "
            f"Resolution: {self.resolution}."
        )


_ARTICLE_AND_FOUND = (Evidence.ARTICLE, Evidence.FOUND)


def _conflict(
    conflict_id: str,
    strength: Severity,
    sources: tuple[str, ...],
    texts: tuple[str, str, str, str],
) -> Conflict:
    title, claim, literature, resolution = texts
    rule = Rule(
        id=conflict_id,
        title=title,
        strength=strength,
        sources=sources,
        evidence=_ARTICLE_AND_FOUND,
    )
    return Conflict(rule=rule, article_claim=claim, literature=literature, resolution=resolution)


_ALL = (
    _conflict(
        "C1",
        Severity.INFO,
        ("002", "Orhurhu2019"),
        (
            "Duration of benefit in the IV ketamine meta-analysis",
            "article 002 says relief lasts up to 4 weeks",
            "the Orhurhu2019 meta-analysis finds a small effect up to 2 weeks",
            'display "short-term (≈2 wk) benefit" and cite both',
        ),
    ),
    _conflict(
        "C2",
        Severity.HARD,
        ("001", "SpravatoPI"),
        (
            "No home esketamine",
            "article 001 says esketamine nasal spray is usable at home for pain flares",
            "esketamine is REMS-restricted to certified settings with ≥2 h observation and "
            "approved for depression only (SpravatoPI)",
            "never allow home esketamine orders (HARD)",
        ),
    ),
    _conflict(
        "C3",
        Severity.HARD,
        ("001", "004", "ketamine label"),
        (
            "Respiratory monitoring stays mandatory",
            'article 001 says ketamine "does not cause slowed breathing"',
            "article 004 and the label describe respiratory depression and arrest (rapid push, "
            "overdose, CNS depressants)",
            "keep respiratory monitoring mandatory",
        ),
    ),
    _conflict(
        "C4",
        Severity.SOFT,
        ("004", "Cohen2018"),
        (
            "Repeat infusion courses",
            'article 004 says "intermittent infusions are not recommended"',
            "Cohen2018 supports repeat and multi-day infusions mainly for CRPS (moderate evidence)",
            "allow repeat courses; warn outside CRPS",
        ),
    ),
    _conflict(
        "C5",
        Severity.HARD,
        ("003", "Cohen2018", "Schwenk2018"),
        (
            "Uncontrolled hypertension",
            "article 003 describes ketamine used to manage BP in pain-driven uncontrolled "
            "hypertension",
            "the guidelines (Cohen2018, Schwenk2018) make poorly controlled cardiovascular "
            "disease a contraindication, and ketamine raises BP",
            "treat uncontrolled hypertension as a HARD block",
        ),
    ),
    _conflict(
        "C6",
        Severity.SOFT,
        ("002", "001"),
        (
            "PTSD",
            "article 002 says avoid ketamine in PTSD while article 001 says ketamine treats PTSD",
            "the guidelines are silent",
            "SOFT flag + psychiatric review",
        ),
    ),
    _conflict(
        "C7",
        Severity.INFO,
        ("001", "Sigtermans2009"),
        (
            "Duration of CRPS relief",
            "article 001 says >70% of CRPS patients had relief to 3 months",
            "Sigtermans2009 lost significance at week 12, with no functional gain",
            'present CRPS relief as "up to ~12 weeks, fading"',
        ),
    ),
    _conflict(
        "C8",
        Severity.HARD,
        ("004", "Miller's Anesthesia"),
        (
            "No neuraxial ketamine",
            "article 004 says oral or spinal administration can cause problems",
            "spinal use is contraindicated with preserved ketamine (neurotoxic chlorobutanol; "
            "Miller's Anesthesia)",
            "block the neuraxial route entirely",
        ),
    ),
)

CONFLICTS: Mapping[str, Conflict] = MappingProxyType({c.id: c for c in _ALL})
"""The conflicts by id, ``"C1"`` … ``"C8"``."""

RULES: tuple[Rule, ...] = tuple(c.rule for c in _ALL)
