"""`jarvis hook` start-up (issue 9): the cost of one Claude Code event, as Claude Code pays it.

Claude Code runs the command once per event, `PreToolUse` before every tool call, and waits for it.
This runs the real console script (`.venv/bin/jarvis hook --server URL`, the command `jarvis hook
install` writes) RUNS times, one after the other, with a `PreToolUse` payload whose `cwd` is this
repository (so the branch lookup runs), against `jarvis serve` on loopback, and checks that every
event arrived. The baseline is the bare interpreter (`python -c pass`) started the same way.
"""

from __future__ import annotations

import json
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from benchmarks.common import LOAD_CORE, ROOT, jarvis_server, taskset

RUNS = 30
JARVIS = Path(sys.executable).parent / "jarvis"
SESSION = "bench-hook-startup"


def payload() -> str:
    return json.dumps(
        {
            "session_id": SESSION,
            "transcript_path": f"/tmp/{SESSION}.jsonl",
            "cwd": str(ROOT),
            "permission_mode": "default",
            "hook_event_name": "PreToolUse",
            "tool_name": "Bash",
            "tool_input": {"command": "git status --short", "description": "Show the working tree status"},
            "tool_use_id": "toolu_bench",
        }
    )


def timed(command: list[str], stdin: str) -> float:
    started = time.perf_counter()
    result = subprocess.run([*taskset(LOAD_CORE), *command], input=stdin, capture_output=True, text=True, timeout=10)
    elapsed = (time.perf_counter() - started) * 1000
    if result.returncode != 0 or result.stdout or result.stderr:
        raise RuntimeError(f"{command[0]} exited {result.returncode}: {result.stdout!r} {result.stderr!r}")
    return elapsed


def p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> None:
    body = payload()
    with jarvis_server() as server:
        timed([str(JARVIS), "hook", "--server", server.url], body)  # warm the page cache once
        hook = [timed([str(JARVIS), "hook", "--server", server.url], body) for _ in range(RUNS)]
        bare = [timed([sys.executable, "-c", "pass"], "") for _ in range(RUNS)]
        instance_id = f"cc-{socket.gethostname()}-{SESSION}"
        detail = httpx.get(f"{server.url}/api/instances/{instance_id}", params={"limit": 1000}, timeout=10).json()
        arrived = len(detail["data"]["timeline"]) if detail.get("success") else 0
    print("### jarvis hook start-up")
    print()
    print(f"`{JARVIS.relative_to(ROOT)} hook --server URL` run {RUNS} times in a row, each fed one `PreToolUse`")
    print("event on stdin (`cwd` in a git checkout, so the branch is read), against `jarvis serve` on loopback:")
    print("the time Claude Code waits before each tool call. Budget: < 100 ms p50.")
    print()
    print("| command | p50 | p95 | max |")
    print("|---|---|---|---|")
    for name, values in (("`jarvis hook` (console script)", hook), ("`python -c pass` (the interpreter alone)", bare)):
        print(f"| {name} | {p(values, 50):.0f} ms | {p(values, 95):.0f} ms | {max(values):.0f} ms |")
    print()
    print(f"Events that reached the server: {arrived} of {RUNS + 1}.")


if __name__ == "__main__":
    main()
