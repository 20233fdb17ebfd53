"""`/chat`: the conversation list, the chosen conversation's messages (rendered here, with the
same sanitised HTML the API sends) and the input. chat.js takes over from there."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import HTMLResponse, Response

from jarvis.chat import service
from jarvis.chat.schemas import conversation_public, message_public
from jarvis.chat.state import state_of
from jarvis.core.auth import require
from jarvis.core.context import AppContext
from jarvis.core.db import SessionDep
from jarvis.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[require("chat")])


@router.get("/chat", response_class=HTMLResponse)
async def chat_page(
    request: Request, session: SessionDep, c: Annotated[str | None, Query(max_length=64)] = None
) -> Response:
    ctx: AppContext = request.app.state.ctx
    rows = await service.list_conversations(session=session)
    conversations = [conversation_public(conversation, message_count=n) for conversation, n in rows]
    current = None
    messages = []
    if c:
        found = await service.get_conversation(session=session, conversation_id=c)
        if found is not None:
            current = conversation_public(found)
            live = set(state_of(ctx).active)
            stored = await service.messages_of(session=session, conversation_id=found.id)
            messages = [message_public(m, live=m.id in live) for m in stored]
    context = {
        "nav": "chat",
        "page": "chat",
        "conversations": conversations,
        "current": current,
        "messages": messages,
        "provider": ctx.settings.chat.provider,
        "max_chars": ctx.settings.chat.max_message_chars,
    }
    return render(request, "chat/index.html", context)
