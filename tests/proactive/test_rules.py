"""Each rule with fixtures that should fire and fixtures that should not."""

from __future__ import annotations

import pytest

from jarvis.proactive.rules import RULES, configured
from jarvis.proactive.rules.base import Finding, Habit, State
from jarvis.proactive.rules.metric_anomaly import robust_z
from tests.proactive import factories as f


def run(rule: str, state: State, **table: object) -> list[Finding]:
    cfg = configured({rule: dict(table)})[rule]
    return RULES[rule].evaluate(state, cfg)


# --- service_down ----------------------------------------------------------------------------


def test_service_offline_past_threshold_is_critical() -> None:
    found = run("service_down", f.state(services=[f.service("api", "offline", since_min=6)]), minutes=5)
    assert [x.key for x in found] == ["service_down:api"]
    assert found[0].priority == "critical"
    assert "offline" in found[0].why and "connection refused" in found[0].why
    assert found[0].link == "/services/api"


def test_service_offline_under_threshold_or_healthy_does_not_fire() -> None:
    services = [f.service("api", "offline", since_min=4), f.service("db", "healthy", since_min=600)]
    assert run("service_down", f.state(services=services), minutes=5) == []


def test_degraded_has_its_own_threshold_and_is_high() -> None:
    state = f.state(services=[f.service("api", "degraded", since_min=20)])
    found = run("service_down", state, degraded_minutes=15)
    assert found[0].priority == "high" and found[0].kind == "service_degraded"
    assert run("service_down", state, degraded_minutes=30) == []


# --- flapping ------------------------------------------------------------------------------


def test_flapping_fires_on_many_transitions() -> None:
    recent = f.checks(["healthy", "offline", "healthy", "offline", "healthy", "offline"])
    found = run("service_flapping", f.state(services=[f.service("api", recent=recent)]), transitions=4)
    assert found and found[0].figures["transitions"] == 5


def test_flapping_ignores_stable_and_old_transitions() -> None:
    stable = f.checks(["healthy"] * 10)
    old = f.checks(["healthy", "offline", "healthy", "offline", "healthy"] + ["healthy"] * 40, every_min=1)
    state = f.state(services=[f.service("a", recent=stable), f.service("b", recent=old)])
    assert run("service_flapping", state, transitions=4, window_minutes=30) == []


# --- latency -------------------------------------------------------------------------------


def test_latency_well_above_own_baseline_fires() -> None:
    recent = f.checks(["healthy"] * 13, [100.0] * 10 + [900.0, 950.0, 1000.0])
    found = run("latency_high", f.state(services=[f.service("api", recent=recent)]))
    assert found and found[0].figures == {"service": "api", "current_ms": 950.0, "baseline_ms": 100.0}
    assert "950 ms" in found[0].why and "100 ms" in found[0].why


def test_latency_slow_by_design_or_short_history_does_not_fire() -> None:
    slow = f.checks(["healthy"] * 13, [900.0] * 13)
    short = f.checks(["healthy"] * 5, [10.0, 10.0, 900.0, 900.0, 900.0])
    small = f.checks(["healthy"] * 13, [10.0] * 10 + [40.0] * 3)  # 4× but only +30 ms
    services = [f.service("a", recent=slow), f.service("b", recent=short), f.service("c", recent=small)]
    assert run("latency_high", f.state(services=services)) == []


# --- agents --------------------------------------------------------------------------------


def test_agent_waiting_past_a_minute_blocked_failed_and_stale() -> None:
    agents = [
        f.agent("w", "waiting", seen_min=1.5),
        f.agent("b", "blocked", seen_min=0),
        f.agent("e", "error", seen_min=2),
        f.agent("s", "stale", seen_min=60),
        f.agent("ok", "working", seen_min=0),
    ]
    found = {x.kind: x for x in run("agent_attention", f.state(agents=agents))}
    assert sorted(found) == ["agent_blocked", "agent_error", "agent_permission", "agent_stale"]
    waiting = found["agent_permission"]
    assert (waiting.priority, waiting.title) == ("high", "w (main) wants to run `make deploy`")
    assert waiting.why == "w (main) wants to run `make deploy` for 2 min."
    assert found["agent_error"].priority == "critical" and found["agent_stale"].priority == "normal"


def test_agent_waiting_briefly_does_not_fire() -> None:
    assert run("agent_attention", f.state(agents=[f.agent("w", "waiting", seen_min=0.5)])) == []
    assert run("agent_attention", f.state(agents=[f.agent("s", "stale")]), quiet=False) == []


def test_each_wait_is_its_own_alert() -> None:
    first = run("agent_attention", f.state(agents=[f.agent("w", "waiting", seen_min=5)]))
    second = run("agent_attention", f.state(agents=[f.agent("w", "waiting", seen_min=2)]))
    assert first[0].key != second[0].key


# --- blockers ------------------------------------------------------------------------------


def test_blocker_open_too_long() -> None:
    found = run("blocker_open", f.state(blockers=[f.blocker("b1", open_hours=5, severity="critical")]), hours=4)
    assert found and found[0].priority == "high" and found[0].figures["hours"] == 5.0
    assert run("blocker_open", f.state(blockers=[f.blocker("b2", open_hours=2)]), hours=4) == []


# --- waves ---------------------------------------------------------------------------------


def test_wave_behind_estimate_with_tasks_left() -> None:
    state = f.state(waves=[f.wave("w1", estimated=10, actual=16, done=3, total=5)])
    found = run("wave_behind", state)
    assert found and found[0].priority == "high" and found[0].figures["tasks_left"] == 2
    assert "16 h" in found[0].why and "10 h" in found[0].why


