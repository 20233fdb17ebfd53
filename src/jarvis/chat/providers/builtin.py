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
from jarvis.core import clock

TOPICS: dict[str, tuple[str, ...]] = {
    "overview": ("status", "overview", "summary", "how are", "going on", "everything", "report", "state of"),
    "services": ("service", "down", "slow", "offline", "degraded", "outage", "latency", "health"),
    "agents": (
        "agent",
        "instance",
        "session",
        "working",
        "waiting",
        "stale",
        "blocked",
        "blocker",
        "fleet",
        "who ",
        "needs me",
        "need me",
        "doing",
    ),  # fmt: skip
    "waves": ("wave", "progress", "left", "remaining", "project", "task", "milestone"),
    "money": ("mrr", "arr", "runway", "revenue", "burn", "money", "cash", "financ", "customer"),
    "suggestions": ("suggest", "recommend", "should i", "what next", "advice", "proactive"),
}
ORDER = ("overview", "services", "agents", "waves", "money", "suggestions")

HELP = (
    "I'm the built-in assistant: I answer from the live dashboard, without a language model. Ask me about:\n\n"
    "- the **overall status**\n"
    "- which **services** are down or slow, and since when\n"
    "- **who needs you** (agents waiting for permission, an answer or a fix) and what each agent is doing\n"
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


def _ago(iso: Any) -> str:
    moment = clock.parse_timestamp(iso) if isinstance(iso, str) else None
    if moment is None:
        return "never"
    return f"{clock.human_duration((clock.now() - moment).total_seconds())} ago"


def _who(item: dict[str, Any]) -> str:
    """A link a person can tell apart: the repository, then branch, short id and host."""
    ident = item.get("id")
    name = item.get("repo") or item.get("name") or ident
    parts = [f"`{item['branch']}`" if item.get("branch") else None, item.get("short_id"), item.get("host")]
    shown = ", ".join(p for p in parts if p)
    return f"[{name}](/instances/{ident})" + (f" ({shown})" if shown else "")


def _doing(item: dict[str, Any]) -> str:
    status = item.get("status")
    if item.get("attention"):
        return str(item["attention"]["reason"])
    if status in ("working", "active"):
        tool = f"using {item['current_tool']}" if item.get("current_tool") else "working"
        about = item.get("current_task") or item.get("last_prompt")
        return f"{tool}" + (f" on “{about}”" if about else "")
    if status == "idle":
        return "idle, waiting for your next prompt" if item.get("source") == "claude-code" else "idle"
    if status == "background":
        return "done with its turn; background tasks still running"
    return str(status)


def named_agents(data: dict[str, Any], question: str) -> list[dict[str, Any]]:
    """The instances a question names (by id, short id, repository or name)."""
    text = question.lower()
    found = []
    for item in data.get("instances") or []:
        keys = [item.get(k) for k in ("id", "short_id", "repo", "name")]
        if any(isinstance(k, str) and len(k) >= 3 and re.search(rf"\b{re.escape(k.lower())}\b", text) for k in keys):
            found.append(item)
    return found


def agents_text(data: dict[str, Any], question: str = "") -> str:
    """Who needs you first (the same `attention` order as the page), then what the others are doing."""
    instances = data.get("instances") or []
    if not instances:
        return "**Agents:** none reported yet (tracker file, heartbeats or Claude Code hooks)."
    named = named_agents(data, question)
    if named:
        return "\n".join(
            f"- {_who(item)} is **{item.get('status')}**: {_doing(item)}; last activity {_ago(item.get('last_seen'))}."
            + (f" Last prompt: “{item['last_prompt']}”." if item.get("last_prompt") else "")
            for item in named
        )
    needing = [item for item in instances if item.get("attention")]
    lines = [
        f"**Agents:** {len(instances)} known, {len(needing) or 'none'} need{'s' if len(needing) == 1 else ''} you."
    ]
    for item in needing:
        since = item["attention"].get("waiting_s")
        waited = f" — for {clock.human_duration(since)}" if since is not None else ""
        lines.append(f"- **{item['attention']['level']}** {_who(item)} {item['attention']['reason']}{waited}")
    busy = [item for item in instances if not item.get("attention") and item.get("status") in ("working", "active")]
    for item in busy:
        lines.append(f"- Working: {_who(item)} {_doing(item)} (last activity {_ago(item.get('last_seen'))})")
    quiet = len(instances) - len(needing) - len(busy)
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
    needing = len(instances.get("attention") or [])
    wave_list = waves.get("waves") or []
    done = sum(1 for w in wave_list if w.get("status") == "completed")
    parts = [
        f"**Overall: {health.get('overall', 'unknown')}.**",
        f"Services: {len(services)} monitored, {offline} offline, {slow} slow.",
        f"Agents: {metrics.get('active_instances', 0) or 0} of {len(instances.get('instances') or [])} active, "
        f"{blocked} blocked" + (f", **{needing} need{'s' if needing == 1 else ''} you**." if needing else "."),
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
            blocks.append(agents_text(every["instances"], turn.message))
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
