"""Any OpenAI-compatible chat-completions endpoint (OpenAI, Ollama, vLLM, llama.cpp, LM Studio).

Streams with tool-call deltas: content deltas become tokens at once; tool-call fragments are
assembled by index, run against the dashboard, and the conversation continues with their results.
A provider's error event in the middle of a stream (`data: {"error": …}`) ends the answer there.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import orjson

from jarvis.chat.providers.base import Chunk, ProviderError, Token, Turn, model_key, status_reason, system_prompt
from jarvis.chat.state import state_of
from jarvis.chat.tools import SPECS, run_tool


def tool_definitions() -> list[dict[str, Any]]:
    return [
        {"type": "function", "function": {"name": s.name, "description": s.description, "parameters": s.parameters}}
        for s in SPECS
    ]


def describe(exc: BaseException) -> str:
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return "timed out"
    if isinstance(exc, openai.APIConnectionError):
        return "connection refused or unreachable"
    if isinstance(exc, openai.APIStatusError):
        return status_reason(exc.status_code)
    return f"{type(exc).__name__}: {exc}"[:300]


async def _chunks(client: Any, request: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
    """The stream's chunks as plain dicts. The SDK sends the request (auth, base URL, errors as
    exceptions); the `data:` lines are parsed here with orjson, because building the SDK's typed
    chunk objects costs a few hundred microseconds a token, which 50 concurrent streams notice."""
    async with client.chat.completions.with_streaming_response.create(stream=True, **request) as response:
        async for line in response.iter_lines():
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                return
            chunk = orjson.loads(data)
            if not isinstance(chunk, dict):
                continue
            if chunk.get("error"):
                error = chunk["error"]
                message = error.get("message") if isinstance(error, dict) else error
                raise ProviderError(f"the provider reported an error: {str(message)[:200]}")
            yield chunk


class OpenAIProvider:
    name = "openai"

    async def stream(self, turn: Turn) -> AsyncIterator[Chunk]:
        import openai

        settings = turn.ctx.settings.chat
        key = model_key(settings, settings.api_key_env)
        client = state_of(turn.ctx).client(
            ("openai", settings.base_url, key, settings.timeout_s),
            lambda: openai.AsyncOpenAI(
                api_key=key or "not-needed",
                base_url=settings.base_url or None,
                timeout=settings.timeout_s,
                max_retries=0,
            ),
        )
        messages: list[dict[str, Any]] = [{"role": "system", "content": system_prompt(turn)}]
        messages += [{"role": m["role"], "content": m["content"]} for m in turn.history]
        messages.append({"role": "user", "content": turn.message})
        for round_number in range(settings.max_tool_rounds + 1):
            offer_tools = round_number < settings.max_tool_rounds
            calls: dict[int, dict[str, str]] = {}
            text: list[str] = []
            try:
                request = {"model": settings.model, "messages": messages, "max_tokens": settings.max_tokens}
                if offer_tools:
                    request["tools"] = tool_definitions()
                async for chunk in _chunks(client, request):
                    choices = chunk.get("choices") or []
                    if not choices:
                        continue
                    delta = choices[0].get("delta") or {}
                    content = delta.get("content")
                    if content:
                        text.append(content)
                        yield Token(content)
                    for call in delta.get("tool_calls") or []:
                        slot = calls.setdefault(int(call.get("index", 0)), {"id": "", "name": "", "arguments": ""})
                        slot["id"] = call.get("id") or slot["id"]
                        function = call.get("function") or {}
                        slot["name"] += function.get("name") or ""
                        slot["arguments"] += function.get("arguments") or ""
            except ProviderError:
                raise
            except Exception as exc:  # the boundary with a remote service: any failure is reported, not raised
                raise ProviderError(describe(exc)) from exc
            if not calls:
                return
            ordered = [calls[index] for index in sorted(calls)]
            messages.append(
                {
                    "role": "assistant",
                    "content": "".join(text) or None,
                    "tool_calls": [
                        {
                            "id": c["id"] or f"call_{i}",
                            "type": "function",
                            "function": {"name": c["name"], "arguments": c["arguments"] or "{}"},
                        }
                        for i, c in enumerate(ordered)
                    ],
                }
            )
            for i, call in enumerate(ordered):
                step, result = await run_tool(turn.ctx, call["id"] or f"call_{i}", call["name"], call["arguments"])
                yield step
                messages.append({"role": "tool", "tool_call_id": step.id, "content": result})
