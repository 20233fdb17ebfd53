"""The notifier: a queue and a worker per channel, so a slow or hanging channel delays only itself.

`submit` (called by the proactive engine) writes one `queued` row per matching channel and
returns at once; the channel's worker sends it (with retries) and writes the outcome. Rows
still `queued` at start-up (the process stopped mid-way) are picked up again.
"""

from __future__ import annotations

import asyncio
from typing import Any

import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from jarvis.core import clock
from jarvis.core.context import AppContext
from jarvis.core.extras import Key
from jarvis.core.priority import PRIORITY_RANK
from jarvis.notifications import channels
from jarvis.notifications.models import Delivery
from jarvis.settings import ChannelConfig

log = structlog.get_logger("jarvis.notifications")


def accepts(channel: ChannelConfig, priority: str) -> bool:
    return PRIORITY_RANK.get(priority, 9) <= PRIORITY_RANK[channel.min_priority]


def _kind(message: dict[str, Any]) -> str:
    """`suggestion`, or the event a domain names (`service.down`, `service.up`)."""
    return str(message.get("event") or "suggestion")[:16]


class Notifier:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.settings = ctx.settings.notifications
        self.channels = {channel.name: channel for channel in self.settings.channels}
        self.queues: dict[str, asyncio.Queue[int]] = {
            name: asyncio.Queue(self.settings.queue_size) for name in self.channels
        }

    async def submit(self, message: dict[str, Any]) -> list[str]:
        """Queue a message for every channel whose minimum priority it meets; never waits for a send."""
        priority = str(message.get("priority", "normal"))
        names = [name for name, channel in self.channels.items() if accepts(channel, priority)]
        if not names:
            return []
        async with self.ctx.db.sessions() as session:
            rows = [
                Delivery(
                    channel=name,
                    kind=_kind(message),
                    suggestion_id=message.get("id") if message.get("event") is None else None,
                    priority=priority,
                    payload=message,
                    status="queued",
                    attempts=0,
                    created_at=clock.now(),
                )
                for name in names
            ]
            session.add_all(rows)
            await session.commit()
        for row in rows:
            self._enqueue(row.channel, row.id)
        return names

    def _enqueue(self, channel: str, delivery_id: int) -> None:
        try:
            self.queues[channel].put_nowait(delivery_id)
        except asyncio.QueueFull:
            log.warning("notification_queue_full", channel=channel, delivery=delivery_id)  # stays queued in the DB

    async def recover(self) -> int:
        """Re-queue deliveries left `queued` (by a restart or a full queue)."""
        async with self.ctx.db.sessions() as session:
            rows = (
                await session.execute(select(Delivery.id, Delivery.channel).where(Delivery.status == "queued"))
            ).all()
        for delivery_id, channel in rows:
            if channel in self.queues:
                self._enqueue(channel, delivery_id)
        return len(rows)

    async def recover_job(self) -> None:
        await self.recover()

    async def deliver(self, delivery_id: int) -> Delivery | None:
        """Send one queued delivery and store its outcome."""
        async with self.ctx.db.sessions() as session:
            row = await session.get(Delivery, delivery_id)
            if row is None or row.status != "queued":
                return row
            channel = self.channels.get(row.channel)
            if channel is None:
                outcome = channels.Outcome(False, 0, 0.0, "channel no longer configured")
            else:
                outcome = await channels.send(self.ctx.http, channel, row.payload, base_url=self.settings.base_url)
            self._store(row, outcome)
            await session.commit()
        self._announce(row)
        return row

    async def send_test(self, channel: ChannelConfig) -> Delivery:
        message = {
            "id": None,
            "title": "Test message from Jarvis",
            "why": f"This is a test of the {channel.kind} channel {channel.name}; nothing needs doing.",
            "priority": "low",
            "link": "/",
        }
        outcome = await channels.send(self.ctx.http, channel, message, base_url=self.settings.base_url)
        async with self.ctx.db.sessions() as session:
            row = Delivery(
                channel=channel.name,
                kind="test",
                priority="low",
                payload=message,
                status="queued",
                attempts=0,
                created_at=clock.now(),
            )
            self._store(row, outcome)
            session.add(row)
            await session.commit()
        self._announce(row)
        return row

    @staticmethod
    def _store(row: Delivery, outcome: channels.Outcome) -> None:
        row.status = "delivered" if outcome.ok else "failed"
        row.attempts = outcome.attempts
        row.error = outcome.error
        row.http_status = outcome.http_status
        row.elapsed_ms = outcome.elapsed_ms
        row.finished_at = clock.now()

    def _announce(self, row: Delivery) -> None:
        data = {
            "channel": row.channel,
            "delivery_id": row.id,
            "suggestion_id": row.suggestion_id,
            "kind": row.kind,
            "status": row.status,
            "attempts": row.attempts,
            "error": row.error,
        }
        self.ctx.hub.publish("notification.delivered" if row.status == "delivered" else "notification.failed", data)

    def worker(self, channel: str) -> Any:
        async def run() -> None:
            queue = self.queues[channel]
            while True:
                delivery_id = await queue.get()
                try:
                    await self.deliver(delivery_id)
                except Exception:  # the worker survives one bad delivery
                    log.exception("delivery_failed", channel=channel, delivery=delivery_id)

        return run


async def channel_status(session: AsyncSession, channel: ChannelConfig) -> dict[str, Any]:
    """A channel as the API shows it: never its URL or credentials, only where they come from."""
    recent = (
        await session.scalars(
            select(Delivery)
            .where(Delivery.channel == channel.name, Delivery.status != "queued")
            .order_by(Delivery.id.desc())
            .limit(max(channel.failing_after, 1))
        )
    ).all()
    streak = 0
    for row in recent:
        if row.status != "failed":
            break
        streak += 1
    queued = await session.scalar(
        select(func.count()).select_from(Delivery).where(Delivery.channel == channel.name, Delivery.status == "queued")
    )
    last_failed = next((row for row in recent if row.status == "failed"), None)
    configured = bool(channel.smtp_host) if channel.kind == "smtp" else channels.target_url(channel) is not None
    if not recent:
        status = "untested"
    elif streak >= channel.failing_after:
        status = "failing"
    else:
        status = "ok" if recent[0].status == "delivered" else "degraded"
    return {
        "name": channel.name,
        "kind": channel.kind,
        "min_priority": channel.min_priority,
        "url_env": channel.url_env,
        "smtp_host": channel.smtp_host,
        "mail_to": channel.mail_to if channel.kind == "smtp" else None,
        "configured": configured,
        "status": status,
        "consecutive_failures": streak,
        "last_error": last_failed.error if last_failed else None,
        "last_attempt_at": clock.iso(recent[0].finished_at) if recent else None,
        "queued": int(queued or 0),
    }


def public(row: Delivery) -> dict[str, Any]:
    return {
        "id": row.id,
        "channel": row.channel,
        "kind": row.kind,
        "suggestion_id": row.suggestion_id,
        "priority": row.priority,
        "status": row.status,
        "attempts": row.attempts,
        "error": row.error,
        "http_status": row.http_status,
        "elapsed_ms": row.elapsed_ms,
        "created_at": clock.iso(row.created_at),
        "finished_at": clock.iso(row.finished_at),
    }


NOTIFIER = Key[Notifier]("notifications")
