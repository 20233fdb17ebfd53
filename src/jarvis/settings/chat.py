"""The chat copilot: provider, model and streaming limits."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from jarvis.settings.base import Section


class ChatSettings(Section):
    provider: Literal["builtin", "openai", "anthropic", "jarvis"] = "builtin"
    model: str = ""
    base_url: str = ""
    api_key_env: str = "OPENAI_API_KEY"
    timeout_s: float = Field(30.0, gt=0, le=600)
    max_history: int = Field(20, ge=1, le=500)
    max_message_chars: int = Field(32_000, ge=1)
    # Model providers only: answer length, tool rounds per answer, and how often a streaming
    # answer is written to the database (whichever comes first), so a crash loses at most that much.
    max_tokens: int = Field(1024, ge=1, le=200_000)
    max_tool_rounds: int = Field(4, ge=0, le=20)
    flush_interval_s: float = Field(0.5, gt=0, le=60)
    flush_every_tokens: int = Field(32, ge=1, le=10_000)
