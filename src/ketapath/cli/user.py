"""`ketapath user ...`: user accounts (the password is read from a prompt or from stdin)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console

from ketapath.cli.db import DatabaseUrlOpt, settings_with
from ketapath.errors import InputError
from ketapath.services.access.users import UserRole, create_user_account

app = typer.Typer(help="User accounts.", no_args_is_help=True)
console = Console(highlight=False)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise InputError("`--password-stdin` was given but stdin was empty.", field="password")
        return password
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@app.command()
def create(  # one option per field of the account
    username: Annotated[str, typer.Option("--username", help="Sign-in name (unique).")],
    role: Annotated[UserRole, typer.Option("--role", help="What the user may do.")],
    full_name: Annotated[str, typer.Option("--full-name", help="Name shown on records.")],
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the password from the first line of stdin."),
    ] = False,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Create a user; the password is asked twice (or read from stdin) and stored hashed."""
    settings = settings_with(database_url)
    password = _read_password(password_stdin)
    user = create_user_account(
        settings, username=username, full_name=full_name, role=role, password=password
    )
    console.print(
        f"Created {user.role} {user.username!r} ({user.full_name}), id {user.id}.", soft_wrap=True
    )
