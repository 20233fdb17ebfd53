"""What every provider is given and what it yields."""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson

from jarvis.chat.tools import ToolStep
from jarvis.core import clock
from jarvis.core.context import AppContext
from jarvis.settings import ChatSettings


@dataclass(frozen=True, slots=True)
class Token:
    text: str


Chunk = Token | ToolStep


@dataclass(slots=True)
class Turn:
    """One answer to produce: the new message, the earlier ones (oldest first) and the page context."""

    ctx: AppContext
    message: str
    history: list[dict[str, str]] = field(default_factory=list)  # [{"role": "user"|"assistant", "content"}]
    context: dict[str, Any] | None = None


class ProviderError(Exception):
    """The provider could not answer; `reason` is short and names the failure for the person."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Provider(Protocol):
    name: str

    def stream(self, turn: Turn) -> AsyncIterator[Chunk]: ...


SYSTEM_PROMPT = (
    "You are Jarvis, the operations copilot of a self-hosted dashboard for a fleet of AI coding agents, "
    "their services and the business around them. Answer from the live data: call the tools to read it, "
    "never invent a figure (say it is unknown instead), and be brief. Link to pages with Markdown links: "
    "/services/<name> for a service, /instances/<id> for an agent, / for the dashboard. Current time: {now}."
)


def system_prompt(turn: Turn) -> str:
    text = SYSTEM_PROMPT.format(now=clock.iso(clock.now()))
    if turn.context:
        context = orjson.dumps(turn.context, default=str).decode()[:2000]
        text += f"\nThe user is looking at: {context}"
    return text


def api_key(env_name: str) -> str | None:
    value = os.environ.get(env_name, "").strip() if env_name else ""
    return value or None


def model_key(settings: ChatSettings, env_name: str) -> str | None:
    """The key for a model provider, after checking what it cannot start without: a key (unless a
    local `base_url` needs none) and a model."""
    key = api_key(env_name)
    if key is None and not settings.base_url:
        raise ProviderError(f"no API key in the environment variable {env_name}")
    if not settings.model:
        raise ProviderError("no model is configured (chat.model)")
    return key


_WORDS = re.compile(r"\S+\s*|\s+")


def words(text: str) -> list[str]:
    """Split an answer into the pieces streamed one by one (each word with its trailing space)."""
    return _WORDS.findall(text)


def status_reason(status: int) -> str:
    if status in (401, 403):
        return f"the API key was rejected (HTTP {status})"
    if status == 404:
        return "HTTP 404: check the base URL and the model name"
    if status == 429:
        return "rate limited (HTTP 429)"
    return f"HTTP {status}"
