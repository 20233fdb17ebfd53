"""Anthropic's Messages API, streamed: text deltas become tokens; `tool_use` blocks (their input
arrives as `input_json_delta` fragments) are run against the dashboard and answered with `tool_result`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from jarvis.chat.providers.base import Chunk, ProviderError, Token, Turn, model_key, status_reason, system_prompt
from jarvis.chat.state import state_of
from jarvis.chat.tools import SPECS, parse_arguments, run_tool

DEFAULT_KEY_ENV = "ANTHROPIC_API_KEY"


def tool_definitions() -> list[dict[str, Any]]:
    return [{"name": s.name, "description": s.description, "input_schema": s.parameters} for s in SPECS]


def describe(exc: BaseException) -> str:
    import anthropic

    if isinstance(exc, anthropic.APITimeoutError):
        return "timed out"
    if isinstance(exc, anthropic.APIConnectionError):
        return "connection refused or unreachable"
    if isinstance(exc, anthropic.APIStatusError):
        return status_reason(exc.status_code)
    return f"{type(exc).__name__}: {exc}"[:300]


class AnthropicProvider:
    name = "anthropic"

    async def stream(self, turn: Turn) -> AsyncIterator[Chunk]:
        import anthropic

        settings = turn.ctx.settings.chat
        env_name = settings.api_key_env if settings.api_key_env != "OPENAI_API_KEY" else DEFAULT_KEY_ENV
        key = model_key(settings, env_name)
        client = state_of(turn.ctx).client(
            ("anthropic", settings.base_url, key, settings.timeout_s),
            lambda: anthropic.AsyncAnthropic(
                api_key=key or "not-needed",
                base_url=settings.base_url or None,
                timeout=settings.timeout_s,
                max_retries=0,
            ),
        )
        messages: list[dict[str, Any]] = [{"role": m["role"], "content": m["content"]} for m in turn.history]
        messages.append({"role": "user", "content": turn.message})
        for round_number in range(settings.max_tool_rounds + 1):
            offer_tools = round_number < settings.max_tool_rounds
            blocks: dict[int, dict[str, Any]] = {}
            try:
                stream = await client.messages.create(
                    model=settings.model,
                    system=system_prompt(turn),
                    messages=messages,
                    max_tokens=settings.max_tokens,
                    stream=True,
                    **({"tools": tool_definitions()} if offer_tools else {}),
                )
                async with stream:
                    async for event in stream:
                        kind = event.type
                        if kind == "content_block_start":
                            block = event.content_block
                            if block.type == "tool_use":
                                blocks[event.index] = {
                                    "type": "tool_use",
                                    "id": block.id,
                                    "name": block.name,
                                    "json": "",
                                }
                            elif block.type == "text":
                                blocks[event.index] = {"type": "text", "text": ""}
                        elif kind == "content_block_delta":
                            delta = event.delta
                            slot = blocks.setdefault(event.index, {"type": "text", "text": ""})
                            if delta.type == "text_delta" and delta.text:
                                slot["text"] = slot.get("text", "") + delta.text
                                yield Token(delta.text)
                            elif delta.type == "input_json_delta":
                                slot["json"] = slot.get("json", "") + delta.partial_json
            except Exception as exc:  # the boundary with a remote service: any failure is reported, not raised
                raise ProviderError(describe(exc)) from exc
            uses = [blocks[i] for i in sorted(blocks) if blocks[i]["type"] == "tool_use"]
            if not uses:
                return
            content: list[dict[str, Any]] = []
            for i in sorted(blocks):
                block = blocks[i]
                if block["type"] == "text" and block.get("text"):
                    content.append({"type": "text", "text": block["text"]})
                elif block["type"] == "tool_use":
                    arguments = parse_arguments(block["json"]) or {}
                    content.append({"type": "tool_use", "id": block["id"], "name": block["name"], "input": arguments})
            messages.append({"role": "assistant", "content": content})
            results: list[dict[str, Any]] = []
            for use in uses:
                step, result = await run_tool(turn.ctx, use["id"], use["name"], use["json"])
                yield step
                results.append(
                    {"type": "tool_result", "tool_use_id": use["id"], "content": result, "is_error": not step.ok}
                )
            messages.append({"role": "user", "content": results})
