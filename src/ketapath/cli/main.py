"""The `ketapath` entry point: one Typer app, sub-apps per command group, one error boundary."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from ketapath.cli import audit, db, library, pk, plan, score, screen, serve, user
from ketapath.cli import demo as demo_cli
from ketapath.errors import KetaPathError

app = typer.Typer(
    name="ketapath",
    help=(
        "KetaPath: decision support for ketamine therapy in pain clinics. It supports licensed "
        "clinicians; it does not prescribe."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(pk.app, name="pk")
app.command("screen")(screen.screen)
app.command("plan")(plan.plan)
app.command("protocols")(plan.protocols)
app.command("score")(score.score)
app.add_typer(db.app, name="db")
app.add_typer(audit.app, name="audit")
app.add_typer(library.app, name="library")
app.add_typer(user.app, name="user")
app.command("serve")(serve.serve)
app.command("demo")(demo_cli.demo)

_stderr = Console(stderr=True, highlight=False)


def main() -> None:
    """Run the CLI; a KetaPath error prints one line and exits with code 2, never a traceback."""
    try:
        app(standalone_mode=False)
    except KetaPathError as exc:
        _stderr.print(f"error: {exc}", markup=False, soft_wrap=True)
        sys.exit(2)
    except (typer.Abort, KeyboardInterrupt):
        _stderr.print("aborted")
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.TyperException as exc:  # usage errors: Typer's own one-line message
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        else:
            _stderr.print(f"error: {exc}", markup=False)
        sys.exit(getattr(exc, "exit_code", 2))
    except Exception as exc:  # the CLI's top-level boundary: one line, no traceback
        _stderr.print(f"internal error: {type(exc).__name__}: {exc}", markup=False)
        sys.exit(1)
