"""`ketapath library ...`: the drug library in the records database (read only).

Admins change the library from the administration page or the API, with a reason; here an
operator reads the limits in force and every change.
"""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ketapath.cli.db import DatabaseUrlOpt, settings_with
from ketapath.services.clinic.drug_library import (
    LibraryChange,
    LibraryVersion,
    read_library,
    read_library_history,
)

app = typer.Typer(
    help="The drug library: the dose limits every plan is checked against.", no_args_is_help=True
)


def _stored(version: LibraryVersion) -> str:
    who = version.recorded_by_username or "the system (installation)"
    when = version.recorded_at.strftime("%Y-%m-%d %H:%M UTC")
    return f"version {version.version}, stored {when} by {who}: {version.reason}"


@app.command()
def show(database_url: DatabaseUrlOpt = None) -> None:
    """Print the limits in force: care area, route, limit, strength, unit and source."""
    current = read_library(settings_with(database_url))
    console = Console(highlight=False)  # built here: the terminal's width is read when it runs
    console.print(escape(f"{current.library.name}, {_stored(current)}"), soft_wrap=True)
    table = Table(title=f"Dose limits of version {current.version}")
    for column in ("care area", "route", "limit", "strength", "unit", "source"):
        table.add_column(column, overflow="fold")
    for row in current.limits:
        where = f"every (protocol {row.protocol})" if row.protocol else str(row.care_area)
        first = " (first session)" if row.first_session_only else ""
        table.add_row(
            where,
            str(row.route),
            escape(f"{row.quantity} {row.allowed} {row.value:g}{first}"),
            str(row.strength),
            row.unit,
            escape(f"{row.rule_id}: {', '.join(row.sources)}"),
        )
    console.print(table)


def _change_line(change: LibraryChange) -> str:
    unit = f" {change.limit.unit}" if change.limit is not None and change.field == "value" else ""
    return f"  {change.path}: {change.old or '(none)'} -> {change.new or '(none)'}{unit}"


@app.command()
def history(database_url: DatabaseUrlOpt = None) -> None:
    """Print every version, newest first: who, when, why and what changed."""
    console = Console(highlight=False)
    for version in read_library_history(settings_with(database_url)):
        stored = _stored(version)
        console.print(escape(stored[:1].upper() + stored[1:]), soft_wrap=True)
        lines = [_change_line(change) for change in version.changes] or ["  the packaged library"]
        for line in lines:
            console.print(escape(line), soft_wrap=True)
