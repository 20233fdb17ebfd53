"""Channels of kind `apprise` against real local receivers: json:// and form:// to a local HTTP server,
mailto:// to a local aiosmtpd; retries, a URL Apprise does not know, and no secret in the delivery log."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from jarvis.core.context import AppContext
from jarvis.health.checks import Outcome
from jarvis.health.scheduler import SCHEDULER
from jarvis.notifications.service import Notifier
from tests.conftest import free_port
from tests.notifications.conftest import FAST, MESSAGE
from tests.notifications.receiver import Receiver
from tests.notifications.test_smtp import Inbox
from tests.notifications.test_webhooks import deliver_all


def apprise(name: str, env: str, timeout_s: float = 5.0) -> dict[str, Any]:
    """FAST retries, but a timeout no loaded CI machine reaches unless the receiver hangs."""
    return {"name": name, "kind": "apprise", "url_env": env, "min_priority": "normal", **FAST, "timeout_s": timeout_s}


@pytest.fixture
def channels() -> list[dict[str, Any]]:
    return [apprise("ntfy-like", "JARVIS_TEST_APPRISE_URL")]


async def test_json_receives_title_body_and_type(notifier: Notifier, monkeypatch: pytest.MonkeyPatch) -> None:
    with Receiver([200]) as receiver:
        monkeypatch.setenv("JARVIS_TEST_APPRISE_URL", receiver.base.replace("http://", "json://") + "/alerts")
        assert await notifier.submit(MESSAGE) == ["ntfy-like"]
        [row] = await deliver_all(notifier, "ntfy-like")
    assert row.status == "delivered" and row.attempts == 1
    path, _, _ = receiver.requests[0]
    body = receiver.received[0]
    assert path == "/alerts" and body["type"] == "failure"  # critical
    assert body["title"] == "🔴 [critical] api is offline"
    assert body["message"].startswith("The health check of api has reported offline since 12:00.")


async def test_form_and_retries_after_a_500(notifier: Notifier, monkeypatch: pytest.MonkeyPatch) -> None:
    with Receiver([500, 200]) as receiver:
        monkeypatch.setenv("JARVIS_TEST_APPRISE_URL", receiver.base.replace("http://", "form://") + "/f")
        await notifier.submit({**MESSAGE, "event": "service.up", "priority": "high", "title": "api is up again"})
        [row] = await deliver_all(notifier, "ntfy-like")
    assert row.status == "delivered" and row.attempts == 2 and len(receiver.requests) == 2
    assert b"type=success" in receiver.requests[1][2]  # a recovery reads as good news


async def test_failures_say_why_without_the_secret(notifier: Notifier, monkeypatch: pytest.MonkeyPatch) -> None:
    with Receiver([500]) as receiver:
        secret_url = receiver.base.replace("http://", "json://user:hunter2-secret@") + "/x"
        monkeypatch.setenv("JARVIS_TEST_APPRISE_URL", secret_url)
        await notifier.submit(MESSAGE)
        [row] = await deliver_all(notifier, "ntfy-like")
    assert row.status == "failed" and row.attempts == 3 and "500" in (row.error or "")
    assert "hunter2" not in (row.error or "")
    monkeypatch.setenv("JARVIS_TEST_APPRISE_URL", "nonsense://nowhere")
    await notifier.submit(MESSAGE)
    [unknown] = await deliver_all(notifier, "ntfy-like")
    assert unknown.status == "failed" and unknown.error == (
        "JARVIS_TEST_APPRISE_URL does not hold a URL Apprise knows (see its list of services)"
    )


@pytest.mark.parametrize("channels", [[apprise("ntfy-like", "JARVIS_TEST_APPRISE_URL", timeout_s=0.2)]])
async def test_a_call_apprise_abandons_is_not_sent_twice(notifier: Notifier, monkeypatch: pytest.MonkeyPatch) -> None:
    """The URL's own rto outlasts the channel's timeout, so Apprise stops waiting while the request is still out:
    that request may yet arrive, and another attempt would send the message twice."""
    with Receiver(hang=True) as receiver:
        monkeypatch.setenv("JARVIS_TEST_APPRISE_URL", receiver.base.replace("http://", "json://") + "/x?rto=30")
        await notifier.submit(MESSAGE)
        [row] = await deliver_all(notifier, "ntfy-like")
        assert row.status == "failed" and row.attempts == 1 and len(receiver.requests) == 1
        assert row.error == "Apprise gave up waiting after 0.6s; not sent again"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler, port = Inbox(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


async def test_mailto_reaches_a_local_smtp_server(
    notifier: Notifier, inbox: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    handler, port = inbox
    monkeypatch.setenv(
        "JARVIS_TEST_APPRISE_URL",
        f"mailto://127.0.0.1:{port}?from=jarvis@example.test&to=ops@example.test&mode=insecure",
    )
    await notifier.submit(MESSAGE)
    [row] = await deliver_all(notifier, "ntfy-like")
    assert row.status == "delivered", row.error
    [envelope] = handler.messages
    mail = message_from_bytes(envelope.content, policy=policy.default)
    assert envelope.rcpt_tos == ["ops@example.test"] and "api is offline" in str(mail["Subject"])


async def test_a_service_down_and_back_up_reaches_an_apprise_channel(
    ctx: AppContext, notifier: Notifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole path: failed checks → the scheduler's alert → Apprise → a local receiver, and the recovery."""
    scheduler = ctx.extras[SCHEDULER]
    await scheduler.ensure_loaded()
    start = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    with Receiver([200]) as receiver:
        monkeypatch.setenv("JARVIS_TEST_APPRISE_URL", receiver.base.replace("http://", "json://") + "/ntfy")
        for minute, status in enumerate(["offline", "offline", "offline", "healthy"]):
            at = start + timedelta(minutes=minute)
            scheduler.record("jarvis-dashboard", Outcome(at, status, 2.0, error="database gone"))  # type: ignore[arg-type]
            for _ in range(100):  # the hand-over runs off the check's path: bounded wait for it
                if not scheduler._tasks:
                    break
                await asyncio.sleep(0.01)
        rows = await deliver_all(notifier, "ntfy-like")
    assert [row.status for row in rows] == ["delivered", "delivered"]
    assert [(body["type"], body["title"]) for body in receiver.received] == [
        ("failure", "🔴 [critical] jarvis-dashboard is down"),
        ("success", "🟠 [high] jarvis-dashboard is up again"),
    ]
    assert receiver.received[1]["message"].startswith("jarvis-dashboard is up again after 3 min.")
