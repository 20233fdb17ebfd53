"""Schemathesis over `/openapi.json` against a real `jarvis serve`, on SQLite and PostgreSQL: no input makes a 5xx.

Bounded (10 examples per operation, a fixed seed, so a run is repeatable) and with an admin token, so every
operation is reached past the access check. Left out: the streams (they never end; their inputs have tests
of their own) and the account operations (they would delete the token the run uses; `tests/accounts`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port

SCHEMATHESIS = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
EXCLUDED = r"^/api/(users|tokens|auth)|stream$|^/api/events$"


def _cli(env: dict[str, str], cwd: Path, *args: str, stdin: str | None = None) -> str:
    command = [sys.executable, "-m", "jarvis.cli", *args]
    done = subprocess.run(command, env=env, cwd=cwd, input=stdin, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def served(tmp_path: Path, db_url: str) -> Iterator[tuple[str, str]]:
    """A real server on `db_url` with one admin and an admin token: (base URL, token)."""
    env = {**os.environ, "JARVIS_DATABASE_URL": db_url, "JARVIS_DATA_DIR": str(tmp_path / "data")}
    env["JARVIS_LOG_LEVEL"] = "warning"
    _cli(env, tmp_path, "user", "add", "fuzz", "--role", "admin", stdin="a-long-fuzzing-password\n")
    scopes = [arg for scope in ("admin", "read", "write", "ingest", "chat") for arg in ("--scope", scope)]
    token = _cli(env, tmp_path, "token", "create", "--name", "fuzz", *scopes).strip().splitlines()[-1]
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    command = [sys.executable, "-m", "jarvis.cli", "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # bounded wait for the process to listen
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code in (200, 503):
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        else:
            raise AssertionError("the server did not start: " + (tmp_path / "serve.log").read_text()[-2000:])
        yield url, token
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


@pytest.mark.skipif(SCHEMATHESIS is None, reason="schemathesis is not installed (make install)")
def test_no_generated_input_makes_a_server_error(served: tuple[str, str], tmp_path: Path) -> None:
    url, token = served
    assert SCHEMATHESIS is not None
    command = [
        SCHEMATHESIS,
        "run",
        f"{url}/openapi.json",
        "--checks=not_a_server_error",
        "--max-examples=10",
        "--seed=1",
        "--request-timeout=10",
        "--generation-database=none",
        f"--header=Authorization: Bearer {token}",
        f"--exclude-path-regex={EXCLUDED}",
        "--no-color",
    ]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    server_log = (tmp_path / "serve.log").read_text()
    assert done.returncode == 0, done.stdout[-6000:] + "\n--- server log ---\n" + server_log[-4000:]
    assert "passed" in done.stdout
