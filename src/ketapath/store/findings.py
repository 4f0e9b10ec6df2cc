"""Findings to columns and back: the rule as it was shown, the values that fired it.

A stored finding keeps its rule's id, title, strength, sources and evidence letters, so that it
reads back as the same `Finding` even after the rule set changes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any

from ketapath.clinical.finding import Evidence, Finding, Rule, Severity
from ketapath.store.tables.base import FindingColumns

__all__ = [
    "finding_from_columns",
    "finding_from_json",
    "finding_to_columns",
    "finding_to_json",
    "to_json_value",
]


def to_json_value(value: object) -> Any:  # noqa: ANN401  # any JSON document
    """Return `value` as plain JSON data (enums by value, dates as ISO text, tuples as lists)."""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no NaN or infinity
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): to_json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_json_value(item) for item in value]
    return str(value)


def _frozen(value: Any) -> Any:  # noqa: ANN401  # any JSON document
    """JSON arrays back as tuples: the clinical records keep their sequences immutable."""
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return {key: _frozen(item) for key, item in value.items()}
    return value


def finding_to_columns(finding: Finding, position: int) -> dict[str, Any]:
    """Return the `FindingColumns` values of `finding`, the `position`-th of its list."""
    rule = finding.rule
    return {
        "position": position,
        "rule_id": rule.id,
        "rule_title": rule.title,
        "strength": str(rule.strength),
        "severity": str(finding.level),
        "message": finding.message,
        "values_json": to_json_value(dict(finding.values)),
        "sources_json": list(rule.sources),
        "evidence_json": [str(letter) for letter in rule.evidence],
    }


def finding_from_columns(row: FindingColumns) -> Finding:
    """Rebuild the `Finding` stored in `row`."""
    return finding_from_json(
        {
            "rule_id": row.rule_id,
            "rule_title": row.rule_title,
            "strength": row.strength,
            "severity": row.severity,
            "message": row.message,
            "values_json": row.values_json,
            "sources_json": row.sources_json,
            "evidence_json": row.evidence_json,
        }
    )


def finding_to_json(finding: Finding) -> dict[str, Any]:
    """Return `finding` as one JSON object (for a list of findings kept in one column)."""
    document = finding_to_columns(finding, 0)
    del document["position"]
    return document


def finding_from_json(document: Mapping[str, Any]) -> Finding:
    """Rebuild a `Finding` from `finding_to_json` output (or a finding row's columns)."""
    rule = Rule(
        id=document["rule_id"],
        title=document["rule_title"],
        strength=Severity(document["strength"]),
        sources=tuple(document["sources_json"]),
        evidence=tuple(Evidence(letter) for letter in document["evidence_json"]),
    )
    return Finding(
        rule=rule,
        message=document["message"],
        values={key: _frozen(value) for key, value in document["values_json"].items()},
        severity=Severity(document["severity"]),
    )
