"""Claude Code hook payloads → instance state and timeline entries.

Each session is one instance, identified by host + session id. The state follows the hook
events: working after a prompt or a tool event until Stop; waiting on a Notification that
asks for permission or input (until the next event); idle after Stop; ended at SessionEnd.
Unknown events and fields are kept (trimmed) in the timeline, never rejected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

PROMPT_CAP = 200
STRING_CAP = 2000
WAITING_TYPES = {"permission_prompt", "idle_prompt", "elicitation_dialog"}


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or "unknown"


def instance_id(host: str, session_id: str) -> str:
    """URL-safe and stable: `cc-<host>-<session>`."""
    return f"cc-{_safe(host)[:60]}-{_safe(session_id)[:90]}"


def text(payload: dict[str, Any], key: str, cap: int = STRING_CAP) -> str | None:
    value = payload.get(key)
    if isinstance(value, str) and value.strip():
        return value.strip()[:cap]
    return None


def truncate(value: str, cap: int) -> str:
    return value if len(value) <= cap else value[: cap - 1] + "…"


def trim(value: Any, depth: int = 0) -> Any:
    """A bounded copy of the payload for the timeline: long strings cut, deep trees pruned."""
    if isinstance(value, str):
        return truncate(value, STRING_CAP)
    if depth >= 6:
        return "…"
    if isinstance(value, dict):
        return {str(k)[:100]: trim(v, depth + 1) for k, v in list(value.items())[:100]}
    if isinstance(value, list):
        return [trim(v, depth + 1) for v in value[:50]]
    return value


def _tool_summary(payload: dict[str, Any]) -> str | None:
    tool_input = payload.get("tool_input")
    if isinstance(tool_input, dict):
        for key in ("command", "file_path", "path", "pattern", "url", "query", "description"):
            value = tool_input.get(key)
            if isinstance(value, str) and value.strip():
                return truncate(value.strip(), 200)
    return None


def is_waiting(payload: dict[str, Any]) -> bool:
    kind = text(payload, "notification_type", 100)
    if kind is not None:
        return kind in WAITING_TYPES
    message = (text(payload, "message") or "").lower()
    return "permission" in message or "waiting for your input" in message


@dataclass
class Change:
    """What one hook event does to its instance and adds to its timeline."""

    kind: str
    message: str | None
    status: str | None = None  # None: unchanged
    tool: str | None = None
    clear_tool: bool = False
    prompt: str | None = None


def interpret(payload: dict[str, Any], current_status: str | None) -> Change:
    event = text(payload, "hook_event_name", 100) or "unknown"
    tool = text(payload, "tool_name", 200)
    leave_waiting = "working" if current_status == "waiting" else None
    if event == "SessionStart":
        source = text(payload, "source", 50)
        return Change("session_start", f"Session started ({source})" if source else "Session started", "idle")
    if event == "UserPromptSubmit":
        prompt = text(payload, "prompt", 100_000) or ""
        short = truncate(" ".join(prompt.split()), PROMPT_CAP)
        return Change("prompt", short or None, "working", clear_tool=True, prompt=short or None)
    if event == "PreToolUse":
        summary = _tool_summary(payload)
        return Change("tool", f"{tool}: {summary}" if summary else tool, "working", tool=tool)
    if event == "PostToolUse":
        return Change("tool_done", tool, "working", clear_tool=True)
    if event == "PostToolUseFailure":
        error = text(payload, "error", 300)
        return Change(
            "tool_failed", f"{tool} failed: {error}" if error else f"{tool} failed", "working", clear_tool=True
        )
    if event == "PermissionRequest":
        return Change("permission", f"Permission requested for {tool}" if tool else "Permission requested", "waiting")
    if event == "Notification":
        message = text(payload, "message", 500)
        return Change("notification", message, "waiting" if is_waiting(payload) else leave_waiting)
    if event == "Stop":
        return Change("stop", "Stopped; waiting for the next prompt", "idle", clear_tool=True)
    if event == "SessionEnd":
        reason = text(payload, "reason", 100)
        return Change(
            "session_end", f"Session ended ({reason})" if reason else "Session ended", "ended", clear_tool=True
        )
    if event == "SubagentStop":
        agent = text(payload, "agent_type", 100)
        return Change("subagent_stop", f"Subagent {agent} finished" if agent else "Subagent finished", leave_waiting)
    if event == "PreCompact":
        return Change("compact", f"Compacting context ({text(payload, 'trigger', 50) or 'manual'})", leave_waiting)
    return Change("hook", event, leave_waiting)


def session_name(payload: dict[str, Any]) -> str | None:
    cwd = text(payload, "cwd")
    if cwd:
        name = PurePosixPath(cwd.replace("\\", "/")).name
        if name:
            return name[:200]
    session = text(payload, "session_id", 200)
    return f"session {session[:8]}" if session else None
