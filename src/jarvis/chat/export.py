"""A conversation as a Markdown document or as JSON, for download."""

from __future__ import annotations

from typing import Any

from jarvis.chat.models import Conversation, Message
from jarvis.chat.schemas import conversation_public
from jarvis.core import clock

LABELS = {"user": "You", "assistant": "Jarvis"}


def as_markdown(conversation: Conversation, messages: list[Message]) -> str:
    lines = [f"# {conversation.title}", "", f"Exported {clock.iso(clock.now())}", ""]
    for message in messages:
        label = LABELS.get(message.role, message.role)
        flag = "" if message.status == "complete" else f" _({message.status})_"
        lines += [f"## {label} — {clock.iso(message.created_at)}{flag}", ""]
        for step in message.tools or []:
            lines.append(f"- tool: {step.get('summary', step.get('name'))}")
        if message.tools:
            lines.append("")
        lines += [message.content, ""]
    return "\n".join(lines)


def as_json(conversation: Conversation, messages: list[Message], *, live: set[str]) -> dict[str, Any]:
    return {
        **conversation_public(conversation),
        "messages": [
            {
                "id": m.id,
                "role": m.role,
                "content": m.content,
                "status": "interrupted" if m.status == "streaming" and m.id not in live else m.status,
                "provider": m.provider,
                "note": m.note,
                "error": m.error,
                "tools": m.tools or [],
                "createdAt": clock.iso(m.created_at),
            }
            for m in messages
        ],
    }


def filename(conversation: Conversation, extension: str) -> str:
    safe = "".join(ch if ch.isalnum() else "-" for ch in conversation.title.lower()).strip("-")[:40] or "chat"
    return f"{safe}-{conversation.id[:8]}.{extension}"
