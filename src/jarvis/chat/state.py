"""What this process holds for chat: the answers in progress and the model SDK clients.

SDK clients are made once per configuration and reused: building one costs tens of
milliseconds of CPU (it sets up TLS and a connection pool), which 50 simultaneous chats
would otherwise spend on the event loop, stalling every other request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from jarvis.chat.writer import PartialWriter
from jarvis.core.context import AppContext
from jarvis.core.extras import Key


@dataclass
class ChatState:
    active: dict[str, asyncio.Task[None]] = field(default_factory=dict)  # message id → its answer
    clients: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    writer: PartialWriter | None = None

    def client(self, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        found = self.clients.get(key)
        if found is None:
            found = self.clients[key] = make()
        return found

    async def close(self) -> None:
        tasks = list(self.active.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        clients = list(self.clients.values())
        self.clients.clear()
        for client in clients:
            await client.close()


def state_of(ctx: AppContext) -> ChatState:
    state = ctx.extras.get(CHAT_STATE)
    if not isinstance(state, ChatState):
        state = ChatState()
        ctx.extras[CHAT_STATE] = state
    return state


def writer_of(ctx: AppContext) -> PartialWriter:
    state = state_of(ctx)
    if state.writer is None:
        state.writer = PartialWriter(ctx)
    return state.writer


CHAT_STATE = Key[ChatState]("chat")
