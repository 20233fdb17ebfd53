"""Request bodies and public shapes of the chat API (camelCase, as the seed's clients expect)."""

from __future__ import annotations

import re
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator

from jarvis.chat.markdown import render
from jarvis.chat.models import Conversation, Message
from jarvis.core import clock
from jarvis.core.extras import Key

# The hard ceiling of the body schema; the configured `chat.max_message_chars` (413) is checked in the service.
MESSAGE_CEILING = 1_000_000
TITLE_MAX = 200
# A conversation id a client may choose (the seed's frontend sends `web-<ms>-<rand>`); ours are uuid hex.
CONVERSATION_ID = r"^[A-Za-z0-9._:-]{1,128}$"
CONVERSATION_ID_RE = re.compile(CONVERSATION_ID)


class ChatCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: str = Field(max_length=MESSAGE_CEILING)
    conversationId: str | None = Field(  # noqa: N815 - the seed's field name
        None,
        pattern=CONVERSATION_ID,
        description="Continue this conversation, or start one under this id (letters, digits, `._:-`, ≤ 128)",
    )
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
    created = clock.iso(message.created_at)
    return {
        "id": message.id,
        "conversationId": message.conversation_id,
        "source": "web",  # the seed's: where the message came from (every one of ours comes through the API)
        "role": message.role,
        "content": message.content,
        "html": render(message.content),
        "status": status,
        "provider": message.provider,
        "note": message.note,
        "error": message.error,
        "tools": message.tools or [],
        "timestamp": created,  # the seed's name for it
        "createdAt": created,
        "updatedAt": clock.iso(message.updated_at),
    }


def conversation_public(conversation: Conversation, *, message_count: int | None = None) -> dict[str, Any]:
    created, updated = clock.iso(conversation.created_at), clock.iso(conversation.updated_at)
    data: dict[str, Any] = {
        "id": conversation.id,
        "title": conversation.title,
        "created": created,  # the seed's names for these two
        "updated": updated,
        "createdAt": created,
        "updatedAt": updated,
        "participants": {},  # the seed's; we keep no per-source presence
        "metadata": {},
    }
    if message_count is not None:
        data["messageCount"] = message_count
    return data


class MessageRenderer(Protocol):
    """The one renderer of a chat message: the web layer's partial (`web/templates/chat/_message.html`).

    The chat domain cannot import the web layer, so the app installs the renderer under
    `MESSAGE_RENDERER` at start-up; the stream sends its HTML with `start`, `tool` and `complete`,
    and the page swaps it in instead of building messages of its own."""

    def message(self, public: dict[str, Any]) -> str:
        """One message (`message_public`) as the page shows it: the `<li>` of the conversation."""
        ...

    def tool(self, step: dict[str, Any]) -> str:
        """One tool step as it appears in its message's list of steps."""
        ...


MESSAGE_RENDERER = Key[MessageRenderer]("chat.renderer")


# Response models, for /docs.


class ToolStepPublic(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str
    summary: str | None = None
    ok: bool | None = None


class MessagePublic(BaseModel):
    id: str
    conversationId: str  # noqa: N815
    source: Literal["web"]
    role: str
    content: str
    html: str = Field(description="`content` as sanitised HTML")
    status: str = Field(description="complete | streaming | interrupted | incomplete")
    provider: str | None
    note: str | None
    error: str | None
    tools: list[ToolStepPublic]
    timestamp: str
    createdAt: str  # noqa: N815
    updatedAt: str  # noqa: N815


class ConversationPublic(BaseModel):
    id: str
    title: str
    created: str
    updated: str
    createdAt: str  # noqa: N815
    updatedAt: str  # noqa: N815
    participants: dict[str, Any]
    metadata: dict[str, Any]
    messageCount: int | None = None  # noqa: N815


class ConversationDetail(ConversationPublic):
    messages: list[MessagePublic]


class ConversationList(BaseModel):
    conversations: list[ConversationPublic]


class ConversationDeleted(BaseModel):
    deleted: str
