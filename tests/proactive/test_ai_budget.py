"""The ai_budget rule: the month-end projection over the monthly budget, today's spend over the daily one."""

from __future__ import annotations

from datetime import UTC, datetime

from jarvis.proactive.rules import RULES, configured
from jarvis.proactive.rules.ai_budget import projected
from jarvis.proactive.rules.base import Finding
from tests.proactive import factories as f

TENTH = datetime(2026, 11, 10, tzinfo=UTC)  # nine whole days of a 30-day month behind


def run(finance: dict[str, object], **table: object) -> list[Finding]:
    cfg = configured({"ai_budget": dict(table)})["ai_budget"]
    return RULES["ai_budget"].evaluate(f.state(finance=finance, now=TENTH), cfg)


def test_the_projection_carries_the_rate_to_the_months_end() -> None:
    assert projected(300.0, TENTH) == 1000.0  # $300 in 9 days → $1,000 in 30


def test_on_course_to_pass_the_budget_names_the_figures() -> None:
    [found] = run({"ai_spend_this_month": 300.0}, monthly_usd=800)
    assert found.priority == "high" and found.kind == "ai_budget_month"
    assert found.why == (
        "The agents have spent $300 this month (day 10); at this rate the month ends near $1,000, over the $800 budget."
    )
    assert found.figures == {"spent_usd": 300.0, "projected_usd": 1000.0, "budget_usd": 800}


def test_a_spent_budget_is_critical_and_a_day_over_its_budget_is_said() -> None:
    found = run({"ai_spend_this_month": 300.0, "ai_spend_today": 60.5}, monthly_usd=200, daily_usd=50)
    assert [(x.kind, x.priority) for x in found] == [("ai_budget_month", "critical"), ("ai_budget_day", "high")]
    assert found[1].why == "The agents have spent $60.5 today, over the $50 daily budget."


def test_no_budget_no_telemetry_or_within_budget_says_nothing() -> None:
    assert run({"ai_spend_this_month": 300.0}) == []
    assert run({"ai_spend_this_month": None}, monthly_usd=10) == []
    assert run({"ai_spend_this_month": 300.0}, monthly_usd=1500) == []
