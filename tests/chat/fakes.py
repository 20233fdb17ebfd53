"""Local model servers for the tests: real HTTP on 127.0.0.1 port 0, speaking each protocol's
streaming format (OpenAI chat-completion chunks, Anthropic Messages events), tool-call deltas
included. Each request takes the next scripted reply; what was asked is recorded."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from dataclasses import dataclass, field
from typing import Any, Literal

import uvicorn


@dataclass
class Reply:
    events: list[bytes] = field(default_factory=list)
    status: int = 200
    then: Literal["end", "hang", "drop"] = "end"
    gap_s: float = 0.0  # pause between events, so a stream is seen arriving
    hang_before: bool = False  # never send the headers (a timeout before the first token)
    body: bytes | None = None  # a plain JSON answer instead of a stream


def _chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
    body = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1764072000,
        "model": "test-model",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return b"data: " + json.dumps(body).encode() + b"\n\n"


def openai_text(tokens: list[str], *, finish: bool = True) -> list[bytes]:
    events = [_chunk({"role": "assistant", "content": ""})]
    events += [_chunk({"content": token}) for token in tokens]
    if finish:
        events += [_chunk({}, "stop"), b"data: [DONE]\n\n"]
    return events


def openai_tool_call(calls: list[tuple[str, str, list[str]]]) -> list[bytes]:
    """Tool calls as OpenAI streams them: id and name first, then the arguments in fragments."""
    events = [_chunk({"role": "assistant", "content": None})]
    for index, (call_id, name, fragments) in enumerate(calls):
        first = {"index": index, "id": call_id, "type": "function", "function": {"name": name, "arguments": ""}}
        events.append(_chunk({"tool_calls": [first]}))
        events += [_chunk({"tool_calls": [{"index": index, "function": {"arguments": f}}]}) for f in fragments]
    return [*events, _chunk({}, "tool_calls"), b"data: [DONE]\n\n"]


def _event(name: str, data: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()


def _message_start() -> bytes:
    message: dict[str, Any] = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "test-model",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 1},
    }
    return _event("message_start", {"type": "message_start", "message": message})


def _message_end(reason: str) -> list[bytes]:
    delta = {
        "type": "message_delta",
        "delta": {"stop_reason": reason, "stop_sequence": None},
        "usage": {"output_tokens": 5},
    }
    return [_event("message_delta", delta), _event("message_stop", {"type": "message_stop"})]


def anthropic_text(tokens: list[str], *, finish: bool = True) -> list[bytes]:
    events = [
        _message_start(),
        _event(
            "content_block_start",
            {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        ),
    ]
    for token in tokens:
        delta = {"type": "text_delta", "text": token}
        events.append(_event("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta}))
    if finish:
        events += [_event("content_block_stop", {"type": "content_block_stop", "index": 0}), *_message_end("end_turn")]
    return events


def anthropic_tool_use(preamble: str, call_id: str, name: str, fragments: list[str]) -> list[bytes]:
    events = anthropic_text([preamble], finish=False)
    events.append(_event("content_block_stop", {"type": "content_block_stop", "index": 0}))
    block = {"type": "tool_use", "id": call_id, "name": name, "input": {}}
    events.append(_event("content_block_start", {"type": "content_block_start", "index": 1, "content_block": block}))
    for fragment in fragments:
        delta = {"type": "input_json_delta", "partial_json": fragment}
        events.append(_event("content_block_delta", {"type": "content_block_delta", "index": 1, "delta": delta}))
    events.append(_event("content_block_stop", {"type": "content_block_stop", "index": 1}))
    return [*events, *_message_end("tool_use")]


class FakeModelServer:
    """A scripted streaming server in its own thread and event loop."""

    def __init__(self, replies: list[Reply]) -> None:
        self.replies = list(replies)
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.disconnected = threading.Event()
        self.first_token_sent_at: list[float] = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(self.app, log_config=None, access_log=False, lifespan="off", interface="asgi3")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    async def app(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        body = b""
        while True:
            message: dict[str, Any] = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        try:
            self.requests.append(json.loads(body or b"{}"))
        except ValueError:
            self.requests.append({"raw": body.decode(errors="replace")})
        self.headers.append({k.decode(): v.decode() for k, v in scope["headers"]})
        reply = self.replies.pop(0) if self.replies else Reply(openai_text(["ok"]))
        finished = False
        gone = asyncio.Event()  # this request's client went away

        async def watch() -> None:
            incoming = await receive()
            if incoming["type"] == "http.disconnect" and not finished:
                gone.set()
                if reply.hang_before or reply.then == "hang":  # only a hanging reply's cancellation counts
                    self.disconnected.set()

        watcher = asyncio.create_task(watch())
        try:
            if reply.hang_before:
                for _ in range(600):
                    if gone.is_set():
                        return
                    await asyncio.sleep(0.05)
                return
            if reply.body is not None:
                finished = True
                headers = [(b"content-type", b"application/json")]
                await send({"type": "http.response.start", "status": reply.status, "headers": headers})
                await send({"type": "http.response.body", "body": reply.body})
                return
            content_type = b"text/event-stream" if reply.status == 200 else b"application/json"
            await send(
                {"type": "http.response.start", "status": reply.status, "headers": [(b"content-type", content_type)]}
            )
            if reply.status != 200:
                error = {"type": "error", "error": {"type": "api_error", "message": "boom"}}
                finished = True
                await send({"type": "http.response.body", "body": json.dumps(error).encode()})
                return
            for index, event in enumerate(reply.events):
                if index == 1:
                    self.first_token_sent_at.append(asyncio.get_running_loop().time())
                await send({"type": "http.response.body", "body": event, "more_body": True})
                if reply.gap_s:
                    await asyncio.sleep(reply.gap_s)
            if reply.then == "drop":
                raise RuntimeError("connection dropped mid-stream (scripted)")
            if reply.then == "hang":
                for _ in range(1200):
                    if gone.is_set():
                        return
                    await send({"type": "http.response.body", "body": b": keep-alive\n\n", "more_body": True})
                    await asyncio.sleep(0.05)
            finished = True
            await send({"type": "http.response.body", "body": b""})
        finally:
            watcher.cancel()

    def __enter__(self) -> FakeModelServer:
        self.thread.start()
        for _ in range(500):
            if self.server.started:
                return self
            threading.Event().wait(0.01)
        raise RuntimeError("fake model server did not start")

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
