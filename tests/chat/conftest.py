"""Chat test helpers: SSE parsing, apps with chat settings, live servers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from jarvis.app import create_app
from jarvis.settings import Settings
from tests.conftest import LiveServer, make_settings


def parse_sse(text: str) -> list[dict[str, Any]]:
    """Every event's JSON data, read as the seed's own clients read it: split on blank lines, and each
    block is exactly `data: <json>` (a block with another line first, or after, would break them)."""
    events: list[dict[str, Any]] = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        if not block or block.startswith(":"):  # the end, or a heartbeat comment
            continue
        assert block.startswith("data: ") and "\n" not in block, block
        data = json.loads(block[len("data: ") :])
        assert isinstance(data["type"], str)
        events.append(data)
    return events


def chat_settings(settings: Settings, **chat: Any) -> Settings:
    return settings.model_copy(update={"chat": settings.chat.model_copy(update=chat)})


@asynccontextmanager
async def app_client(settings: Settings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    application = create_app(settings, run_jobs=False, migrate=False)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            yield application, http


async def post_chat(client: httpx.AsyncClient, message: str, **extra: Any) -> list[dict[str, Any]]:
    response = await client.post("/api/chat", json={"message": message, **extra})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/event-stream"
    return parse_sse(response.text)


def answer_text(events: list[dict[str, Any]]) -> str:
    return "".join(e["content"] for e in events if e["type"] == "token")


@pytest.fixture
def sqlite_file(tmp_path: Path, sqlite_template: Path) -> str:
    import shutil

    target = tmp_path / "data" / "jarvis.db"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(sqlite_template, target)
    return f"sqlite+aiosqlite:///{target}"


def live(tmp_path: Path, database_url: str, **chat: Any) -> LiveServer:
    """A real uvicorn server (use with `with`) whose chat settings are `chat`."""
    settings = make_settings(tmp_path, database_url=database_url, chat=chat)
    return LiveServer(create_app(settings, migrate=False))
