"""`jarvis user …` and `jarvis token …` on a real database, and `jarvis serve` refusing to open up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.accounts.conftest import PASSWORD


def jarvis(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "JARVIS_CONFIG"}
    env.update(JARVIS_DATA_DIR=str(tmp_path / "data"), JARVIS_ENV_FILE="/dev/null")
    return subprocess.run(
        [sys.executable, "-m", "jarvis.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )


def test_users_and_tokens_from_the_command_line(tmp_path: Path) -> None:
    added = jarvis(tmp_path, "user", "add", "alice", "--role", "admin", stdin=PASSWORD + "\n")
    assert added.returncode == 0 and "added alice (admin)" in added.stdout
    short = jarvis(tmp_path, "user", "add", "bob", "--role", "viewer", stdin="short\n")
    assert short.returncode == 2 and short.stderr.strip() == "jarvis: The password must be at least 10 characters."
    again = jarvis(tmp_path, "user", "add", "alice", "--role", "member", stdin=PASSWORD + "\n")
    assert again.returncode == 2 and "already exists" in again.stderr

    created = jarvis(tmp_path, "token", "create", "--name", "laptop-2", "--scope", "ingest")
    assert created.returncode == 0
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("jcc_") and len(token) > 40 and "shown once" in created.stderr
    listed = jarvis(tmp_path, "token", "list")
    assert "laptop-2" in listed.stdout and token not in listed.stdout and token[:12] in listed.stdout
    assert jarvis(tmp_path, "token", "revoke", token[:12]).returncode == 0
    assert "revoked" in jarvis(tmp_path, "token", "list").stdout

    assert jarvis(tmp_path, "user", "passwd", "alice", stdin="another long password\n").returncode == 0
    assert "alice\tadmin" in jarvis(tmp_path, "user", "list").stdout
    assert jarvis(tmp_path, "user", "remove", "nobody").returncode == 2


def test_serve_refuses_an_open_remote_bind_with_no_account(tmp_path: Path) -> None:
    refused = jarvis(tmp_path, "serve", "--host", "0.0.0.0", "--port", "1")
    assert refused.returncode == 2
    assert "refusing to listen on 0.0.0.0 with no user account" in refused.stderr
    assert "jarvis user add NAME --role admin" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
