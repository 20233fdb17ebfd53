"""`jarvis serve`, `jarvis db upgrade`, `jarvis config check`."""

from __future__ import annotations

import argparse
import json

from jarvis.cli.base import Commands, load_settings


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from jarvis.app import create_app
    from jarvis.core.logging import configure_logging

    settings = load_settings()
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

    settings = load_settings()
    Database(settings.effective_database_url)  # creates the data folder for SQLite
    upgrade(settings.effective_database_url)
    print("database is up to date")
    return 0


def config_check(_args: argparse.Namespace) -> int:
    from jarvis.settings import masked

    print(json.dumps(masked(load_settings()), indent=2, default=str))
    return 0


def register(commands: Commands) -> None:
    command = commands.add("serve", help="Start the dashboard server")
    command.add_argument("--host", help="bind address (default from settings: 127.0.0.1)")
    command.add_argument("--port", type=int, help="port (default from settings: 5001)")
    command.set_defaults(run=serve)

    db = commands.group("db", help="Database commands")
    db.add_parser("upgrade", help="Apply the database migrations (start-up does this too)").set_defaults(run=db_upgrade)

    config = commands.group("config", help="Configuration commands")
    config.add_parser(
        "check", help="Validate the configuration and print the effective settings, secrets masked"
    ).set_defaults(run=config_check)
