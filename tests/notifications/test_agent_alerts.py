"""A session waiting for permission notifies after `attention.notify_after_s`, once, and a follow-up says when
it was answered: real hook posts, the real engine reading the real sections, a local webhook receiver."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from jarvis.core.clock import FrozenClock
from jarvis.core.context import AppContext
from jarvis.notifications.service import Notifier
from jarvis.proactive.engine import ENGINE
from jarvis.settings import Settings
from tests.conftest import make_settings
from tests.notifications.conftest import FAST
from tests.notifications.receiver import Receiver
from tests.notifications.test_webhooks import deliver_all

BASE = {"session_id": "77aa-1", "cwd": "/srv/shop", "host": "dev-box", "branch": "main"}
ASK = {"hook_event_name": "PermissionRequest", "tool_name": "Bash", "tool_input": {"command": "git push --force"}}
ANSWER = {"hook_event_name": "PostToolUse", "tool_name": "Bash"}


async def hook(client: httpx.AsyncClient, event: dict[str, Any]) -> None:
    assert (await client.post("/api/hooks/claude-code", json={**BASE, **event})).status_code == 204


async def tick(ctx: AppContext) -> None:
    ctx.mark_changed("instances")
    await ctx.extras[ENGINE].tick()


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    channel = {"name": "hook", "kind": "webhook", "url_env": "JARVIS_TEST_HOOK_URL", "min_priority": "high", **FAST}
    # a long gap between notifications, as a quiet setup has it: agent alerts must not wait for it
    return make_settings(
        tmp_path,
        database_url=db_url,
        notifications={"channels": [channel]},
        proactive={"min_gap_minutes": 120, "quiet_hours": ""},
    )


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    """The webhook channel's far end: a local HTTP server that records what it is sent."""
    with Receiver([200]) as server:
        monkeypatch.setenv("JARVIS_TEST_HOOK_URL", server.url)
        yield server


async def test_a_permission_wait_notifies_after_a_minute_and_the_answer_follows(
    client: httpx.AsyncClient, ctx: AppContext, notifier: Notifier, frozen_clock: FrozenClock, receiver: Receiver
) -> None:
    await notifier.submit({"id": 1, "title": "an earlier alert", "why": "x", "priority": "high", "link": "/"})
    await deliver_all(notifier)
    await hook(client, ASK)
    frozen_clock.advance(30)
    await tick(ctx)
    assert await deliver_all(notifier) == []  # 30 s: not yet
    frozen_clock.advance(31)
    await tick(ctx)
    [row] = await deliver_all(notifier)
    alert = receiver.received[-1]["suggestion"]
    assert row.status == "delivered" and alert["priority"] == "high"
    assert alert["title"] == "shop (main, 77aa-1) wants to run `git push --force`"
    assert alert["link"] == "/instances/cc-dev-box-77aa-1"
    frozen_clock.advance(60)
    await tick(ctx)
    assert await deliver_all(notifier) == []  # once per wait
    await hook(client, ANSWER)
    await tick(ctx)
    [row] = await deliver_all(notifier)
    follow_up = receiver.received[-1]["suggestion"]
    assert follow_up["title"] == "Answered: shop (main, 77aa-1) wants to run `git push --force`"
    assert follow_up["why"].startswith("Answered after 2 min")


async def test_a_billing_error_is_critical_and_a_new_wait_within_the_cooldown_waits(
    client: httpx.AsyncClient, ctx: AppContext, notifier: Notifier, frozen_clock: FrozenClock, receiver: Receiver
) -> None:
    await hook(client, {"hook_event_name": "StopFailure", "error": "billing_error"})
    frozen_clock.advance(61)
    await tick(ctx)
    await deliver_all(notifier)
    assert receiver.received[-1]["suggestion"]["priority"] == "critical"
    await hook(client, {"hook_event_name": "UserPromptSubmit", "prompt": "retry"})
    await hook(client, ASK)
    frozen_clock.advance(61)
    await tick(ctx)
    await deliver_all(notifier)
    sent = [m["suggestion"]["title"] for m in receiver.received]
    assert not any("wants to run" in title for title in sent)  # the same session was alerted 1 min ago
    frozen_clock.advance(ctx.settings.attention.notify_cooldown_s)
    await tick(ctx)
    await deliver_all(notifier)
    assert "wants to run" in receiver.received[-1]["suggestion"]["title"]
