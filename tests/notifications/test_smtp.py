"""E-mail over SMTP against a local aiosmtpd server."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from jarvis.notifications.service import Notifier
from tests.conftest import free_port
from tests.notifications.conftest import FAST, MESSAGE

PORT = free_port()


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=PORT)
    controller.start()
    yield handler
    controller.stop()


@pytest.fixture
def channels() -> list[dict[str, Any]]:
    mail = {"kind": "smtp", "mail_from": "jarvis@example.test", "mail_to": ["ops@example.test"], **FAST}
    return [
        {"name": "mail", "smtp_host": "127.0.0.1", "smtp_port": PORT, "min_priority": "high", **mail},
        {"name": "nowhere", "smtp_host": "127.0.0.1", "smtp_port": free_port(), "min_priority": "high", **mail},
    ]


async def test_mail_is_sent(notifier: Notifier, inbox: Inbox) -> None:
    assert await notifier.submit(MESSAGE) == ["mail", "nowhere"]
    row = await notifier.deliver(notifier.queues["mail"].get_nowait())
    assert row is not None and row.status == "delivered" and row.attempts == 1
    [envelope] = inbox.messages
    assert envelope.rcpt_tos == ["ops@example.test"]
    mail = message_from_bytes(envelope.content)
    assert mail["Subject"] == "[Jarvis critical] api is offline"
    assert "/services/api" in mail.get_payload()


async def test_unreachable_mail_server_fails_after_retries(notifier: Notifier, inbox: Inbox) -> None:
    await notifier.submit(MESSAGE)
    row = await notifier.deliver(notifier.queues["nowhere"].get_nowait())
    assert row is not None and row.status == "failed" and row.attempts == FAST["attempts"]
    assert row.error is not None and "refused" in row.error.lower()
