"""`jarvis hook` as Claude Code runs it: a subprocess fed one event on stdin.

It must post the event (seen on /api/events and the dashboard within a second), add host and
branch, and never hurt the agent: exit 0, nothing on stdout, back within its 2 s budget.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from jarvis.instances.hook import git_branch, git_info, hook_url
from tests.conftest import LiveServer, free_port
from tests.dashboard.test_stream import sse_events
from tests.notifications.receiver import Receiver

SAMPLE = Path(__file__).with_name("claude-code-hooks.jsonl")
PROMPT: dict[str, Any] = json.loads(SAMPLE.read_text().splitlines()[1])


def run_hook(
    stdin: str, *args: str, env: dict[str, str] | None = None, module: str = "jarvis.cli"
) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    command = [sys.executable, "-m", module, *(["hook"] if module == "jarvis.cli" else []), *args]
    result = subprocess.run(
        command,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=15,
        env={**os.environ, **(env or {})},
    )
    return result, time.monotonic() - started


def make_repo(root: Path, head: str) -> Path:
    (root / ".git").mkdir(parents=True)
    (root / ".git" / "HEAD").write_text(head)
    (root / "src").mkdir()
    return root / "src"


def test_hook_event_reaches_the_dashboard_and_the_event_stream(live_server: LiveServer, tmp_path: Path) -> None:
    cwd = make_repo(tmp_path / "repo", "ref: refs/heads/feat/hooks\n")
    payload = {**PROMPT, "cwd": str(cwd)}
    with httpx.Client(base_url=live_server.url, timeout=5) as http:
        with http.stream("GET", "/api/events?types=instance.event") as stream:
            events = sse_events(stream.iter_lines())
            result, _ = run_hook(json.dumps(payload), "--server", live_server.url)
            done = time.monotonic()
            assert result.returncode == 0 and result.stdout == "" and result.stderr == ""
            event = next(events)
            assert time.monotonic() - done < 1.0
        assert event["data"]["data"]["kind"] == "prompt"
        expected_id = f"cc-{socket.gethostname()}-{PROMPT['session_id']}"
        assert event["data"]["data"]["instance_id"] == expected_id
        instances = http.get("/api/sections/instances").json()["data"]["instances"]
        assert time.monotonic() - done < 1.0
    [instance] = [i for i in instances if i["id"] == expected_id]
    assert instance["status"] == "working" and instance["branch"] == "feat/hooks"
    assert instance["repo"] == "repo"  # the repository's folder, not the subfolder the agent works in
    assert instance["host"] == socket.gethostname() and instance["cwd"] == str(cwd)


def test_hook_url_comes_from_the_environment(live_server: LiveServer) -> None:
    payload = {**PROMPT, "session_id": "env-session"}
    result, _ = run_hook(json.dumps(payload), env={"JARVIS_HOOK_URL": live_server.url})
    assert result.returncode == 0 and result.stdout == ""
    ids = [i["id"] for i in httpx.get(live_server.url + "/api/instances").json()["data"]["instances"]]
    assert f"cc-{socket.gethostname()}-env-session" in ids


def test_the_light_module_entry_point_posts_too(live_server: LiveServer) -> None:
    payload = {**PROMPT, "session_id": "light-session", "host": "agent-box"}
    result, _ = run_hook(json.dumps(payload), "--server", live_server.url, module="jarvis.instances.hook")
    assert result.returncode == 0 and result.stdout == "" and result.stderr == ""
    ids = [i["id"] for i in httpx.get(live_server.url + "/api/instances").json()["data"]["instances"]]
    assert "cc-agent-box-light-session" in ids


def test_server_down_exits_zero_quickly_and_silently() -> None:
    result, elapsed = run_hook(json.dumps(PROMPT), "--server", f"http://127.0.0.1:{free_port()}")
    assert result.returncode == 0 and result.stdout == "" and result.stderr == ""
    assert elapsed < 2.0


def test_a_server_that_never_answers_costs_at_most_the_budget() -> None:
    with socket.socket() as listener:  # accepts connections in the kernel, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        result, elapsed = run_hook(json.dumps(PROMPT), "--server", f"http://127.0.0.1:{port}")
    assert result.returncode == 0 and result.stdout == ""
    assert 2.0 <= elapsed < 4.0  # the 2 s budget plus interpreter start-up


@pytest.mark.parametrize("stdin", ["", "not json {", "[1, 2]", "\x00\xff garbage", '"a string"'])
def test_garbage_input_exits_zero_silently(stdin: str) -> None:
    result, elapsed = run_hook(stdin, "--server", f"http://127.0.0.1:{free_port()}")
    assert result.returncode == 0 and result.stdout == "" and result.stderr == ""
    assert elapsed < 2.0


def test_git_branch_reads_head_directly(tmp_path: Path) -> None:
    assert git_branch(str(make_repo(tmp_path / "a", "ref: refs/heads/main\n"))) == "main"
    assert git_branch(str(make_repo(tmp_path / "b", "0123456789abcdef0123\n"))) == "0123456789ab"  # detached
    worktree = tmp_path / "wt"
    (tmp_path / "gitdir").mkdir()
    (tmp_path / "gitdir" / "HEAD").write_text("ref: refs/heads/feat/wt\n")
    worktree.mkdir()
    (worktree / ".git").write_text(f"gitdir: {tmp_path / 'gitdir'}\n")
    assert git_branch(str(worktree)) == "feat/wt"
    assert git_branch(str(tmp_path / "missing")) is None  # no repository: no branch, no error
    assert git_branch(None) is None


def test_git_info_names_the_repository_even_from_a_worktree(tmp_path: Path) -> None:
    assert git_info(str(make_repo(tmp_path / "shop", "ref: refs/heads/main\n"))) == ("shop", "main")
    gitdir = tmp_path / "shop" / ".git" / "worktrees" / "feature"
    gitdir.mkdir(parents=True)
    (gitdir / "HEAD").write_text("ref: refs/heads/feat/pages\n")
    worktree = tmp_path / "shop-feature"
    worktree.mkdir()
    (worktree / ".git").write_text(f"gitdir: {gitdir}\n")
    assert git_info(str(worktree)) == ("shop", "feat/pages")


def test_hook_url_accepts_a_base_or_the_full_path() -> None:
    assert hook_url("http://h:5001/") == "http://h:5001/api/hooks/claude-code"
    assert hook_url("http://h:5001/api/hooks/claude-code") == "http://h:5001/api/hooks/claude-code"


def test_default_server_is_the_environment_then_5001_never_the_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from jarvis.instances.hook import default_server

    monkeypatch.chdir(tmp_path)
    (tmp_path / "jarvis.toml").write_text("[server]\nport = 5123\n")  # the agent's project, not ours
    monkeypatch.delenv("JARVIS_HOOK_URL", raising=False)
    monkeypatch.setenv("JARVIS_SERVER__PORT", "5124")
    assert default_server() == "http://127.0.0.1:5001"
    monkeypatch.setenv("JARVIS_HOOK_URL", "http://dash.internal:8080")
    assert default_server() == "http://dash.internal:8080"


def test_the_hook_command_loads_no_framework() -> None:
    """The hook runs before every tool call of an agent: the CLI must not import the server to reach it."""
    probe = "import sys, jarvis.cli; print([m for m in ('pydantic', 'fastapi', 'sqlalchemy') if m in sys.modules])"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_the_token_is_sent_as_a_bearer_header_and_never_printed(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("  jv_file_token\n")
    with Receiver([200]) as receiver:
        by_file, _ = run_hook(json.dumps(PROMPT), "--server", receiver.base, "--token-file", str(token))
        by_env, _ = run_hook(json.dumps(PROMPT), f"--server={receiver.base}", env={"JARVIS_TOKEN": "jv_env_token"})
        missing, _ = run_hook(json.dumps(PROMPT), "--server", receiver.base, "--token-file", str(tmp_path / "none"))
        none, _ = run_hook(json.dumps(PROMPT), "--server", receiver.base, env={"JARVIS_TOKEN": ""})
    for result in (by_file, by_env, missing, none):
        assert result.returncode == 0 and result.stdout == "" and result.stderr == ""
    [first, second, third, fourth] = receiver.requests
    assert first[0] == "/api/hooks/claude-code" and json.loads(first[2])["session_id"] == PROMPT["session_id"]
    assert first[1]["Authorization"] == "Bearer jv_file_token"
    assert second[1]["Authorization"] == "Bearer jv_env_token"
    assert "Authorization" not in third[1] and "Authorization" not in fourth[1]


def test_a_jarvis_toml_in_the_agents_cwd_is_ignored(live_server: LiveServer, tmp_path: Path) -> None:
    """The agent's project may have its own jarvis.toml on another port: the hook must not follow it."""
    (tmp_path / "jarvis.toml").write_text(f"[server]\nport = {free_port()}\n")
    payload = {**PROMPT, "session_id": "cwd-session", "cwd": str(tmp_path)}
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "jarvis.cli", "hook"],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=15,
        cwd=tmp_path,
        env={**os.environ, "JARVIS_HOOK_URL": live_server.url, "JARVIS_CONFIG": str(tmp_path / "jarvis.toml")},
    )
    assert result.returncode == 0 and result.stdout == "" and result.stderr == ""
    assert time.monotonic() - started < 2.0
    ids = [i["id"] for i in httpx.get(live_server.url + "/api/instances").json()["data"]["instances"]]
    assert f"cc-{socket.gethostname()}-cwd-session" in ids


def test_the_console_script_posts_silently(tmp_path: Path) -> None:
    """`.venv/bin/jarvis hook`, the command `jarvis hook install` writes, as Claude Code runs it."""
    script = Path(sys.executable).parent / "jarvis"
    with Receiver() as receiver:
        result = subprocess.run(
            [str(script), "hook", "--server", receiver.base],
            input=json.dumps(PROMPT),
            capture_output=True,
            text=True,
            timeout=15,
            cwd=tmp_path,
        )
    assert result.returncode == 0 and result.stdout == "" and result.stderr == ""
    assert len(receiver.requests) == 1


def test_the_plain_hook_skips_the_parser_and_the_other_commands() -> None:
    probe = (
        "import io, sys; sys.stdin = io.StringIO('not json'); from jarvis.cli import main; code = main(['hook']);"
        "print(code, sorted(m for m in sys.modules if m.startswith('jarvis.cli.') or m in ('argparse', 'typing')))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "0 []"
