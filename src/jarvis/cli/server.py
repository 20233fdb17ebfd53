"""`jarvis serve`, `jarvis db upgrade`, `jarvis config check`."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from jarvis.cli.base import Commands, fail, load_settings

if TYPE_CHECKING:
    from jarvis.settings import Settings


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from jarvis.app import create_app
    from jarvis.core.logging import configure_logging

    settings = load_settings()
    server = settings.server.model_copy(
        update={"host": args.host or settings.server.host, "port": args.port or settings.server.port}
    )
    settings = settings.model_copy(update={"server": server})
    refuse_open_remote(settings)
    configure_logging("debug" if settings.debug else settings.log_level)
    uvicorn.run(
        create_app(settings, freeze_heap=True),
        host=server.host,
        port=server.port,
        log_config=None,
        access_log=False,
        proxy_headers=bool(server.trusted_proxies),
        forwarded_allow_ips=",".join(server.trusted_proxies) or None,
        # Open SSE streams would otherwise hold a restart up; clients reconnect with Last-Event-ID.
        timeout_graceful_shutdown=5,
    )
    return 0


def refuse_open_remote(settings: Settings) -> None:
    """Bound beyond this machine with no account and no authenticating proxy, everyone could walk in."""
    import asyncio

    from jarvis.core.auth import is_loopback

    host = settings.server.host
    if is_loopback(host) or settings.server.trust_remote:
        return
    from jarvis.accounts.service import count_users
    from jarvis.core.db import Database
    from jarvis.core.migrate import upgrade

    Database(settings.effective_database_url)
    upgrade(settings.effective_database_url)

    async def users() -> int:
        db = Database(settings.effective_database_url)
        try:
            async with db.sessions() as session:
                return await count_users(session)
        finally:
            await db.dispose()

    if asyncio.run(users()) == 0:
        raise fail(
            f"refusing to listen on {host} with no user account: anyone who reaches the port would be let in. "
            "Create an admin first (`jarvis user add NAME --role admin`), or bind to 127.0.0.1, or set "
            "server.trust_remote = true behind a proxy that authenticates."
        )


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
