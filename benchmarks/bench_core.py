"""Core benchmark (issue 2): warm overview vs a bare Starlette baseline, SSE fan-out, idle RSS."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time

import httpx

from benchmarks.common import LOAD_CORE, bare_server, jarvis_server, raise_fd_limit, seed, taskset, wrk

SSE_CLIENTS = 1000
SSE_SECONDS = 10


def snapshot_builds(url: str) -> float:
    text = httpx.get(f"{url}/metrics", timeout=5).text
    match = re.search(r"^jarvis_snapshot_builds_total (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


FRAMEWORKS = (
    "import fastapi, sqlalchemy.ext.asyncio, aiosqlite, uvicorn, uvloop, httptools, jinja2, httpx, structlog; "
    "print(int(open('/proc/self/status').read().split('VmRSS:')[1].split()[0]) / 1024)"
)


def frameworks_rss() -> float:
    """What the libraries the server stands on cost before a line of ours runs, for scale."""
    return float(subprocess.run([sys.executable, "-c", FRAMEWORKS], capture_output=True, text=True, check=True).stdout)


def overview() -> list[str]:
    with jarvis_server() as server:
        time.sleep(1.0)
        idle_rss = server.rss_mb()
        seeded = seed(server.url)
        body = httpx.get(f"{server.url}/api/dashboard/overview").content
        wrk(f"{server.url}/api/dashboard/overview", seconds=2)  # warm-up
        ours = wrk(f"{server.url}/api/dashboard/overview", seconds=10)
        loaded_rss = server.rss_mb()
    with bare_server(len(body)) as url:
        wrk(url, seconds=2)
        bare = wrk(url, seconds=10)
    ratio = ours.requests_per_s / bare.requests_per_s
    return [
        "### Dashboard overview (warm) vs bare Starlette",
        "",
        f"Fixture: {seeded['instances']} instances, {seeded['services']} services, {seeded['waves']} waves; "
        f"overview body {len(body):,} bytes. wrk, 50 connections, 10 s, server and wrk pinned to different cores.",
        "",
        "| server | req/s | p50 | p99 | errors |",
        "|---|---|---|---|---|",
        f"| `GET /api/dashboard/overview` | {ours.requests_per_s:,.0f} | {ours.p50_ms:.2f} ms | {ours.p99_ms:.2f} ms "
        f"| {ours.errors} |",
        f"| bare Starlette, same body size | {bare.requests_per_s:,.0f} | {bare.p50_ms:.2f} ms | "
        f"{bare.p99_ms:.2f} ms | {bare.errors} |",
        "",
        f"- Ratio overview / bare: **{ratio:.2f}** (target ≥ 0.5, aim 0.7); overview p99 {ours.p99_ms:.2f} ms "
        "(target < 10 ms).",
        f"- Idle RSS after start: **{idle_rss:.1f} MB** (target ≤ 80 MB); after seeding and load: {loaded_rss:.1f} MB. "
        f"For scale, a Python process that only imports FastAPI, SQLAlchemy (async), aiosqlite, uvicorn, Jinja2, "
        f"httpx and structlog: {frameworks_rss():.1f} MB.",
        "",
    ]


def fanout() -> list[str]:
    raise_fd_limit()
    with jarvis_server() as server:
        seed(server.url, services=0, waves=0)
        time.sleep(2.5)
        before_rss = server.rss_mb()
        before_builds = snapshot_builds(server.url)
        command = [
            *taskset(LOAD_CORE),
            sys.executable,
            "-m",
            "benchmarks.sse_clients",
            server.url,
            str(SSE_CLIENTS),
            str(SSE_SECONDS),
        ]
        load = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        peak_rss = before_rss
        while load.poll() is None:
            peak_rss = max(peak_rss, server.rss_mb())
            time.sleep(0.2)
        result = json.loads((load.stdout.read() if load.stdout else "") or "{}")
        builds = snapshot_builds(server.url) - before_builds
    changes = result.get("changes") or 1
    return [
        f"### SSE fan-out: {SSE_CLIENTS} stream clients, one snapshot change a second for {SSE_SECONDS} s",
        "",
        f"- Connected: {result.get('connected')}; deliveries {result.get('deliveries')} of {result.get('expected')} "
        "expected.",
        f"- Delivery latency (change posted → event read by the client): p50 **{result.get('p50_ms', 0):.1f} ms**, "
        f"p99 **{result.get('p99_ms', 0):.1f} ms** (target p99 < 100 ms).",
        f"- Server RSS: {before_rss:.1f} MB before, **{peak_rss:.1f} MB** peak with all clients (target < 120 MB).",
        f"- Snapshot builds: {builds:.0f} for {changes} changes = **{builds / changes:.2f} per change** with "
        f"{SSE_CLIENTS} viewers (target 1).",
        "",
    ]


def main() -> None:
    print("\n".join(overview() + fanout()))


if __name__ == "__main__":
    main()