def test_wave_on_time_done_or_without_estimate_does_not_fire() -> None:
    waves = [
        f.wave("a", estimated=10, actual=8, done=1, total=5),
        f.wave("b", estimated=10, actual=16, done=5, total=5),
        f.wave("c", estimated=0, actual=16, done=1, total=5),
        f.wave("d", estimated=10, actual=16, done=1, total=5, status="completed"),
    ]
    assert run("wave_behind", f.state(waves=waves)) == []


# --- metric anomaly ------------------------------------------------------------------------


def test_robust_z_reads_like_a_z_score() -> None:
    assert robust_z(10, [9, 10, 11, 10, 9, 11]) == pytest.approx(0.0)
    score = robust_z(30, [9, 10, 11, 10, 9, 11])
    assert score is not None and score > 10
    assert robust_z(5, [5, 5, 5, 5]) is None


def test_metric_far_from_baseline_fires() -> None:
    modules = [f.module("music", {"revenue": (40.0, [100, 102, 98, 101, 99, 100, 40])})]
    found = run("metric_anomaly", f.state(modules=modules))
    assert found and found[0].figures["key"] == "revenue" and found[0].figures["change_pct"] == -60.0
    assert "down" in found[0].title


def test_metric_within_noise_or_without_history_does_not_fire() -> None:
    modules = [
        f.module("music", {"revenue": (101.0, [100, 102, 98, 101, 99, 100, 101])}),
        f.module("marketing", {"users": (500.0, [None, None, None, 10, 500])}),
        f.module("engagement", {"tickets": (None, [1, 2, 3, 4, 5, 6, 7])}),
    ]
    assert run("metric_anomaly", f.state(modules=modules)) == []


# --- runway --------------------------------------------------------------------------------


def test_runway_under_threshold_high_under_half_critical() -> None:
    low = f.state(finance=f.financial(runway_months={"value": 4.0, "missing": []}))
    assert run("runway_low", low, months=6)[0].priority == "high"
    very = f.state(finance=f.financial(runway_months={"value": 2.0, "missing": []}))
    assert run("runway_low", very, months=6)[0].priority == "critical"


def test_runway_fine_infinite_or_unknown_does_not_fire() -> None:
    for figure in ({"value": 12.0}, {"value": None, "infinite": True}, {"value": None, "missing": ["cash_balance"]}):
        assert run("runway_low", f.state(finance=f.financial(runway_months=figure)), months=6) == []


# --- financial missing ---------------------------------------------------------------------


def test_missing_financial_inputs_named_in_one_suggestion() -> None:
    finance = f.financial(
        mrr={"value": None, "missing": ["mrr"]},
        runway_months={"value": None, "missing": ["cash_balance", "monthly_operating_costs"]},
        arr={"value": 1200.0, "missing": []},
    )
    found = run("financial_missing", f.state(finance=finance))
    assert len(found) == 1 and found[0].priority == "low"
    assert found[0].figures == {
        "figures": ["mrr", "runway_months"],
        "inputs": ["cash_balance", "monthly_operating_costs", "mrr"],
    }


def test_all_figures_computable_does_not_fire() -> None:
    finance = f.financial(
        mrr={"value": 100.0, "missing": []}, runway_months={"value": None, "infinite": True, "missing": []}
    )
    assert run("financial_missing", f.state(finance=finance)) == []


# --- cache ---------------------------------------------------------------------------------


def test_cache_ratio_low_with_traffic() -> None:
    found = run("cache_low", f.state(cache={"hits": 100, "misses": 300, "hit_ratio": 0.25}))
    assert found and found[0].figures == {"hit_ratio": 0.25, "lookups": 400}


def test_cache_ratio_fine_or_too_little_traffic() -> None:
    assert run("cache_low", f.state(cache={"hits": 900, "misses": 100, "hit_ratio": 0.9})) == []
    assert run("cache_low", f.state(cache={"hits": 1, "misses": 9, "hit_ratio": 0.1})) == []
    assert run("cache_low", f.state(cache={"hits": 0, "misses": 0, "hit_ratio": None})) == []


# --- usage habits --------------------------------------------------------------------------


def test_first_section_habit_fires_at_its_hour_with_a_headline() -> None:
    modules = [f.module("music", {"revenue": (88.0, [100, 100, 100, 100, 100, 100, 88])})]
    habit = Habit("first_section", "business", 9, 4, 5)
    found = run("usage_first_section", f.state(modules=modules, habits=[habit], local_hour=9))
    assert found and found[0].title == "You usually review business at 9:00: revenue is down 12% since yesterday"
    assert run("usage_first_section", f.state(modules=modules, habits=[habit], local_hour=10)) == []


def test_after_health_change_habit_fires_on_a_recent_change_only() -> None:
    habit = Habit("after_health_change", "api", None, 3, 4)
    change = {"service": "api", "from": "healthy", "to": "offline", "at": f.ago(5)}
    found = run("usage_after_health_change", f.state(habits=[habit], changes=[change]))
    assert found and found[0].link == "/services/api"
    old = {**change, "at": f.ago(90)}
    other = {**change, "service": "db"}
    assert run("usage_after_health_change", f.state(habits=[habit], changes=[old, other])) == []


def test_the_engine_wakes_when_the_next_wait_turns_a_minute_old() -> None:
    from jarvis.proactive.rules.agents import next_alert_in

    waiting = f.state(agents=[f.agent("w", "waiting", seen_min=0.5), f.agent("s", "stale", seen_min=30)])
    assert next_alert_in(waiting) == pytest.approx(30.05)
    assert next_alert_in(f.state(agents=[f.agent("w", "waiting", seen_min=2)])) is None  # already due
