"""Every tool runs against the real domains of a fresh app and answers compact JSON."""

from __future__ import annotations

import json

import pytest

from jarvis.chat.tools import RUNNERS, SPECS, run_tool
from jarvis.core.context import AppContext

CALLS = [
    ("get_overview", {}),
    ("list_instances", {}),
    ("get_instance_timeline", {"instance_id": "nobody"}),
    ("list_services", {}),
    ("get_service_history", {"name": "jarvis"}),
    ("get_metric_series", {"module": "music", "key": "generations_today"}),
    ("get_financial_summary", {}),
    ("list_open_suggestions", {}),
    ("check_service_now", {"name": "no-such-service"}),
]


def test_every_spec_has_a_runner() -> None:
    assert {spec.name for spec in SPECS} == set(RUNNERS) == {name for name, _ in CALLS}


@pytest.mark.parametrize(("name", "arguments"), CALLS)
async def test_each_tool_answers_json(ctx: AppContext, name: str, arguments: dict[str, str]) -> None:
    step, result = await run_tool(ctx, "call_1", name, json.dumps(arguments))
    decoded = json.loads(result)
    assert isinstance(decoded, dict)
    assert step.name == name and step.arguments == arguments and step.summary.startswith(name)
    if name in ("get_instance_timeline", "check_service_now"):
        assert not step.ok and "no such" in decoded["error"]  # unknown targets are said to be unknown
    if name == "list_open_suggestions":
        assert decoded == {"suggestions": []}


async def test_bad_arguments_and_unknown_tools_are_reported_not_raised(ctx: AppContext) -> None:
    step, result = await run_tool(ctx, "c", "list_services", "{not json")
    assert not step.ok and json.loads(result) == {"error": "arguments must be JSON"}
    step, result = await run_tool(ctx, "c", "drop_database", "{}")
    assert not step.ok and json.loads(result) == {"error": "unknown tool"}
