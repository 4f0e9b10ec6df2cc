"""`ketapath serve`: run the REST API (uvicorn), after bringing the database to the newest schema.

The API is loaded by uvicorn from its factory (``ketapath.api.app:create_app_from_environment``)
rather than imported here, so that the command line and the API stay independent edges; the
database URL given on the command line reaches the factory through ``KETAPATH_DATABASE_URL``.
Serve it behind a TLS-terminating reverse proxy: the session cookies are ``Secure``.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from ketapath.cli.db import DatabaseUrlOpt, settings_with, shown_url
from ketapath.services.access.admin import upgrade_database

APP_FACTORY = "ketapath.asgi:create_app_from_environment"
_stderr = Console(stderr=True, highlight=False)


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
    database_url: DatabaseUrlOpt = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers", min=1, max=64, help="Server processes (one per core is a good start)."
        ),
    ] = 1,
) -> None:
    """Serve the REST API (OpenAPI at /openapi.json, docs at /docs) until interrupted."""
    settings = settings_with(database_url)
    settings.require_secret_key()  # fail before listening, not on the first request
    status = upgrade_database(settings)
    _stderr.print(
        f"Database {shown_url(settings.database_url)} is at revision {status.revision}; "
        f"serving on http://{host}:{port} with {workers} worker process(es)",
        markup=False,
        soft_wrap=True,
    )
    os.environ["KETAPATH_DATABASE_URL"] = settings.database_url
    uvicorn.run(APP_FACTORY, factory=True, host=host, port=port, workers=workers, log_level="info")
