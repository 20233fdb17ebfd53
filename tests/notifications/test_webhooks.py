"""Webhook, Slack and Discord deliveries against a local receiver: retries, hangs, failing status."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from sqlalchemy import select

from jarvis.core.context import AppContext
from jarvis.notifications.models import Delivery
from jarvis.notifications.service import Notifier
from jarvis.proactive.engine import ENGINE
from tests.notifications.conftest import FAST, MESSAGE
from tests.notifications.receiver import Receiver
from tests.proactive import factories as f


async def deliver_all(notifier: Notifier, channel: str = "hook") -> list[Delivery]:
    rows = []
    queue = notifier.queues[channel]
    while not queue.empty():
        row = await notifier.deliver(queue.get_nowait())
        assert row is not None
        rows.append(row)
    return rows


async def test_webhook_delivers_json(notifier: Notifier, ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    events = ctx.hub.subscribe(["notification.*"])
    with Receiver([200]) as receiver:
        monkeypatch.setenv("JARVIS_TEST_HOOK_URL", receiver.url)
        assert await notifier.submit(MESSAGE) == ["hook"]
        [row] = await deliver_all(notifier)
    assert row.status == "delivered" and row.attempts == 1 and row.http_status == 200
    assert receiver.received[0]["event"] == "suggestion"
    assert receiver.received[0]["suggestion"]["title"] == "api is offline"
    event = events.queue.get_nowait()
    assert event is not None and event.type == "notification.delivered" and event.data["channel"] == "hook"


async def test_retries_after_500s(notifier: Notifier, monkeypatch: pytest.MonkeyPatch) -> None:
    with Receiver([500, 503, 200]) as receiver:
        monkeypatch.setenv("JARVIS_TEST_HOOK_URL", receiver.url)
        await notifier.submit(MESSAGE)
        [row] = await deliver_all(notifier)
    assert row.status == "delivered" and row.attempts == 3 and len(receiver.received) == 3


async def test_a_channel_that_keeps_failing_is_marked_failing_without_its_secret(
    notifier: Notifier, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Receiver([500]) as receiver:
        monkeypatch.setenv("JARVIS_TEST_HOOK_URL", receiver.url)
        await notifier.submit(MESSAGE)
        [row] = await deliver_all(notifier)
        assert row.status == "failed" and row.attempts == 3 and row.error == "HTTP 500"
        channel = (await client.get("/api/notifications/channels")).json()["data"]["channels"][0]
        assert channel["status"] == "degraded" and channel["consecutive_failures"] == 1
        await notifier.submit(MESSAGE)
        await deliver_all(notifier)
        response = await client.get("/api/notifications/channels")
    channel = response.json()["data"]["channels"][0]
    assert channel["status"] == "failing" and channel["last_error"] == "HTTP 500"
    assert channel["url_env"] == "JARVIS_TEST_HOOK_URL" and channel["configured"] is True
    assert "SECRET-TOKEN" not in response.text and "127.0.0.1" not in response.text
    log = (await client.get("/api/notifications/deliveries?channel=hook")).json()["data"]["deliveries"]
    assert [d["status"] for d in log] == ["failed", "failed"]


async def test_a_hanging_receiver_times_out_and_never_blocks_the_engine(
    notifier: Notifier, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = ctx.extras[ENGINE]
    with Receiver(hang=True) as receiver:
        monkeypatch.setenv("JARVIS_TEST_HOOK_URL", receiver.url)
        worker = asyncio.create_task(notifier.worker("hook")())
        try:
            started = time.perf_counter()
            critical = f.state(finance=f.financial(runway_months={"value": 1.5}), now=f.NOW)  # runway: critical
            result = await engine.tick(critical)
            assert time.perf_counter() - started < 0.5  # the engine only queued it
            assert [item["priority"] for item in result.released] == ["critical"]
            row = await _wait_finished(ctx)
        finally:
            worker.cancel()
    assert row.status == "failed" and row.error == "timed out" and row.attempts == FAST["attempts"]
    assert row.elapsed_ms is not None and row.elapsed_ms < 3000
    assert len(receiver.received) == FAST["attempts"]


async def _wait_finished(ctx: AppContext) -> Delivery:
    async with asyncio.timeout(5):
        while True:
            async with ctx.db.sessions() as session:
                row = await session.scalar(select(Delivery).where(Delivery.status != "queued"))
            if row is not None:
                return row
            await asyncio.sleep(0.05)


async def test_test_endpoint(client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    assert (await client.post("/api/notifications/channels/nope/test")).status_code == 404
    with Receiver([200]) as receiver:
        monkeypatch.setenv("JARVIS_TEST_HOOK_URL", receiver.url)
        response = await client.post("/api/notifications/channels/hook/test")
        assert response.status_code == 200 and response.json()["data"]["delivery"]["status"] == "delivered"
        assert receiver.received[0]["event"] == "test"
    monkeypatch.delenv("JARVIS_TEST_HOOK_URL")
    response = await client.post("/api/notifications/channels/hook/test")
    assert response.status_code == 503 and "JARVIS_TEST_HOOK_URL is not set" in response.json()["error"]


async def test_queued_deliveries_survive_a_restart(
    notifier: Notifier, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    await notifier.submit(MESSAGE)
    fresh = Notifier(ctx)  # what start-up builds
    assert await fresh.recover() == 1
    with Receiver([200]) as receiver:
        monkeypatch.setenv("JARVIS_TEST_HOOK_URL", receiver.url)
        [row] = await deliver_all(fresh)
    assert row.status == "delivered" and len(receiver.received) == 1
