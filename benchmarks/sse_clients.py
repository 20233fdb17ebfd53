"""Load generator for the SSE fan-out benchmarks (runs in its own process, on its own core).

Opens N clients of the dashboard page's stream (/api/stream), then changes one instance every
`interval` seconds, writing the send time into its current task (a heartbeat) or its last prompt (a
Claude Code hook event, mode `hook`); each client notes when that change reaches it. Prints JSON results.

    python -m benchmarks.sse_clients URL CLIENTS SECONDS [heartbeat|hook] [INTERVAL_S]
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx
import uvloop

MARK = re.compile(rb'"(?:current_task|last_prompt)":"sent=([0-9.]+)"')
TAIL = 64  # a mark split across two reads is found in the previous read's tail plus this one


class StreamClient(asyncio.Protocol):
    """One stream connection; a Protocol (no stream reader, no buffer growth) so that the
    load generator spends as little as possible per event and measures the server, not itself."""

    def __init__(self, on_snapshot: Callable[[], None], latencies: list[float]) -> None:
        self.on_snapshot = on_snapshot
        self.latencies = latencies
        self.got_snapshot = False
        self.tail = b""
        self.seen: set[bytes] = set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport.write(  # type: ignore[attr-defined]
            b"GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
        )

    def data_received(self, data: bytes) -> None:
        now = time.time()
        window = self.tail + data
        self.tail = data[-TAIL:]
        if not self.got_snapshot and b"dashboard.snapshot" in window:
            self.got_snapshot = True
            self.on_snapshot()
        for sent in MARK.findall(window):
            if sent not in self.seen:
                self.seen.add(sent)
                self.latencies.append((now - float(sent)) * 1000)


async def change(http: httpx.AsyncClient, mode: str) -> None:
    mark = f"sent={time.time()}"
    if mode == "hook":
        payload = {
            "session_id": "bench-session",
            "hook_event_name": "UserPromptSubmit",
            "prompt": mark,
            "cwd": "/srv/b",
        }
        await http.post("/api/hooks/claude-code", json=payload)
    else:
        await http.post("/api/instances/bench-agent/heartbeat", json={"status": "active", "current_task": mark})


async def main(url: str, clients: int, seconds: int, mode: str = "heartbeat", interval: float = 1.0) -> None:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    ready = asyncio.Event()
    counter = [0, clients]
    latencies: list[float] = []
    loop = asyncio.get_running_loop()

    def on_snapshot() -> None:
        counter[0] += 1
        if counter[0] == counter[1]:
            ready.set()

    transports = []
    for _ in range(clients):
        transport, _protocol = await loop.create_connection(lambda: StreamClient(on_snapshot, latencies), host, port)
        transports.append(transport)
        await asyncio.sleep(0.001)
    await asyncio.wait_for(ready.wait(), 60)
    sent = 0
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        for _ in range(int(seconds / interval)):
            await change(http, mode)
            sent += 1
            await asyncio.sleep(interval)
        await asyncio.sleep(1.5)
    for transport in transports:
        transport.close()
    latencies.sort()
    result = {
        "connected": counter[0],
        "changes": sent,
        "deliveries": len(latencies),
        "expected": sent * clients,
        "p50_ms": latencies[len(latencies) // 2] if latencies else None,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else None,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    extra = sys.argv[4:]
    uvloop.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), *(extra[:1]), *[float(v) for v in extra[1:2]]))
