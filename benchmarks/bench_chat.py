"""Chat benchmark (issue 5): builtin time to first token, the overhead we add to a provider's stream,
and the dashboard overview's p99 while 50 chats stream (against its idle p99, same run)."""

from __future__ import annotations

import asyncio
import json
import statistics
import threading
import time

import httpx
from tests.chat.fakes import FakeModelServer, Reply, openai_text

from benchmarks.common import jarvis_server, seed, wrk

TTFT_RUNS = 100
OVERHEAD_RUNS = 60
STREAMS = 50
STREAM_TOKENS = 100
STREAM_GAP_S = 0.15  # each streamed chat lasts about 15 s
WRK_SECONDS = 3
WRK_RUNS = 3  # the machine is shared: the median of three runs, idle and busy alike


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


async def first_token_at(client: httpx.AsyncClient, message: str) -> tuple[float, float]:
    """(sent, first token received) on the monotonic clock; the rest of the answer is drained."""
    sent = time.monotonic()
    first = 0.0
    async with client.stream("POST", "/api/chat", json={"message": message}) as response:
        async for line in response.aiter_lines():
            if first == 0.0 and line.startswith("data:") and json.loads(line[5:])["type"] == "token":
                first = time.monotonic()
    return sent, first


async def builtin_ttft(url: str) -> list[float]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        for _ in range(5):
            await first_token_at(client, "overall status?")
        samples = []
        for _ in range(TTFT_RUNS):
            sent, first = await first_token_at(client, "overall status?")
            samples.append((first - sent) * 1000)
    return samples


async def direct_hop(upstream: FakeModelServer, runs: int) -> list[float]:
    """Baseline: a client reading the fake provider directly (one loopback hop, no Jarvis)."""
    samples = []
    async with httpx.AsyncClient(base_url=upstream.url, timeout=30) as client:
        for _ in range(runs):
            async with client.stream("POST", "/v1/chat/completions", json={}) as response:
                seen = 0
                async for line in response.aiter_lines():
                    if line.startswith("data:"):
                        seen += 1
                        if seen == 2:
                            samples.append((time.monotonic() - upstream.first_token_sent_at[-1]) * 1000)
    return samples


async def provider_overhead(url: str, upstream: FakeModelServer) -> list[float]:
    samples = []
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        for _ in range(5):
            await first_token_at(client, "warm up")
        for _ in range(OVERHEAD_RUNS):
            _, first = await first_token_at(client, "hello")
            samples.append((first - upstream.first_token_sent_at[-1]) * 1000)
    return samples


def stream_chats(url: str, started: threading.Event, counts: list[int]) -> None:
    streaming = 0

    async def one(client: httpx.AsyncClient) -> int:
        nonlocal streaming
        tokens = 0
        async with client.stream("POST", "/api/chat", json={"message": "stream please"}) as response:
            async for line in response.aiter_lines():
                if line.startswith("data:") and '"type":"token"' in line:
                    tokens += 1
                    if tokens == 1:
                        streaming += 1
                        if streaming == STREAMS:
                            started.set()  # every chat is streaming: measure now
        return tokens

    async def run() -> None:
        limits = httpx.Limits(max_connections=STREAMS + 5)
        async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
            tasks = [asyncio.create_task(one(client)) for _ in range(STREAMS)]
            counts.extend(await asyncio.gather(*tasks))

    asyncio.run(run())


def main() -> None:
    lines = ["### Chat", ""]
    with jarvis_server() as server:
        seed(server.url)
        ttft = asyncio.run(builtin_ttft(server.url))
    replies = [Reply(openai_text(["Hello", " there", "!"])) for _ in range(OVERHEAD_RUNS + 5 + 20)]
    with FakeModelServer(replies) as upstream:
        env = {
            "JARVIS_CHAT__PROVIDER": "openai",
            "JARVIS_CHAT__MODEL": "bench",
            "JARVIS_CHAT__BASE_URL": f"{upstream.url}/v1",
        }
        with jarvis_server(env) as server:
            seed(server.url)
            overhead = asyncio.run(provider_overhead(server.url, upstream))
            hop = asyncio.run(direct_hop(upstream, 20))
            overview = f"{server.url}/api/dashboard/overview"
            wrk(overview, connections=10, seconds=2)  # warm-up
            idle_runs = [wrk(overview, connections=10, seconds=WRK_SECONDS) for _ in range(WRK_RUNS)]
            tokens = [f"t{n} " for n in range(STREAM_TOKENS)]
            upstream.replies = [Reply(openai_text(tokens), gap_s=STREAM_GAP_S) for _ in range(STREAMS)]
            started = threading.Event()
            counts: list[int] = []
            chats = threading.Thread(target=stream_chats, args=(server.url, started, counts))
            chats.start()
            started.wait(30)
            busy_runs = [wrk(overview, connections=10, seconds=WRK_SECONDS) for _ in range(WRK_RUNS)]
            chats.join(120)
    idle_p99 = statistics.median(r.p99_ms for r in idle_runs)
    busy_p99 = statistics.median(r.p99_ms for r in busy_runs)
    idle_rps = statistics.median(r.requests_per_s for r in idle_runs)
    busy_rps = statistics.median(r.requests_per_s for r in busy_runs)
    ratio = busy_p99 / idle_p99 if idle_p99 else float("nan")
    lines += [
        "Real `jarvis serve` pinned to one core; loopback only. Provider runs use a local server speaking the "
        "OpenAI streaming format (`tests/chat/fakes.py`).",
        "",
        "| measure | p50 | p95 | target |",
        "|---|---|---|---|",
        f"| builtin: request sent → first `token` event received ({TTFT_RUNS} runs) | "
        f"{statistics.median(ttft):.2f} ms | {pct(ttft, 95):.2f} ms | p50 < 50 ms |",
        f"| openai: provider's first token written → our first `token` event received ({OVERHEAD_RUNS} runs) | "
        f"{statistics.median(overhead):.2f} ms | {pct(overhead, 95):.2f} ms | p50 < 5 ms |",
        f"| baseline: the same token read directly from the provider (one hop, 20 runs) | "
        f"{statistics.median(hop):.2f} ms | {pct(hop, 95):.2f} ms | |",
        "",
        f"- Overhead added to a provider's stream, net of the direct hop: **"
        f"{statistics.median(overhead) - statistics.median(hop):.2f} ms** p50.",
        f"- `GET /api/dashboard/overview` (wrk, 10 connections, median of {WRK_RUNS} runs of {WRK_SECONDS} s): "
        f"idle p99 {idle_p99:.2f} ms ({idle_rps:,.0f} req/s); while {STREAMS} chats stream p99 {busy_p99:.2f} ms "
        f"({busy_rps:,.0f} req/s) — **{ratio:.2f}×** idle (target ≤ 2×). Each p99: idle "
        f"{', '.join(f'{r.p99_ms:.1f}' for r in idle_runs)} ms; "
        f"busy {', '.join(f'{r.p99_ms:.1f}' for r in busy_runs)} ms. "
        f"Streams completed: {sum(1 for c in counts if c == STREAM_TOKENS)}/{STREAMS}, "
        f"errors during load: {sum(r.errors for r in busy_runs)}.",
        "",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
