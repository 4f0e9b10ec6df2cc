"""`ketapath db ...`: the records database (create it, or bring it to the newest schema)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.engine import make_url

from ketapath.config import Settings, load_settings
from ketapath.services.access.admin import upgrade_database

app = typer.Typer(help="The records database.", no_args_is_help=True)
console = Console(highlight=False)

DatabaseUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL of the database; default: KETAPATH_DATABASE_URL, else a SQLite "
        "file in the user's data folder.",
        show_default=False,
    ),
]


def settings_with(database_url: str | None) -> Settings:
    """Return the settings, with `database_url` when one was given on the command line."""
    return load_settings(database_url=database_url) if database_url else load_settings()


def shown_url(url: str) -> str:
    """Return `url` with its password hidden, for messages."""
    return make_url(url).render_as_string(hide_password=True)


@app.command()
def upgrade(database_url: DatabaseUrlOpt = None) -> None:
    """Create the database, or migrate it, to the newest schema (`alembic upgrade head`)."""
    settings = settings_with(database_url)
    status = upgrade_database(settings)
    label = "newest" if status.is_newest else "not the newest"
    console.print(
        f"Database {shown_url(settings.database_url)} is at revision {status.revision} ({label}).",
        soft_wrap=True,
    )
