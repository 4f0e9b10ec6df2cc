"""`ketapath audit ...`: check that the audit trail has not been tampered with."""

from __future__ import annotations

import typer
from rich.console import Console

from ketapath.cli.db import DatabaseUrlOpt, settings_with
from ketapath.services.access.audit import verify_audit_chain

app = typer.Typer(help="The audit trail of every access to patient data.", no_args_is_help=True)
console = Console(highlight=False)
_stderr = Console(stderr=True, highlight=False)


@app.command()
def verify(database_url: DatabaseUrlOpt = None) -> None:
    """Recompute the hash chain of the audit trail; exit code 2 at the first broken entry."""
    result = verify_audit_chain(settings_with(database_url))
    if result.ok:
        count = result.entries_checked
        console.print(f"OK: {count} audit {'entry' if count == 1 else 'entries'} verified.")
        return
    verified = result.entries_checked
    _stderr.print(
        f"BROKEN at entry {result.first_broken_sequence}: {result.reason} "
        f"({verified} {'entry' if verified == 1 else 'entries'} before it verified).",
        markup=False,
        soft_wrap=True,
    )
    # Exit code 2, as for every KetaPath error; SystemExit passes the entry point's boundary.
    raise SystemExit(2)
