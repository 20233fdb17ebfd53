"""Apply the Alembic migrations (at start-up and from `jarvis db upgrade`)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


class MigrationError(Exception):
    pass


def upgrade(url: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "heads")


async def upgrade_async(url: str) -> None:
    """Run in a child process: Alembic and its templates then never occupy the server's memory."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "jarvis.core.migrate",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await process.communicate(url.encode())  # the URL may hold a password: not in argv
    if process.returncode != 0:
        last = stderr.decode(errors="replace").strip().splitlines()[-1:] or ["unknown error"]
        raise MigrationError(f"database migration failed: {last[0]}")


if __name__ == "__main__":
    upgrade(sys.stdin.read().strip())
