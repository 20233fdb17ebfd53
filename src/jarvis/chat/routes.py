"""Chat JSON API: `POST /api/chat` answers as SSE; conversations are listed, read, renamed,
exported and deleted under `/api/chat/{id}`. Routes translate HTTP; `service.py` does the work."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from jarvis.chat import export, service
from jarvis.chat.models import Conversation
from jarvis.chat.schemas import (
    ChatCreate,
    ConversationDeleted,
    ConversationDetail,
    ConversationList,
    ConversationPublic,
    ConversationUpdate,
)
from jarvis.chat.state import state_of
from jarvis.chat.stream import sse
from jarvis.core.apidocs import inline_schema
from jarvis.core.auth import require
from jarvis.core.context import CtxDep
from jarvis.core.db import SessionDep
from jarvis.core.envelope import Envelope, MessageEnvelope
from jarvis.core.errors import error_phrases
from jarvis.core.jsonresp import JSONBytes, dumps, ok
from jarvis.core.sse import OPENAPI_RESPONSE, EventStream

router = APIRouter(tags=["chat"])


async def _conversation(conversation_id: str, session: SessionDep) -> Conversation:
    """Lookup-and-404 for every `/api/chat/{conversation_id}` route."""
    return await service.get_conversation(session=session, conversation_id=conversation_id)


ConversationDep = Annotated[Conversation, Depends(_conversation)]


@router.post(
    "/api/chat",
    dependencies=[require("chat")],
    response_class=Response,
    responses=OPENAPI_RESPONSE,  # type: ignore[arg-type]
)
@error_phrases(message="Message is required", body="Message is required")
async def chat(body: ChatCreate, ctx: CtxDep, session: SessionDep) -> Response:
    """Answer `message` as SSE: `start` (with `conversationId`, `messageId`), then `token`s and `tool`
    steps, then `complete` (or `error`). Each event is one block `data: <json>` whose `type` names it.
    An unknown `conversationId` starts a conversation under that id. The user's message is stored
    before the provider is asked."""
    started = await service.start_chat(
        ctx, session=session, message=body.message, conversation_id=body.conversationId, context=body.context
    )
    return EventStream(started.source, [sse(started.first)])


@router.get("/api/chat", dependencies=[require("chat")], response_model=Envelope[ConversationList])
async def list_conversations(session: SessionDep) -> Response:
    """Conversations, most recently active first."""
    return ok(await service.list_conversations(session=session))


@router.get("/api/chat/{conversation_id}", dependencies=[require("chat")], response_model=Envelope[ConversationDetail])
async def get_conversation(conversation: ConversationDep, ctx: CtxDep, session: SessionDep) -> Response:
    """One conversation with its messages (content, server-rendered `html`, status, tool steps)."""
    return ok(await service.conversation_detail(ctx, session=session, conversation=conversation))


@router.patch(
    "/api/chat/{conversation_id}", dependencies=[require("chat")], response_model=Envelope[ConversationPublic]
)
async def rename_conversation(body: ConversationUpdate, conversation: ConversationDep, session: SessionDep) -> Response:
    """Rename: `{"title": "…"}` (1–200 characters, whitespace collapsed)."""
    return ok(await service.rename(session=session, conversation=conversation, title=body.title))


@router.delete(
    "/api/chat/{conversation_id}",
    dependencies=[require("chat")],
    response_model=MessageEnvelope[ConversationDeleted],
)
async def delete_conversation(conversation: ConversationDep, ctx: CtxDep, session: SessionDep) -> Response:
    """Delete a conversation and its messages (an answer still streaming into it is stopped)."""
    deleted = await service.delete(ctx, session=session, conversation=conversation)
    return ok({"deleted": deleted}, message="Conversation cleared")


@router.get(
    "/api/chat/{conversation_id}/export",
    dependencies=[require("chat")],
    response_class=Response,
    responses={
        200: {
            "description": "The conversation as a file",
            "content": {
                "text/markdown": {"schema": {"type": "string"}},
                "application/json": {"schema": inline_schema(ConversationDetail)},
            },
        }
    },
)
async def export_conversation(
    conversation: ConversationDep,
    ctx: CtxDep,
    session: SessionDep,
    format: Annotated[Literal["md", "json"], Query(description="md or json")] = "md",  # noqa: A002
) -> Response:
    """Download the conversation as Markdown (`format=md`) or JSON (`format=json`)."""
    messages = await service.stored_messages(session=session, conversation=conversation)
    name = export.filename(conversation, format)
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if format == "json":
        live = set(state_of(ctx).active)
        return JSONBytes(dumps(export.as_json(conversation, messages, live=live)), headers=headers)
    text = export.as_markdown(conversation, messages)
    return Response(text, media_type="text/markdown; charset=utf-8", headers=headers)
