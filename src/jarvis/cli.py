"""The `jarvis` command: serve, db upgrade, config check, hook, import.

The standard library's argparse: the command is small, and the server process should not carry a
CLI framework (and the terminal-rendering stack it pulls in) for its whole life.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jarvis.settings import Settings


class CommandError(Exception):
    """Ends the command with this exit code, after its message went to stderr."""

    def __init__(self, code: int) -> None:
        self.code = code


def _settings() -> Settings:
    # Imported here: `jarvis hook` runs before every tool call of an agent and needs none of it.
    from jarvis.checks import check_settings
    from jarvis.settings import SettingsError, load_settings

    try:
        return check_settings(load_settings())
    except SettingsError as exc:
        print(f"jarvis: {exc}", file=sys.stderr)
        raise CommandError(2) from None


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from jarvis.app import create_app
    from jarvis.core.logging import configure_logging

    settings = _settings()
    configure_logging("debug" if settings.debug else settings.log_level)
    uvicorn.run(
        create_app(settings),
        host=args.host or settings.server.host,
        port=args.port or settings.server.port,
        log_config=None,
        access_log=False,
        proxy_headers=False,
        # Open SSE streams would otherwise hold a restart up; clients reconnect with Last-Event-ID.
        timeout_graceful_shutdown=5,
    )
    return 0


def db_upgrade(_args: argparse.Namespace) -> int:
    from jarvis.core.db import Database
    from jarvis.core.migrate import upgrade

    settings = _settings()
    Database(settings.effective_database_url)  # creates the data folder for SQLite
    upgrade(settings.effective_database_url)
    print("database is up to date")
    return 0


def config_check(_args: argparse.Namespace) -> int:
    from jarvis.settings import masked

    print(json.dumps(masked(_settings()), indent=2, default=str))
    return 0


def hook(args: argparse.Namespace) -> int:
    from jarvis.instances.hook import run_hook

    run_hook(sys.stdin, args.server)
    return 0


def import_financial(args: argparse.Namespace) -> int:
    from jarvis.financial.csv_import import run_import

    return run_import(_settings(), args.path)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="jarvis", description="Jarvis Command Center")
    commands = root.add_subparsers(title="commands", metavar="COMMAND", required=True)

    command = commands.add_parser("serve", help="Start the dashboard server")
    command.add_argument("--host", help="bind address (default from settings: 127.0.0.1)")
    command.add_argument("--port", type=int, help="port (default from settings: 5001)")
    command.set_defaults(run=serve)

    db = commands.add_parser("db", help="Database commands").add_subparsers(metavar="COMMAND", required=True)
    db.add_parser("upgrade", help="Apply the database migrations (start-up does this too)").set_defaults(run=db_upgrade)

    config = commands.add_parser("config", help="Configuration commands").add_subparsers(
        metavar="COMMAND", required=True
    )
    config.add_parser(
        "check", help="Validate the configuration and print the effective settings, secrets masked"
    ).set_defaults(run=config_check)

    command = commands.add_parser("hook", help="Claude Code `command` hook: post the event read on stdin")
    command.add_argument("--server", help="dashboard URL (default http://127.0.0.1:<port>)")
    command.set_defaults(run=hook)

    imports = commands.add_parser("import", help="Import data from files").add_subparsers(
        metavar="COMMAND", required=True
    )
    command = imports.add_parser("financial", help="Import financial snapshots from CSV; all rows or none")
    command.add_argument("path", type=Path, help="CSV file with one snapshot per row")
    command.set_defaults(run=import_financial)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except CommandError as exc:
        return exc.code
    return code


if __name__ == "__main__":
    sys.exit(main())
