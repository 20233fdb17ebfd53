"""An agent stale, waiting for input longer than N minutes, or blocked."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from jarvis.core.priority import Priority
from jarvis.proactive.rules.base import Finding, RuleSettings, RuleSpec, State, duration, minutes_since

NAME = "agent_attention"
TITLES = {"waiting": "waiting for input", "blocked": "blocked", "stale": "not reporting"}


class Settings(RuleSettings):
    waiting_minutes: float = Field(10.0, ge=0)
    blocked_minutes: float = Field(0.0, ge=0)
    stale: bool = True  # also report agents that stopped reporting


def evaluate(state: State, cfg: Settings) -> list[Finding]:
    findings: list[Finding] = []
    for agent in state.section("instances").get("instances") or []:
        status = agent.get("status")
        minutes = minutes_since(state, agent.get("last_seen"))
        if status == "waiting" and minutes is not None and minutes >= cfg.waiting_minutes:
            findings.append(_finding(agent, "waiting", minutes, "high"))
        elif status == "blocked" and (minutes is None or minutes >= cfg.blocked_minutes):
            findings.append(_finding(agent, "blocked", minutes, "high"))
        elif status == "stale" and cfg.stale:
            findings.append(_finding(agent, "stale", minutes, "normal"))
    return findings


def _finding(agent: dict[str, Any], situation: str, minutes: float | None, priority: Priority) -> Finding:
    ident = str(agent.get("id"))
    name = str(agent.get("name") or ident)
    since = f" for {duration(minutes)}" if minutes is not None else ""
    task = f" on “{agent['current_task']}”" if agent.get("current_task") else ""
    reasons = {
        "waiting": f"{name} has been waiting for input{since}{task}; its last report was at {agent.get('last_seen')}.",
        "blocked": f"{name} reports itself blocked{since}{task} with {agent.get('open_blockers') or 0} open "
        "blocker(s).",
        "stale": f"{name} has not reported since {agent.get('last_seen')}{since}; it may have stopped or lost its "
        "connection.",
    }
    return Finding(
        rule=NAME,
        kind=f"agent_{situation}",
        key=f"{NAME}:{situation}:{ident}",
        title=f"{name} is {TITLES[situation]}",
        why=reasons[situation],
        link=f"/instances/{ident}",
        priority=priority,
        figures={"instance": ident, "status": situation, "minutes": None if minutes is None else round(minutes, 1)},
    )


SPEC = RuleSpec(NAME, "An agent stale, waiting for input too long, or blocked.", Settings, evaluate)
