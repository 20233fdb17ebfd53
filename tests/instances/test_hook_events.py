"""Each Claude Code hook event of the reference, and what it does to its session (docs/agents.md has the table).

Every case posts a short history then the event under test through the real receiver, and reads the
session back through the dashboard's section: the displayed state, what it is about, and its attention.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from jarvis.core import clock
from jarvis.core.context import AppContext

BASE = {"session_id": "5e55-1011-aaaa", "cwd": "/srv/shop", "host": "dev-box", "transcript_path": "/t.jsonl"}
ID = "cc-dev-box-5e55-1011-aaaa"

PROMPT = {"hook_event_name": "UserPromptSubmit", "prompt": "Fix the build"}
BASH = {"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "git push --force"}}
PERMISSION = {
    "hook_event_name": "PermissionRequest",
    "tool_name": "Bash",
    "tool_input": {"command": "git push --force", "description": "Push"},
}
STOP = {"hook_event_name": "Stop", "stop_hook_active": False}


async def post(client: httpx.AsyncClient, *events: dict[str, Any]) -> None:
    for event in events:
        response = await client.post("/api/hooks/claude-code", json={**BASE, **event})
        assert response.status_code == 204, response.text


async def session(client: httpx.AsyncClient) -> dict[str, Any]:
    data = (await client.get("/api/dashboard/instances")).json()["data"]
    [found] = [i for i in data["instances"] if i["id"] == ID]
    return found


async def newest(client: httpx.AsyncClient) -> dict[str, Any]:
    timeline: list[dict[str, Any]] = (await client.get(f"/api/instances/{ID}")).json()["data"]["timeline"]
    return timeline[0]


# (history, event, status, detail subset, current tool, timeline kind)
CASES: list[tuple[str, list[dict[str, Any]], dict[str, Any], str, dict[str, Any] | None, str | None, str]] = [
    ("SessionStart", [], {"hook_event_name": "SessionStart", "source": "startup"}, "idle", None, None,
     "session_start"),
    ("SessionStart compact keeps working", [PROMPT, BASH], {"hook_event_name": "SessionStart", "source": "compact"},
     "working", None, "Bash", "session_start"),
    ("Setup", [PROMPT], {"hook_event_name": "Setup", "trigger": "init"}, "working", None, None, "setup"),
    ("InstructionsLoaded", [PROMPT], {"hook_event_name": "InstructionsLoaded", "file_path": "/srv/shop/CLAUDE.md"},
     "working", None, None, "instructions"),
    ("UserPromptSubmit", [STOP], PROMPT, "working", None, None, "prompt"),
    ("UserPromptExpansion", [PROMPT], {"hook_event_name": "UserPromptExpansion", "command": "/review"}, "working",
     None, None, "prompt_expansion"),
    ("MessageDisplay", [PROMPT], {"hook_event_name": "MessageDisplay", "message": "hi"}, "working", None, None,
     "message"),
    ("PreToolUse", [PROMPT], BASH, "working", None, "Bash", "tool"),
    ("PreToolUse AskUserQuestion", [PROMPT],
     {"hook_event_name": "PreToolUse", "tool_name": "AskUserQuestion",
      "tool_input": {"questions": [{"question": "Which database?", "options": []}]}},
     "waiting", {"kind": "question", "summary": "Which database?"}, "AskUserQuestion", "question"),
    ("PreToolUse ExitPlanMode", [PROMPT],
     {"hook_event_name": "PreToolUse", "tool_name": "ExitPlanMode", "tool_input": {"plan": "# Plan\n1. do"}},
     "waiting", {"kind": "plan"}, "ExitPlanMode", "question"),
    ("PermissionRequest", [PROMPT, BASH], PERMISSION, "waiting",
     {"kind": "permission", "tool": "Bash", "summary": "git push --force"}, "Bash", "permission"),
    ("PermissionDenied", [PROMPT, BASH, PERMISSION], {"hook_event_name": "PermissionDenied", "tool_name": "Bash"},
     "working", None, None, "permission_denied"),
    ("PostToolUse", [PROMPT, BASH, PERMISSION], {"hook_event_name": "PostToolUse", "tool_name": "Bash"}, "working",
     None, None, "tool_done"),
    ("PostToolUseFailure", [PROMPT, BASH],
     {"hook_event_name": "PostToolUseFailure", "tool_name": "Bash", "error": "Exit code 1"}, "working", None, None,
     "tool_failed"),
    ("PostToolBatch", [PROMPT], {"hook_event_name": "PostToolBatch"}, "working", None, None, "tool_batch"),
    ("Notification permission_prompt", [PROMPT, BASH],
     {"hook_event_name": "Notification", "notification_type": "permission_prompt",
      "message": "Claude needs your permission to use Bash"},
     "waiting", {"kind": "permission"}, "Bash", "notification"),
    ("Notification after PermissionRequest keeps its detail", [PROMPT, BASH, PERMISSION],
     {"hook_event_name": "Notification", "notification_type": "permission_prompt", "message": "needs permission"},
     "waiting", {"kind": "permission", "summary": "git push --force"}, "Bash", "notification"),
    ("Notification idle_prompt stays idle", [PROMPT, STOP],
     {"hook_event_name": "Notification", "notification_type": "idle_prompt",
      "message": "Claude is waiting for your input"},
     "idle", None, None, "notification"),
    ("SubagentStart", [PROMPT], {"hook_event_name": "SubagentStart", "agent_id": "a-1", "agent_type": "Explore"},
     "working", None, None, "subagent_start"),
    ("SubagentStop", [PROMPT], {"hook_event_name": "SubagentStop", "agent_id": "a-1", "agent_type": "Explore"},
     "working", None, None, "subagent_stop"),
    ("TaskCreated", [PROMPT], {"hook_event_name": "TaskCreated", "task_id": "7", "task_subject": "Write tests"},
     "working", None, None, "task_created"),
    ("TaskCompleted", [PROMPT], {"hook_event_name": "TaskCompleted", "task_id": "7", "task_subject": "Write tests"},
     "working", None, None, "task_completed"),
    ("Stop", [PROMPT, BASH], STOP, "idle", None, None, "stop"),
    ("Stop with background tasks", [PROMPT],
     {"hook_event_name": "Stop", "background_tasks": [{"id": "b1"}, {"id": "b2"}]}, "background", {"tasks": 2}, None,
     "stop"),
    ("StopFailure", [PROMPT, BASH],
     {"hook_event_name": "StopFailure", "error": "rate_limit", "error_details": "429 Too Many Requests"},
     "error", {"error": "rate_limit", "details": "429 Too Many Requests"}, None, "error"),
    ("TeammateIdle", [PROMPT], {"hook_event_name": "TeammateIdle", "teammate_name": "bob"}, "working", None, None,
     "teammate_idle"),
    ("ConfigChange", [PROMPT], {"hook_event_name": "ConfigChange", "source": "user_settings"}, "working", None, None,
     "config"),
    ("CwdChanged", [PROMPT], {"hook_event_name": "CwdChanged", "old_cwd": "/srv/shop", "new_cwd": "/srv/shop/api"},
     "working", None, None, "cwd"),
    ("DirectoryAdded", [PROMPT], {"hook_event_name": "DirectoryAdded", "directory": "/srv/lib"}, "working", None,
     None, "directory"),
    ("FileChanged", [PROMPT], {"hook_event_name": "FileChanged", "file_path": "/srv/shop/.env"}, "working", None,
     None, "file"),
    ("WorktreeCreate", [PROMPT],
     {"hook_event_name": "WorktreeCreate", "worktree_path": "/srv/shop-wt", "branch": "feat/pages"}, "working", None,
     None, "worktree"),
    ("WorktreeRemove", [PROMPT], {"hook_event_name": "WorktreeRemove", "worktree_path": "/srv/shop-wt"}, "working",
     None, None, "worktree_removed"),
    ("PreCompact", [PROMPT], {"hook_event_name": "PreCompact", "trigger": "auto"}, "working", None, None, "compact"),
    ("PostCompact", [PROMPT], {"hook_event_name": "PostCompact", "trigger": "auto"}, "working", None, None,
     "compacted"),
    ("Elicitation", [PROMPT],
     {"hook_event_name": "Elicitation", "mcp_server_name": "github", "message": "Which repository?"}, "waiting",
     {"kind": "elicitation", "server": "github", "summary": "Which repository?"}, None, "elicitation"),
    ("ElicitationResult", [PROMPT, {"hook_event_name": "Elicitation", "mcp_server_name": "github"}],
     {"hook_event_name": "ElicitationResult", "mcp_server_name": "github", "action": "accept"}, "working", None, None,
     "elicitation_result"),
    ("SessionEnd", [PROMPT], {"hook_event_name": "SessionEnd", "reason": "logout"}, "ended", {"reason": "logout"},
     None, "session_end"),
    ("an unknown event changes nothing", [PROMPT, BASH, PERMISSION], {"hook_event_name": "SomethingNew", "x": 1},
     "waiting", {"kind": "permission"}, "Bash", "hook"),
]  # fmt: skip
REFERENCE = (
    "SessionStart Setup InstructionsLoaded UserPromptSubmit UserPromptExpansion MessageDisplay PreToolUse "
    "PermissionRequest PermissionDenied PostToolUse PostToolUseFailure PostToolBatch Notification SubagentStart "
    "SubagentStop TaskCreated TaskCompleted Stop StopFailure TeammateIdle ConfigChange CwdChanged DirectoryAdded "
    "FileChanged WorktreeCreate WorktreeRemove PreCompact PostCompact Elicitation ElicitationResult SessionEnd"
).split()


def test_every_event_of_the_reference_has_a_case() -> None:
    assert len(REFERENCE) == 31
    assert {case[2]["hook_event_name"] for case in CASES} >= set(REFERENCE)


@pytest.mark.parametrize(
    ("name", "history", "event", "status", "detail", "tool", "kind"), CASES, ids=[c[0] for c in CASES]
)
async def test_event_moves_the_session(
    client: httpx.AsyncClient,
    name: str,
    history: list[dict[str, Any]],
    event: dict[str, Any],
    status: str,
    detail: dict[str, Any] | None,
    tool: str | None,
    kind: str,
) -> None:
    await post(client, *history, event)
    instance = await session(client)
    assert instance["status"] == status
    assert instance["current_tool"] == tool
    if detail is None:
        assert instance["status_detail"] is None
    else:
        assert detail.items() <= (instance["status_detail"] or {}).items()
    assert (await newest(client))["kind"] == kind
    assert instance["last_event"] == event["hook_event_name"]


async def test_session_start_keeps_model_and_source(client: httpx.AsyncClient) -> None:
    await post(client, {"hook_event_name": "SessionStart", "source": "resume", "model": "claude-opus-4-5"})
    instance = await session(client)
    assert (instance["model"], instance["start_source"]) == ("claude-opus-4-5", "resume")
    await post(client, PROMPT, {"hook_event_name": "SessionStart", "source": "compact"})
    instance = await session(client)
    assert (instance["status"], instance["start_source"], instance["model"]) == (
        "working",
        "compact",
        "claude-opus-4-5",
    )


async def test_stop_failure_clears_the_tool_and_says_what_failed(client: httpx.AsyncClient) -> None:
    await post(client, PROMPT, BASH, {"hook_event_name": "StopFailure", "error_type": "billing_error",
                                      "error_message": "Your credit balance is too low"})  # fmt: skip
    instance = await session(client)
    assert instance["status"] == "error" and instance["current_tool"] is None
    assert instance["attention"]["level"] == "critical"
    assert instance["attention"]["reason"] == "stopped on a billing error: Your credit balance is too low"


async def test_cwd_and_worktree_move_the_session(client: httpx.AsyncClient) -> None:
    await post(client, PROMPT, {"hook_event_name": "CwdChanged", "old_cwd": "/srv/shop", "new_cwd": "/srv/api"})
    assert (await session(client))["cwd"] == "/srv/api"
    await post(
        client, {"hook_event_name": "WorktreeCreate", "worktree_path": "/srv/api-wt", "branch": "feat/x", "cwd": None}
    )
    instance = await session(client)
    assert (instance["cwd"], instance["branch"], instance["name"]) == ("/srv/api-wt", "feat/x", "api-wt")


async def test_subagents_appear_under_their_session(client: httpx.AsyncClient) -> None:
    await post(
        client,
        PROMPT,
        {"hook_event_name": "SubagentStart", "agent_id": "a-1", "agent_type": "Explore"},
        {"hook_event_name": "SubagentStart", "agent_id": "a-2", "agent_type": "Plan"},
        {"hook_event_name": "SubagentStop", "agent_id": "a-1", "agent_type": "Explore"},
    )
    subagents = {s["id"]: (s["type"], s["status"]) for s in (await session(client))["subagents"]}
    assert subagents == {"a-1": ("Explore", "done"), "a-2": ("Plan", "working")}


async def test_tasks_fill_the_project_of_the_repository(client: httpx.AsyncClient) -> None:
    created = await client.post("/api/projects", json={"id": "wave-shop", "name": "Shop"})
    assert created.status_code == 201, created.text
    await post(
        client,
        {"hook_event_name": "TaskCreated", "task_id": "1", "task_subject": "Pagination"},
        {"hook_event_name": "TaskCreated", "task_id": "2", "task_subject": "Docs"},
        {"hook_event_name": "TaskCompleted", "task_id": "1", "task_subject": "Pagination"},
    )
    project = (await client.get("/api/projects/wave-shop")).json()["data"]
    tasks = {t["name"]: (t["status"], t["assigned_to"]) for t in project["tasks"]}
    assert tasks == {"Pagination": ("completed", [ID]), "Docs": ("pending", [ID])}


async def test_waiting_is_never_stale_and_working_goes_silent(
    client: httpx.AsyncClient, ctx: AppContext, frozen_clock: clock.FrozenClock
) -> None:
    await post(client, PROMPT, BASH, PERMISSION)
    asked = frozen_clock.current
    frozen_clock.advance(3600)  # far past instance_stale_after_s
    ctx.mark_changed("instances")
    instance = await session(client)
    assert instance["status"] == "waiting"
    assert instance["attention"] == {
        "level": "high",
        "kind": "permission",
        "reason": "wants to run `git push --force`",
        "since": clock.iso(asked),
        "waiting_s": 3600.0,
    }
    await post(client, {"hook_event_name": "PostToolUse", "tool_name": "Bash"})
    frozen_clock.advance(ctx.settings.attention.silent_after_s + 60)
    ctx.mark_changed("instances")
    instance = await session(client)
    assert instance["status"] == "silent"
    assert instance["attention"]["level"] == "normal"
    assert instance["attention"]["reason"] == "no activity for 3 min"


async def test_idle_sessions_need_nobody(
    client: httpx.AsyncClient, ctx: AppContext, frozen_clock: clock.FrozenClock
) -> None:
    await post(client, PROMPT, STOP)
    frozen_clock.advance(86_400)
    ctx.mark_changed("instances")
    instance = await session(client)
    assert (instance["status"], instance["attention"]) == ("idle", None)


async def test_nul_characters_are_dropped_not_a_500(client: httpx.AsyncClient) -> None:
    """PostgreSQL text cannot hold NUL: the attack run got 500s from hook prompts carrying one."""
    await post(client, {"hook_event_name": "UserPromptSubmit", "prompt": "fix\u0000 it", "x\u0000": "y\u0000"})
    instance = await session(client)
    assert instance["last_prompt"] == "fix it"
    assert (await newest(client))["data"]["x"] == "y"


async def test_bidi_overrides_and_zero_width_characters_are_dropped(client: httpx.AsyncClient) -> None:
    """A prompt or folder name cannot pose as something else on the page (RTL override, zero-width joiners)."""
    await post(client, {"hook_event_name": "UserPromptSubmit", "prompt": "run \u202etxt.exe\u202c now\u200b"})
    assert (await session(client))["last_prompt"] == "run txt.exe now"
