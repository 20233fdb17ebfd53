"""`jarvis hook`: the Claude Code `command` hook.

Reads one event on stdin, adds the host name and the git branch of `cwd`, and posts it to
`/api/hooks/claude-code`. It must never slow or break the agent: a 2 s total budget, exit 0
whatever happens (server down, garbage input), and nothing on stdout or stderr (Claude Code reads
stdout as the hook's answer). Only the standard library, to start fast.

The server is `--server URL`, else `JARVIS_HOOK_URL`, else http://127.0.0.1:5001 — never the
settings of the agent's working directory, which belong to the agent's project, not to us. A token
(`--token-file PATH`, else `JARVIS_TOKEN`) is sent as `Authorization: Bearer …`.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import threading
from pathlib import Path
from urllib.parse import urlsplit

TYPE_CHECKING = False  # not `typing`: it costs milliseconds before every hook event (mypy knows the idiom)
if TYPE_CHECKING:
    from typing import Any, TextIO

TIMEOUT_S = 2.0
MAX_INPUT = 1024 * 1024
MAX_TOKEN = 4096
HOOK_PATH = "/api/hooks/claude-code"
DEFAULT_SERVER = "http://127.0.0.1:5001"

# The Claude Code hook events worth recording: the reference's 31 minus MessageDisplay and
# FileChanged, which come often and say nothing about the session's state.
RECORDED_EVENTS: tuple[str, ...] = (
    "SessionStart",
    "Setup",
    "InstructionsLoaded",
    "UserPromptSubmit",
    "UserPromptExpansion",
    "PreToolUse",
    "PermissionRequest",
    "PermissionDenied",
    "PostToolUse",
    "PostToolUseFailure",
    "PostToolBatch",
    "Notification",
    "SubagentStart",
    "SubagentStop",
    "TaskCreated",
    "TaskCompleted",
    "Stop",
    "StopFailure",
    "TeammateIdle",
    "ConfigChange",
    "CwdChanged",
    "DirectoryAdded",
    "WorktreeCreate",
    "WorktreeRemove",
    "PreCompact",
    "PostCompact",
    "Elicitation",
    "ElicitationResult",
    "SessionEnd",
)
# The events about one tool call: their entries match every tool (`"matcher": "*"`).
TOOL_EVENTS: frozenset[str] = frozenset(
    {"PreToolUse", "PermissionRequest", "PermissionDenied", "PostToolUse", "PostToolUseFailure"}
)


def default_server() -> str:
    """`JARVIS_HOOK_URL`, else the local server on the default port. Reads no settings file."""
    return os.environ.get("JARVIS_HOOK_URL", "").strip() or DEFAULT_SERVER


def read_token(token_file: str | None) -> str | None:
    """The bearer token: the content of `token_file` (stripped), else `JARVIS_TOKEN`; `None` if neither."""
    try:
        if token_file:
            with open(token_file, encoding="utf-8", errors="replace") as handle:
                token = handle.read(MAX_TOKEN + 1).strip()
        else:
            token = os.environ.get("JARVIS_TOKEN", "").strip()
    except OSError:
        return None
    if not token or len(token) > MAX_TOKEN or any(c in token for c in "\r\n\0"):
        return None
    return token


def hook_url(server: str) -> str:
    server = server.rstrip("/")
    return server if server.endswith(HOOK_PATH) else server + HOOK_PATH


def git_info(cwd: str | None) -> tuple[str | None, str | None]:
    """The repository (its top-level folder's name; a worktree's main repository) and the branch of `cwd`,
    from `.git` of `cwd` or a parent; no `git` process."""
    if not cwd:
        return None, None
    try:
        here = Path(cwd).resolve()
        for folder in (here, *here.parents):
            dot_git = folder / ".git"
            repo = folder.name or None
            if dot_git.is_dir():
                head = dot_git / "HEAD"
            elif dot_git.is_file():
                pointer = dot_git.read_text(encoding="utf-8", errors="replace").strip()
                if not pointer.startswith("gitdir:"):
                    return None, None
                gitdir = Path(pointer.removeprefix("gitdir:").strip())
                gitdir = gitdir if gitdir.is_absolute() else folder / gitdir
                if gitdir.parent.name == "worktrees" and gitdir.parent.parent.name == ".git":
                    repo = gitdir.parent.parent.parent.name or repo
                head = gitdir / "HEAD"
            else:
                continue
            content = head.read_text(encoding="utf-8", errors="replace").strip()
            if content.startswith("ref:"):
                ref = content.removeprefix("ref:").strip()
                return repo, ref.removeprefix("refs/heads/")[:255] or None
            return repo, content[:12] or None  # detached HEAD: the short hash
    except (OSError, ValueError):
        return None, None
    return None, None


def git_branch(cwd: str | None) -> str | None:
    return git_info(cwd)[1]


def enrich(payload: dict[str, Any]) -> dict[str, Any]:
    """Add what the server cannot know: this host's name, the repository and the branch of `cwd`."""
    payload.setdefault("host", socket.gethostname())
    cwd = payload.get("cwd")
    if "branch" not in payload or "repo" not in payload:
        repo, branch = git_info(cwd if isinstance(cwd, str) else None)
        if branch:
            payload.setdefault("branch", branch)
        if repo:
            payload.setdefault("repo", repo[:500])
    return payload


