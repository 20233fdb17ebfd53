"""The original control plane's AI brain (`POST {JARVIS_API_URL}/api/v1/execute`), so existing
installations keep their brain. It answers in one piece; we stream it word by word."""

from __future__ import annotations

from collections.abc import AsyncIterator

import orjson

from jarvis.chat.providers.base import Chunk, ProviderError, Token, Turn, api_key, status_reason, words
from jarvis.core.http import fetch


class JarvisProvider:
    name = "jarvis"

    async def stream(self, turn: Turn) -> AsyncIterator[Chunk]:
        settings = turn.ctx.settings
        base = settings.chat.base_url or settings.upstream.jarvis_api_url
        if not base:
            raise ProviderError("no control plane URL (JARVIS_API_URL or chat.base_url)")
        headers = {"content-type": "application/json"}
        token = api_key(settings.upstream.jarvis_auth_token_env)
        if token:
            headers["authorization"] = f"Bearer {token}"
        body = {
            "module": "ai-brain",
            "action": "chat",
            "params": {"message": turn.message, "conversationHistory": turn.history, "context": turn.context or {}},
        }
        result = await fetch(
            turn.ctx.http,
            "POST",
            base.rstrip("/") + "/api/v1/execute",
            headers=headers,
            json=body,
            timeout_s=settings.chat.timeout_s,
            max_bytes=settings.http.max_body_bytes,
            attempts=1,
            retry_5xx=False,
        )
        if result.error:
            raise ProviderError(result.error)
        if result.status is None or result.status >= 400:
            raise ProviderError(status_reason(result.status or 0))
        try:
            document = orjson.loads(result.body)
            answer = document["data"]["response"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            raise ProviderError("the control plane's answer had no data.response") from None
        if not isinstance(answer, str) or not answer.strip():
            raise ProviderError("the control plane answered with an empty response")
        for piece in words(answer):
            yield Token(piece)
