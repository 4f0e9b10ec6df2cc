"""`ketapath plan` and `ketapath protocols`: dose a named protocol for a patient, list protocols.

Thin edge: it reads the patient file (`ketapath.interop.patient_file`), calls the pure
`create_plan`, and renders the result as Rich tables or JSON (`ketapath.interop.findings_json`
shapes the findings). Errors are left to the error boundary of `ketapath.cli.main`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ketapath.clinical.dosing.library import load_library
from ketapath.clinical.dosing.orders import CareArea
from ketapath.clinical.dosing.plan import PlannedOrder, PlanResult, create_plan
from ketapath.clinical.dosing.protocols import PROTOCOLS, Protocol, find_protocol
from ketapath.clinical.finding import Finding, Severity
from ketapath.errors import InputError
from ketapath.interop.findings_json import findings_to_list
from ketapath.interop.patient_file import read_patient_file

__all__ = ["plan", "plan_to_json", "protocols"]

_STYLE = {Severity.HARD: "bold red", Severity.SOFT: "yellow", Severity.INFO: "dim"}


def plan(
    patient: Annotated[Path, typer.Option("--patient", help="The patient JSON file.")],
    protocol: Annotated[
        str, typer.Option("--protocol", help="A protocol name (see `ketapath protocols`).")
    ],
    concentration_mg_per_ml: Annotated[
        float | None,
        typer.Option(
            "--concentration-mg-per-ml",
            help="Solution concentration, mg/mL (default: the protocol's usual one).",
        ),
    ] = None,
    care_area: Annotated[
        str | None,
        typer.Option(
            "--care-area",
            help="outpatient_infusion_clinic, ward or monitored_pacu (default: the protocol's "
            "first care area).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Dose a named protocol for one patient and check every order against the drug library.

    Prints the orders (dose or rate, pump rate in mL/h, volume), the session, 24-hour and course
    totals, and every guardrail finding. HARD findings block the order; SOFT ones need a
    physician's override with a reason; orders are never clamped.

    Worked example: the 68.5 kg CRPS patient of the examples on the outpatient CRPS protocol
    gets min(0.35 mg/kg/h x 68.5 kg, 25 mg/h) = 23.975 mg/h for 4 h. From a 1 mg/mL bag the
    pump runs at 23.97 mL/h; a session gives 95.9 mg and the 10-session course 959 mg:

      ketapath plan --patient examples/patients/eligible_crps.json --protocol outpatient_crps

    Add --concentration-mg-per-ml 2 for a 2 mg/mL bag, or --json for machine-readable output.
    """
    record = read_patient_file(patient)
    chosen = _protocol(protocol)
    area = care_area if care_area is not None else chosen.care_areas[0]
    result = create_plan(
        record,
        chosen.name,
        concentration_mg_per_ml=concentration_mg_per_ml,
        care_area=area,
        library=load_library(),
    )
    if as_json:
        typer.echo(json.dumps(plan_to_json(result), indent=2, ensure_ascii=False))
        return
    _print_plan(result, Console(highlight=False))


def protocols() -> None:
    """List the dosing protocols: route, care areas, dosing and limits, rules and sources.

    Worked example: the row outpatient_crps reads iv_infusion, outpatient_infusion_clinic,
    min(0.35 mg/kg/h, 25 mg/h) x 4 h a day x 10 days, rules DC-3..., Schwartzman2009. Use a
    name with: ketapath plan --patient FILE.json --protocol outpatient_crps
    """
    table = Table(title="Dosing protocols", show_lines=True)
    for column in ("name", "route", "care areas", "dosing and limits", "rules", "sources"):
        table.add_column(column, overflow="fold")
    for item in PROTOCOLS.values():
        table.add_row(
            f"[bold]{item.name}[/bold]\n{item.title}",
            item.route.value,
            "\n".join(area.value for area in item.care_areas),
            item.summary,
            ", ".join(item.rule_ids),
            "; ".join(item.sources),
        )
    Console(highlight=False).print(table)


def _protocol(name: str) -> Protocol:
    found = find_protocol(name)
    if found is None:
        msg = f"`--protocol` must be one of {', '.join(PROTOCOLS)} (got {name!r})."
        raise InputError(msg, field="protocol", value=name)
    return found


def _rounded(value: float | None) -> float | None:
    """Drop float noise (47.949999999999996 -> 47.95) in printed JSON; never used for checks."""
    return None if value is None else round(value, 6)


def plan_to_json(result: PlanResult) -> dict[str, object]:
    """The plan as a JSON-ready dict (units in every key; numbers rounded to 6 decimals)."""
    return {
        "patient_id": result.patient_id,
        "protocol": result.protocol.name,
        "title": result.protocol.title,
        "care_area": result.care_area.value,
        "weight_kg": result.weight_kg,
        "concentration_mg_per_ml": result.concentration_mg_per_ml,
        "sessions": result.protocol.sessions,
        "orders": [_order_json(item) for item in result.orders],
        "session_total_mg": _rounded(result.session_total_mg),
        "daily_total_mg": _rounded(result.daily_total_mg),
        "course_total_mg": _rounded(result.course_total_mg),
        "blocked": result.is_blocked,
        "findings": findings_to_list(result.findings),
    }


