"""`/chat`: the conversation list, the chosen conversation's messages (rendered here, with the
same sanitised HTML the API sends) and the input. chat.js takes over from there.

The message partial (`chat/_message.html`) is the one renderer of a message: the page's first
response, `/chat/{id}/messages` (switching conversations) and the chat stream (`start`, `tool`,
`complete` carry its HTML, through `MESSAGE_RENDERER`) all use it, so chat.js builds no message itself.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import HTMLResponse, Response

from jarvis.chat import service
from jarvis.chat.schemas import MessageRenderer
from jarvis.core.auth import require
from jarvis.core.context import CtxDep
from jarvis.core.db import SessionDep
from jarvis.web.templating import render, templates

router = APIRouter(include_in_schema=False, dependencies=[require("chat")])


class PartialRenderer:
    """`chat.render.MessageRenderer` over the page's partials."""

    def message(self, public: dict[str, Any]) -> str:
        return templates.env.get_template("chat/_message.html").render(m=public)

    def tool(self, step: dict[str, Any]) -> str:
        return templates.env.get_template("chat/_tool.html").render(t=step)


RENDERER: MessageRenderer = PartialRenderer()


@router.get("/chat", response_class=HTMLResponse)
async def chat_page(
    request: Request, ctx: CtxDep, session: SessionDep, c: Annotated[str | None, Query(max_length=128)] = None
) -> Response:
    page = await service.page_view(ctx, session=session, conversation_id=c)
    context = {
        "nav": "chat",
        "page": "chat",
        **page,
        "provider": ctx.settings.chat.provider,
        "max_chars": ctx.settings.chat.max_message_chars,
    }
    return render(request, "chat/index.html", context)


@router.get("/chat/{conversation_id}/messages", response_class=HTMLResponse)
async def messages_fragment(
    request: Request, ctx: CtxDep, session: SessionDep, conversation_id: Annotated[str, Path(max_length=200)]
) -> Response:
    """A conversation's messages as the page shows them (the page swaps them in when switching)."""
    conversation = await service.get_conversation(session=session, conversation_id=conversation_id)
    messages = await service.messages_of(ctx, session=session, conversation=conversation)
    response: HTMLResponse = templates.TemplateResponse(request, "chat/_messages.html", {"messages": messages})
    response.headers["cache-control"] = "no-store"
    return response
