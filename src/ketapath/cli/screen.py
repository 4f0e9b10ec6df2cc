"""`ketapath screen`: screen a patient file for ketamine therapy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ketapath.clinical.finding import Severity
from ketapath.clinical.screening import ScreeningResult, Verdict
from ketapath.clinical.screening import screen as screen_record
from ketapath.interop.findings_json import screening_to_dict
from ketapath.interop.patient_file import read_patient_file

__all__ = ["screen"]

SEVERITY_STYLES = {Severity.HARD: "bold red", Severity.SOFT: "yellow", Severity.INFO: "dim"}
VERDICT_STYLES = {
    Verdict.EXCLUDED: "bold white on red",
    Verdict.NEEDS_REVIEW: "bold black on yellow",
    Verdict.ELIGIBLE_WITH_CAUTIONS: "bold yellow",
    Verdict.ELIGIBLE: "bold green",
}


def _findings_table(result: ScreeningResult) -> Table:
    table = Table(title="Findings", show_lines=False, expand=True)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Rule", no_wrap=True)
    table.add_column("Finding", ratio=1)
    table.add_column("Sources", max_width=18)
    for finding in result.findings:
        style = SEVERITY_STYLES[finding.level]
        sources = "; ".join(finding.rule.sources)
        table.add_row(finding.level.value, finding.rule_id, finding.message, sources, style=style)
    return table


def _missing_table(result: ScreeningResult) -> Table:
    table = Table(title="Missing data", expand=True)
    table.add_column("Field", no_wrap=True)
    table.add_column("Why it is needed", ratio=1)
    table.add_column("Rule", no_wrap=True)
    for missing in result.missing:
        table.add_row(missing.field, missing.reason, missing.rule_id or "-")
    return table


def _render(result: ScreeningResult, console: Console) -> None:
    console.print(f"Patient {result.patient_id}", markup=False)
    if result.findings:
        console.print(_findings_table(result))
    if result.missing:
        console.print(_missing_table(result))
    decided = f" (decided by {', '.join(result.decided_by)})" if result.decided_by else ""
    verdict = f"[{VERDICT_STYLES[result.verdict]}] {result.verdict.value} [/]"
    console.print(f"Verdict: {verdict}{decided}", highlight=False)


def screen(
    patient: Annotated[
        Path, typer.Option("--patient", help="Patient JSON file.", show_default=False)
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the result as JSON instead of tables.")
    ] = False,
) -> None:
    r"""Screen a patient for ketamine therapy: indications and evidence, contraindications
    (CI-*), drug interactions (DDI-*), the data still missing, and a verdict: ELIGIBLE, ELIGIBLE
    WITH CAUTIONS, NEEDS REVIEW or EXCLUDED. Decision support for a licensed clinician.

    Example, a CRPS patient with nothing against treatment (verdict ELIGIBLE):

      ketapath screen --patient examples/patients/eligible_crps.json

    The same as JSON, for another program to read:

      ketapath screen --patient examples/patients/eligible_crps.json --json

    The patient file format is schemas/patient.schema.json; --json output follows
    schemas/findings.schema.json.
    """
    result = screen_record(read_patient_file(patient))
    if as_json:
        typer.echo(json.dumps(screening_to_dict(result), indent=2, ensure_ascii=False))
        return
    _render(result, Console(highlight=False))
