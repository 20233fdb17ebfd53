"""Who needs a person, and why: the state shown to the user, and its `attention`.

Pure functions of an instance's stored state and the clock, computed at read time, so time passing
(a wait getting longer, a working session going quiet, a heartbeat missed) needs no write.

- A Claude Code session is never `stale`: Claude Code sends no heartbeats, and idle or waiting are
  states, not silence. A session `working` with no event for `attention.silent_after_s` is shown
  `silent` (Esc fires no hook; we say how long, we do not guess why).
- `stale` is for agents that promised heartbeats (heartbeat API, tracker) and stopped; a `blocked`
  agent stays blocked whatever its heartbeats do.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jarvis.core import clock

TERMINAL = {"done", "ended"}
LEVELS = {"critical": 0, "high": 1, "normal": 2}
CRITICAL_ERRORS = {"billing_error", "authentication_failed", "oauth_org_not_allowed"}
ERROR_WORDS = {
    "rate_limit": "hit the rate limit",
    "billing_error": "stopped on a billing error",
    "authentication_failed": "cannot authenticate",
    "oauth_org_not_allowed": "is not allowed in this organisation",
    "overloaded": "stopped: the API is overloaded",
    "server_error": "stopped on an API server error",
    "invalid_request": "stopped on an invalid request",
    "max_output_tokens": "ran out of output tokens",
}


def displayed_status(
    source: str, status: str, last_seen: datetime | None, *, stale_after_s: float, silent_after_s: float
) -> str:
    if status in TERMINAL:
        return status
    quiet = None if last_seen is None else (clock.now() - last_seen).total_seconds()
    if source == "claude-code":
        if status == "working" and quiet is not None and quiet > silent_after_s:
            return "silent"
        return status
    if status == "blocked":
        return status
    if quiet is None or quiet > stale_after_s:
        return "stale"
    return status


def _code(value: str) -> str:
    return f"`{value}`"


def _waiting_reason(detail: dict[str, Any]) -> str:
    kind = detail.get("kind")
    tool, summary = detail.get("tool"), detail.get("summary")
    if kind == "question":
        return f"asks: {summary}" if summary else "asks you a question"
    if kind == "plan":
        return "wants you to approve its plan"
    if kind == "elicitation":
        server = detail.get("server") or "an MCP server"
        return f"{server} asks for input" + (f": {summary}" if summary else "")
    if tool == "Bash" and summary:
        return f"wants to run {_code(summary)}"
    if tool and summary:
        return f"wants to use {tool} on {_code(summary)}"
    if tool:
        return f"wants to use {tool}"
    return f"asks for permission: {summary}" if summary else "asks for permission"


def attention(
    instance: dict[str, Any], *, status_since: datetime | None, last_seen: datetime | None
) -> dict[str, Any] | None:
    """`null`, or `{level, kind, reason, since, waiting_s}` for an instance in its displayed state: a wait, an
    error or a block counts from when the state began, silence from the last sign of life."""
    status = instance["status"]
    detail: dict[str, Any] = instance.get("status_detail") or {}
    since = status_since or last_seen
    if status == "waiting":
        level, kind, reason = "high", str(detail.get("kind") or "permission"), _waiting_reason(detail)
    elif status == "error":
        error = str(detail.get("error") or "unknown")
        level = "critical" if error in CRITICAL_ERRORS else "high"
        kind = "error"
        reason = ERROR_WORDS.get(error, f"stopped on an error ({error})")
        if detail.get("details"):
            reason += f": {detail['details']}"
    elif status == "blocked":
        level, kind = "high", "blocked"
        blockers = instance.get("open_blockers") or 0
        reason = "reports itself blocked" + (f" ({blockers} open blocker(s))" if blockers else "")
    elif status in ("stale", "silent"):
        since = last_seen
        level, kind = "normal", status
        quiet = clock.human_duration(None if since is None else (clock.now() - since).total_seconds())
        reason = f"no heartbeat for {quiet}" if status == "stale" else f"no activity for {quiet}"
    else:
        return None
    waiting_s = None if since is None else round(max(0.0, (clock.now() - since).total_seconds()), 1)
    return {"level": level, "kind": kind, "reason": reason, "since": clock.iso(since), "waiting_s": waiting_s}


def urgency(instance: dict[str, Any]) -> tuple[int, str]:
    """Sort key: most urgent level first, then the longest wait."""
    item = instance["attention"]
    return LEVELS[item["level"]], item["since"] or ""


def card_order(instances: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Those that need someone (most urgent, longest waiting first), then the others by latest activity."""
    needing = sorted((i for i in instances if i.get("attention")), key=urgency)
    others = sorted((i for i in instances if not i.get("attention")), key=lambda i: i.get("id") or "")
    others.sort(key=lambda i: i.get("last_seen") or "", reverse=True)
    return needing + others
