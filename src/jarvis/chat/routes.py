"""Chat JSON API: `POST /api/chat` answers as SSE; conversations are listed, read, renamed,
exported and deleted under `/api/chat/{id}`."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from sse_starlette.sse import EventSourceResponse
from starlette.responses import Response

from jarvis.chat import export, service
from jarvis.chat.models import Conversation
from jarvis.chat.providers import Turn
from jarvis.chat.schemas import ChatCreate, ConversationUpdate, conversation_public, message_public, title_from
from jarvis.chat.state import state_of
from jarvis.chat.stream import Answer, relay, start_answer
from jarvis.core.auth import require
from jarvis.core.context import AppContext
from jarvis.core.db import SessionDep
from jarvis.core.errors import NotFound, TooLarge, ValidationFailed
from jarvis.core.jsonresp import JSONBytes, dumps, ok

router = APIRouter(tags=["chat"])


def _ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


async def _conversation(conversation_id: str, session: SessionDep) -> Conversation:
    """Lookup-and-404 for every `/api/chat/{conversation_id}` route."""
    found = await service.get_conversation(session=session, conversation_id=conversation_id[:64])
    if found is None:
        raise NotFound(
            f"No conversation {conversation_id!r}.", details=[{"field": "conversation_id", "problem": "not found"}]
        )
    return found


ConversationDep = Annotated[Conversation, Depends(_conversation)]


@router.post("/api/chat", dependencies=[require("chat")], response_model=None)
async def chat(body: ChatCreate, request: Request, session: SessionDep) -> EventSourceResponse:
    """Answer `message` as SSE: `start`, then `token`s and `tool` steps, then `complete` (or `error`).
    Every event's data is JSON with a `type`. The user's message is stored before the provider is asked."""
    ctx = _ctx(request)
    settings = ctx.settings.chat
    if not body.message.strip():
        raise ValidationFailed("Message is required", details=[{"field": "message", "problem": "must not be empty"}])
    limit = settings.max_message_chars
    if len(body.message) > limit:
        raise TooLarge(
            f"The message is longer than the {limit:,} character limit.",
            details=[{"field": "message", "problem": f"must be at most {limit} characters"}],
        )
    if body.conversationId is not None:
        found = await service.get_conversation(session=session, conversation_id=body.conversationId)
        if found is None:
            raise NotFound(
                f"No conversation {body.conversationId!r}.",
                details=[{"field": "conversationId", "problem": "not found"}],
            )
        conversation = found
    else:
        conversation = await service.create_conversation(session=session, title=title_from(body.message))
    question = await service.add_message(session=session, conversation=conversation, role="user", content=body.message)
    reply = await service.add_message(
        session=session, conversation=conversation, role="assistant", content="", status="streaming",
        provider=settings.provider,
    )  # fmt: skip
    earlier = await service.history(
        session=session,
        conversation_id=conversation.id,
        limit=max(settings.max_history - 1, 0),
        before=question.position,
    )
    await session.commit()

    queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
    turn = Turn(ctx=ctx, message=body.message, history=earlier, context=body.context)
    answer = Answer(ctx, message_id=reply.id, provider=settings.provider, turn=turn, emit=queue.put_nowait)
    task = start_answer(ctx, answer)
    first = {
        "type": "start",
        "conversationId": conversation.id,
        "messageId": reply.id,
        "userMessageId": question.id,
        "title": conversation.title,
        "provider": settings.provider,
    }
    return EventSourceResponse(
        relay(queue, task, first),
        ping=15,
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/api/chat", dependencies=[require("chat")])
async def list_conversations(session: SessionDep) -> Response:
    """Conversations, most recently active first."""
    rows = await service.list_conversations(session=session)
    return ok({"conversations": [conversation_public(c, message_count=n) for c, n in rows]})


@router.get("/api/chat/{conversation_id}", dependencies=[require("chat")])
async def get_conversation(conversation: ConversationDep, request: Request, session: SessionDep) -> Response:
    """One conversation with its messages (content, server-rendered `html`, status, tool steps)."""
    live = set(state_of(_ctx(request)).active)
    messages = await service.messages_of(session=session, conversation_id=conversation.id)
    return ok(
        {
            **conversation_public(conversation, message_count=len(messages)),
            "messages": [message_public(m, live=m.id in live) for m in messages],
        }
    )


@router.patch("/api/chat/{conversation_id}", dependencies=[require("chat")])
async def rename_conversation(body: ConversationUpdate, conversation: ConversationDep, session: SessionDep) -> Response:
    """Rename: `{"title": "…"}` (1–200 characters, whitespace collapsed)."""
    await service.rename(session=session, conversation=conversation, title=body.title)
    await session.commit()
    return ok(conversation_public(conversation))


@router.delete("/api/chat/{conversation_id}", dependencies=[require("chat")])
async def delete_conversation(conversation: ConversationDep, request: Request, session: SessionDep) -> Response:
    """Delete a conversation and its messages (an answer still streaming into it is stopped)."""
    messages = await service.messages_of(session=session, conversation_id=conversation.id)
    state = state_of(_ctx(request))
    for message in messages:
        task = state.active.get(message.id)
        if task is not None:
            task.cancel()
    await service.remove(session=session, conversation=conversation)
    await session.commit()
    return ok({"deleted": conversation.id})


@router.get("/api/chat/{conversation_id}/export", dependencies=[require("chat")])
async def export_conversation(
    conversation: ConversationDep,
    request: Request,
    session: SessionDep,
    format: Annotated[Literal["md", "json"], Query(description="md or json")] = "md",  # noqa: A002
) -> Response:
    """Download the conversation as Markdown (`format=md`) or JSON (`format=json`)."""
    messages = await service.messages_of(session=session, conversation_id=conversation.id)
    name = export.filename(conversation, format)
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if format == "json":
        live = set(state_of(_ctx(request)).active)
        return JSONBytes(dumps(export.as_json(conversation, messages, live=live)), headers=headers)
    text = export.as_markdown(conversation, messages)
    return Response(text, media_type="text/markdown; charset=utf-8", headers=headers)
