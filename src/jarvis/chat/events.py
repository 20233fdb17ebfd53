"""The chat domain's hub events (see core/events.py): one name, one shape."""

from __future__ import annotations

from typing import TypedDict

from jarvis.core.events import EventType


class ChatAnswered(TypedDict):
    conversationId: str
    messageId: str
    status: str  # complete | incomplete | interrupted
    provider: str


# An answer was stored in its final state (on /api/events as `chat.answered`).
CHAT_ANSWERED = EventType[ChatAnswered]("chat.answered")