def _order_json(item: PlannedOrder) -> dict[str, object]:
    order = item.order
    return {
        "label": order.label,
        "route": order.route.value,
        "at_h": item.at_h,
        "if_needed": item.if_needed,
        "dose_mg": _rounded(order.dose_mg),
        "rate_mg_per_h": _rounded(order.rate_mg_per_h),
        "rate_mg_per_kg_per_h": _rounded(item.rate_mg_per_kg_per_h),
        "duration_h": order.duration_h,
        "push_duration_s": order.push_duration_s,
        "interval_h": order.interval_h,
        "take_home": order.take_home,
        "total_mg": _rounded(item.total_mg),
        "pump_rate_ml_per_h": _rounded(item.pump_rate_ml_per_h),
        "volume_ml": _rounded(item.volume_ml),
        "rule_ids": [finding.rule_id for finding in item.findings],
    }


def _print_plan(result: PlanResult, console: Console) -> None:
    weight = "weight unknown" if result.weight_kg is None else f"{result.weight_kg:g} kg"
    concentration = result.concentration_mg_per_ml
    strength = "no solution" if concentration is None else f"{concentration:g} mg/mL"
    console.print(
        f"[bold]{result.protocol.title}[/bold] for patient {escape(result.patient_id)} ({weight}), "
        f"{CareArea(result.care_area).value}, {strength}"
    )
    console.print(f"Protocol: {result.protocol.summary}")
    console.print(_orders_table(result))
    console.print(
        f"Totals: session {result.session_total_mg:.1f} mg; 24 h {result.daily_total_mg:.1f} mg; "
        f"course {result.course_total_mg:.1f} mg over {result.protocol.sessions} session(s)"
    )
    if result.findings:
        console.print(_findings_table(result.findings))
    console.print(_verdict(result.findings))
    console.print(f"Notes: {escape(result.protocol.notes)}", style="dim")
    console.print(
        "Decision support for licensed clinicians: a clinician checks and signs every order.",
        style="dim",
    )


def _orders_table(result: PlanResult) -> Table:
    table = Table(title="Orders (one session)")
    for column in ("step", "route", "start", "dose / rate", "per kg", "duration", "pump", "volume"):
        table.add_column(column, overflow="fold")
    for item in result.orders:
        order = item.order
        label = f"{order.label} (if needed)" if item.if_needed else order.label
        if order.rate_mg_per_h is not None:
            amount, duration = f"{order.rate_mg_per_h:.2f} mg/h", f"{order.duration_h:g} h"
            per_kg = _maybe(item.rate_mg_per_kg_per_h, "{:.3f} mg/kg/h")
        else:
            amount = f"{order.dose_mg:.1f} mg"
            per_kg = (
                "" if result.weight_kg is None else f"{item.total_mg / result.weight_kg:.3f} mg/kg"
            )
            duration = _push_or_interval(item)
        table.add_row(
            label,
            order.route.value,
            f"{item.at_h:g} h",
            amount,
            per_kg,
            duration,
            _maybe(item.pump_rate_ml_per_h, "{:.2f} mL/h"),
            _maybe(item.volume_ml, "{:.2f} mL"),
        )
    return table


def _push_or_interval(item: PlannedOrder) -> str:
    order = item.order
    if order.push_duration_s is not None:
        return f"push over {order.push_duration_s:g} s"
    if order.interval_h is not None:
        return f"every {order.interval_h:g} h"
    return "once"


def _maybe(value: float | None, pattern: str) -> str:
    return "" if value is None else pattern.format(value)


def _findings_table(findings: tuple[Finding, ...]) -> Table:
    table = Table(title="Guardrail findings")
    table.add_column("severity")
    table.add_column("rule")
    table.add_column("finding", overflow="fold")
    for finding in findings:
        style = _STYLE[finding.level]
        table.add_row(
            f"[{style}]{finding.level.value}[/{style}]", finding.rule_id, escape(finding.message)
        )
    return table


def _verdict(findings: tuple[Finding, ...]) -> str:
    hard = sum(1 for finding in findings if finding.level is Severity.HARD)
    soft = sum(1 for finding in findings if finding.level is Severity.SOFT)
    if hard:
        return f"[bold red]BLOCKED[/bold red]: {hard} hard limit(s) cannot be overridden."
    if soft:
        return (
            f"[yellow]NEEDS PHYSICIAN OVERRIDE[/yellow]: {soft} soft limit(s), each needs a "
            "physician's documented reason."
        )
    return "[green]WITHIN ALL LIMITS[/green] of the drug library."
