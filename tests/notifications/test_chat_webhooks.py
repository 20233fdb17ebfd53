"""Slack- and Discord-compatible incoming webhooks: their payloads and each channel's minimum priority."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from jarvis.core.context import AppContext
from jarvis.notifications.models import Delivery
from jarvis.notifications.service import Notifier
from tests.notifications.conftest import FAST, MESSAGE
from tests.notifications.receiver import Receiver
from tests.notifications.test_webhooks import deliver_all


@pytest.fixture
def channels() -> list[dict[str, Any]]:
    base = {"url_env": "JARVIS_TEST_HOOK_URL", **FAST}
    return [
        {"name": "hook", "kind": "webhook", "min_priority": "normal", **base},
        {"name": "ops-slack", "kind": "slack", "min_priority": "high", **base},
        {"name": "ops-discord", "kind": "discord", "min_priority": "critical", **base},
    ]


async def test_slack_and_discord_shapes_and_minimum_priority(
    notifier: Notifier, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Receiver([200]) as receiver:
        monkeypatch.setenv("JARVIS_TEST_HOOK_URL", receiver.url)
        assert await notifier.submit({**MESSAGE, "priority": "low"}) == []
        assert await notifier.submit({**MESSAGE, "priority": "high"}) == ["hook", "ops-slack"]
        assert await notifier.submit(MESSAGE) == ["hook", "ops-slack", "ops-discord"]
        for name in ("ops-slack", "ops-discord"):
            await deliver_all(notifier, name)
    slack = [body for body in receiver.received if "text" in body]
    discord = [body for body in receiver.received if "content" in body]
    assert len(slack) == 2 and "*[critical] api is offline*" in slack[1]["text"]
    assert len(discord) == 1 and discord[0]["content"].startswith("🔴 **[critical] api is offline**")
    async with ctx.db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Delivery).where(Delivery.status == "queued")) == 2
