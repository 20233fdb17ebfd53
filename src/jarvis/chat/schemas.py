"""Request bodies and public shapes of the chat API (camelCase, as the seed's clients expect)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from jarvis.chat.markdown import render
from jarvis.chat.models import Conversation, Message
from jarvis.core import clock

# The hard ceiling of the body schema; the configured `chat.max_message_chars` (413) is checked in the route.
MESSAGE_CEILING = 1_000_000
TITLE_MAX = 200


class ChatCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: str = Field(max_length=MESSAGE_CEILING)
    conversationId: str | None = Field(None, max_length=64)  # noqa: N815 - the seed's field name
    context: dict[str, Any] | None = None


class ConversationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(max_length=TITLE_MAX)

    @field_validator("title")
    @classmethod
    def _clean(cls, value: str) -> str:
        cleaned = " ".join(value.split())
        if not cleaned:
            raise ValueError("must not be empty")
        if any(ord(ch) < 32 for ch in value if ch not in "\t\n\r"):
            raise ValueError("must not contain control characters")
        return cleaned


def title_from(message: str) -> str:
    """A conversation's title: the first line of its first message, shortened."""
    first = " ".join(message.strip().splitlines()[0].split()) if message.strip() else "New conversation"
    return first if len(first) <= 80 else first[:79].rstrip() + "…"


def message_public(message: Message, *, live: bool = True) -> dict[str, Any]:
    """`live`: is this process still writing it? A `streaming` row nobody writes was cut off."""
    status = message.status
    if status == "streaming" and not live:
        status = "interrupted"
    return {
        "id": message.id,
        "conversationId": message.conversation_id,
        "role": message.role,
        "content": message.content,
        "html": render(message.content),
        "status": status,
        "provider": message.provider,
        "note": message.note,
        "error": message.error,
        "tools": message.tools or [],
        "createdAt": clock.iso(message.created_at),
        "updatedAt": clock.iso(message.updated_at),
    }


def conversation_public(conversation: Conversation, *, message_count: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": conversation.id,
        "title": conversation.title,
        "createdAt": clock.iso(conversation.created_at),
        "updatedAt": clock.iso(conversation.updated_at),
    }
    if message_count is not None:
        data["messageCount"] = message_count
    return data