def _post(url: str, body: bytes, token: str | None = None) -> None:
    headers = {"Content-Type": "application/json", "User-Agent": "jarvis-hook"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        # http.client rather than urllib.request: half the import time, and no proxy from the
        # agent's environment between the hook and the dashboard.
        parts = urlsplit(url)
        connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        connection = connection_class(parts.netloc, timeout=TIMEOUT_S)
        try:
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            connection.request("POST", path or "/", body=body, headers=headers)
            connection.getresponse().read(1024)
        finally:
            connection.close()
    except Exception:  # noqa: BLE001 - the agent must never see our failure
        pass


def run_hook(stdin: TextIO, server: str | None, token_file: str | None = None) -> None:
    """Never raises, never prints; returns within about 2 s."""
    try:
        raw = stdin.read(MAX_INPUT + 1)
        if not raw.strip() or len(raw) > MAX_INPUT:
            return
        payload = json.loads(raw)
        if not isinstance(payload, dict):
            return
        body = json.dumps(enrich(payload)).encode()
        url = hook_url(server or default_server())
        worker = threading.Thread(target=_post, args=(url, body, read_token(token_file)), daemon=True)
        worker.start()
        worker.join(TIMEOUT_S)  # a total budget, whatever the socket does
    except Exception:  # noqa: BLE001
        return


def parse_args(args: list[str]) -> tuple[str | None, str | None]:
    """`--server URL` and `--token-file PATH` (or `--flag=value`); anything else is ignored, never an error."""
    found: dict[str, str] = {}
    index = 0
    while index < len(args):
        arg = args[index]
        for flag in ("--server", "--token-file"):
            if arg == flag and index + 1 < len(args):
                found[flag] = args[index + 1]
                index += 1
            elif arg.startswith(flag + "="):
                found[flag] = arg.removeprefix(flag + "=")
        index += 1
    return found.get("--server") or None, found.get("--token-file") or None


def main(argv: list[str] | None = None) -> int:
    """`jarvis hook [--server URL] [--token-file PATH]`, or `python -m jarvis.instances.hook …`.

    `jarvis` sends `hook` here before it builds its parser or imports any other command, so an
    event costs the interpreter's start-up and little more (it runs before every tool call)."""
    import sys

    try:
        server, token_file = parse_args(sys.argv[1:] if argv is None else list(argv))
        run_hook(sys.stdin, server, token_file)
    except BaseException:  # noqa: BLE001 - exit 0 whatever happens, even on Ctrl-C
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
