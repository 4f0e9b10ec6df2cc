"""Dose guardrails: compare an order with the drug library, and record overrides of soft limits.

`check_order` never changes an order: it returns the findings, each naming the limit, the value
asked and the rule. A HARD finding blocks the order and cannot be overridden; a SOFT one can be,
by a physician with a reason (`apply_override`, kept in `overrides` and re-exported here); INFO
only informs. Besides the library's limits it enforces three conflict resolutions of the
reference: no home esketamine (C2), a warning on repeat infusion courses outside CRPS (C4) and no
neuraxial route (C8, a HARD gate in the library). Racemic ketamine supplied for use at home is
allowed only on the routes the library lists (oral); any other is blocked (STAFF-2).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from ketapath.clinical.codes import Indication
from ketapath.clinical.conflicts import CONFLICTS
from ketapath.clinical.dosing.library import (
    Citation,
    Comparison,
    ConcentrationSpec,
    DrugLibrary,
    Limit,
)
from ketapath.clinical.dosing.orders import CareArea, DoseHistory, Drug, Order, Route
from ketapath.clinical.dosing.overrides import Override, Role, apply_override, is_order_cleared
from ketapath.clinical.dosing.quantities import Quantity
from ketapath.clinical.dosing.rules import GUARDRAIL_RULES
from ketapath.clinical.finding import Finding, Rule, Severity
from ketapath.clinical.records import PatientRecord
from ketapath.errors import DataError, InputError

__all__ = [
    "RULES",
    "Override",
    "Role",
    "apply_override",
    "check_order",
    "is_order_cleared",
]

RULES: tuple[Rule, ...] = GUARDRAIL_RULES
"""The rules `check_order` fires, besides the conflict rules C2, C4 and C8 (see `conflicts`)."""

_PER_KG_OF = {
    Quantity.DOSE_MG_PER_KG: Quantity.DOSE_MG,
    Quantity.RATE_MG_PER_KG_PER_H: Quantity.RATE_MG_PER_H,
    Quantity.SESSION_TOTAL_MG_PER_KG: Quantity.SESSION_TOTAL_MG,
}
_ACTION = {
    Severity.HARD: "Hard limit: it cannot be overridden.",
    Severity.SOFT: "Soft limit: a physician may override it with a reason.",
    Severity.INFO: "For information.",
}
_RANK = {Severity.HARD: 0, Severity.SOFT: 1, Severity.INFO: 2}


def check_order(
    order: Order,
    patient: PatientRecord,
    library: DrugLibrary,
    *,
    care_area: CareArea | str,
    history: DoseHistory | None = None,
) -> list[Finding]:
    """Check one order against the library's limits for its care area, route and protocol.

    Parameters
    ----------
    order : Order
        The order as asked; it is never changed.
    patient : PatientRecord
        The patient; weight-based limits use ``patient.patient.weight_kg`` (kg, DC-8), and the
        repeat-course rule (C4) reads whether CRPS is a present condition.
    library : DrugLibrary
        The drug library (`load_library`).
    care_area : CareArea
        Where the dose is given.
    history : DoseHistory, optional
        What was already given (session, 24 h, course, earlier courses); nothing by default.

    Returns
    -------
    list of Finding
        HARD findings first, then SOFT, then INFO; empty when the order is within every limit.

    Raises
    ------
    InputError
        When ``care_area`` is not a known care area.
    DataError
        When a weight-based limit applies and the patient's weight is unknown (DC-8).

    Examples
    --------
    >>> from ketapath.clinical.dosing.library import load_library
    >>> from ketapath.clinical.records import Patient, PatientRecord, Sex
    >>> record = PatientRecord(patient=Patient(patient_id="p1", age_years=40, sex=Sex.FEMALE,
    ...                                        weight_kg=70.0))
    >>> order = Order(route=Route.IV_INFUSION, rate_mg_per_kg_per_h=1.2, duration_h=2)
    >>> findings = check_order(order, record, load_library(), care_area="monitored_pacu")
    >>> [(f.rule_id, f.level.value) for f in findings]
    [('DA-2', 'HARD'), ('DA-3', 'SOFT')]
    >>> findings[0].message.split(";")[0]
    'Infusion rate 1.2 mg/kg/h (84 mg/h) asked'
    """
    area = _care_area(care_area)
    past = history if history is not None else DoseHistory()
    profile = library.find_route(area, order.route)
    limits = _applicable_limits(order, library, profile.limits, past)
    measured = _measure(order, patient.patient.weight_kg, past)
    findings = _check_gates(order, library, profile.gate)
    for limit in limits:
        value = measured.get(limit.quantity)
        if value is None and _PER_KG_OF.get(limit.quantity) in measured:
            raise DataError(
                _missing_weight(f"{limit.quantity.label} limit in {limit.quantity.unit}")
            )
        if value is not None and not limit.is_met(value):
            related = [other for other in limits if other.quantity is limit.quantity]
            findings.append(_limit_finding(limit, value, related, _absolute_text(limit, measured)))
    findings.extend(_check_concentration(order, profile.concentrations))
    findings.extend(_check_repeat_course(order, patient, past))
    return sorted(findings, key=lambda finding: _RANK[finding.level])


def _care_area(care_area: CareArea | str) -> CareArea:
    for member in CareArea:
        if care_area == member.value:
            return member
    allowed = ", ".join(member.value for member in CareArea)
    msg = f"`care_area` must be one of {allowed} (got {care_area!r})."
    raise InputError(msg, field="care_area", value=care_area)


def _applicable_limits(
    order: Order, library: DrugLibrary, route_limits: Iterable[Limit], history: DoseHistory
) -> list[Limit]:
    limits = [x for x in route_limits if history.is_first_session or not x.first_session_only]
    protocol = library.protocols.get(order.protocol or "")
    if protocol is not None and protocol.route is order.route:
        limits.extend(protocol.limits)
    return limits


def _measure(order: Order, weight_kg: float | None, history: DoseHistory) -> dict[Quantity, float]:
    """Every quantity of the order in its unit; per-kg ones only when the weight is known."""
    weight_based = order.dose_mg_per_kg is not None or order.rate_mg_per_kg_per_h is not None
    if weight_kg is None and weight_based:
        raise DataError(_missing_weight("weight-based order"))
    measured = {Quantity.COURSE_SESSIONS: float(history.course_sessions + 1)}
    if order.push_duration_s is not None:
        measured[Quantity.PUSH_DURATION_S] = order.push_duration_s
    if order.is_infusion:
        rate_mg_per_h = _absolute(order.rate_mg_per_h, order.rate_mg_per_kg_per_h, weight_kg)
        duration_h = float(order.duration_h or 0.0)
        measured[Quantity.RATE_MG_PER_H] = rate_mg_per_h
        measured[Quantity.DURATION_H] = duration_h
        once_mg, day_mg = rate_mg_per_h * duration_h, rate_mg_per_h * min(duration_h, 24.0)
    else:
        dose_mg = _absolute(order.dose_mg, order.dose_mg_per_kg, weight_kg)
        measured[Quantity.DOSE_MG] = dose_mg
        once_mg, day_mg = dose_mg, dose_mg * order.doses_per_24_h
    measured[Quantity.SESSION_TOTAL_MG] = history.session_total_mg + once_mg
    measured[Quantity.DAILY_TOTAL_MG] = history.daily_total_mg + day_mg
    measured[Quantity.COURSE_TOTAL_MG] = history.course_total_mg + once_mg
    if weight_kg is not None:
        for per_kg, absolute in _PER_KG_OF.items():
            if absolute in measured:
                measured[per_kg] = measured[absolute] / weight_kg
    return measured


def _absolute(mg: float | None, mg_per_kg: float | None, weight_kg: float | None) -> float:
    if mg is not None:
        return mg
    return float(mg_per_kg or 0.0) * float(weight_kg or 0.0)


def _missing_weight(what: str) -> str:
    return (
        f"`weight_kg` is needed to check a {what} (DC-8: dose by actual body weight); "
        "record the patient's weight (got None)."
    )


def _check_gates(order: Order, library: DrugLibrary, gate: Citation | None) -> list[Finding]:
    findings = []
    if order.take_home and order.drug is Drug.ESKETAMINE:
        c2 = CONFLICTS["C2"]
        message = f"Home esketamine ordered ({order.route}): blocked. {c2.note}"
        findings.append(_finding(c2.rule, Severity.HARD, message, {"take_home": True}))
    elif order.take_home and order.route not in library.take_home_routes:
        citation = library.take_home
        message = f"Take-home supply asked for route {order.route}: blocked. {citation.note}"
        findings.append(_finding(citation.rule, citation.strength, message, {"take_home": True}))
    if gate is not None:
        verdict = "blocked" if gate.strength is Severity.HARD else "use with caution"
        conflict = CONFLICTS.get(gate.rule.id)
        message = (
            f"Route {order.route}: {verdict}. {gate.note if conflict is None else conflict.note}"
        )
        findings.append(_finding(gate.rule, gate.strength, message, {"route": order.route.value}))
    return findings


def _check_concentration(order: Order, spec: ConcentrationSpec | None) -> list[Finding]:
    asked = order.concentration_mg_per_ml
    if asked is None or spec is None:
        return []
    if any(math.isclose(asked, v, rel_tol=1e-9) for v in spec.values_mg_per_ml):
        return []
    standard = ", ".join(f"{v:g}" for v in spec.values_mg_per_ml)
    message = (
        f"Concentration {asked:g} mg/mL asked; the standard concentrations for {order.route} are "
        f"{standard} mg/mL ({spec.citation.rule.id}, unverified). {spec.citation.note} "
        f"{_ACTION[spec.citation.strength]}"
    )
    values = {"concentration_mg_per_ml": asked, "standard_mg_per_ml": spec.values_mg_per_ml}
    return [_finding(spec.citation.rule, spec.citation.strength, message, values)]


def _check_repeat_course(
    order: Order, patient: PatientRecord, history: DoseHistory
) -> list[Finding]:
    starts_repeat_course = (
        history.previous_courses >= 1
        and history.course_sessions == 0
        and history.session_total_mg == 0.0
    )
    if order.route is not Route.IV_INFUSION or not starts_repeat_course:
        return []
    has_crps = any(c.concept is Indication.CRPS and c.is_present for c in patient.conditions)
    if has_crps:
        return []
    conflict = CONFLICTS["C4"]
    message = (
        f"Repeat infusion course ({history.previous_courses} earlier) without a present CRPS "
        f"diagnosis: the evidence for repeat courses is mainly in CRPS. {conflict.note} "
        f"{_ACTION[Severity.SOFT]}"
    )
    values = {"previous_courses": history.previous_courses, "crps": False}
    return [_finding(conflict.rule, Severity.SOFT, message, values)]


def _finding(rule: Rule, severity: Severity, message: str, values: Mapping[str, object]) -> Finding:
    return Finding(rule=rule, message=message, values=values, severity=severity)


def _absolute_text(limit: Limit, measured: Mapping[Quantity, float]) -> str:
    """For a per-kg value, the absolute amount beside it: `` (80 mg)``."""
    absolute = _PER_KG_OF.get(limit.quantity)
    if absolute is None:
        return ""
    return f" ({measured[absolute]:.4g} {absolute.unit})"


def _limit_finding(fired: Limit, value: float, related: Sequence[Limit], absolute: str) -> Finding:
    quantity, citation = fired.quantity, fired.citation
    asked = f"{quantity.label.capitalize()} {value:.4g} {quantity.unit}{absolute} asked"
    limits = "; ".join(_describe([fired, *(x for x in related if x is not fired)]))
    message = f"{asked}; {limits}. {citation.note} {_ACTION[citation.strength]}".replace("  ", " ")
    values = {
        quantity.value: value,
        f"limit_{quantity.value}": fired.value,
        "allowed": fired.allowed.value,
    }
    return _finding(citation.rule, citation.strength, message, values)


def _describe(limits: Sequence[Limit]) -> list[str]:
    """Describe limits, the fired one first; a soft minimum and maximum read as a range."""
    texts: list[str] = []
    described: list[Limit] = []
    for limit in limits:
        if any(limit is done for done in described):
            continue
        partner = next((x for x in limits if _is_range_pair(limit, x)), None)
        cite = f"({limit.citation.rule.id})"
        strength = limit.citation.strength.value.lower()
        unit = limit.quantity.unit
        if partner is not None:
            low, high = sorted((limit.value, partner.value))
            texts.append(f"{strength} range {_fmt(low)}–{_fmt(high)} {unit} {cite}")
            described.append(partner)
        else:
            texts.append(
                f"{strength} {_BOUND_WORDS[limit.allowed]} {_fmt(limit.value)} {unit} {cite}"
            )
        described.append(limit)
    return texts


_BOUND_WORDS = {
    Comparison.AT_MOST: "limit",
    Comparison.BELOW: "limit below",
    Comparison.AT_LEAST: "minimum",
    Comparison.ABOVE: "minimum above",
}
_UPPER = frozenset({Comparison.AT_MOST, Comparison.BELOW})


def _is_range_pair(a: Limit, b: Limit) -> bool:
    return (
        a is not b
        and a.citation.rule.id == b.citation.rule.id
        and a.citation.strength is b.citation.strength
        and (a.allowed in _UPPER) != (b.allowed in _UPPER)
    )


def _fmt(value: float) -> str:
    """A limit as written in the library: ``1.0``, ``0.35``, ``25``."""
    text = f"{value:g}"
    return f"{text}.0" if abs(value) < 10 and "." not in text else text
