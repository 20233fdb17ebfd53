"""The chat domain's write path and views: start an answer, read, rename, delete (routes only translate).

A chat turn stores the user's message and an empty `streaming` answer, commits, and starts the
answer in a task of its own (`stream.py`); the route relays that task's events as SSE. The seed's
clients choose their own conversation ids (`web-<ms>-<rand>`): an unknown id they send starts a
conversation under it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from jarvis.chat import store
from jarvis.chat.models import Conversation, Message
from jarvis.chat.providers import Turn
from jarvis.chat.schemas import CONVERSATION_ID_RE, MESSAGE_RENDERER, conversation_public, message_public, title_from
from jarvis.chat.state import state_of
from jarvis.chat.stream import Answer, ChatSource, start_answer
from jarvis.core.context import AppContext
from jarvis.core.errors import NotFound, TooLarge, ValidationFailed

# What other modules use of the store, through the service.
count_rows = store.count_rows
mark_interrupted = store.mark_interrupted


@dataclass(slots=True)
class Started:
    """An answer on its way: the `start` event, and the source of the rest (for the SSE response)."""

    first: dict[str, Any]
    source: ChatSource


def not_found(conversation_id: str, field: str = "conversation_id") -> NotFound:
    shown = conversation_id if len(conversation_id) <= 128 else conversation_id[:128] + "…"
    return NotFound(
        f"Conversation not found: there is no conversation {shown!r}.",
        details=[{"field": field, "problem": "not found"}],
    )


async def get_conversation(*, session: AsyncSession, conversation_id: str) -> Conversation:
    """The conversation, or NotFound (the seed's "Conversation not found"); an id that could not be ours is not."""
    if CONVERSATION_ID_RE.match(conversation_id):
        found = await store.get_conversation(session=session, conversation_id=conversation_id)
        if found is not None:
            return found
    raise not_found(conversation_id)


async def start_chat(
    ctx: AppContext,
    *,
    session: AsyncSession,
    message: str,
    conversation_id: str | None,
    context: dict[str, Any] | None,
) -> Started:
    settings = ctx.settings.chat
    if not message.strip():
        raise ValidationFailed(
            "Message is required (`message` must not be empty).",
            details=[{"field": "message", "problem": "must not be empty"}],
        )
    limit = settings.max_message_chars
    if len(message) > limit:
        raise TooLarge(
            f"The message is longer than the {limit:,} character limit.",
            details=[{"field": "message", "problem": f"must be at most {limit} characters"}],
        )
    conversation = None
    if conversation_id is not None:
        conversation = await store.get_conversation(session=session, conversation_id=conversation_id)
    if conversation is None:
        try:
            async with session.begin_nested():
                conversation = await store.create_conversation(
                    session=session, title=title_from(message), conversation_id=conversation_id
                )
        except IntegrityError:  # the same new id, started by another request a moment ago
            conversation = await store.get_conversation(session=session, conversation_id=conversation_id or "")
            if conversation is None:
                raise
    question = await store.add_message(session=session, conversation=conversation, role="user", content=message)
    reply = await store.add_message(
        session=session, conversation=conversation, role="assistant", content="", status="streaming",
        provider=settings.provider,
    )  # fmt: skip
    earlier = await store.history(
        session=session,
        conversation_id=conversation.id,
        limit=max(settings.max_history - 1, 0),
        before=question.position,
    )
    await session.commit()

    queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
    turn = Turn(ctx=ctx, message=message, history=earlier, context=context)
    answer = Answer(ctx, message_id=reply.id, provider=settings.provider, turn=turn, emit=queue.put_nowait)
    task = start_answer(ctx, answer)
    renderer = ctx.extras.get(MESSAGE_RENDERER)
    first = {
        "type": "start",
        "conversationId": conversation.id,
        "messageId": reply.id,
        "userMessageId": question.id,
        "title": conversation.title,
        "provider": settings.provider,
        # The two messages as the page shows them (the server's partial): the question, and the answer to come.
        "userHtml": renderer.message(message_public(question)) if renderer else None,
        "answerHtml": renderer.message(message_public(reply)) if renderer else None,
    }
    return Started(first, ChatSource(queue, task))


async def list_conversations(*, session: AsyncSession) -> dict[str, Any]:
    rows = await store.list_conversations(session=session)
    return {"conversations": [conversation_public(c, message_count=n) for c, n in rows]}


async def conversation_detail(ctx: AppContext, *, session: AsyncSession, conversation: Conversation) -> dict[str, Any]:
    """The conversation with its messages (a `streaming` one nobody writes any more reads `interrupted`)."""
    live = set(state_of(ctx).active)
    messages = await store.messages_of(session=session, conversation_id=conversation.id)
    return {
        **conversation_public(conversation, message_count=len(messages)),
        "messages": [message_public(m, live=m.id in live) for m in messages],
    }


async def rename(*, session: AsyncSession, conversation: Conversation, title: str) -> dict[str, Any]:
    await store.rename(session=session, conversation=conversation, title=title)
    await session.commit()
    return conversation_public(conversation)


async def delete(ctx: AppContext, *, session: AsyncSession, conversation: Conversation) -> str:
    """Delete a conversation and its messages; an answer still streaming into it is stopped first."""
    state = state_of(ctx)
    for message in await store.messages_of(session=session, conversation_id=conversation.id):
        task = state.active.get(message.id)
        if task is not None:
            task.cancel()
    deleted = conversation.id
    await store.remove(session=session, conversation=conversation)
    await session.commit()
    return deleted


async def messages_of(ctx: AppContext, *, session: AsyncSession, conversation: Conversation) -> list[dict[str, Any]]:
    live = set(state_of(ctx).active)
    return [
        message_public(m, live=m.id in live)
        for m in await store.messages_of(session=session, conversation_id=conversation.id)
    ]


async def page_view(ctx: AppContext, *, session: AsyncSession, conversation_id: str | None) -> dict[str, Any]:
    """The chat page's data: every conversation, and the chosen one with its messages (live ones marked)."""
    rows = await store.list_conversations(session=session)
    conversations = [conversation_public(conversation, message_count=n) for conversation, n in rows]
    current = None
    messages: list[dict[str, Any]] = []
    if conversation_id and CONVERSATION_ID_RE.match(conversation_id):
        found = await store.get_conversation(session=session, conversation_id=conversation_id)
        if found is not None:
            current = conversation_public(found)
            messages = await messages_of(ctx, session=session, conversation=found)
    return {"conversations": conversations, "current": current, "messages": messages}


async def stored_messages(*, session: AsyncSession, conversation: Conversation) -> list[Message]:
    """The rows themselves, for the export."""
    return await store.messages_of(session=session, conversation_id=conversation.id)
