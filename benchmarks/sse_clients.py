"""Load generator for the SSE fan-out benchmark (runs in its own process, on its own core).

Opens N stream clients, then changes one instance once a second, writing the send time into
its current task; each client notes when that change reaches it. Prints JSON results.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import time
from urllib.parse import urlsplit

import httpx

MARK = re.compile(rb'"current_task":"sent=([0-9.]+)"')


async def client(host: str, port: int, ready: asyncio.Event, counter: list[int], latencies: list[float]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(f"GET /api/dashboard/stream HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n".encode())
    await writer.drain()
    seen: set[bytes] = set()
    got_snapshot = False
    buffer = b""
    try:
        while True:
            chunk = await reader.read(65536)
            if not chunk:
                return
            now = time.time()
            buffer += chunk
            if not got_snapshot and b"dashboard.snapshot" in buffer:
                got_snapshot = True
                counter[0] += 1
                if counter[0] == counter[1]:
                    ready.set()
            *complete, buffer = buffer.split(b"\n\n")
            for event in complete:
                for sent in MARK.findall(event):
                    if sent not in seen:
                        seen.add(sent)
                        latencies.append((now - float(sent)) * 1000)
    finally:
        writer.close()


async def main(url: str, clients: int, seconds: int) -> None:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    ready = asyncio.Event()
    counter = [0, clients]
    latencies: list[float] = []
    tasks = []
    for _ in range(clients):
        tasks.append(asyncio.create_task(client(host, port, ready, counter, latencies)))
        await asyncio.sleep(0.001)
    await asyncio.wait_for(ready.wait(), 60)
    sent = 0
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        for _ in range(seconds):
            await http.post(
                "/api/instances/bench-agent/heartbeat", json={"status": "active", "current_task": f"sent={time.time()}"}
            )
            sent += 1
            await asyncio.sleep(1.0)
        await asyncio.sleep(1.5)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
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
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
