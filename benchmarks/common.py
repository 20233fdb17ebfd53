"""Helpers shared by the benchmark scripts: start the real server, seed it, run wrk, read RSS, make a PG database."""

from __future__ import annotations

import asyncio
import os
import re
import resource
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).resolve().parent.parent
SERVER_CORE = "1"
LOAD_CORE = "0"


def raise_fd_limit(target: int = 8192) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(max(soft, target), hard), hard))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def taskset(core: str) -> list[str]:
    return ["taskset", "-c", core] if shutil.which("taskset") and (os.cpu_count() or 1) > 1 else []


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    data_dir: Path

    def rss_mb(self) -> float:
        return rss_mb(self.process.pid)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def wait_ready(url: str, path: str = "/health", timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + path, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{url} did not start")


@contextmanager
def jarvis_server(extra_env: dict[str, str] | None = None, core: str = SERVER_CORE) -> Iterator[Server]:
    """`jarvis serve` as a user runs it, on a fresh data folder, pinned to one core."""
    raise_fd_limit()
    with tempfile.TemporaryDirectory(prefix="jarvis-bench-") as folder:
        port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("JARVIS_", "DASHBOARD_"))},
            "JARVIS_DATA_DIR": folder,
            "JARVIS_CONFIG": str(Path(folder) / "jarvis.toml"),
            "JARVIS_LOG_LEVEL": "warning",
            **(extra_env or {}),
        }
        (Path(folder) / "jarvis.toml").write_text("")
        command = [*taskset(core), sys.executable, "-m", "jarvis.cli", "serve", "--port", str(port)]
        process = subprocess.Popen(command, env=env, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_ready(url)
            yield Server(process, url, Path(folder))
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


@contextmanager
def bare_server(body_size: int, core: str = SERVER_CORE) -> Iterator[str]:
    """The baseline: a bare Starlette app serving a pre-serialised body of the same size."""
    port = free_port()
    command = [*taskset(core), sys.executable, "-m", "benchmarks.bare_app", str(port), str(body_size)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, "/")
        yield url
    finally:
        process.terminate()
        process.wait(10)


@dataclass
class WrkResult:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int = 0


def _ms(text: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s)", text)
    if not match:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def wrk_command(
    url: str,
    *,
    connections: int = 50,
    seconds: int = 10,
    threads: int = 2,
    script: Path | None = None,
    args: tuple[str, ...] = (),
    timeout_s: int | None = None,
) -> list[str]:
    """wrk pinned to the load core; a Lua `script` gets `args` in its `init` (wrk's own timeout is 2 s)."""
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is missing: apt-get install -y wrk")
    extra = (["-s", str(script)] if script else []) + ([f"--timeout={timeout_s}s"] if timeout_s else [])
    flags = [f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", *extra]
    return [*taskset(LOAD_CORE), "wrk", *flags, url, *(["--", *args] if args else [])]


def parse_wrk(output: str) -> WrkResult:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s*50%\s+(\S+)", output, re.MULTILINE).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s*99%\s+(\S+)", output, re.MULTILINE).group(1))  # type: ignore[union-attr]
    errors_match = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = int(errors_match.group(1)) if errors_match else 0
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    requests = re.search(r"(\d+) requests in", output)
    return WrkResult(rps, p50, p99, errors, int(requests.group(1)) if requests else 0)


def wrk(url: str, *, connections: int = 50, seconds: int = 10, threads: int = 2) -> WrkResult:
    command = wrk_command(url, connections=connections, seconds=seconds, threads=threads)
    return parse_wrk(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


def seed(url: str, *, instances: int = 20, services: int = 50, waves: int = 5) -> dict[str, int]:
    """A realistic fleet through the public API; returns how many of each were accepted."""
    done = {"instances": 0, "services": 0, "waves": 0, "metrics": 0}
    with httpx.Client(base_url=url, timeout=10) as http:
        for index in range(instances):
            response = http.post(
                f"/api/instances/agent-{index:02d}/heartbeat",
                json={
                    "status": ["active", "idle", "blocked"][index % 3],
                    "role": ["Backend", "Frontend", "QA", "Infra"][index % 4],
                    "current_task": f"Task {index}: implement the feature behind ticket #{100 + index}",
                    "branch": f"feat/ticket-{100 + index}",
                    "repo": "acme/shop",
                    "last_commit": {
                        "hash": f"{index:07x}",
                        "message": "Add tests",
                        "timestamp": "2026-11-25T10:00:00Z",
                    },
                },
            )
            done["instances"] += response.status_code < 300
        for index in range(services):
            response = http.post(
                "/api/services",
                json={"name": f"svc-{index:02d}", "kind": "http", "url": f"{url}/health", "interval_s": 60},
            )
            done["services"] += response.status_code < 300
        for index in range(waves):
            response = http.post(
                "/api/projects",
                json={
                    "id": f"wave-{index + 1}",
                    "name": f"Wave {index + 1}: milestone {index + 1}",
                    "estimated_hours": 8 + index,
                },
            )
            if response.status_code < 300:
                done["waves"] += 1
                for task in range(4):
                    http.post(
                        f"/api/projects/wave-{index + 1}/tasks",
                        json={
                            "name": f"Task {task}",
                            "estimated_hours": 2,
                            "status": ["completed", "pending"][task % 2],
                        },
                    )
        points = [
            {"module": module, "key": key, "value": 10 + n}
            for n, (module, key) in enumerate(
                [("music", "generations_today"), ("marketing", "users_today"), ("engagement", "active_users")]
            )
        ]
        response = http.post("/api/metrics", json={"points": points})
        done["metrics"] = len(points) if response.status_code < 300 else 0
    return done


POSTGRES_ADMIN_URL = os.environ.get(
    "JARVIS_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


async def postgres_admin(statement: str) -> None:
    """One statement on the admin URL, outside a transaction (CREATE / DROP DATABASE need that)."""
    engine = create_async_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as db:
            await db.execute(text(statement))
    finally:
        await engine.dispose()


def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be benchmarked here, or None when the admin URL answers."""
    try:
        asyncio.run(postgres_admin("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any failure means: skip PostgreSQL, saying why
        return f"{type(error).__name__}: {error}".splitlines()[0][:200]
    return None


@contextmanager
def fresh_postgres() -> Iterator[str]:
    """A new, empty database `jarvis_bench_<random>` for one server; its URL; dropped afterwards."""
    name = f"jarvis_bench_{secrets.token_hex(4)}"
    asyncio.run(postgres_admin(f"CREATE DATABASE {name}"))
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(postgres_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
