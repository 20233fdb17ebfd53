"""Metrics benchmark (issue 3): push ingest rate, dashboard and series cost as points pile up, retention rate.

In-process, on SQLite in a temporary folder, through the real app (ASGI transport, no
network): the push path is validation + raw insert + the two read models; the baseline
is a bare `INSERT` of the same rows through SQLAlchemy in the same process. The
`business` section reads only the read models, so its cost should not grow with the
number of raw points; the series query reads raw points and is measured at 7d/1h.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
from sqlalchemy import insert

from jarvis.app import create_app
from jarvis.core.clock import FrozenClock
from jarvis.core.context import AppContext
from jarvis.core.logging import configure_logging
from jarvis.metrics.models import MetricPoint
from jarvis.metrics.modules import BUILTIN
from jarvis.metrics.retention import run_retention
from jarvis.metrics.service import dashboard_section
from jarvis.settings import load_settings

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
BATCH = 1000
BATCHES = 60
KEYS = [(module.id, key) for module in BUILTIN for key in module.keys]  # 25 series


def batch(start: int, *, days_back: float) -> list[dict[str, Any]]:
    points = []
    for n in range(start, start + BATCH):
        module, key = KEYS[n % len(KEYS)]
        at = NOW - timedelta(seconds=(n * 37) % int(days_back * 86400))
        points.append({"module": module, "key": key, "value": n % 100, "timestamp": at.isoformat()})
    return points


async def timed(fn: Any, repeat: int = 20) -> float:
    """Median milliseconds of `repeat` calls."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        await fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


async def main() -> None:
    with tempfile.TemporaryDirectory(prefix="jarvis-bench-metrics-") as folder, FrozenClock(NOW):
        settings = load_settings({}, data_dir=folder, log_level="warning")
        app = create_app(settings, run_jobs=False)
        async with app.router.lifespan_context(app):
            ctx: AppContext = app.state.ctx
            transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
            async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
                await client.post("/api/metrics", json={"points": batch(0, days_back=1)})
                small_dashboard = await timed(lambda: dashboard_section(ctx))
                small_series = await timed(lambda: client.get("/api/metrics/music/revenue?window=7d&step=1h"))

                bodies = [batch(i * BATCH, days_back=25) for i in range(BATCHES)]
                encoded = [orjson.dumps({"points": body}) for body in bodies]  # the client's cost left out
                headers = {"content-type": "application/json"}
                started = time.perf_counter()
                for raw in encoded:
                    response = await client.post("/api/metrics", content=raw, headers=headers)
                    assert response.status_code == 201, response.text
                push_s = time.perf_counter() - started

                rows = [
                    {"module": p["module"], "key": p["key"], "value": p["value"], "at": NOW, "source": "bench"}
                    for body in bodies[:20]
                    for p in body
                ]
                started = time.perf_counter()
                for offset in range(0, len(rows), BATCH):
                    async with ctx.db.sessions() as session:
                        await session.execute(insert(MetricPoint.__table__), rows[offset : offset + BATCH])
                        await session.commit()
                bare_s = time.perf_counter() - started
                total = BATCH * (BATCHES + 21)

                big_dashboard = await timed(lambda: dashboard_section(ctx))
                big_series = await timed(lambda: client.get("/api/metrics/music/revenue?window=7d&step=1h"))

                old = [batch(i * BATCH, days_back=5) for i in range(30)]
                for body in old:
                    for point in body:
                        point["timestamp"] = (
                            datetime.fromisoformat(point["timestamp"]) - timedelta(days=40)
                        ).isoformat()
                    await client.post("/api/metrics", json={"points": body})
                started = time.perf_counter()
                result = await run_retention(ctx.db.sessions, raw_days=30, rollup_days=400)
                retention_s = time.perf_counter() - started

    push_rate = BATCHES * BATCH / push_s
    bare_rate = 20 * BATCH / bare_s
    print("### Business metrics (push, dashboard, series, retention)")
    print()
    print("In-process through the ASGI app on SQLite (no network; request bodies pre-encoded); medians of 20 calls.")
    print()
    print("| measure | figure |")
    print("|---|---|")
    print(f"| push, batches of {BATCH} (validate + insert + read models) | {push_rate:,.0f} points/s |")
    print(f"| baseline: bare INSERT of the same rows | {bare_rate:,.0f} points/s |")
    print(f"| push ÷ bare INSERT | {push_rate / bare_rate:.2f}× |")
    print(f"| `business` section build, {BATCH:,} points stored | {small_dashboard:.2f} ms |")
    print(f"| `business` section build, {total:,} points stored | {big_dashboard:.2f} ms |")
    print(f"| series 7d/1h, {BATCH // len(KEYS)} points in the series | {small_series:.2f} ms |")
    print(f"| series 7d/1h, {total // len(KEYS):,} points in the series (some older than 7 d) | {big_series:.2f} ms |")
    print(
        f"| retention: {result.rolled_up:,} raw points rolled up in {result.batches} batches | "
        f"{retention_s:.2f} s ({result.rolled_up / retention_s:,.0f} points/s) |"
    )


if __name__ == "__main__":
    configure_logging("warning")  # stdout is the report
    asyncio.run(main())
