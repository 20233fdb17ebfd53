"""A tiny HTTP server on 127.0.0.1, port 0, answering each GET with what the test set."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import orjson


@dataclass
class JsonServer:
    status: int = 200
    body: bytes = b"{}"
    requests: list[str] = field(default_factory=list)
    heads: list[str] = field(default_factory=list)
    server: asyncio.Server | None = None
    port: int = 0

    def answer(self, status: int, body: object) -> None:
        self.status = status
        self.body = body if isinstance(body, bytes) else orjson.dumps(body)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            self.requests.append(head.split(b"\r\n", 1)[0].decode())
            self.heads.append(head.decode().lower())
            writer.write(
                b"HTTP/1.1 %d X\r\ncontent-type: application/json\r\ncontent-length: %d\r\nconnection: close\r\n\r\n"
                % (self.status, len(self.body))
                + self.body
            )
            await writer.drain()
        finally:
            writer.close()

    async def __aenter__(self) -> JsonServer:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"
