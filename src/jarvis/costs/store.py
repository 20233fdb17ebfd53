"""The writes: raw rows inserted once (ON CONFLICT DO NOTHING on their key), cumulative series moved
forward, and the per-session totals bumped by what was actually inserted.

Known keys are looked up first, so a re-sent batch neither inserts nor moves a series; the insert then
returns the keys it really wrote (RETURNING), and only those count, so even two servers racing on one
batch count it once. Statements carry at most `CHUNK` rows (PostgreSQL takes 32,767 parameters).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.ext.asyncio import AsyncSession

from jarvis.core.db import upsert
from jarvis.costs.models import CostEvent, CostMetricPoint, CostRequest, CostSeries, CostSession
from jarvis.costs.parse import LightEvent, Point, Request

CHUNK = 500
TOKEN_KINDS = {"input": "input", "output": "output", "cacheRead": "cache_read", "cacheCreation": "cache_creation"}


def _chunks(rows: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def _known(session: AsyncSession, column: Any, keys: Sequence[str]) -> set[str]:
    known: set[str] = set()
    for chunk in _chunks(keys):
        known.update(await session.scalars(select(column).where(column.in_(chunk))))
    return known


async def _insert(session: AsyncSession, model: Any, rows: list[dict[str, Any]]) -> set[str]:
    """Insert `rows`, skipping keys already there; the keys inserted. One statement, compiled once and
    cached, run over the rows (SQLAlchemy's "insertmanyvalues": a multi-row VALUES per chunk, with RETURNING)."""
    if not rows:
        return set()
    table = model.__table__
    stmt = upsert(session, table).on_conflict_do_nothing(index_elements=["key"]).returning(table.c.key)
    inserted: set[str] = set()
    for chunk in _chunks(rows):
        inserted.update((await session.execute(stmt, list(chunk))).scalars())
    return inserted


@dataclass(slots=True)
class Totals:
    """What one write adds to a session's row."""

    host: str
    last_at: datetime
    values: dict[str, float] = field(default_factory=dict)

    def add(self, name: str, amount: float) -> None:
        self.values[name] = self.values.get(name, 0.0) + amount


def _totals(sessions: dict[str, Totals], session_id: str | None, host: str, at: datetime) -> Totals | None:
    if session_id is None:
        return None
    totals = sessions.get(session_id)
    if totals is None:
        totals = sessions[session_id] = Totals(host, at)
    totals.last_at = max(totals.last_at, at)
    if totals.host == "unknown" and host != "unknown":
        totals.host = host
    return totals


async def _increments(session: AsyncSession, points: list[Point]) -> list[Point]:
    """Cumulative points as increments: the difference from the series' last value; a changed start time,
    or a drop, is a reset, and the new value counts whole. An older point than the last one adds nothing."""
    series_keys = sorted({p.series for p in points if p.cumulative})
    state: dict[str, tuple[int, int, float]] = {}
    for chunk in _chunks(series_keys):
        for row in await session.scalars(select(CostSeries).where(CostSeries.key.in_(chunk))):
            state[row.key] = (row.start_nano, row.time_nano, row.value)
    result: list[Point] = []
    moved: dict[str, tuple[int, int, float]] = {}
    for point in sorted(points, key=lambda p: (p.series, p.time_nano)):
        if not point.cumulative:
            result.append(point)
            continue
        last = state.get(point.series)
        if last is None or point.start_nano != last[0] or point.value < last[2]:
            increment = point.value
        elif point.time_nano <= last[1]:
            result.append(replace(point, value=0.0))
            continue
        else:
            increment = point.value - last[2]
        state[point.series] = moved[point.series] = (point.start_nano, point.time_nano, point.value)
        result.append(replace(point, value=increment))
    if moved:
        rows = [{"key": k, "start_nano": s, "time_nano": t, "value": v} for k, (s, t, v) in sorted(moved.items())]
        stmt = upsert(session, CostSeries.__table__)
        stmt = stmt.on_conflict_do_update(
            index_elements=["key"],
            set_={
                "start_nano": stmt.excluded.start_nano,
                "time_nano": stmt.excluded.time_nano,
                "value": stmt.excluded.value,
            },
        )
        await session.execute(stmt, rows)
    return result


async def store_points(session: AsyncSession, points: list[Point], sessions: dict[str, Totals]) -> int:
    """Store the points not stored yet; the number stored."""
    unique = list({p.key: p for p in points}.values())
    known = await _known(session, CostMetricPoint.key, [p.key for p in unique])
    fresh = await _increments(session, [p for p in unique if p.key not in known])
    rows = [
        {
            "key": p.key,
            "session_id": p.session_id,
            "host": p.host,
            "metric": p.metric,
            "model": p.model,
            "kind": p.kind,
            "value": p.value,
            "at": p.at,
            "day": p.at.date(),
        }
        for p in fresh
    ]
    inserted = await _insert(session, CostMetricPoint, rows)
    for point in fresh:
        if point.key not in inserted or point.metric not in ("cost.usage", "token.usage"):
            continue
        totals = _totals(sessions, point.session_id, point.host, point.at)
        if totals is None:
            continue
        if point.metric == "cost.usage":
            totals.add("m_cost_points", 1)
            totals.add("m_cost", point.value)
        elif point.kind in TOKEN_KINDS:
            totals.add("m_token_points", 1)
            totals.add(f"m_{TOKEN_KINDS[point.kind]}", point.value)
    return len(inserted)


async def store_requests(session: AsyncSession, requests: list[Request], sessions: dict[str, Totals]) -> int:
    unique = list({r.key: r for r in requests}.values())
    known = await _known(session, CostRequest.key, [r.key for r in unique])
    fresh = [r for r in unique if r.key not in known]
    rows = [
        {
            "key": r.key,
            "session_id": r.session_id,
            "host": r.host,
            "model": r.model,
            "request_id": r.request_id,
            "prompt_id": r.prompt_id,
            "cost_usd": r.cost_usd,
            "input_tokens": r.tokens[0],
            "output_tokens": r.tokens[1],
            "cache_read_tokens": r.tokens[2],
            "cache_creation_tokens": r.tokens[3],
            "duration_ms": r.duration_ms,
            "at": r.at,
            "day": r.at.date(),
        }
        for r in fresh
    ]
    inserted = await _insert(session, CostRequest, rows)
    for r in fresh:
        totals = _totals(sessions, r.session_id, r.host, r.at) if r.key in inserted else None
        if totals is not None:
            totals.add("requests", 1)
            totals.add("r_cost", r.cost_usd)
            for name, amount in zip(("r_input", "r_output", "r_cache_read", "r_cache_creation"), r.tokens, strict=True):
                totals.add(name, amount)
    return len(inserted)


async def store_events(session: AsyncSession, events: list[LightEvent], sessions: dict[str, Totals]) -> int:
    unique = list({e.key: e for e in events}.values())
    known = await _known(session, CostEvent.key, [e.key for e in unique])
    fresh = [e for e in unique if e.key not in known]
    rows = [
        {"key": e.key, "session_id": e.session_id, "host": e.host, "name": e.name, "data": e.data, "at": e.at}
        for e in fresh
    ]
    inserted = await _insert(session, CostEvent, rows)
    for e in fresh:
        totals = _totals(sessions, e.session_id, e.host, e.at) if e.key in inserted else None
        if totals is not None:
            totals.add("events", 1)
    return len(inserted)


COUNTERS = (
    "m_cost_points", "m_token_points", "m_cost", "m_input", "m_output", "m_cache_read", "m_cache_creation",
    "requests", "r_cost", "r_input", "r_output", "r_cache_read", "r_cache_creation", "events",
)  # fmt: skip
INTEGERS = {
    "m_cost_points",
    "m_token_points",
    "requests",
    "r_input",
    "r_output",
    "r_cache_read",
    "r_cache_creation",
    "events",
}


async def bump_sessions(session: AsyncSession, sessions: dict[str, Totals]) -> None:
    """Add each session's increments to its row (made on first sight), in key order (no deadlock)."""
    table = CostSession.__table__
    rows = []
    for session_id, totals in sorted(sessions.items()):
        row: dict[str, Any] = {"session_id": session_id, "host": totals.host, "last_at": totals.last_at}
        for name in COUNTERS:
            amount = totals.values.get(name, 0.0)
            row[name] = int(amount) if name in INTEGERS else amount
        rows.append(row)
    if not rows:
        return
    stmt = upsert(session, table)
    update = {name: table.c[name] + stmt.excluded[name] for name in COUNTERS}
    update["host"] = case((table.c.host == "unknown", stmt.excluded.host), else_=table.c.host)
    update["last_at"] = stmt.excluded.last_at  # the newest of this write (telemetry arrives in order)
    await session.execute(stmt.on_conflict_do_update(index_elements=["session_id"], set_=update), rows)
