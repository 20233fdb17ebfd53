"""Time-based writes of streaming answers, batched across every answer in progress.

Each answer marks its latest partial text here every `chat.flush_interval_s`; one task writes
whatever is pending in a single transaction (an executemany by primary key), so 50 streaming
answers cost a couple of commits a second instead of a hundred. An answer's final write first
takes its pending partial out and waits for a write in flight, so an older partial never lands
after the final text.
"""

from __future__ import annotations

import asyncio
from typing import Any

import structlog
from sqlalchemy import update

from jarvis.chat.models import Message
from jarvis.core import clock
from jarvis.core.context import AppContext

log = structlog.get_logger("jarvis.chat")
SLOW_WRITE_S = 0.5


class PartialWriter:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.pending: dict[str, dict[str, Any]] = {}
        self.task: asyncio.Task[None] | None = None

    def mark(self, message_id: str, *, content: str, tools: list[dict[str, Any]] | None) -> None:
        self.pending[message_id] = {"id": message_id, "content": content, "tools": tools}
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._drain(), name="chat:partial-writer")

    async def settle(self, message_id: str) -> None:
        """Before an answer's final write: drop its pending partial, wait for a write in flight."""
        self.pending.pop(message_id, None)
        task = self.task
        if task is not None and not task.done():
            await asyncio.shield(task)

    async def _drain(self) -> None:
        while self.pending:
            batch = list(self.pending.values())
            self.pending = {}
            at = clock.now()
            started = clock.monotonic()
            try:
                async with self.ctx.db.sessions() as session:
                    await session.execute(update(Message), [{**row, "updated_at": at} for row in batch])
                    await session.commit()
            except Exception:  # a failed partial write is retried by the next mark or the final write
                log.exception("chat_partial_write_failed", answers=len(batch))
            elapsed = clock.monotonic() - started
            if elapsed > SLOW_WRITE_S:
                log.warning("chat_slow_partial_write", seconds=round(elapsed, 3), answers=len(batch))
