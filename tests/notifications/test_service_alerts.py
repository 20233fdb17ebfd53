"""A service that goes down and comes back notifies the channels itself, as Gatus does: after
`failure_threshold` failed checks in a row, once; "up again after …" on recovery; reminders while down."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from jarvis.core.context import AppContext
from jarvis.health.alerts import AlertState
from jarvis.health.checks import Outcome
from jarvis.health.scheduler import SCHEDULER
from jarvis.notifications.models import Delivery
from jarvis.notifications.service import Notifier
from jarvis.proactive.engine import ENGINE
from jarvis.settings import ServiceConfig
from tests.notifications.receiver import Receiver
from tests.notifications.test_webhooks import deliver_all
from tests.proactive import factories as f

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def run(state: AlertState, statuses: list[str], config: ServiceConfig | None = None, step_s: float = 30) -> list[Any]:
    sent = []
    for i, status in enumerate(statuses):
        at = T0 + timedelta(seconds=step_s * i)
        sent += [
            (i, m["event"], m["why"]) for m in state.observe("shop", config, status=status, at=at, error="HTTP 500")
        ]
    return sent


def test_down_after_three_failures_once_then_up_again_with_the_outage_length() -> None:
    sent = run(AlertState(), ["healthy", "offline", "offline", "offline", "offline", "degraded", "healthy"])
    assert sent == [
        (3, "service.down", "shop failed 3 checks in a row. The last check said: HTTP 500."),
        (5, "service.up", "shop is up again after 2 min."),  # from the first failed check (30 s) to 150 s
    ]


def test_a_blip_below_the_threshold_says_nothing() -> None:
    assert run(AlertState(), ["offline", "offline", "healthy", "offline", "offline", "healthy"]) == []


def test_thresholds_resolution_and_reminders_follow_the_service() -> None:
    config = ServiceConfig(
        name="shop", url="http://127.0.0.1/", failure_threshold=1, success_threshold=2, reminder_interval_s=60
    )
    sent = run(AlertState(), ["offline", "offline", "offline", "healthy", "offline", "healthy", "healthy"], config)
    # down at once; reminded every 60 s while down (one answer between is not yet "up"); up after two answers
    assert [(i, event) for i, event, _ in sent] == [
        (0, "service.down"),
        (2, "service.down"),
        (4, "service.down"),
        (6, "service.up"),
    ]
    assert sent[1][2].startswith("shop has been down for 1 min")
    quiet = ServiceConfig(name="shop", url="http://127.0.0.1/", send_on_resolved=False)
    assert [event for _, event, _ in run(AlertState(), ["offline"] * 3 + ["healthy"], quiet)] == ["service.down"]


async def test_the_scheduler_delivers_both_messages_to_a_real_receiver(
    ctx: AppContext, notifier: Notifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    scheduler = ctx.extras[SCHEDULER]
    await scheduler.ensure_loaded()
    name = "jarvis-dashboard"  # the built-in self check: default thresholds
    with Receiver([200]) as receiver:
        monkeypatch.setenv("JARVIS_TEST_HOOK_URL", receiver.url)
        for i, status in enumerate(["offline", "offline", "offline", "healthy"]):
            scheduler.record(name, Outcome(T0 + timedelta(minutes=i), status, 3.0, error="db gone"))  # type: ignore[arg-type]
            for _ in range(100):  # the hand-over runs off the check's path: bounded wait for it
                if not scheduler._tasks:
                    break
                await asyncio.sleep(0.01)
        rows = await deliver_all(notifier)
    assert [row.status for row in rows] == ["delivered", "delivered"]
    assert [body["event"] for body in receiver.received] == ["service.down", "service.up"]
    assert receiver.received[0]["service"]["title"] == "jarvis-dashboard is down"
    assert receiver.received[1]["service"]["why"] == "jarvis-dashboard is up again after 3 min."
    async with ctx.db.sessions() as session:
        kinds = (await session.scalars(select(Delivery.kind).order_by(Delivery.id))).all()
    assert kinds == ["service.down", "service.up"]


async def test_the_engine_rings_the_bell_for_an_offline_service_but_leaves_the_channels_to_the_alert(
    ctx: AppContext, notifier: Notifier
) -> None:
    """One message per outage on the channels (the scheduler's), while the page's bell still rings."""
    engine = ctx.extras[ENGINE]
    events = ctx.hub.subscribe(["suggestion.notified"])
    result = await engine.tick(f.state(services=[f.service("api", "offline", since_min=60)], now=f.NOW))
    assert [item["kind"] for item in result.released] == ["service_offline"]
    rung = events.queue.get_nowait()
    assert rung is not None and rung.data["channels"] == []
    assert notifier.queues["hook"].empty()  # nothing queued for the webhook
