"""Findings and screening results as JSON-ready dicts, with the JSON Schema they follow.

One shape for a finding wherever KetaPath writes one (``screen --json``, ``plan --json``)::

    {"rule_id": "CI-18", "severity": "HARD", "title": "...", "message": "...",
     "values": {"sbp_mmhg": 181}, "sources": ["WestJEM 2020"], "evidence": ["F"]}

The pydantic models below are the single definition of that shape: dicts are produced through
them, so the output always validates against `findings_json_schema`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, JsonValue

from ketapath.clinical.finding import Evidence, Finding, Severity
from ketapath.clinical.screening import MissingData, ScreeningResult, Verdict

__all__ = [
    "FindingModel",
    "MissingDataModel",
    "ScreeningReportModel",
    "finding_to_dict",
    "findings_json_schema",
    "findings_to_list",
    "screening_to_dict",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FindingModel(_Model):
    """One finding: which rule fired, how severe, why (values), what to do, and its sources."""

    rule_id: str
    severity: Severity
    title: str
    message: str
    values: dict[str, JsonValue]
    sources: list[str]
    evidence: list[Evidence]


class MissingDataModel(_Model):
    """A piece of data the verdict needs and the record lacks."""

    field: str
    reason: str
    rule_id: str | None


class ScreeningReportModel(_Model):
    """The result of ``ketapath screen``."""

    patient_id: str
    verdict: Verdict
    decided_by: list[str]
    findings: list[FindingModel]
    missing: list[MissingDataModel]


def _jsonable(value: object) -> JsonValue:
    """Turn a finding's value into JSON: enums by value, times in ISO 8601, sequences as lists."""
    if isinstance(value, Enum):
        value = value.value
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(item) for item in value]
    return str(value)


def _finding_model(finding: Finding) -> FindingModel:
    return FindingModel(
        rule_id=finding.rule_id,
        severity=finding.level,
        title=finding.rule.title,
        message=finding.message,
        values={key: _jsonable(value) for key, value in finding.values.items()},
        sources=list(finding.rule.sources),
        evidence=list(finding.rule.evidence),
    )


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    """A finding as a JSON-ready dict (see the module docstring for its shape)."""
    return _finding_model(finding).model_dump(mode="json")


def findings_to_list(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """Findings as a list of JSON-ready dicts, in order."""
    return [finding_to_dict(finding) for finding in findings]


def _missing_model(missing: MissingData) -> MissingDataModel:
    return MissingDataModel(field=missing.field, reason=missing.reason, rule_id=missing.rule_id)


def screening_to_dict(result: ScreeningResult) -> dict[str, Any]:
    """A screening result as a JSON-ready dict that validates against `findings_json_schema`."""
    report = ScreeningReportModel(
        patient_id=result.patient_id,
        verdict=result.verdict,
        decided_by=list(result.decided_by),
        findings=[_finding_model(finding) for finding in result.findings],
        missing=[_missing_model(missing) for missing in result.missing],
    )
    return report.model_dump(mode="json")


def findings_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a screening report; ``$defs.FindingModel``: a finding."""
    schema = ScreeningReportModel.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "KetaPath screening report"
    return schema
