"""The `jarvis` command: serve, db upgrade, config check, hook, import."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from jarvis.settings import Settings, SettingsError, load_settings, masked

app = typer.Typer(help="Jarvis Command Center", no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Database commands", no_args_is_help=True)
config_app = typer.Typer(help="Configuration commands", no_args_is_help=True)
import_app = typer.Typer(help="Import data from files", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(config_app, name="config")
app.add_typer(import_app, name="import")


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        typer.echo(f"jarvis: {exc}", err=True)
        raise typer.Exit(2) from None


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default from settings: 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default from settings: 5001)")] = None,
) -> None:
    """Start the dashboard server."""
    import uvicorn

    from jarvis.app import create_app
    from jarvis.core.logging import configure_logging

    settings = _settings()
    configure_logging("debug" if settings.debug else settings.log_level)
    uvicorn.run(
        create_app(settings),
        host=host or settings.server.host,
        port=port or settings.server.port,
        log_config=None,
        access_log=False,
        proxy_headers=False,
        # Open SSE streams would otherwise hold a restart up; clients reconnect with Last-Event-ID.
        timeout_graceful_shutdown=5,
    )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations (start-up does this too)."""
    from jarvis.core.db import Database
    from jarvis.core.migrate import upgrade

    settings = _settings()
    Database(settings.effective_database_url)  # creates the data folder for SQLite
    upgrade(settings.effective_database_url)
    typer.echo("database is up to date")


@config_app.command("check")
def config_check() -> None:
    """Validate the configuration and print the effective settings, secrets masked."""
    settings = _settings()
    typer.echo(json.dumps(masked(settings), indent=2, default=str))


@app.command()
def hook(
    server: Annotated[str | None, typer.Option(help="Dashboard URL (default http://127.0.0.1:<port>)")] = None,
) -> None:
    """Claude Code `command` hook: read one event on stdin and post it. Never fails the agent."""
    from jarvis.instances.hook import run_hook

    run_hook(sys.stdin, server)


@import_app.command("financial")
def import_financial(path: Annotated[Path, typer.Argument(help="CSV file with one snapshot per row")]) -> None:
    """Import financial snapshots from CSV; nothing is imported if any row is bad."""
    from jarvis.financial.csv_import import run_import

    raise typer.Exit(run_import(_settings(), path))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
