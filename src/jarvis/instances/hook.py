"""`jarvis hook`: the Claude Code `command` hook.

Reads one event on stdin, adds the host name and the git branch of `cwd`, and posts it to
`/api/hooks/claude-code`. It must never slow or break the agent: a 2 s total budget, exit 0
whatever happens (server down, garbage input), and nothing on stdout (Claude Code reads
stdout as the hook's answer). Only the standard library, to start fast.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import urllib.request
from pathlib import Path
from typing import Any, TextIO

TIMEOUT_S = 2.0
MAX_INPUT = 1024 * 1024
HOOK_PATH = "/api/hooks/claude-code"


def default_server() -> str:
    """`JARVIS_HOOK_URL`, else the local server on the configured port (5001 if settings fail)."""
    env = os.environ.get("JARVIS_HOOK_URL")
    if env:
        return env
    port = 5001
    try:
        from jarvis.settings import load_settings

        port = load_settings().server.port
    except Exception:  # noqa: BLE001 - a broken config must not break the agent
        pass
    return f"http://127.0.0.1:{port}"


def hook_url(server: str) -> str:
    server = server.rstrip("/")
    return server if server.endswith(HOOK_PATH) else server + HOOK_PATH


def git_branch(cwd: str | None) -> str | None:
    """The branch from `.git/HEAD` of `cwd` or a parent (worktrees too); no `git` process."""
    if not cwd:
        return None
    try:
        here = Path(cwd).resolve()
        for folder in (here, *here.parents):
            dot_git = folder / ".git"
            if dot_git.is_dir():
                head = dot_git / "HEAD"
            elif dot_git.is_file():
                pointer = dot_git.read_text(encoding="utf-8", errors="replace").strip()
                if not pointer.startswith("gitdir:"):
                    return None
                gitdir = Path(pointer.removeprefix("gitdir:").strip())
                head = (gitdir if gitdir.is_absolute() else folder / gitdir) / "HEAD"
            else:
                continue
            content = head.read_text(encoding="utf-8", errors="replace").strip()
            if content.startswith("ref:"):
                ref = content.removeprefix("ref:").strip()
                return ref.removeprefix("refs/heads/")[:255] or None
            return content[:12] or None  # detached HEAD: the short hash
    except (OSError, ValueError):
        return None
    return None


def enrich(payload: dict[str, Any]) -> dict[str, Any]:
    payload.setdefault("host", socket.gethostname())
    cwd = payload.get("cwd")
    if "branch" not in payload:
        branch = git_branch(cwd if isinstance(cwd, str) else None)
        if branch:
            payload["branch"] = branch
    return payload


def _post(url: str, body: bytes) -> None:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json", "User-Agent": "jarvis-hook"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310 - our own server
            response.read(1024)
    except Exception:  # noqa: BLE001 - the agent must never see our failure
        pass


def run_hook(stdin: TextIO, server: str | None) -> None:
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
        worker = threading.Thread(target=_post, args=(url, body), daemon=True)
        worker.start()
        worker.join(TIMEOUT_S)  # a total budget, whatever the socket does
    except Exception:  # noqa: BLE001
        return


def main(argv: list[str] | None = None) -> None:
    """`python -m jarvis.instances.hook [--server URL]`: the same hook without the CLI's imports
    (about 0.2 s to start instead of about 0.9 s, which matters on every PreToolUse)."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    server = None
    if len(args) >= 2 and args[0] == "--server":
        server = args[1]
    elif args and args[0].startswith("--server="):
        server = args[0].removeprefix("--server=")
    run_hook(sys.stdin, server)


if __name__ == "__main__":
    main()
