"""`ketapath demo`: a demonstration clinic on this computer, seeded and served on loopback.

Creates (or upgrades) an SQLite file, seeds it with the synthetic clinic when it holds no
account yet (`ketapath.interop.demo.seed_demo`), prints the address and the demo accounts, and
serves the web pages and the API on 127.0.0.1. Everything in it is invented. The pharmacokinetic
demonstration is ``ketapath pk demo``.
"""

from __future__ import annotations

import os
import secrets
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from ketapath.config import load_settings
from ketapath.interop.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, is_seeded, seed_demo
from ketapath.services.access.admin import upgrade_database
from ketapath.services.context import create_services

__all__ = ["demo"]

APP_FACTORY = "ketapath.asgi:create_app_from_environment"
DEFAULT_DATABASE = Path("out") / "demo" / "ketapath-demo.sqlite3"
HOST = "127.0.0.1"
_console = Console(highlight=False)


def _seed(url: str, secret_key: str) -> None:
    settings = load_settings(database_url=url, secret_key=secret_key, environment="development")
    status = upgrade_database(settings)
    _console.print(f"Database {url} is at revision {status.revision}.", markup=False)
    services = create_services(settings)
    try:
        if is_seeded(services):
            _console.print("The database already holds a clinic: left as it is.")
            return
        started = time.monotonic()
        summary = seed_demo(services, as_of=datetime.now(UTC).date())
        elapsed_s = time.monotonic() - started
    finally:
        services.dispose()
    _console.print(
        f"Seeded {summary.patients} patients, {summary.sessions} sessions "
        f"({summary.alarms} alarms), {summary.follow_ups} follow-ups and {summary.flags} "
        f"safety flags in {elapsed_s:.0f} s (seed {summary.seed}).",
        markup=False,
    )


def _print_accounts(address: str) -> None:
    table = Table(title=f"Demo accounts (password: {DEMO_PASSWORD!r})")
    table.add_column("Username")
    table.add_column("Role")
    for account in DEMO_ACCOUNTS:
        table.add_row(account.username, str(account.role))
    _console.print(table)
    _console.print(f"Open {address} and sign in with one of them.", markup=False)


def demo(
    database: Annotated[
        Path, typer.Option("--database", help="The SQLite file (created when missing).")
    ] = DEFAULT_DATABASE,
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Create and seed the database, then exit.")
    ] = False,
) -> None:
    """Seed a demonstration clinic (invented patients) and serve it on 127.0.0.1."""
    database.parent.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{database.resolve().as_posix()}"
    secret_key = os.environ.get("KETAPATH_SECRET_KEY") or secrets.token_urlsafe(48)
    _seed(url, secret_key)
    address = f"http://{HOST}:{port}"
    _print_accounts(address)
    if no_serve:
        return
    os.environ.update(
        KETAPATH_DATABASE_URL=url,
        KETAPATH_SECRET_KEY=secret_key,
        KETAPATH_ENVIRONMENT="development",
    )
    uvicorn.run(APP_FACTORY, factory=True, host=HOST, port=port, log_level="info")
