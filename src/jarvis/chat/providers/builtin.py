"""The offline assistant: answers about the live state from the dashboard's own data, no key needed.

Deterministic (same data and question, same answer) so it is tested word for word. It only
states figures the sections hold; a missing input is said to be missing, never guessed.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

from jarvis.chat import sources
from jarvis.chat.providers.base import Chunk, Token, Turn, words

TOPICS: dict[str, tuple[str, ...]] = {
    "overview": ("status", "overview", "summary", "how are", "going on", "everything", "report", "state of"),
    "services": ("service", "down", "slow", "offline", "degraded", "outage", "latency", "health"),
    "agents": ("agent", "instance", "working", "waiting", "stale", "blocked", "blocker", "fleet", "who "),
    "waves": ("wave", "progress", "left", "remaining", "project", "task", "milestone"),
    "money": ("mrr", "arr", "runway", "revenue", "burn", "money", "cash", "financ", "customer"),
    "suggestions": ("suggest", "recommend", "should i", "what next", "advice", "proactive"),
}
ORDER = ("overview", "services", "agents", "waves", "money", "suggestions")

HELP = (
    "I'm the built-in assistant: I answer from the live dashboard, without a language model. Ask me about:\n\n"
    "- the **overall status**\n"
    "- which **services** are down or slow, and since when\n"
    "- which **agents** are working, waiting, stale or blocked, and on what\n"
    "- **wave progress** and what is left\n"
    "- **MRR and runway**, and which inputs are missing\n"
    "- open **suggestions**\n\n"
    "To ask anything else, connect a model: set `provider` in the `[chat]` section of `jarvis.toml` to "
    '`"openai"` (OpenAI, Ollama, vLLM, LM Studio…), `"anthropic"` or `"jarvis"` (the control plane), '
    "with `model`, `base_url` and `api_key_env` (see docs/chat.md)."
)


def topics_of(question: str) -> list[str]:
    text = f" {question.lower()} "
    found = [topic for topic in ORDER if any(word in text for word in TOPICS[topic])]
    if re.search(r"\b(hi|hello|hey|help)\b", text) and not found:
        return []
    return found


def _num(value: Any, digits: int = 0) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,.{digits}f}"
    return str(value)


def _money(value: Any) -> str:
    return f"${_num(value)}" if isinstance(value, int | float) else "unknown"


def services_text(health: dict[str, Any]) -> str:
    services = health.get("services") or []
    if not services:
        return "**Services:** none are monitored yet. Add `[[services]]` to `jarvis.toml` or `POST /api/services`."
    lines = [f"**Services:** overall **{health.get('overall', 'unknown')}**."]
    bad = 0
    for service in services:
        name, status = service.get("name"), service.get("status")
        link = f"[{name}](/services/{name})"
        since = f" since {service['last_change']}" if service.get("last_change") else ""
        if status == "offline":
            bad += 1
            error = f" ({service['error']})" if service.get("error") else ""
            lines.append(f"- {link} is **offline**{since}{error}.")
        elif status == "degraded":
            bad += 1
            latency = f": {_num(service['latency_ms'])} ms" if service.get("latency_ms") is not None else ""
            p95 = f" (p95 {_num(service['latency_p95_ms'])} ms)" if service.get("latency_p95_ms") is not None else ""
            lines.append(f"- {link} is **slow/degraded**{latency}{p95}{since}.")
        elif status != "healthy":
            bad += 1
            lines.append(f"- {link} has not been checked yet.")
    healthy = len(services) - bad
    if bad == 0:
        lines.append(f"All {len(services)} services are healthy.")
    elif healthy:
        lines.append(f"The other {healthy} service{'s are' if healthy != 1 else ' is'} healthy.")
    return "\n".join(lines)


def agents_text(data: dict[str, Any]) -> str:
    instances = data.get("instances") or []
    if not instances:
        return "**Agents:** none reported yet (tracker file, heartbeats or Claude Code hooks)."
    blockers: dict[str, list[dict[str, Any]]] = {}
    for blocker in data.get("blockers") or []:
        blockers.setdefault(str(blocker.get("instance")), []).append(blocker)
    groups: dict[str, list[str]] = {"working": [], "waiting": [], "stale": [], "blocked": []}
    quiet = 0
    for item in instances:
        ident, status = item.get("id"), item.get("status")
        link = f"[{item.get('name') or ident}](/instances/{ident})"
        task = f" on “{item['current_task']}”" if item.get("current_task") else ""
        branch = f" (`{item['branch']}`)" if item.get("branch") else ""
        if status in ("working", "active"):
            groups["working"].append(f"{link}{task}{branch}")
        elif status == "waiting":
            groups["waiting"].append(f"{link}{task}, waiting for input since {item.get('last_seen')}")
        elif status == "stale":
            groups["stale"].append(f"{link}{task}, last seen {item.get('last_seen')}")
        elif status == "blocked" or item.get("open_blockers"):
            reasons = "; ".join(
                f"{b.get('description')} ({b.get('severity')}, opened {b.get('opened_at')})"
                for b in blockers.get(str(ident), [])
            )
            groups["blocked"].append(f"{link}{task}" + (f": {reasons}" if reasons else ""))
        else:
            quiet += 1
    lines = [f"**Agents:** {len(instances)} known."]
    labels = {"working": "Working", "waiting": "Waiting", "stale": "Stale", "blocked": "Blocked"}
    for key, label in labels.items():
        for entry in groups[key]:
            lines.append(f"- {label}: {entry}")
    if quiet:
        lines.append(f"{quiet} other{'s are' if quiet != 1 else ' is'} idle, done or ended.")
    return "\n".join(lines)


def waves_text(data: dict[str, Any]) -> str:
    waves = data.get("waves") or []
    if not waves:
        return "**Waves:** none in the tracker yet."
    lines = ["**Waves:**"]
    for wave in waves:
        percent = wave.get("completion_percent")
        shown = f"{_num(percent)}%" if percent is not None else "unknown"
        left = f", {_num(wave['remaining_hours'], 1)} h left" if wave.get("remaining_hours") is not None else ""
        lines.append(
            f"- **{wave.get('name')}**: {str(wave.get('status', '')).replace('_', ' ')}, {shown} "
            f"({wave.get('tasks_done', 0)}/{wave.get('tasks_total', 0)} tasks{left})"
        )
        todo = [task.get("name") for task in wave.get("tasks") or [] if task.get("status") != "completed"]
        if todo and wave.get("status") != "completed":
            more = f" and {len(todo) - 3} more" if len(todo) > 3 else ""
            lines.append(f"  - left: {', '.join(str(name) for name in todo[:3])}{more}")
    return "\n".join(lines)


def money_text(data: dict[str, Any]) -> str:
    figures = data.get("figures") or {}

    def line(label: str, key: str, shown: str) -> str:
        if data.get(key) is not None:
            return f"- {label}: {shown}"
        figure = figures.get(key) or {}
        if figure.get("infinite"):
            return f"- {label}: not burning cash, so no limit"
        missing = figure.get("missing") or []
        need = f" — missing input: {', '.join(str(m) for m in missing)}" if missing else " — no input yet"
        return f"- {label}: unknown{need}"

    runway = data.get("runway_months")
    lines = [
        "**Money** ([dashboard](/)):",
        line("MRR", "mrr", _money(data.get("mrr"))),
        line("ARR", "arr", _money(data.get("arr"))),
        line("Burn rate", "burn_rate", f"{_money(data.get('burn_rate'))}/month"),
        line("Runway", "runway_months", f"{_num(runway, 1)} months"),
    ]
    if data.get("customers") is not None:
        lines.append(f"- Customers: {_num(data['customers'])}")
    return "\n".join(lines)


def suggestions_text(found: list[dict[str, Any]] | None) -> str:
    if found is None:
        return "**Suggestions:** the proactive engine is not available on this server."
    if not found:
        return "**Suggestions:** none open."
    lines = [f"**Suggestions:** {len(found)} open."]
    for item in found[:10]:
        title = item.get("title") or item.get("message") or item.get("id")
        priority = f" ({item['priority']})" if item.get("priority") else ""
        detail = f": {item['message']}" if item.get("message") and item.get("title") else ""
        lines.append(f"- **{title}**{priority}{detail}")
    return "\n".join(lines)


def overview_text(every: dict[str, dict[str, Any]]) -> str:
    health, instances, waves, money = every["health"], every["instances"], every["waves"], every["financial"]
    services = health.get("services") or []
    offline = sum(1 for s in services if s.get("status") == "offline")
    slow = sum(1 for s in services if s.get("status") == "degraded")
    metrics = instances.get("metrics") or {}
    blocked = sum(1 for i in instances.get("instances") or [] if i.get("status") == "blocked")
    wave_list = waves.get("waves") or []
    done = sum(1 for w in wave_list if w.get("status") == "completed")
    parts = [
        f"**Overall: {health.get('overall', 'unknown')}.**",
        f"Services: {len(services)} monitored, {offline} offline, {slow} slow.",
        f"Agents: {metrics.get('active_instances', 0) or 0} of {len(instances.get('instances') or [])} active, "
        f"{blocked} blocked.",
        f"Waves: {done} of {len(wave_list)} completed.",
        f"MRR {_money(money.get('mrr'))}, runway "
        + (f"{_num(money['runway_months'], 1)} months." if money.get("runway_months") is not None else "unknown."),
        "See the [dashboard](/).",
    ]
    return " ".join(parts)


async def compose(turn: Turn) -> str:
    """The whole answer for `turn.message`, from the current dashboard data."""
    wanted = topics_of(turn.message)
    if not wanted:
        return HELP
    every = await sources.sections(turn.ctx)
    blocks: list[str] = []
    for topic in wanted:
        if topic == "overview":
            blocks.append(overview_text(every))
        elif topic == "services":
            blocks.append(services_text(every["health"]))
        elif topic == "agents":
            blocks.append(agents_text(every["instances"]))
        elif topic == "waves":
            blocks.append(waves_text(every["waves"]))
        elif topic == "money":
            blocks.append(money_text(every["financial"]))
        elif topic == "suggestions":
            blocks.append(suggestions_text(await sources.open_suggestions(turn.ctx)))
    return "\n\n".join(blocks)


class BuiltinProvider:
    name = "builtin"

    async def stream(self, turn: Turn) -> AsyncIterator[Chunk]:
        for piece in words(await compose(turn)):
            yield Token(piece)
            await asyncio.sleep(0)  # let other streams and requests run between words
