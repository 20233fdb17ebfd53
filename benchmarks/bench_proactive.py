"""Proactive rule evaluation: 20 instances, 500 services (30 recent checks each) and 50 metric series.

Measures `jarvis.proactive.engine.evaluate` (every enabled rule over one snapshot), the part that
runs on every snapshot change; the target is under 20 ms per snapshot. Also times one full engine
tick (evaluation + reconciliation with stored suggestions + timing gate) on a temporary SQLite
database, for context. Prints Markdown.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from jarvis.core import clock
from jarvis.core.logging import configure_logging
from jarvis.proactive.engine import ENGINE, evaluate
from jarvis.proactive.rules import configured
from jarvis.proactive.rules.base import State

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ROUNDS = 200
TARGET_MS = 20.0


def iso(minutes_ago: float) -> str:
    text = clock.iso(NOW - timedelta(minutes=minutes_ago))
    assert text is not None
    return text


def make_state(seed: int = 1, *, worst: bool = False) -> State:
    """A typical fleet, or (`worst`) one where every service is slow and changes status: no early exits."""
    rng = random.Random(seed)
    services = []
    for i in range(500):
        status = "offline" if i % 50 == 0 else "degraded" if i % 37 == 0 else "healthy"
        base = rng.uniform(300, 600) if worst else rng.uniform(20, 200)
        recent = [
            {
                "at": iso(30 - k),
                "status": "healthy" if (i % 41 and not worst) or k % 2 else "offline",
                "latency_ms": base * (6 if i % 97 == 0 and k >= 27 else 1) * rng.uniform(0.8, 1.2),
            }
            for k in range(30)
        ]
        services.append(
            {
                "name": f"svc-{i}",
                "kind": "http",
                "target": "",
                "status": status,
                "latency_ms": base,
                "http_status": 200,
                "error": None,
                "last_checked": iso(0),
                "last_change": iso(i % 20),
                "uptime": {"24h": 99.0, "7d": None, "30d": None},
                "latency_p50_ms": base,
                "latency_p95_ms": base * 2,
                "recent": recent,
            }
        )
    statuses = ["working", "waiting", "blocked", "stale", "idle"]
    agents = [
        {
            "id": f"agent-{i}",
            "name": f"agent-{i}",
            "status": statuses[i % 5],
            "last_seen": iso(i * 2),
            "current_task": "task",
            "open_blockers": i % 2,
        }
        for i in range(20)
    ]
    blockers = [
        {
            "id": f"b{i}",
            "instance": f"agent-{i}",
            "description": "waiting",
            "severity": "high",
            "opened_at": iso(60 * i),
            "age_hours": float(i),
        }
        for i in range(10)
    ]
    waves = [
        {
            "id": f"wave-{i}",
            "name": f"Wave {i}",
            "status": "in_progress",
            "estimated_hours": 10,
            "actual_hours": 8 + i,
            "tasks_done": 2,
            "tasks_total": 5,
        }
        for i in range(6)
    ]
    modules = []
    for m in range(10):
        metrics: dict[str, Any] = {}
        for k in range(5):
            history: list[float | None] = [rng.gauss(100, 5) for _ in range(7)]
            if (m * 5 + k) % 13 == 0:
                history[-1] = 300.0
            metrics[f"key{k}"] = {"value": history[-1], "updated_at": None, "history": history}
        modules.append({"id": f"mod{m}", "name": f"Module {m}", "metrics": metrics})
    figures = {"runway_months": {"value": 4.0, "missing": []}, "ltv": {"value": None, "missing": ["churn_rate"]}}
    return State(
        now=NOW,
        sections={
            "health": {"services": services},
            "instances": {"instances": agents, "blockers": blockers},
            "waves": {"waves": waves},
            "business": {"modules": modules},
            "financial": {"runway_months": 4.0, "figures": figures},
        },
        cache={"hits": 10, "misses": 990, "hit_ratio": 0.01},
        local_hour=12,
        local_date="2026-11-25",
    )


def measure_evaluation(*, worst: bool = False) -> tuple[list[float], int]:
    state = make_state(worst=worst)
    settings = configured({})
    findings, _failed = evaluate(state, settings)
    timings = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        evaluate(state, settings)
        timings.append((time.perf_counter() - started) * 1000)
    return timings, len(findings)


async def measure_tick() -> list[float]:
    from jarvis.app import create_app
    from jarvis.core.migrate import upgrade_async
    from jarvis.settings import load_settings

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        await upgrade_async(url)
        app = create_app(load_settings({}, data_dir=tmp, database_url=url), run_jobs=False, migrate=False)
        timings = []
        async with app.router.lifespan_context(app):
            engine = app.state.ctx.extras[ENGINE]
            with clock.FrozenClock(NOW):
                state = make_state()
                await engine.tick(state)  # the first tick creates every suggestion
                for _ in range(30):
                    started = time.perf_counter()
                    await engine.tick(state)
                    timings.append((time.perf_counter() - started) * 1000)
        return timings


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    configure_logging("warning")  # stdout is the report
    evaluation, findings = measure_evaluation()
    worst, worst_findings = measure_evaluation(worst=True)
    ticks = asyncio.run(measure_tick())
    median = statistics.median(evaluation)
    print("### Proactive rule evaluation")
    print()
    print(
        f"One snapshot: 20 instances, 500 services × 30 recent checks, 50 metric series (7 days), "
        f"10 blockers, 6 waves; every rule enabled; {findings} findings per evaluation."
    )
    print()
    print("| measure | runs | median ms | p95 ms | max ms | target |")
    print("|---|---|---|---|---|---|")
    print(
        f"| rule evaluation (`engine.evaluate`) | {len(evaluation)} | {median:.2f} | {pct(evaluation, 0.95):.2f} "
        f"| {max(evaluation):.2f} | < {TARGET_MS:g} ms: {'met' if pct(evaluation, 0.95) < TARGET_MS else 'MISSED'} |"
    )
    print(
        f"| worst case: every service slow and flapping ({worst_findings} findings) | {len(worst)} | "
        f"{statistics.median(worst):.2f} | {pct(worst, 0.95):.2f} | {max(worst):.2f} | "
        f"< {TARGET_MS:g} ms: {'met' if pct(worst, 0.95) < TARGET_MS else 'MISSED'} |"
    )
    print(
        f"| full tick (evaluate + reconcile {findings} open suggestions + timing, SQLite) | {len(ticks)} | "
        f"{statistics.median(ticks):.2f} | {pct(ticks, 0.95):.2f} | {max(ticks):.2f} | — |"
    )


if __name__ == "__main__":
    main()
