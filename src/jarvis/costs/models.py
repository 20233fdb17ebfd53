"""What Claude Code's telemetry leaves in the database.

Raw rows (`cost_metric_points`, `cost_requests`, `cost_events`) each carry a unique `key` derived from
what the exporter sent, so a batch sent twice (an exporter retrying after a timeout) is stored once.
`cost_series` remembers the last value of each cumulative series, to turn running totals into
increments. `cost_sessions` is the read model kept on write: one row per session with both sources'
totals, so the instances list reads every session's cost with one indexed query.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from jarvis.core.db import Base, UTCDateTime

# BIGINT on PostgreSQL, INTEGER (the rowid alias that autoincrements) on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class CostMetricPoint(Base):
    """One accepted data point of a known metric, as an increment (a cumulative point's difference)."""

    __tablename__ = "cost_metric_points"
    __table_args__ = (
        Index("ix_cost_metric_points_session", "session_id"),
        Index("ix_cost_metric_points_day", "day"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # series + time_unix_nano
    session_id: Mapped[str | None] = mapped_column(String(200))
    host: Mapped[str] = mapped_column(String(255))
    metric: Mapped[str] = mapped_column(String(64))  # without the `claude_code.` prefix
    model: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str | None] = mapped_column(String(100))  # the `type` attribute (or the decision)
    value: Mapped[float] = mapped_column(Float)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    day: Mapped[date] = mapped_column(Date)


class CostSeries(Base):
    """The last point of one cumulative series: its start time and running total."""

    __tablename__ = "cost_series"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    start_nano: Mapped[int] = mapped_column(BigInteger)
    time_nano: Mapped[int] = mapped_column(BigInteger)
    value: Mapped[float] = mapped_column(Float)


class CostRequest(Base):
    """One `claude_code.api_request` event: a model call, its tokens and what it cost."""

    __tablename__ = "cost_requests"
    __table_args__ = (
        Index("ix_cost_requests_session", "session_id"),
        Index("ix_cost_requests_day", "day"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # session + request id (or timestamp + sequence)
    session_id: Mapped[str | None] = mapped_column(String(200))
    host: Mapped[str] = mapped_column(String(255))
    model: Mapped[str | None] = mapped_column(String(200))
    request_id: Mapped[str | None] = mapped_column(String(200))
    prompt_id: Mapped[str | None] = mapped_column(String(200))
    cost_usd: Mapped[float] = mapped_column(Float)
    input_tokens: Mapped[int] = mapped_column(BigInteger)
    output_tokens: Mapped[int] = mapped_column(BigInteger)
    cache_read_tokens: Mapped[int] = mapped_column(BigInteger)
    cache_creation_tokens: Mapped[int] = mapped_column(BigInteger)
    duration_ms: Mapped[float | None] = mapped_column(Float)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    day: Mapped[date] = mapped_column(Date)


class CostEvent(Base):
    """A light event (`user_prompt`, `tool_result`, `tool_decision`, `api_error`): a few facts, never prompt text."""

    __tablename__ = "cost_events"
    __table_args__ = (Index("ix_cost_events_session", "session_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    session_id: Mapped[str | None] = mapped_column(String(200))
    host: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class CostSession(Base):
    """Both sources' totals for one session (`m_*` from metrics, `r_*` from api_request events)."""

    __tablename__ = "cost_sessions"

    session_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    m_cost_points: Mapped[int] = mapped_column(Integer, default=0)
    m_token_points: Mapped[int] = mapped_column(Integer, default=0)
    m_cost: Mapped[float] = mapped_column(Float, default=0.0)
    m_input: Mapped[float] = mapped_column(Float, default=0.0)
    m_output: Mapped[float] = mapped_column(Float, default=0.0)
    m_cache_read: Mapped[float] = mapped_column(Float, default=0.0)
    m_cache_creation: Mapped[float] = mapped_column(Float, default=0.0)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    r_cost: Mapped[float] = mapped_column(Float, default=0.0)
    r_input: Mapped[int] = mapped_column(BigInteger, default=0)
    r_output: Mapped[int] = mapped_column(BigInteger, default=0)
    r_cache_read: Mapped[int] = mapped_column(BigInteger, default=0)
    r_cache_creation: Mapped[int] = mapped_column(BigInteger, default=0)
    events: Mapped[int] = mapped_column(Integer, default=0)  # light events (prompts, tool results, errors)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime())
