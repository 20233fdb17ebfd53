"""Claude Code hook payloads → instance state and timeline entries.

Each session is one instance, identified by host + session id. `interpret` is a pure function of
the payload and the session's current state: it says what one event does (the table is in
docs/agents.md). A wait (permission, question, plan, elicitation) is set by the event that asks
and cleared by the event that answers; nothing is inferred from silence here (that is `attention`,
at read time). Unknown events and fields are kept (trimmed) in the timeline, never rejected.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from jarvis.core.text import INVISIBLE

PROMPT_CAP = 200
SUMMARY_CAP = 200
STRING_CAP = 2000
ASKING_TOOLS = {"AskUserQuestion": "question", "ExitPlanMode": "plan"}

SUMMARY_KEYS = ("command", "file_path", "notebook_path", "path", "url", "pattern", "query", "description", "prompt")


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or "unknown"


def instance_id(host: str, session_id: str) -> str:
    """URL-safe and stable: `cc-<host>-<session>`."""
    return f"cc-{_safe(host)[:60]}-{_safe(session_id)[:90]}"


def text(payload: dict[str, Any], *keys: str, cap: int = STRING_CAP) -> str | None:
    """The first non-empty string among `keys` (Claude Code has renamed a few fields), stripped and capped."""
    for key in keys:
        value = payload.get(key)
        if isinstance(value, str) and value.strip():
            return value.translate(INVISIBLE).strip()[:cap]
    return None


def truncate(value: str, cap: int) -> str:
    return value if len(value) <= cap else value[: cap - 1] + "…"


def one_line(value: str, cap: int = SUMMARY_CAP) -> str:
    return truncate(" ".join(value.translate(INVISIBLE).split()), cap)


def trim(value: Any, depth: int = 0) -> Any:
    """A bounded copy of the payload for the timeline: long strings cut, deep trees pruned, `INVISIBLE`
    characters dropped."""
    if isinstance(value, str):
        return truncate(value.translate(INVISIBLE), STRING_CAP)
    if depth >= 6:
        return "…"
    if isinstance(value, dict):
        return {str(k).translate(INVISIBLE)[:100]: trim(v, depth + 1) for k, v in list(value.items())[:100]}
    if isinstance(value, list):
        return [trim(v, depth + 1) for v in value[:50]]
    return value


def tool_summary(payload: dict[str, Any]) -> str | None:
    """One line saying what a tool call does: the Bash command, the file path, the URL …"""
    tool_input = payload.get("tool_input")
    if not isinstance(tool_input, dict):
        return None
    for key in SUMMARY_KEYS:
        value = tool_input.get(key)
        if isinstance(value, str) and value.strip():
            return one_line(value)
    return None


def _question(payload: dict[str, Any]) -> str | None:
    tool_input = payload.get("tool_input")
    if isinstance(tool_input, dict):
        questions = tool_input.get("questions")
        if isinstance(questions, list) and questions and isinstance(questions[0], dict):
            first = text(questions[0], "question", "header")
            if first:
                return one_line(first)
        plan = text(tool_input, "plan", "question")
        if plan:
            return one_line(plan.lstrip("# "))
    return None


def _model(payload: dict[str, Any]) -> str | None:
    model = payload.get("model")
    if isinstance(model, dict):
        return text(model, "display_name", "id", cap=200)
    return text(payload, "model", cap=200)


@dataclass
class Change:
    """What one hook event does to its instance and adds to its timeline.

    `status` None leaves the state as it is; when set, `detail` replaces the state's detail (what the
    wait or error is about) and `status_since` restarts, unless the state is the same one continued."""

    kind: str
    message: str | None
    status: str | None = None
    detail: dict[str, Any] | None = None
    tool: str | None = None
    clear_tool: bool = False
    prompt: str | None = None
    fields: dict[str, str] = field(default_factory=dict)  # cwd, branch, model, start_source
    subagent: tuple[str, dict[str, Any]] | None = None
    task: dict[str, Any] | None = None


def _waiting(kind: str, **detail: Any) -> dict[str, Any]:
    return {"kind": kind, **{k: v for k, v in detail.items() if v is not None}}


def interpret(payload: dict[str, Any], status: str | None, detail: dict[str, Any] | None = None) -> Change:
    """The effect of one event on a session whose state is `status` (with `detail`)."""
    event = text(payload, "hook_event_name", cap=100) or "unknown"
    handler = HANDLERS.get(event)
    if handler is None:
        return Change("hook", event)
    return handler(payload, status, detail or {})


def _session_start(payload: dict[str, Any], status: str | None, detail: dict[str, Any]) -> Change:
    source = text(payload, "source", cap=50)
    fields = {"start_source": source} if source else {}
    model = _model(payload)
    if model:
        fields["model"] = model
    if source == "compact":  # auto-compaction mid-task: the session goes on as it was
        return Change("session_start", "Context compacted; the session continues", fields=fields)
    message = f"Session started ({source})" if source else "Session started"
    return Change("session_start", message, "idle", clear_tool=True, fields=fields)


def _prompt(payload: dict[str, Any], status: str | None, detail: dict[str, Any]) -> Change:
    short = one_line(text(payload, "prompt", cap=100_000) or "", PROMPT_CAP)
    return Change("prompt", short or None, "working", clear_tool=True, prompt=short or None)


def _pre_tool(payload: dict[str, Any], status: str | None, detail: dict[str, Any]) -> Change:
    tool = text(payload, "tool_name", cap=200)
    asking = ASKING_TOOLS.get(tool or "")
    if asking is not None:
        question = _question(payload)
        message = f"Asks: {question}" if asking == "question" and question else f"{tool}: plan ready for review"
        return Change("question", message, "waiting", _waiting(asking, tool=tool, summary=question), tool=tool)
    summary = tool_summary(payload)
    return Change("tool", f"{tool}: {summary}" if summary else tool, "working", tool=tool)


def _permission(payload: dict[str, Any], status: str | None, detail: dict[str, Any]) -> Change:
    tool = text(payload, "tool_name", cap=200)
    summary = tool_summary(payload)
    what = f"{tool}: {summary}" if tool and summary else tool or "a tool"
    return Change(
        "permission", f"Permission requested for {what}", "waiting", _waiting("permission", tool=tool, summary=summary)
    )


def _permission_denied(payload: dict[str, Any], status: str | None, detail: dict[str, Any]) -> Change:
    tool = text(payload, "tool_name", cap=200) or "a tool"
    reason = text(payload, "reason", "message", cap=300)
    message = f"Permission denied for {tool}" + (f": {reason}" if reason else "")
    return Change("permission_denied", message, "working", clear_tool=True)


def _post_tool(payload: dict[str, Any], status: str | None, detail: dict[str, Any]) -> Change:
    return Change("tool_done", text(payload, "tool_name", cap=200), "working", clear_tool=True)


def _tool_failed(payload: dict[str, Any], status: str | None, detail: dict[str, Any]) -> Change:
    tool = text(payload, "tool_name", cap=200) or "a tool"
    error = text(payload, "error", "error_message", cap=300)
    message = f"{tool} failed: {one_line(error, 300)}" if error else f"{tool} failed"
    return Change("tool_failed", message, "working", clear_tool=True)


def _notification(payload: dict[str, Any], status: str | None, detail: dict[str, Any]) -> Change:
    message = text(payload, "message", cap=500)
    kind = text(payload, "notification_type", cap=100)
    if kind is None and message is not None and "permission" in message.lower():
        kind = "permission_prompt"  # Claude Code before notification_type existed
    if status == "waiting":  # the late echo of a wait we already know in detail
        return Change("notification", message)
    if kind == "permission_prompt":
        return Change("notification", message, "waiting", _waiting("permission", summary=message))
    if kind == "elicitation_dialog":
        return Change("notification", message, "waiting", _waiting("elicitation", summary=message))
    return Change("notification", message)  # idle_prompt ("waiting for your input"): still idle, not a wait


def _subagent(payload: dict[str, Any], *, done: bool) -> Change:
    agent_id = text(payload, "agent_id", cap=100) or "subagent"
    agent_type = text(payload, "agent_type", cap=100)
    return Change(
        "subagent_stop" if done else "subagent_start",
        f"Subagent {agent_type or agent_id} {'finished' if done else 'started'}",
        subagent=(agent_id, {"type": agent_type, "status": "done" if done else "working"}),
    )


def _task(payload: dict[str, Any], *, done: bool) -> Change:
    task_id = text(payload, "task_id", "id", cap=100)
    subject = text(payload, "task_subject", "subject", "title", "description", cap=200)
    verb = "completed" if done else "created"
    task = {"id": task_id, "name": subject or task_id, "status": "completed" if done else "pending"}
    return Change(f"task_{verb}", f"Task {verb}: {subject or task_id or '?'}", task=task if task_id else None)


def _stop(payload: dict[str, Any], status: str | None, detail: dict[str, Any]) -> Change:
    background = payload.get("background_tasks")
    count = len(background) if isinstance(background, list) else int(background) if isinstance(background, int) else 0
    if count > 0:
        return Change(
            "stop",
            f"Turn done; {count} background task(s) still running",
            "background",
            {"tasks": count},
            clear_tool=True,
        )
    return Change("stop", "Turn done; your turn", "idle", clear_tool=True)


def _stop_failure(payload: dict[str, Any], status: str | None, detail: dict[str, Any]) -> Change:
    error = text(payload, "error", "error_type", cap=100) or "unknown"
    details = text(payload, "error_details", "error_message", cap=500)
    message = f"Turn failed: {error}" + (f" — {one_line(details, 300)}" if details else "")
    return Change("error", message, "error", {"kind": "error", "error": error, "details": details}, clear_tool=True)


def _session_end(payload: dict[str, Any], status: str | None, detail: dict[str, Any]) -> Change:
    reason = text(payload, "reason", cap=100)
    return Change(
        "session_end",
        f"Session ended ({reason})" if reason else "Session ended",
        "ended",
        {"reason": reason} if reason else None,
        clear_tool=True,
    )


def _cwd_changed(payload: dict[str, Any], status: str | None, detail: dict[str, Any]) -> Change:
    cwd = text(payload, "new_cwd", "cwd", cap=1000)
    fields = {"cwd": cwd} if cwd else {}
    return Change("cwd", f"Now in {cwd}" if cwd else "Directory changed", fields=fields)


def _worktree_create(payload: dict[str, Any], status: str | None, detail: dict[str, Any]) -> Change:
    path = text(payload, "worktree_path", "path", cap=1000)
    branch = text(payload, "branch", "worktree_branch", "branch_name", cap=255)
    fields = {key: value for key, value in (("cwd", path), ("branch", branch)) if value}
    return Change("worktree", f"Worktree {path or ''} ({branch or 'detached'})".replace("  ", " "), fields=fields)


def _elicitation(payload: dict[str, Any], status: str | None, detail: dict[str, Any]) -> Change:
    server = text(payload, "mcp_server_name", "server_name", cap=200)
    message = text(payload, "message", cap=300)
    return Change(
        "elicitation",
        f"{server or 'An MCP server'} asks: {message or 'input needed'}",
        "waiting",
        _waiting("elicitation", server=server, summary=message and one_line(message)),
    )


def _elicitation_result(payload: dict[str, Any], status: str | None, detail: dict[str, Any]) -> Change:
    action = text(payload, "action", cap=50)
    answered = status == "waiting" and detail.get("kind") == "elicitation"
    return Change(
        "elicitation_result", f"Answered ({action})" if action else "Answered", "working" if answered else None
    )


Handler = Callable[[dict[str, Any], str | None, dict[str, Any]], Change]


def _note(kind: str, describe: Callable[[dict[str, Any]], str | None]) -> Handler:
    """A timeline-only event: it changes nothing in the state."""

    def handler(payload: dict[str, Any], status: str | None, detail: dict[str, Any]) -> Change:
        return Change(kind, describe(payload))

    return handler


HANDLERS: dict[str, Handler] = {
    "SessionStart": _session_start,
    "Setup": _note("setup", lambda p: "Setup ran"),
    "InstructionsLoaded": _note(
        "instructions", lambda p: text(p, "file_path", "path", cap=500) or "Instructions loaded"
    ),
    "UserPromptSubmit": _prompt,
    "UserPromptExpansion": _note("prompt_expansion", lambda p: text(p, "command", "expansion", cap=200)),
    "MessageDisplay": _note("message", lambda p: text(p, "message", cap=300)),
    "PreToolUse": _pre_tool,
    "PermissionRequest": _permission,
    "PermissionDenied": _permission_denied,
    "PostToolUse": _post_tool,
    "PostToolUseFailure": _tool_failed,
    "PostToolBatch": _note("tool_batch", lambda p: "Tool batch done"),
    "Notification": _notification,
    "SubagentStart": lambda p, s, d: _subagent(p, done=False),
    "SubagentStop": lambda p, s, d: _subagent(p, done=True),
    "TaskCreated": lambda p, s, d: _task(p, done=False),
    "TaskCompleted": lambda p, s, d: _task(p, done=True),
    "Stop": _stop,
    "StopFailure": _stop_failure,
    "TeammateIdle": _note("teammate_idle", lambda p: f"Teammate {text(p, 'teammate_name', 'agent_id') or '?'} is idle"),
    "ConfigChange": _note("config", lambda p: f"Settings changed ({text(p, 'source', 'file_path') or '?'})"),
    "CwdChanged": _cwd_changed,
    "DirectoryAdded": _note("directory", lambda p: f"Directory added: {text(p, 'directory', 'path') or '?'}"),
    "FileChanged": _note("file", lambda p: f"File changed: {text(p, 'file_path', 'path') or '?'}"),
    "WorktreeCreate": _worktree_create,
    "WorktreeRemove": _note(
        "worktree_removed", lambda p: f"Worktree removed: {text(p, 'worktree_path', 'path') or '?'}"
    ),
    "PreCompact": _note("compact", lambda p: f"Compacting context ({text(p, 'trigger', cap=50) or 'manual'})"),
    "PostCompact": _note("compacted", lambda p: "Context compacted"),
    "Elicitation": _elicitation,
    "ElicitationResult": _elicitation_result,
    "SessionEnd": _session_end,
}


def session_name(cwd: str | None, session_id: str | None) -> str | None:
    """The repository folder, else a short session id."""
    if cwd:
        name = PurePosixPath(cwd.replace("\\", "/")).name
        if name:
            return name[:200]
    return f"session {session_id[:8]}" if session_id else None
