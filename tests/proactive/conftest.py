"""Proactive tests: settings with quiet timing defaults a test can override via `overrides`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from jarvis.core.context import AppContext
from jarvis.proactive.engine import ENGINE, Engine
from jarvis.settings import Settings
from tests.conftest import make_settings


@pytest.fixture
def overrides() -> dict[str, Any]:
    return {}


@pytest.fixture
def settings(tmp_path: Path, db_url: str, overrides: dict[str, Any]) -> Settings:
    return make_settings(tmp_path, database_url=db_url, **overrides)


@pytest.fixture
def engine(ctx: AppContext) -> Engine:
    found = ctx.extras[ENGINE]
    return found


async def count(ctx: AppContext, model: Any, *where: Any) -> int:
    async with ctx.db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)
