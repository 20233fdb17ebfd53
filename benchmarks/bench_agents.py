"""Agents benchmark (issue 9): hook event → every open dashboard, and the overview with 10,000 archived sessions."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from benchmarks.common import LOAD_CORE, jarvis_server, raise_fd_limit, seed, taskset, wrk

VIEWERS = int(__import__("os").environ.get("BENCH_VIEWERS", "50"))
SECONDS = 20
INTERVAL_S = 0.2
ARCHIVED = 10_000


def hook_to_screen() -> list[str]:
    raise_fd_limit()
    with jarvis_server() as server:
        seed(server.url, services=0, waves=0)
        time.sleep(2.5)
        command = [
            *taskset(LOAD_CORE),
            sys.executable,
            "-m",
            "benchmarks.sse_clients",
            server.url,
            str(VIEWERS),
            str(SECONDS),
            "hook",
            str(INTERVAL_S),
        ]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    result = json.loads(output or "{}")
    return [
        f"### Hook → screen: {VIEWERS} open dashboards, one Claude Code hook event every {INTERVAL_S * 1000:.0f} ms "
        f"for {SECONDS} s",
        "",
        "Each event is a real `POST /api/hooks/claude-code` (committed through the group-commit writer); each "
        "viewer is a `/api/stream` client (what the page follows) that notes when the new prompt reaches it.",
        "",
        f"- Deliveries {result.get('deliveries')} of {result.get('expected')} expected.",
        f"- Latency (hook posted → change read by every viewer): p50 **{result.get('p50_ms', 0):.1f} ms**, "
        f"p99 **{result.get('p99_ms', 0):.1f} ms** (target p99 < 50 ms).",
        "",
    ]


def archive_rows(database: Path, count: int) -> None:
    """Insert `count` ended, archived Claude Code sessions (5 timeline entries each) straight into the database."""
    now = datetime.now(UTC)
    stamp = (now - timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S.%f")
    with sqlite3.connect(database) as db:
        db.executemany(
            "INSERT INTO instances (id, name, source, status, last_seen, created_at, status_since, archived_at, "
            "session_id, host, cwd, repo) VALUES (?, 'shop', 'claude-code', 'ended', ?, ?, ?, ?, ?, 'vm', '/srv/shop', "
            "'shop')",
            [(f"cc-vm-old-{n:05d}", stamp, stamp, stamp, stamp, f"old-{n:05d}") for n in range(count)],
        )
        db.executemany(
            "INSERT INTO instance_events (instance_id, kind, message, at) VALUES (?, 'tool', 'Bash: make', ?)",
            [(f"cc-vm-old-{n:05d}", stamp) for n in range(count) for _ in range(5)],
        )


def overview_with_archive() -> list[str]:
    rows = []
    for archived in (0, ARCHIVED):
        with tempfile.TemporaryDirectory(prefix="jarvis-bench-archive-") as folder:
            with jarvis_server({"JARVIS_DATA_DIR": folder}):
                pass  # migrations ran: the tables exist
            if archived:
                archive_rows(Path(folder) / "jarvis.db", archived)
            with jarvis_server({"JARVIS_DATA_DIR": folder}) as server:
                seed(server.url, services=10, waves=2)
                httpx.get(f"{server.url}/api/dashboard/overview", timeout=10)
                rows.append((archived, wrk(f"{server.url}/api/dashboard/overview", seconds=10)))
    (_, empty), (_, full) = rows
    ratio = full.requests_per_s / empty.requests_per_s
    lines = [
        f"### Overview with {ARCHIVED:,} archived sessions",
        "",
        "The same fleet (20 heartbeat agents, 10 services, 2 waves) on a database with no archived sessions and "
        f"with {ARCHIVED:,} ended, archived Claude Code sessions of 5 timeline entries each. "
        "wrk, 50 connections, 10 s.",
        "",
        "| archived sessions | req/s | p50 | p99 | errors |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {n:,} | {r.requests_per_s:,.0f} | {r.p50_ms:.2f} ms | {r.p99_ms:.2f} ms | {r.errors} |" for n, r in rows
    ]
    lines += ["", f"- Ratio with / without: **{ratio:.2f}** (target ≥ 0.90).", ""]
    return lines


def main() -> None:
    print("\n".join(hook_to_screen() + overview_with_archive()))


if __name__ == "__main__":
    main()
