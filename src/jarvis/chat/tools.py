"""Read-only tools the model providers may call (function calling) over the live dashboard.

Each tool is described once here in a neutral form; the OpenAI and Anthropic providers
translate the description to their own wire format. Results are compact JSON, capped in
size, and every call is recorded as a step shown in the conversation.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson

from jarvis.chat import sources
from jarvis.core.context import AppContext

MAX_RESULT_CHARS = 8000
NO_ARGS: dict[str, Any] = {"type": "object", "properties": {}, "additionalProperties": False}


def _one(name: str, description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {name: {"type": "string", "description": description}},
        "required": [name],
        "additionalProperties": False,
    }


@dataclass(frozen=True, slots=True)
class ToolSpec:
    name: str
    description: str
    parameters: dict[str, Any]


SPECS = [
    ToolSpec("get_overview", "Overall status: health, agents, waves and key business figures.", NO_ARGS),
    ToolSpec("list_instances", "Every agent instance with status, current task, branch and last seen time.", NO_ARGS),
    ToolSpec("get_instance_timeline", "Recent events of one agent instance.", _one("instance_id", "the instance id")),
    ToolSpec("list_services", "Every monitored service with status, latency, uptime and last change.", NO_ARGS),
    ToolSpec("get_service_history", "Recent checks and uptime of one service.", _one("name", "the service name")),
    ToolSpec(
        "get_metric_series",
        "Daily history of one business metric.",
        {
            "type": "object",
            "properties": {"module": {"type": "string"}, "key": {"type": "string"}},
            "required": ["module", "key"],
            "additionalProperties": False,
        },
    ),
    ToolSpec("get_financial_summary", "MRR, ARR, burn, runway and every figure with its missing inputs.", NO_ARGS),
    ToolSpec("list_open_suggestions", "Open proactive suggestions.", NO_ARGS),
    ToolSpec("check_service_now", "Run a health check of one service now.", _one("name", "the service name")),
]


@dataclass(slots=True)
class ToolStep:
    """One tool call as the conversation shows and stores it."""

    id: str
    name: str
    arguments: dict[str, Any]
    summary: str
    ok: bool

    def public(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "arguments": self.arguments, "summary": self.summary, "ok": self.ok}


def _compact_instances(data: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "name", "status", "role", "current_task", "current_tool", "branch", "last_seen", "open_blockers")
    return {
        "instances": [{key: item.get(key) for key in keys} for item in data.get("instances", []) or []],
        "metrics": data.get("metrics"),
        "blockers": data.get("blockers"),
    }


def _compact_services(data: dict[str, Any]) -> dict[str, Any]:
    keys = ("name", "status", "latency_ms", "error", "last_checked", "last_change", "uptime", "latency_p95_ms")
    return {
        "overall": data.get("overall"),
        "services": [{key: item.get(key) for key in keys} for item in data.get("services", []) or []],
    }


async def _overview(ctx: AppContext, args: dict[str, Any]) -> Any:
    every = await sources.sections(ctx)
    financial = every["financial"]
    return {
        "health": _compact_services(every["health"]),
        "instances": _compact_instances(every["instances"])["metrics"],
        "waves": [
            {key: wave.get(key) for key in ("id", "name", "status", "completion_percent", "remaining_hours")}
            for wave in every["waves"].get("waves", []) or []
        ],
        "financial": {key: financial.get(key) for key in ("mrr", "arr", "runway_months", "burn_rate")},
    }


async def _instances(ctx: AppContext, args: dict[str, Any]) -> Any:
    return _compact_instances(await sources.section(ctx, "instances"))


async def _timeline(ctx: AppContext, args: dict[str, Any]) -> Any:
    return await sources.instance_timeline(ctx, str(args.get("instance_id", "")))


async def _services(ctx: AppContext, args: dict[str, Any]) -> Any:
    return _compact_services(await sources.section(ctx, "health"))


async def _service_history(ctx: AppContext, args: dict[str, Any]) -> Any:
    return await sources.service_history(ctx, str(args.get("name", "")))


async def _metric(ctx: AppContext, args: dict[str, Any]) -> Any:
    return await sources.metric_series(ctx, str(args.get("module", "")), str(args.get("key", "")))


async def _financial(ctx: AppContext, args: dict[str, Any]) -> Any:
    data = await sources.section(ctx, "financial")
    return {key: value for key, value in data.items() if key != "timestamp"}


async def _suggestions(ctx: AppContext, args: dict[str, Any]) -> Any:
    found = await sources.open_suggestions(ctx)
    if found is None:
        return {"error": "suggestions are not available on this server"}
    return {"suggestions": found}


async def _check(ctx: AppContext, args: dict[str, Any]) -> Any:
    return await sources.check_service(ctx, str(args.get("name", "")))


RUNNERS: dict[str, Callable[[AppContext, dict[str, Any]], Awaitable[Any]]] = {
    "get_overview": _overview,
    "list_instances": _instances,
    "get_instance_timeline": _timeline,
    "list_services": _services,
    "get_service_history": _service_history,
    "get_metric_series": _metric,
    "get_financial_summary": _financial,
    "list_open_suggestions": _suggestions,
    "check_service_now": _check,
}


def parse_arguments(raw: str | dict[str, Any] | None) -> dict[str, Any] | None:
    """Arguments as the model sent them (a JSON string for OpenAI), or None when unreadable."""
    if raw is None or raw == "":
        return {}
    if isinstance(raw, dict):
        return raw
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


async def run_tool(
    ctx: AppContext, call_id: str, name: str, raw_arguments: str | dict[str, Any] | None
) -> tuple[ToolStep, str]:
    """Run one call; returns the step to show and the result text to hand back to the model."""
    arguments = parse_arguments(raw_arguments)
    runner = RUNNERS.get(name)
    if runner is None:
        return ToolStep(call_id, name, {}, f"unknown tool {name}", False), '{"error": "unknown tool"}'
    if arguments is None:
        return ToolStep(
            call_id, name, {}, "arguments were not valid JSON", False
        ), '{"error": "arguments must be JSON"}'
    result = await runner(ctx, arguments)
    text = orjson.dumps(result, default=str).decode()
    if len(text) > MAX_RESULT_CHARS:
        text = text[:MAX_RESULT_CHARS] + "…(truncated)"
    ok = not (isinstance(result, dict) and "error" in result)
    summary = _summarise(name, arguments, result)
    return ToolStep(call_id, name, arguments, summary, ok), text


def _summarise(name: str, arguments: dict[str, Any], result: Any) -> str:
    target = ", ".join(f"{value}" for value in arguments.values())
    label = f"{name}({target})" if target else name
    if isinstance(result, dict) and "error" in result:
        return f"{label}: {result['error']}"
    if isinstance(result, dict):
        for key in ("services", "instances", "suggestions"):
            if isinstance(result.get(key), list):
                return f"{label}: {len(result[key])} {key}"
        if "status" in result:
            return f"{label}: {result['status']}"
    return f"{label}: done"
