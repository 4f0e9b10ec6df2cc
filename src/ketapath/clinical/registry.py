"""The explicit, ordered list of every active clinical rule, and the reference ids left out.

`ALL_RULES` is built from each rule module's ``RULES`` tuple, in the order a patient meets them:
screening, dosing, conflicts, session monitoring, discharge, instruments and outcomes, safety.
`NOT_IMPLEMENTED` names every id of the clinical reference that is not a rule of this layer, with
the reason. A test checks that together they cover every id in the reference's tables, and the
rules documentation (docs/rules.md) is generated from both.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ketapath.clinical import conflicts, instruments, outcomes, safety, toxicity
from ketapath.clinical.dosing import guardrails, protocols
from ketapath.clinical.finding import Rule
from ketapath.clinical.screening import contraindications, indications, interactions
from ketapath.clinical.session import cadence, discharge, monitoring

__all__ = ["ALL_RULES", "NOT_IMPLEMENTED", "RULE_MODULES", "find_rule"]

_SOURCES: tuple[tuple[str, tuple[Rule, ...]], ...] = (
    (indications.__name__, indications.RULES),
    (contraindications.__name__, contraindications.RULES),
    (interactions.__name__, interactions.RULES),
    (guardrails.__name__, guardrails.RULES),
    (protocols.__name__, protocols.RULES),
    (conflicts.__name__, conflicts.RULES),
    (monitoring.__name__, monitoring.RULES),
    (cadence.__name__, cadence.RULES),
    (discharge.__name__, discharge.RULES),
    (instruments.__name__, instruments.RULES),
    (outcomes.__name__, outcomes.RULES),
    (safety.__name__, safety.RULES),
    (toxicity.__name__, toxicity.RULES),
)

ALL_RULES: tuple[Rule, ...] = tuple(rule for _, rules in _SOURCES for rule in rules)
"""Every active rule, in registry order; ids are unique (checked by the registry tests)."""

RULE_MODULES: Mapping[str, str] = MappingProxyType(
    {rule.id: module for module, rules in _SOURCES for rule in rules}
)
"""The module that implements each rule, by rule id."""

_SHOWN_AS_TEXT = "evidence statement, shown as text; no decision logic"
_WORKFLOW = "workflow requirement for the store and web layers (checklists), not a rule here"

NOT_IMPLEMENTED: Mapping[str, str] = MappingProxyType(
    {
        "DA-5": "not coded by the dosing package (PCA add-on, a G fact from a low-authority "
        "secondary source)",
        "DC-2": "higher doses, longer and more frequent sessions: more benefit and more adverse "
        f"effects; {_SHOWN_AS_TEXT}",
        "DC-8": "enforced as a data requirement: a weight-based dose or limit raises DataError "
        "when the weight is unknown, rather than firing a finding",
        "STAFF-1": f"ACLS-capable clinician and resuscitation equipment: {_WORKFLOW}",
        "STAFF-3": f"esketamine only in a REMS-certified setting: {_WORKFLOW}; home esketamine "
        "orders are refused by conflict C2 in the dosing guardrails",
        "MON-12": f"esketamine label frequencies of dissociation and sedation; {_SHOWN_AS_TEXT}",
        "DEP-6": f"legal status (US Schedule III); {_SHOWN_AS_TEXT}",
        "TOX-L4": f"counter-evidence (no liver-test changes in 52 CRPS patients); {_SHOWN_AS_TEXT}",
        "TOX-L5": f"liver injury as a concern of chronic misuse; {_SHOWN_AS_TEXT}",
        "TOX-U2": "scope of TOX-U1, which applies to every patient with a prior session; no "
        "separate decision",
        "TOX-U3": f"uropathy risk is dose-dependent; {_SHOWN_AS_TEXT}",
        "OUT-10": f"the goal of treatment (relief, function, quality of life); {_SHOWN_AS_TEXT}",
    }
)
"""Reference ids that are not rules of this layer, with the reason."""


def find_rule(rule_id: str) -> Rule | None:
    """Find an active rule by its reference id.

    Parameters
    ----------
    rule_id : str
        The id, e.g. ``"MON-4"``.

    Returns
    -------
    Rule or None
        The rule, or None when no active rule has that id.

    Examples
    --------
    >>> find_rule("MON-2").strength.value
    'HARD'
    >>> find_rule("STAFF-1") is None
    True
    """
    return next((rule for rule in ALL_RULES if rule.id == rule_id), None)
