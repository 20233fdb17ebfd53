"""Notification tests: an app whose channels point at receivers the tests start."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jarvis.core.context import AppContext
from jarvis.notifications.service import NOTIFIER, Notifier
from jarvis.settings import Settings
from tests.conftest import make_settings

FAST = {"timeout_s": 0.5, "attempts": 3, "base_delay_s": 0.01, "failing_after": 2}


@pytest.fixture
def channels() -> list[dict[str, Any]]:
    return [{"name": "hook", "kind": "webhook", "url_env": "JARVIS_TEST_HOOK_URL", "min_priority": "normal", **FAST}]


@pytest.fixture
def settings(tmp_path: Path, db_url: str, channels: list[dict[str, Any]]) -> Settings:
    return make_settings(tmp_path, database_url=db_url, notifications={"channels": channels})


@pytest.fixture
def notifier(ctx: AppContext) -> Notifier:
    found = ctx.extras[NOTIFIER]
    return found


MESSAGE = {
    "id": 7,
    "title": "api is offline",
    "why": "The health check of api has reported offline since 12:00.",
    "priority": "critical",
    "link": "/services/api",
}
