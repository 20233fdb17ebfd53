"""`/chat`: the conversation list, the chosen conversation's messages (rendered here, with the
same sanitised HTML the API sends) and the input. chat.js takes over from there."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import HTMLResponse, Response

from jarvis.chat import service
from jarvis.core.auth import require
from jarvis.core.context import CtxDep
from jarvis.core.db import SessionDep
from jarvis.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[require("chat")])


@router.get("/chat", response_class=HTMLResponse)
async def chat_page(
    request: Request, ctx: CtxDep, session: SessionDep, c: Annotated[str | None, Query(max_length=64)] = None
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
