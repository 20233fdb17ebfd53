"""A realistic fleet loaded through the public APIs (heartbeats, projects, blockers, services,
metrics). Sections whose domain has no write API yet (financial) get their data from a builder
override: `override_sections(monkeypatch)` in tests, `install_overrides()` in scripts.

Used by the web tests, the browser tests, `benchmarks/bench_web.py` and `benchmarks/screenshots.py`.
"""

from __future__ import annotations

import socket
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx

from jarvis.core import clock
from jarvis.core.context import AppContext
from jarvis.dashboard import sections

XSS = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">'
ROLES = ["Backend", "Frontend", "Infra", "QA", "Docs"]
STATUSES = ["active", "active", "idle", "blocked", "done"]
MODULE_KEYS = {
    "music": ["generations_today", "success_rate", "avg_generation_time"],
    "marketing": ["users_today", "conversion_rate", "revenue_today"],
    "engagement": ["active_users", "churn_risk", "satisfaction_score"],
    "automation": ["workflows_executed", "test_coverage", "error_rate"],
    "intelligence": ["dashboards", "reports_generated", "data_quality"],
}


def financial_section() -> dict[str, Any]:
    """The financial section as its domain will build it (its shape in docs/api.md)."""
    figures: dict[str, Any] = {
        "mrr": {
            "value": 42500.0,
            "missing": [],
            "formula": "sum of subscriptions",
            "previous": 40100.0,
            "trend_pct": 6.0,
        },
        "arr": {"value": 510000.0, "missing": [], "formula": "mrr * 12", "previous": 481200.0, "trend_pct": 6.0},
        "customers": {"value": 318, "missing": [], "formula": "input", "previous": 301, "trend_pct": 5.6},
        "cac": {
            "value": None,
            "missing": ["sales_marketing_spend", "new_customers"],
            "formula": "",
            "previous": None,
            "trend_pct": None,
        },
        "ltv": {
            "value": 4015.0,
            "missing": [],
            "formula": "arpa * margin / churn",
            "previous": 3900.0,
            "trend_pct": 2.9,
        },
        "burn_rate": {
            "value": 8500.0,
            "missing": [],
            "formula": "monthly_operating_costs",
            "previous": 8500.0,
            "trend_pct": 0.0,
        },
        "runway_months": {
            "value": 26.5,
            "missing": [],
            "formula": "cash / net_burn",
            "previous": 27.1,
            "trend_pct": -2.2,
        },
    }
    flat = {key: figure["value"] for key, figure in figures.items()}
    return {
        **flat,
        "revenue_today": 1420.0,
        "revenue_this_month": 36100.0,
        "calculation_source": "snapshots",
        "last_updated": clock.iso(clock.now() - timedelta(hours=2)),
        "period": clock.now().strftime("%Y-%m"),
        "figures": figures,
        "timestamp": clock.iso(clock.now()),
    }


async def _financial(ctx: AppContext) -> dict[str, Any]:
    return financial_section()


def financial_api_missing() -> bool:
    """True while the financial domain still has its stub section (no write API to load through)."""
    from jarvis.financial import service

    return (service.dashboard_section.__doc__ or "").find("empty shape until") >= 0


OVERRIDES: dict[str, Callable[[AppContext], Awaitable[dict[str, Any]]]] = {"financial": _financial}


def install_overrides() -> None:
    """For scripts: sections without a write API yet render fixture data (process-wide)."""
    if financial_api_missing():
        sections.BUILDERS.update(OVERRIDES)


def override_sections(monkeypatch: Any) -> None:
    """For tests: the same, undone after the test."""
    if financial_api_missing():
        for name, builder in OVERRIDES.items():
            monkeypatch.setitem(sections.BUILDERS, name, builder)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def expect(response: Awaitable[httpx.Response]) -> dict[str, Any]:
    answer = await response
    assert answer.status_code < 300, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _task_status(wave: int, task: int) -> str:
    if wave == 0:
        return "completed"
    if wave == 1:
        return "completed" if task < 2 else "in_progress" if task == 2 else "pending"
    return "pending"


