"""Conversations and messages in the database: plain queries, keyword-only, no commit (the service commits)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from jarvis.chat.models import Conversation, Message
from jarvis.core import clock


def new_id() -> str:
    return uuid.uuid4().hex


async def create_conversation(*, session: AsyncSession, title: str, conversation_id: str | None = None) -> Conversation:
    at = clock.now()
    conversation = Conversation(id=conversation_id or new_id(), title=title, created_at=at, updated_at=at)
    session.add(conversation)
    await session.flush()
    return conversation


async def get_conversation(*, session: AsyncSession, conversation_id: str) -> Conversation | None:
    return await session.get(Conversation, conversation_id)


async def list_conversations(*, session: AsyncSession, limit: int = 200) -> list[tuple[Conversation, int]]:
    """Newest activity first, with each conversation's message count."""
    counts = select(Message.conversation_id, func.count().label("n")).group_by(Message.conversation_id).subquery()
    rows = await session.execute(
        select(Conversation, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.conversation_id == Conversation.id)
        .order_by(Conversation.updated_at.desc(), Conversation.id.desc())
        .limit(limit)
    )
    return [(conversation, int(count)) for conversation, count in rows.all()]


async def messages_of(*, session: AsyncSession, conversation_id: str) -> list[Message]:
    rows = await session.scalars(
        select(Message).where(Message.conversation_id == conversation_id).order_by(Message.position)
    )
    return list(rows)


async def add_message(
    *,
    session: AsyncSession,
    conversation: Conversation,
    role: str,
    content: str,
    status: str = "complete",
    provider: str | None = None,
) -> Message:
    position = await session.scalar(
        select(func.coalesce(func.max(Message.position), -1)).where(Message.conversation_id == conversation.id)
    )
    at = clock.now()
    message = Message(
        id=new_id(),
        conversation_id=conversation.id,
        position=int(position if position is not None else -1) + 1,
        role=role,
        content=content,
        status=status,
        provider=provider,
        created_at=at,
        updated_at=at,
    )
    session.add(message)
    conversation.updated_at = at
    await session.flush()
    return message


async def history(*, session: AsyncSession, conversation_id: str, limit: int, before: int) -> list[dict[str, str]]:
    """The last `limit` messages with text before position `before`, oldest first, as providers take them."""
    rows = await session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.position < before, Message.content != "")
        .order_by(Message.position.desc())
        .limit(limit)
    )
    return [{"role": m.role, "content": m.content} for m in reversed(list(rows))]


async def save_answer(*, session: AsyncSession, message_id: str, **values: Any) -> None:
    """Write (part of) an answer: content, status, tools, note, error, provider."""
    await session.execute(update(Message).where(Message.id == message_id).values(updated_at=clock.now(), **values))


async def rename(*, session: AsyncSession, conversation: Conversation, title: str) -> Conversation:
    conversation.title = title
    conversation.updated_at = clock.now()
    await session.flush()
    return conversation


async def remove(*, session: AsyncSession, conversation: Conversation) -> None:
    await session.execute(delete(Message).where(Message.conversation_id == conversation.id))
    await session.delete(conversation)
    await session.flush()


async def count_rows(*, session: AsyncSession) -> tuple[int, int]:
    """(conversations, messages): what tests compare to prove a refused request changed nothing."""
    conversations = await session.scalar(select(func.count()).select_from(Conversation))
    messages = await session.scalar(select(func.count()).select_from(Message))
    return int(conversations or 0), int(messages or 0)


async def mark_interrupted(*, session: AsyncSession, before: datetime) -> int:
    """Rows left `streaming` by a process that died (kill -9): they were cut off. Only rows last
    written before this process started are touched, never an answer this process is writing."""
    query = update(Message).where(Message.status == "streaming", Message.updated_at < before)
    result = await session.execute(query.values(status="interrupted"))
    return int(getattr(result, "rowcount", 0) or 0)
