"""The built-in assistant: exact, deterministic answers from the dashboard's sections."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from jarvis.chat.providers import builtin
from jarvis.core import clock
from jarvis.core.context import AppContext
from jarvis.dashboard import sections
from tests.chat.conftest import answer_text, post_chat

HEALTH: dict[str, Any] = {
    "overall": "degraded",
    "services": [
        {
            "name": "api",
            "status": "offline",
            "last_change": "2026-11-25T11:00:00Z",
            "error": "connection refused",
            "latency_ms": None,
        },
        {
            "name": "db",
            "status": "degraded",
            "last_change": "2026-11-25T11:30:00Z",
            "latency_ms": 1800,
            "latency_p95_ms": 2100,
        },
        {"name": "web", "status": "healthy", "last_change": None, "latency_ms": 12},
    ],
}
INSTANCES: dict[str, Any] = {
    "instances": [
        {
            "id": "agent-a",
            "name": "agent-a",
            "status": "working",
            "current_task": "Build chat",
            "branch": "feat/chat",
            "last_seen": "2026-11-25T11:59:00Z",
            "open_blockers": 0,
        },
        {
            "id": "agent-b",
            "name": "agent-b",
            "status": "waiting",
            "current_task": "Fix CI",
            "branch": None,
            "last_seen": "2026-11-25T11:50:00Z",
            "open_blockers": 0,
        },
        {
            "id": "agent-c",
            "name": "agent-c",
            "status": "stale",
            "current_task": None,
            "branch": None,
            "last_seen": "2026-11-25T10:00:00Z",
            "open_blockers": 0,
        },
        {
            "id": "agent-d",
            "name": "agent-d",
            "status": "blocked",
            "current_task": "Deploy",
            "branch": None,
            "last_seen": "2026-11-25T11:00:00Z",
            "open_blockers": 1,
        },
        {
            "id": "agent-e",
            "name": "agent-e",
            "status": "idle",
            "current_task": None,
            "branch": None,
            "last_seen": "2026-11-25T11:00:00Z",
            "open_blockers": 0,
        },
    ],
    "metrics": {"active_instances": 2, "total_instances": 5},
    "blockers": [
        {
            "id": "b1",
            "instance": "agent-d",
            "description": "needs prod credentials",
            "severity": "critical",
            "opened_at": "2026-11-25T09:00:00Z",
        }
    ],
}
WAVES: dict[str, Any] = {
    "waves": [
        {
            "id": "wave-1",
            "name": "Wave 1: Core",
            "status": "completed",
            "completion_percent": 100,
            "tasks_done": 2,
            "tasks_total": 2,
            "remaining_hours": 0,
            "tasks": [],
        },
        {
            "id": "wave-2",
            "name": "Wave 2: Chat",
            "status": "in_progress",
            "completion_percent": 40,
            "tasks_done": 2,
            "tasks_total": 5,
            "remaining_hours": 6.5,
            "tasks": [
                {"name": "t1", "status": "completed"},
                {"name": "SSE", "status": "in_progress"},
                {"name": "Voice", "status": "pending"},
                {"name": "Docs", "status": "pending"},
                {"name": "Bench", "status": "pending"},
            ],
        },
    ],
    "projects": [],
}
FINANCIAL: dict[str, Any] = {
    "mrr": 12500, "arr": 150000, "burn_rate": None, "runway_months": None, "customers": 42,
    "figures": {
        "burn_rate": {"value": None, "missing": ["monthly_operating_costs"]},
        "runway_months": {"value": None, "missing": ["cash_balance", "monthly_operating_costs"]},
    },
}  # fmt: skip


def test_services_answer_says_what_is_down_and_since_when() -> None:
    assert builtin.services_text(HEALTH) == (
        "**Services:** overall **degraded**.\n"
        "- [api](/services/api) is **offline** since 2026-11-25T11:00:00Z (connection refused).\n"
        "- [db](/services/db) is **slow/degraded**: 1,800 ms (p95 2,100 ms) since 2026-11-25T11:30:00Z.\n"
        "The other 1 service is healthy."
    )


def fleet(now: datetime) -> dict[str, Any]:
    """The instances section as it is after three Claude Code sessions: one waits for permission."""
    return {
        "instances": [
            {
                "id": "cc-vm-a1", "repo": "shop", "branch": "main", "short_id": "a1b2c3d4", "host": "vm",
                "source": "claude-code", "status": "waiting", "current_tool": "Bash", "last_prompt": "Ship it",
                "last_seen": clock.iso(now - timedelta(minutes=4)),
                "attention": {"level": "high", "kind": "permission", "reason": "wants to run `git push --force`",
                              "since": clock.iso(now - timedelta(minutes=4)), "waiting_s": 240.0},
            },
            {
                "id": "cc-vm-b2", "repo": "shop", "branch": "feat/pages", "short_id": "b7e8f9a0", "host": "vm",
                "source": "claude-code", "status": "working", "current_tool": "Edit", "last_prompt": "Add pagination",
                "last_seen": clock.iso(now - timedelta(seconds=30)), "attention": None,
            },
            {"id": "cc-vm-c3", "repo": "api", "source": "claude-code", "status": "idle", "attention": None,
             "last_seen": clock.iso(now - timedelta(hours=2))},
        ]
    }  # fmt: skip


def test_agents_answer_says_who_needs_you_first(frozen_clock: clock.FrozenClock) -> None:
    assert builtin.agents_text(fleet(frozen_clock.current), "who needs me?") == (
        "**Agents:** 3 known, 1 needs you.\n"
        "- **high** [shop](/instances/cc-vm-a1) (`main`, a1b2c3d4, vm) wants to run `git push --force` — for 4 min\n"
        "- Working: [shop](/instances/cc-vm-b2) (`feat/pages`, b7e8f9a0, vm) using Edit on “Add pagination” "
        "(last activity 30 s ago)\n"
        "1 other is idle, done or ended."
    )


def test_agents_answer_about_one_named_session(frozen_clock: clock.FrozenClock) -> None:
    assert builtin.agents_text(fleet(frozen_clock.current), "what is b7e8f9a0 doing?") == (
        "- [shop](/instances/cc-vm-b2) (`feat/pages`, b7e8f9a0, vm) is **working**: using Edit on “Add pagination”; "
        "last activity 30 s ago. Last prompt: “Add pagination”."
    )
    assert builtin.agents_text(fleet(frozen_clock.current), "what is api doing?") == (
        "- [api](/instances/cc-vm-c3) is **idle**: idle, waiting for your next prompt; last activity 2 h ago."
    )


def test_waves_answer_shows_progress_and_what_is_left() -> None:
    assert builtin.waves_text(WAVES) == (
        "**Waves:**\n"
        "- **Wave 1: Core**: completed, 100% (2/2 tasks, 0.0 h left)\n"
        "- **Wave 2: Chat**: in progress, 40% (2/5 tasks, 6.5 h left)\n"
        "  - left: SSE, Voice, Docs and 1 more"
    )


def test_money_answer_names_missing_inputs_and_invents_nothing() -> None:
    assert builtin.money_text(FINANCIAL) == (
        "**Money** ([dashboard](/)):\n"
        "- MRR: $12,500\n"
        "- ARR: $150,000\n"
        "- Burn rate: unknown — missing input: monthly_operating_costs\n"
        "- Runway: unknown — missing input: cash_balance, monthly_operating_costs\n"
        "- Customers: 42"
    )
    infinite = {"runway_months": None, "figures": {"runway_months": {"value": None, "infinite": True}}}
    assert "- Runway: not burning cash, so no limit" in builtin.money_text(infinite)


def test_suggestions_answer() -> None:
    assert builtin.suggestions_text(None) == "**Suggestions:** the proactive engine is not available on this server."
    assert builtin.suggestions_text([]) == "**Suggestions:** none open."
    found = [{"id": "s1", "title": "Restart api", "priority": "high", "message": "api is down for 60 min"}]
    assert (
        builtin.suggestions_text(found) == "**Suggestions:** 1 open.\n- **Restart api** (high): api is down for 60 min"
    )


@pytest.mark.parametrize(
    ("question", "topics"),
    [
        ("Which services are down?", ["services"]),
        ("who is blocked?", ["agents"]),
        ("who needs me?", ["agents"]),
        ("what is shop doing?", ["agents"]),
        ("what's the runway and MRR?", ["money"]),
        ("wave progress", ["waves"]),
        ("any suggestions?", ["suggestions"]),
        ("overall status", ["overview"]),
        ("write me a poem", []),
    ],
)
def test_topics(question: str, topics: list[str]) -> None:
    assert builtin.topics_of(question) == topics


@pytest.fixture
def fixed_sections(monkeypatch: pytest.MonkeyPatch) -> None:
    data = {
        "health": HEALTH,
        "instances": INSTANCES,
        "waves": WAVES,
        "financial": FINANCIAL,
        "business": {"modules": []},
    }
    for name, value in data.items():

        async def build(ctx: AppContext, value: dict[str, Any] = value) -> dict[str, Any]:
            return value

        monkeypatch.setitem(sections.BUILDERS, name, build)


@pytest.mark.usefixtures("fixed_sections")
async def test_overview_streams_word_by_word_from_the_live_sections(client: httpx.AsyncClient) -> None:
    events = await post_chat(client, "What's the overall status?")
    expected = (
        "**Overall: degraded.** Services: 3 monitored, 1 offline, 1 slow. Agents: 2 of 5 active, 1 blocked. "
        "Waves: 1 of 2 completed. MRR $12,500, runway unknown. See the [dashboard](/)."
    )
    tokens = [e["content"] for e in events if e["type"] == "token"]
    assert "".join(tokens) == expected
    assert len(tokens) == len(expected.split(" "))  # one token per word
    assert events[-1]["message"] == expected
    assert '<a href="/" rel="noopener noreferrer nofollow">dashboard</a>' in events[-1]["html"]


async def test_anything_else_gets_the_help_text(client: httpx.AsyncClient) -> None:
    events = await post_chat(client, "write me a poem")
    assert answer_text(events) == builtin.HELP
    assert "provider" in builtin.HELP and "docs/chat.md" in builtin.HELP