SNAPSHOTS = [
    {
        "mrr": 40100,
        "customers": 301,
        "revenue_this_month": 39000,
        "cash_balance": 240000,
        "monthly_operating_costs": 8500,
        "gross_margin": 0.8,
    },
    {
        "mrr": 42500,
        "customers": 318,
        "new_customers": 21,
        "churned_customers": 4,
        "new_mrr": 2900,
        "churned_mrr": 500,
        "revenue_today": 1420,
        "revenue_this_month": 36100,
        "cash_balance": 225000,
        "monthly_operating_costs": 8500,
        "gross_margin": 0.8,
    },
]


async def load_financial(client: httpx.AsyncClient) -> bool:
    """Last month's and this month's snapshots; False while the financial API is not there."""
    now = clock.now()
    previous = (now.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    for period, body in zip([previous, now.strftime("%Y-%m")], SNAPSHOTS, strict=True):
        answer = await client.post("/api/financial/snapshots", json={"period": period, **body})
        if answer.status_code in (404, 405):
            return False
        assert answer.status_code < 300, answer.text
    return True


async def load(
    client: httpx.AsyncClient,
    *,
    instances: int = 5,
    services: int = 3,
    waves: int = 3,
    metrics: bool = True,
    financial: bool = True,
    checks: int = 3,
    healthy_port: int | None = None,
    xss_task: bool = False,
) -> None:
    """Load a fleet through the HTTP API. `healthy_port`: a listening loopback port (tcp checks pass)."""
    now = clock.now()
    for index in range(instances):
        name = f"agent-{index + 1:02d}"
        body: dict[str, Any] = {
            "status": STATUSES[index % len(STATUSES)],
            "role": ROLES[index % len(ROLES)],
            "current_task": f"Implement feature #{100 + index}: wire the {ROLES[index % len(ROLES)].lower()} path",
            "branch": f"feat/task-{100 + index}",
            "host": "build-01",
            "last_commit": {
                "hash": f"{index + 1:02x}a1b2c3d4",
                "message": f"Add tests for feature #{100 + index}",
                "timestamp": clock.iso(now - timedelta(minutes=5 * index)),
            },
        }
        if xss_task and index == 0:
            body["current_task"] = XSS
        await expect(client.post(f"/api/instances/{name}/heartbeat", json=body))
    if instances:
        await expect(
            client.post(
                "/api/blockers",
                json={
                    "instance": "agent-01",
                    "description": "Waiting for database credentials",
                    "severity": "critical",
                },
            )
        )
    for index in range(waves):
        tasks = [
            {
                "name": f"Wave {index + 1} task {t + 1}",
                "status": _task_status(index, t),
                "estimated_hours": 2,
                "actual_hours": 1.5 if _task_status(index, t) == "completed" else None,
                "assigned_to": [f"agent-{(t % max(instances, 1)) + 1:02d}"],
            }
            for t in range(5)
        ]
        await expect(
            client.post(
                "/api/projects",
                json={
                    "id": f"wave-{index + 1}",
                    "name": f"Wave {index + 1}: {['Foundation', 'Domains', 'Web', 'Polish', 'Launch'][index % 5]}",
                    "status": ["completed", "in_progress"][index] if index < 2 else "pending",
                    "tasks": tasks,
                },
            )
        )
    for index in range(services):
        port = healthy_port if healthy_port and index % 4 != 3 else closed_port()
        name = f"svc-{index + 1:02d}"
        await expect(
            client.post(
                "/api/services",
                json={
                    "name": name,
                    "kind": "tcp",
                    "host": "127.0.0.1",
                    "port": port,
                    "interval_s": 3600,
                    "timeout_s": 0.5,
                    "retries": 0,
                },
            )
        )
        for _ in range(checks):
            await expect(client.post(f"/api/services/{name}/check"))
    if metrics:
        points = []
        for module, keys in MODULE_KEYS.items():
            for k, key in enumerate(keys):
                for day in range(7):
                    at = now - timedelta(days=6 - day, minutes=1)
                    points.append(
                        {"module": module, "key": key, "value": 40 + 3 * day + 7 * k, "timestamp": clock.iso(at)}
                    )
        await expect(client.post("/api/metrics", json={"points": points}))
    if financial:
        await load_financial(client)
