"""One answer being produced: provider → tokens → SSE events, written to the database as it goes.

The answer runs in its own task, apart from the HTTP response that relays its events: when the
client goes away the response cancels the task, which closes the upstream request (the SDK's
stream is exited) and stores the partial answer as `interrupted`. The partial text is handed to
the batched writer (`writer.py`) every `chat.flush_every_tokens` or, at the latest,
`chat.flush_interval_s` after the first token not yet handed over (a timer, so a provider that
goes quiet mid-answer still has its text stored), so a `kill -9` keeps what was already written.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import structlog

from jarvis.chat import store
from jarvis.chat.events import CHAT_ANSWERED, ChatAnswered
from jarvis.chat.markdown import render
from jarvis.chat.models import Message
from jarvis.chat.providers import ProviderError, Token, Turn, get_provider
from jarvis.chat.providers.base import Chunk
from jarvis.chat.schemas import MESSAGE_RENDERER, message_public
from jarvis.chat.state import state_of, writer_of
from jarvis.chat.tools import ToolStep
from jarvis.core.context import AppContext
from jarvis.core.jsonresp import dumps

log = structlog.get_logger("jarvis.chat")

Emit = Callable[[dict[str, Any] | None], None]


def sse(payload: dict[str, Any]) -> bytes:
    """One chat event: a block that is exactly `data: <json>` — the seed's clients split the body on
    blank lines and parse what follows `data: ` (no `id:` or `event:` line: the JSON's `type` names it)."""
    return b"data: " + dumps(payload) + b"\n\n"


async def _timed(chunks: AsyncIterator[Chunk], timeout_s: float) -> AsyncIterator[Chunk]:
    """The provider's chunks, each within `timeout_s` of the previous one (or of the start)."""
    iterator = aiter(chunks)
    try:
        while True:
            try:
                async with asyncio.timeout(timeout_s):
                    chunk = await anext(iterator)
            except StopAsyncIteration:
                return
            except TimeoutError:
                raise ProviderError(f"timed out after {timeout_s:g} s") from None
            yield chunk
    finally:
        close = getattr(iterator, "aclose", None)
        if close is not None:
            await close()


class Answer:
    def __init__(self, ctx: AppContext, *, message_id: str, provider: str, turn: Turn, emit: Emit) -> None:
        self.ctx = ctx
        self.message_id = message_id
        self.provider = provider
        self.turn = turn
        self.emit = emit
        self.parts: list[str] = []
        self.tools: list[dict[str, Any]] = []
        self.note: str | None = None
        self.tokens = 0
        self.unflushed = 0
        self.last_flush = time.monotonic()
        self.flush_timer: asyncio.TimerHandle | None = None

    @property
    def content(self) -> str:
        return "".join(self.parts)

    async def run(self) -> None:
        try:
            await self._produce()
        except asyncio.CancelledError:
            # The final write runs in a task of its own, out of reach of a second cancellation.
            final = asyncio.ensure_future(self._finish("interrupted", None))
            await asyncio.shield(final)
            raise
        except Exception as exc:  # a bug of ours: keep what was said, tell the client, log it
            log.exception("chat_answer_failed", message_id=self.message_id)
            await self._finish("incomplete", f"{type(exc).__name__}: the answer stopped")
        finally:
            self.emit(None)

    async def _produce(self) -> None:
        timeout = self.ctx.settings.chat.timeout_s
        try:
            async for chunk in _timed(get_provider(self.provider).stream(self.turn), timeout):
                await self._take(chunk)
        except ProviderError as exc:
            if self.tokens:
                await self._finish("incomplete", f"The {self.provider} provider failed mid-answer: {exc.reason}")
                return
            await self._fall_back(exc.reason)
        await self._finish("complete", None)

    async def _fall_back(self, reason: str) -> None:
        self.note = (
            f"The {self.provider} provider failed before answering ({reason}); this answer comes from the built-in "
            "assistant."
        )
        log.warning("chat_fallback", provider=self.provider, reason=reason)
        self.provider = "builtin"
        await self._take(Token(f"> **Note:** {self.note}\n\n"))
        async for chunk in get_provider("builtin").stream(self.turn):
            await self._take(chunk)

    async def _take(self, chunk: Chunk) -> None:
        if isinstance(chunk, ToolStep):
            step = chunk.public()
            self.tools.append(step)
            renderer = self.ctx.extras.get(MESSAGE_RENDERER)
            self.emit({"type": "tool", "tool": step, "html": renderer.tool(step) if renderer else None})
            self._save_partial()
            return
        self.parts.append(chunk.text)
        self.tokens += 1
        self.unflushed += 1
        self.emit({"type": "token", "content": chunk.text})
        settings = self.ctx.settings.chat
        due_in = settings.flush_interval_s - (time.monotonic() - self.last_flush)
        if self.unflushed >= settings.flush_every_tokens or due_in <= 0:
            self._save_partial()
        elif self.flush_timer is None:
            self.flush_timer = asyncio.get_running_loop().call_later(due_in, self._save_partial)

    def _save_partial(self) -> None:
        """Queue the partial answer for the batched writer (off this answer's path)."""
        self._cancel_timer()
        writer_of(self.ctx).mark(self.message_id, content=self.content, tools=self.tools or None)
        self.unflushed = 0
        self.last_flush = time.monotonic()

    def _cancel_timer(self) -> None:
        if self.flush_timer is not None:
            self.flush_timer.cancel()
            self.flush_timer = None

    async def _finish(self, status: str, error: str | None) -> None:
        values: dict[str, Any] = {
            "content": self.content,
            "status": status,
            "provider": self.provider,
            "note": self.note,
            "error": error,
            "tools": self.tools or None,
        }
        self._cancel_timer()
        await writer_of(self.ctx).settle(self.message_id)
        async with self.ctx.db.sessions() as session:
            await store.save_answer(session=session, message_id=self.message_id, **values)
            await session.commit()
            stored = await session.get(Message, self.message_id)
        public = message_public(stored) if stored is not None else {"id": self.message_id, **values}
        if stored is not None:
            answered = ChatAnswered(
                conversationId=stored.conversation_id, messageId=stored.id, status=status, provider=self.provider
            )
            self.ctx.hub.emit(CHAT_ANSWERED, answered)
        # `message` is the answer's text, as the seed sent it; `answer` is the stored message with its html,
        # `messageHtml` the whole message as the page shows it (the server's partial).
        html = public["html"] if "html" in public else render(self.content)
        renderer = self.ctx.extras.get(MESSAGE_RENDERER)
        common = {
            "message": self.content,
            "messageId": self.message_id,
            "html": html,
            "answer": public,
            "messageHtml": renderer.message(public) if renderer and stored is not None else None,
        }
        if status == "complete":
            self.emit({"type": "complete", **common})
        elif status == "incomplete":
            self.emit({"type": "error", "error": error, **common})


def start_answer(ctx: AppContext, answer: Answer) -> asyncio.Task[None]:
    state = state_of(ctx)
    task = asyncio.create_task(answer.run(), name=f"chat:{answer.message_id}")
    state.active[answer.message_id] = task
    task.add_done_callback(lambda _t: state.active.pop(answer.message_id, None))
    return task


class ChatSource:
    """The SSE body of one answer (a `core/sse.py` source): its events as they are queued, until it
    ends. The client leaving closes the source, which cancels the answer (it then stores its partial
    text as `interrupted`).

    Events already queued are written together (still one SSE block per token): under load this
    saves a write per token without holding any token back."""

    def __init__(self, queue: asyncio.Queue[dict[str, Any] | None], task: asyncio.Task[None]) -> None:
        self.queue = queue
        self.task = task
        self.ended = False

    async def next(self) -> bytes | None:
        if self.ended:
            return None
        item = await self.queue.get()
        batch: list[bytes] = []
        while item is not None:
            batch.append(sse(item))
            if self.queue.empty():
                break
            item = self.queue.get_nowait()
        if item is None:
            self.ended = True
        return b"".join(batch) if batch else None

    def close(self) -> None:
        if not self.task.done():
            self.task.cancel()
