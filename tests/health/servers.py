"""A misbehaving HTTP peer for the health tests, on 127.0.0.1 port 0, speaking raw HTTP/1.1.

Paths: /ok, /slow (300 ms), /error (500), /hang (never answers), /redirect (to itself), /to/<url> (to it),
/huge (claims 2 GB and streams until cut off), /garbage (not HTTP), /json, /degraded (207),
/flaky/<key> (500 on the first call per key, then 200), /auth (200 only with the bearer token),
/cp/health and /cp207/health (the original control plane, healthy with the token / degraded).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter

import orjson

TOKEN = "s3cret-token"


class Peer:
    def __init__(self) -> None:
        self.server: asyncio.Server | None = None
        self.port = 0
        self.calls: Counter[str] = Counter()
        self._writers: set[asyncio.StreamWriter] = set()
        self._closing = asyncio.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> Peer:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        self._closing.set()  # hanging handlers end cleanly instead of being cancelled at loop close
        for writer in list(self._writers):
            writer.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.server.wait_closed(), 2)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            request_line, *header_lines = head.decode("latin-1").split("\r\n")
            path = request_line.split(" ")[1]
            headers = {
                k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in header_lines if line)
            }
            self.calls[path] += 1
            await self._answer(path, headers, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _answer(self, path: str, headers: dict[str, str], writer: asyncio.StreamWriter) -> None:
        if path == "/ok":
            self._send(writer, 200, b'{"status": "ok"}')
        elif path == "/slow":
            await asyncio.sleep(0.3)
            self._send(writer, 200, b"ok")
        elif path == "/error":
            self._send(writer, 500, b"boom")
        elif path == "/hang":
            await self._closing.wait()
        elif path == "/redirect":
            self._send(writer, 302, b"", extra=b"Location: /redirect\r\n")
        elif path.startswith("/to/"):  # a redirect to any URL: /to/http://host:port/path
            self._send(writer, 302, b"", extra=f"Location: {path[4:]}\r\n".encode())
        elif path == "/huge":
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2147483648\r\nConnection: close\r\n\r\n")
            chunk = b"x" * 65536
            for _ in range(32768):  # 2 GB at most; the client hangs up long before
                writer.write(chunk)
                await writer.drain()
        elif path == "/garbage":
            writer.write(b"\x00\x01 this is not HTTP\r\n\r\n")
        elif path == "/json":
            self._send(writer, 200, orjson.dumps({"status": "ok", "data": {"items": [{"state": "up"}]}}))
        elif path == "/degraded":
            self._send(writer, 207, b'{"overall": "degraded"}')
        elif path.startswith("/flaky/"):
            self._send(writer, 500 if self.calls[path] == 1 else 200, b"ok")
        elif path == "/cp/health":  # the original control plane: bearer token required
            good = headers.get("authorization") == f"Bearer {TOKEN}"
            self._send(writer, 200 if good else 401, b'{"status": "healthy"}')
        elif path == "/cp207/health":
            self._send(writer, 207, b'{"overall": "degraded"}')
        elif path == "/auth":
            good = headers.get("authorization") == f"Bearer {TOKEN}"
            self._send(writer, 200 if good else 401, b"ok" if good else b"no")
        else:
            self._send(writer, 404, b"unknown")
        await writer.drain()

    @staticmethod
    def _send(writer: asyncio.StreamWriter, status: int, body: bytes, extra: bytes = b"") -> None:
        writer.write(
            b"HTTP/1.1 %d X\r\nContent-Length: %d\r\nConnection: close\r\n%s\r\n%s" % (status, len(body), extra, body)
        )
