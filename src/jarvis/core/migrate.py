"""Apply the Alembic migrations (at start-up and from `jarvis db upgrade`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    command.upgrade(alembic_config(url), "heads")


async def upgrade_async(url: str) -> None:
    """Alembic drives its own event loop, so it runs in a worker thread."""
    await asyncio.to_thread(upgrade, url)
