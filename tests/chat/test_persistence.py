"""Nothing said is lost: a client that goes away cancels the upstream request and the partial answer
is stored as interrupted; a server killed with SIGKILL mid-answer keeps the user's message and what
was already flushed."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from jarvis.chat import store
from jarvis.chat.models import Message
from jarvis.core.clock import FrozenClock
from jarvis.settings import Settings
from tests.chat.conftest import app_client, live
from tests.chat.fakes import FakeModelServer, Reply, openai_text
from tests.conftest import free_port, make_settings

TOKENS = ["Alpha ", "beta ", "gamma ", "delta "]


async def read_until_tokens(lines: AsyncIterator[str], count: int) -> tuple[dict[str, object], list[str]]:
    """Read events up to the `count`th token. Takes the line iterator (not the response) so the
    caller keeps it alive: an abandoned iterator closes the connection when collected."""
    start: dict[str, object] = {}
    tokens: list[str] = []
    while len(tokens) < count:
        line = await anext(lines)
        if not line.startswith("data:"):
            continue
        event = json.loads(line[5:])
        if event["type"] == "start":
            start = event
        elif event["type"] == "token":
            tokens.append(event["content"])
    return start, tokens


async def wait_for_status(client: httpx.AsyncClient, conversation_id: str, status: str) -> dict[str, object]:
    """Poll (bounded) until the answer leaves `streaming`."""
    for _ in range(200):
        messages = (await client.get(f"/api/chat/{conversation_id}")).json()["data"]["messages"]
        if messages[1]["status"] == status:
            return messages[1]  # type: ignore[no-any-return]
        await asyncio.sleep(0.05)
    raise AssertionError(f"the answer never became {status}: {messages[1]}")


async def test_client_disconnect_cancels_upstream_and_stores_the_partial(tmp_path: Path, sqlite_file: str) -> None:
    with FakeModelServer([Reply(openai_text(TOKENS[:2], finish=False), then="hang")]) as upstream:
        chat = {"provider": "openai", "model": "m", "base_url": f"{upstream.url}/v1", "flush_every_tokens": 1000}
        with live(tmp_path, sqlite_file, **chat) as server:
            async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
                async with client.stream("POST", "/api/chat", json={"message": "tell me a long story"}) as response:
                    lines = response.aiter_lines()
                    start, tokens = await read_until_tokens(lines, 2)
                # the client is gone: the upstream request must be cancelled ...
                assert await asyncio.to_thread(upstream.disconnected.wait, 10)
                # ... and the partial answer stored, marked interrupted
                stored = await wait_for_status(client, str(start["conversationId"]), "interrupted")
    assert tokens == TOKENS[:2]
    assert stored["content"] == "Alpha beta "
    assert stored["provider"] == "openai"


async def test_kill_9_mid_answer_keeps_the_question_and_the_flushed_partial(tmp_path: Path, sqlite_file: str) -> None:
    with FakeModelServer([Reply(openai_text(TOKENS, finish=False), then="hang")]) as upstream:
        port = free_port()
        env = {
            **os.environ,
            "JARVIS_DATABASE_URL": sqlite_file,
            "JARVIS_DATA_DIR": str(tmp_path / "data"),
            "JARVIS_CHAT__PROVIDER": "openai",
            "JARVIS_CHAT__MODEL": "m",
            "JARVIS_CHAT__BASE_URL": f"{upstream.url}/v1",
            "JARVIS_CHAT__FLUSH_EVERY_TOKENS": "1",
            "JARVIS_LOG_LEVEL": "warning",
        }
        command = [sys.executable, "-c", "from jarvis.cli import main; main()", "serve", "--port", str(port)]
        process = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
                for _ in range(300):  # bounded wait for the process to listen
                    try:
                        if (await client.get("/health")).status_code in (200, 503):
                            break
                    except httpx.TransportError:
                        await asyncio.sleep(0.05)
                async with client.stream("POST", "/api/chat", json={"message": "do not lose me"}) as response:
                    lines = response.aiter_lines()
                    start, tokens = await read_until_tokens(lines, 4)
                    # Wait (bounded) until the partial is stored, then kill the server mid-answer.
                    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as reader:
                        await wait_for_content(reader, str(start["conversationId"]), "".join(TOKENS))
                    process.send_signal(signal.SIGKILL)
                    process.wait(timeout=10)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
    assert tokens == TOKENS
    settings = make_settings(tmp_path, database_url=sqlite_file)
    async with app_client(settings) as (_, client):
        messages = (await client.get(f"/api/chat/{start['conversationId']}")).json()["data"]["messages"]
    assert messages[0]["content"] == "do not lose me" and messages[0]["status"] == "complete"
    assert messages[1]["content"] == "".join(TOKENS)  # the upstream never finished: a partial answer
    assert messages[1]["status"] == "interrupted"  # nobody is writing it any more


async def test_partials_are_written_while_streaming(tmp_path: Path, sqlite_file: str) -> None:
    """Time-based writes (batched across answers) store the partial text before the answer ends, even
    when the provider goes quiet: both tokens arrive at once, well within the interval, then nothing."""
    with FakeModelServer([Reply(openai_text(TOKENS[:2], finish=False), then="hang")]) as upstream:
        chat = {
            "provider": "openai",
            "model": "m",
            "base_url": f"{upstream.url}/v1",
            "flush_every_tokens": 1000,
            "flush_interval_s": 0.3,
        }
        with live(tmp_path, sqlite_file, **chat) as server:
            async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
                async with client.stream("POST", "/api/chat", json={"message": "go"}) as response:
                    lines = response.aiter_lines()
                    start, tokens = await read_until_tokens(lines, 2)
                    async with httpx.AsyncClient(base_url=server.url, timeout=10) as reader:
                        stored = await wait_for_content(reader, str(start["conversationId"]), "Alpha beta ")
    assert tokens == TOKENS[:2]
    assert stored["status"] == "streaming"  # still being written by the live answer


async def wait_for_content(client: httpx.AsyncClient, conversation_id: str, content: str) -> dict[str, object]:
    for _ in range(200):
        messages = (await client.get(f"/api/chat/{conversation_id}")).json()["data"]["messages"]
        if messages[1]["content"] == content:
            return messages[1]  # type: ignore[no-any-return]
        await asyncio.sleep(0.05)
    raise AssertionError(f"the partial answer was never stored: {messages[1]}")


async def test_recover_job_marks_answers_left_streaming_by_a_dead_process(
    settings: Settings, frozen_clock: FrozenClock
) -> None:
    async with app_client(settings) as (app, _):  # the process that died mid-answer
        async with app.state.ctx.db.sessions() as session:
            conversation = await store.create_conversation(session=session, title="t")
            await store.add_message(session=session, conversation=conversation, role="user", content="q")
            left = await store.add_message(
                session=session, conversation=conversation, role="assistant", content="half", status="streaming"
            )
            await session.commit()
    frozen_clock.advance(60)
    async with app_client(settings) as (app, client):  # the next start
        ctx = app.state.ctx
        async with ctx.db.sessions() as session:
            mine = await store.add_message(
                session=session, conversation=conversation, role="assistant", content="", status="streaming"
            )
            await session.commit()
        await ctx.runtime.run_once("chat-recover")
        async with ctx.db.sessions() as session:
            dead = await session.get(Message, left.id)
            current = await session.get(Message, mine.id)
        detail = (await client.get(f"/api/chat/{conversation.id}")).json()["data"]
    assert dead is not None and dead.status == "interrupted"
    assert current is not None and current.status == "streaming"  # this process's own answers are left alone
    assert detail["messages"][1]["status"] == "interrupted" and detail["messages"][1]["content"] == "half"
