"""Agents that need a person: the instances section's `attention`, once it has lasted long enough.

A wait (permission, question, plan, elicitation) or a failed turn notifies once it is older than
`attention.notify_after_s` (default 60 s; `State.attention_after_s`); a blocked agent at once; an
agent gone quiet (stale heartbeats, a silent session) at `normal`. Each episode is its own situation
(the key holds its start), so a new wait is a new alert and an answered one resolves (and, if it was
sent, the engine sends a follow-up). Billing and authentication errors are `critical`.
"""

from __future__ import annotations

from typing import Any

from jarvis.core.priority import Priority
from jarvis.proactive.rules.base import Finding, RuleSettings, RuleSpec, State, duration, moment

NAME = "agent_attention"
QUIET_KINDS = {"stale", "silent"}


class Settings(RuleSettings):
    quiet: bool = True  # also report agents that stopped reporting (stale) or went silent mid-turn


def evaluate(state: State, cfg: Settings) -> list[Finding]:
    findings: list[Finding] = []
    for agent in state.section("instances").get("instances") or []:
        attention = agent.get("attention")
        if not attention:
            continue
        waited_s = _waited_s(state, attention)
        kind = str(attention.get("kind"))
        if kind in QUIET_KINDS:
            if cfg.quiet:
                findings.append(_finding(agent, attention, waited_s))
        elif not _waits_to_alert(kind) or (waited_s is not None and waited_s >= state.attention_after_s):
            findings.append(_finding(agent, attention, waited_s))
    return findings


def _waited_s(state: State, attention: dict[str, Any]) -> float | None:
    since = moment(attention.get("since"))
    return None if since is None else (state.now - since).total_seconds()


def _waits_to_alert(kind: str) -> bool:
    """A wait or an error alerts once it has lasted `attention_after_s`; a block at once, silence at `normal`."""
    return kind not in QUIET_KINDS and kind != "blocked"


def next_alert_in(state: State) -> float | None:
    """Seconds until the next wait or error becomes old enough to alert (None: none is coming), so the engine
    wakes then rather than on its timer."""
    left = []
    for agent in state.section("instances").get("instances") or []:
        attention = agent.get("attention")
        if attention and _waits_to_alert(str(attention.get("kind"))):
            waited_s = _waited_s(state, attention)
            if waited_s is not None and waited_s < state.attention_after_s:
                left.append(state.attention_after_s - waited_s + 0.05)
    return min(left, default=None)


def who(agent: dict[str, Any]) -> str:
    """How a person tells sessions apart: repository, branch, short id, host."""
    name = str(agent.get("repo") or agent.get("name") or agent.get("id"))
    parts = [p for p in (agent.get("branch"), agent.get("short_id")) if p]
    return f"{name} ({', '.join(parts)})" if parts else name


def _finding(agent: dict[str, Any], attention: dict[str, Any], waited_s: float | None) -> Finding:
    ident = str(agent.get("id"))
    kind = str(attention.get("kind"))
    waited = f" for {duration(waited_s / 60)}" if waited_s is not None else ""
    host = f" on {agent['host']}" if agent.get("host") else ""
    level = str(attention.get("level"))
    priority: Priority = "critical" if level == "critical" else "high" if level == "high" else "normal"
    return Finding(
        rule=NAME,
        kind=f"agent_{kind}",
        key=f"{NAME}:{ident}:{kind}:{attention.get('since')}",
        title=f"{who(agent)} {attention.get('reason')}",
        why=f"{who(agent)}{host} {attention.get('reason')}{waited}.",
        link=f"/instances/{ident}",
        priority=priority,
        figures={
            "instance": ident,
            "kind": kind,
            "since": attention.get("since"),
            "waiting_s": None if waited_s is None else round(waited_s, 1),
        },
    )


SPEC = RuleSpec(NAME, "An agent waiting for you, failed, blocked, or gone quiet.", Settings, evaluate)
