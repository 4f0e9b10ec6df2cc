"""A dosing plan: the orders a named protocol gives one patient, with pump rates and findings.

`create_plan` doses every step of the protocol for the patient's weight, converts infusion
rates into pump rates (mL/h) and volumes, and runs every order through the guardrails: each step
is checked with the amounts of the earlier steps of the session already counted, and, for a
protocol of several sessions, the last session of the course is checked as well (so a course
that would pass 1000 mg is caught when it is planned, not at session ten).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ketapath.clinical.dosing.guardrails import check_order
from ketapath.clinical.dosing.library import DrugLibrary, load_library
from ketapath.clinical.dosing.orders import CareArea, DoseHistory, Order
from ketapath.clinical.dosing.protocols import PROTOCOLS, Protocol, find_protocol
from ketapath.clinical.dosing.pump import calculate_volume_ml
from ketapath.clinical.dosing.quantities import validate_number
from ketapath.clinical.finding import Finding, Severity
from ketapath.clinical.records import PatientRecord
from ketapath.errors import InputError

__all__ = ["PlanResult", "PlannedOrder", "create_plan"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannedOrder:
    """One order of a plan with what the nurse programs and prepares.

    Parameters
    ----------
    order : Order
        The order (doses in mg, rates in mg/h).
    at_h : float
        When it starts, h after the first order of the session.
    if_needed : bool
        True for a repeat or top-up given only when needed.
    total_mg : float
        What the order gives once, mg (a dose, or rate × duration).
    rate_mg_per_kg_per_h : float or None
        The infusion rate per kg, mg/kg/h (None for a single dose or an unknown weight).
    pump_rate_ml_per_h : float or None
        The rate to program, mL/h (None for a single dose or without a concentration).
    volume_ml : float or None
        The volume of solution the order needs, mL (None without a concentration).
    findings : tuple of Finding
        The guardrail findings of this order.
    """

    order: Order
    at_h: float
    if_needed: bool
    total_mg: float
    rate_mg_per_kg_per_h: float | None
    pump_rate_ml_per_h: float | None
    volume_ml: float | None
    findings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanResult:
    """A protocol dosed for one patient, with every guardrail finding.

    Parameters
    ----------
    patient_id : str
        Whose plan it is.
    protocol : Protocol
        The protocol used.
    care_area : CareArea
        Where it runs.
    weight_kg : float or None
        The weight used, kg.
    concentration_mg_per_ml : float or None
        The concentration used, mg/mL.
    orders : tuple of PlannedOrder
        The orders of one session, in time order.
    session_total_mg : float
        Every order of a session, optional ones included, mg.
    daily_total_mg : float
        What the orders give in 24 hours (repeated doses counted), mg.
    course_total_mg : float
        ``session_total_mg`` × the protocol's sessions, mg.
    findings : tuple of Finding
        Every finding of the plan, HARD first, each once.
    """

    patient_id: str
    protocol: Protocol
    care_area: CareArea
    weight_kg: float | None
    concentration_mg_per_ml: float | None
    orders: tuple[PlannedOrder, ...]
    session_total_mg: float
    daily_total_mg: float
    course_total_mg: float
    findings: tuple[Finding, ...]

    @property
    def is_blocked(self) -> bool:
        """True when a HARD finding blocks the plan."""
        return any(finding.level is Severity.HARD for finding in self.findings)


def create_plan(
    patient: PatientRecord,
    protocol_name: str,
    *,
    concentration_mg_per_ml: float | None = None,
    care_area: CareArea | str,
    library: DrugLibrary | None = None,
    history: DoseHistory | None = None,
) -> PlanResult:
    """Dose a named protocol for a patient and check every order against the drug library.

    Parameters
    ----------
    patient : PatientRecord
        The patient; weight-based steps use ``patient.patient.weight_kg`` (kg, DC-8).
    protocol_name : str
        A key of `PROTOCOLS`, e.g. ``"outpatient_crps"``.
    concentration_mg_per_ml : float, optional
        Concentration of the prepared solution, mg/mL; the protocol's usual one when None.
    care_area : CareArea
        Where the plan runs.
    library : DrugLibrary, optional
        The drug library; the packaged one when None.
    history : DoseHistory, optional
        What the patient already had (earlier courses for C4); nothing by default.

    Returns
    -------
    PlanResult
        The orders, pump rates, totals and findings. The orders are never clamped: an order
        over a limit stays as the protocol gives it, with its finding.

    Raises
    ------
    InputError
        For an unknown protocol, a bad concentration or care area.
    DataError
        When a weight-based step meets an unknown weight (DC-8).

    Examples
    --------
    >>> from ketapath.clinical.records import Patient, PatientRecord, Sex
    >>> record = PatientRecord(patient=Patient(patient_id="p1", age_years=45, sex=Sex.FEMALE,
    ...                                        weight_kg=70.0))
    >>> plan = create_plan(record, "outpatient_crps", care_area="outpatient_infusion_clinic")
    >>> step = plan.orders[0]
    >>> step.order.rate_mg_per_h, round(step.pump_rate_ml_per_h, 6), plan.course_total_mg
    (24.5, 24.5, 980.0)
    >>> plan.findings
    ()
    """
    protocol = _protocol(protocol_name)
    concentration = _concentration(protocol, concentration_mg_per_ml)
    past = history if history is not None else DoseHistory()
    lib = library if library is not None else load_library()
    weight_kg = patient.patient.weight_kg
    orders = [
        step.create_order(weight_kg, protocol=protocol.name, concentration_mg_per_ml=concentration)
        for step in protocol.steps
    ]
    planned, findings = [], []
    session_mg = 0.0
    for step, order in zip(protocol.steps, orders, strict=True):
        before = replace(
            past,
            session_total_mg=past.session_total_mg + session_mg,
            daily_total_mg=past.daily_total_mg + session_mg,
            course_total_mg=past.course_total_mg + session_mg,
        )
        step_findings = check_order(order, patient, lib, care_area=care_area, history=before)
        total_mg = _total_mg(order)
        planned.append(
            _planned(order, step.at_h, step.if_needed, total_mg, weight_kg, step_findings)
        )
        findings.extend(step_findings)
        session_mg += total_mg
    if protocol.sessions > 1:
        findings.extend(_check_last_session(orders, patient, lib, care_area, protocol, session_mg))
    return PlanResult(
        patient_id=patient.patient.patient_id,
        protocol=protocol,
        care_area=CareArea(care_area),
        weight_kg=weight_kg,
        concentration_mg_per_ml=concentration,
        orders=tuple(planned),
        session_total_mg=session_mg,
        daily_total_mg=sum(_daily_mg(order) for order in orders),
        course_total_mg=session_mg * protocol.sessions,
        findings=_unique(findings),
    )


def _protocol(name: str) -> Protocol:
    protocol = find_protocol(name)
    if protocol is None:
        msg = f"`protocol` must be one of {', '.join(PROTOCOLS)} (got {name!r})."
        raise InputError(msg, field="protocol", value=name)
    return protocol


def _concentration(protocol: Protocol, asked: float | None) -> float | None:
    if asked is None:
        return protocol.default_concentration_mg_per_ml
    if protocol.default_concentration_mg_per_ml is None:
        msg = (
            f"`concentration_mg_per_ml` does not apply to protocol {protocol.name} "
            f"(a solid dose form) (got {asked!r})."
        )
        raise InputError(msg, field="concentration_mg_per_ml", value=asked)
    return validate_number(asked, field="concentration_mg_per_ml", unit="mg/mL")


def _total_mg(order: Order) -> float:
    if order.rate_mg_per_h is not None:
        return order.rate_mg_per_h * float(order.duration_h or 0.0)
    return float(order.dose_mg or 0.0)


def _daily_mg(order: Order) -> float:
    if order.rate_mg_per_h is not None:
        return order.rate_mg_per_h * min(float(order.duration_h or 0.0), 24.0)
    return float(order.dose_mg or 0.0) * order.doses_per_24_h


def _planned(
    order: Order,
    at_h: float,
    if_needed: bool,
    total_mg: float,
    weight_kg: float | None,
    findings: list[Finding],
) -> PlannedOrder:
    concentration = order.concentration_mg_per_ml
    rate = order.rate_mg_per_h
    return PlannedOrder(
        order=order,
        at_h=at_h,
        if_needed=if_needed,
        total_mg=total_mg,
        rate_mg_per_kg_per_h=None if rate is None or weight_kg is None else rate / weight_kg,
        pump_rate_ml_per_h=None if rate is None or concentration is None else rate / concentration,
        volume_ml=None if concentration is None else calculate_volume_ml(total_mg, concentration),
        findings=tuple(findings),
    )


def _check_last_session(
    orders: list[Order],
    patient: PatientRecord,
    library: DrugLibrary,
    care_area: CareArea | str,
    protocol: Protocol,
    session_mg: float,
) -> list[Finding]:
    """Check the course's last session, with the earlier sessions counted (DC-3 course caps)."""
    earlier_mg = session_mg * (protocol.sessions - 1)
    findings: list[Finding] = []
    given_mg = 0.0
    for order in orders:
        last = DoseHistory(
            session_total_mg=given_mg,
            daily_total_mg=given_mg,
            course_total_mg=earlier_mg + given_mg,
            course_sessions=protocol.sessions - 1,
        )
        findings.extend(check_order(order, patient, library, care_area=care_area, history=last))
        given_mg += _total_mg(order)
    return findings


def _unique(findings: list[Finding]) -> tuple[Finding, ...]:
    """Each finding once (the same limit can fire at several steps), HARD first."""
    seen: list[tuple[str, str]] = []
    unique = []
    for finding in findings:
        key = (finding.rule_id, finding.message)
        if key not in seen:
            seen.append(key)
            unique.append(finding)
    rank = {Severity.HARD: 0, Severity.SOFT: 1, Severity.INFO: 2}
    return tuple(sorted(unique, key=lambda finding: rank[finding.level]))
