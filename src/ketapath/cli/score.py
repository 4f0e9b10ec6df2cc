"""`ketapath score`: score a questionnaire (NRS, BPI, PGIC, PHQ-9, ODI, painDETECT, DN4, CADSS)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ketapath.clinical.finding import Severity
from ketapath.clinical.instruments import INSTRUMENTS, Instrument, InstrumentScore
from ketapath.errors import InputError

__all__ = ["parse_answers", "score"]

SEVERITY_STYLES = {Severity.HARD: "bold red", Severity.SOFT: "yellow", Severity.INFO: "dim"}


def parse_answers(text: str) -> list[int | None]:
    """Parse ``"1,2,,3"`` into ``[1, 2, None, 3]``: an empty item is an unanswered one."""
    answers: list[int | None] = []
    for index, raw in enumerate(text.split(","), start=1):
        token = raw.strip()
        try:
            answers.append(int(token) if token else None)
        except ValueError:
            msg = f"`answers` item {index} must be a whole number or empty (got {token!r})."
            raise InputError(msg, field="answers", value=token) from None
    return answers


def _find_instrument(name: str) -> Instrument:
    entry = INSTRUMENTS.get(name.lower())
    if entry is None:
        msg = f"`instrument` must be one of {', '.join(INSTRUMENTS)} (got {name!r})."
        raise InputError(msg, field="instrument", value=name)
    return entry


def _to_dict(entry: Instrument, result: InstrumentScore) -> dict[str, object]:
    return {
        "instrument": result.instrument,
        "title": entry.title,
        "rule_id": entry.rule.id,
        "total": result.total,
        "maximum": result.maximum,
        "unit": result.unit,
        "band": result.band,
        "subscores": dict(result.subscores),
        "alerts": [
            {"rule_id": f.rule_id, "severity": f.level.value, "message": f.message}
            for f in result.findings
        ],
    }


def _render(entry: Instrument, result: InstrumentScore, console: Console) -> None:
    unit = "%" if result.unit == "%" else f" {result.unit}"
    console.print(f"[bold]{entry.title}[/] ({entry.rule.id})")
    console.print(f"Score: [bold]{result.total:g}[/]{unit} of {result.maximum:g}")
    console.print(f"Band: {result.band}", markup=False)
    for name, value in result.subscores.items():
        console.print(f"  {name.replace('_', ' ')}: {value:.3g}", markup=False)
    if not result.findings:
        console.print("Alerts: none")
        return
    table = Table(title="Alerts", expand=True)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Rule", no_wrap=True)
    table.add_column("What to do", ratio=1)
    for finding in result.findings:
        style = SEVERITY_STYLES[finding.level]
        table.add_row(finding.level.value, finding.rule_id, finding.message, style=style)
    console.print(table)


def score(
    instrument: Annotated[
        str,
        typer.Argument(
            help="; ".join(f"{name}: {entry.answers}" for name, entry in INSTRUMENTS.items()),
            show_default=False,
            metavar="INSTRUMENT",
        ),
    ],
    answers: Annotated[
        str,
        typer.Option(
            "--answers",
            help="Answers in item order, comma-separated; leave an item empty (4,,2) where the "
            "instrument allows an unanswered item.",
            show_default=False,
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    r"""Score a questionnaire: total, band and alerts (PHQ-9 item 9 > 0 always raises one).

    Example, a PHQ-9 (9 items, each 0–3) with item 9 answered 1:

      ketapath score phq9 --answers 1,2,1,0,1,2,1,0,1

    A BPI with two interference items skipped, as JSON:

      ketapath score bpi --answers 7,3,5,6,5,4,,6,,7,5 --json
    """
    entry = _find_instrument(instrument)
    result = entry.score(parse_answers(answers))
    if as_json:
        typer.echo(json.dumps(_to_dict(entry, result), indent=2, ensure_ascii=False))
        return
    _render(entry, result, Console(highlight=False))
