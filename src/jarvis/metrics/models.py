"""Metric storage: raw points, hourly roll-ups, and two small read models kept on write.

`metric_latest` (one row per module/key) and `metric_daily` (one row per module/key/day,
the day's last value) make the dashboard a couple of index lookups however many raw
points there are; raw points serve series queries until retention rolls them up.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from jarvis.core.db import Base, UTCDateTime

# BIGINT on PostgreSQL, INTEGER (the rowid alias that autoincrements) on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class MetricPoint(Base):
    __tablename__ = "metric_points"
    __table_args__ = (
        Index("ix_metric_points_series", "module", "key", "at"),
        Index("ix_metric_points_at", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    module: Mapped[str] = mapped_column(String(63))
    key: Mapped[str] = mapped_column(String(64))
    value: Mapped[float] = mapped_column(Float)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    labels: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    source: Mapped[str] = mapped_column(String(63))


class MetricRollup(Base):
    """One hour of one series, made from raw points that retention then deleted."""

    __tablename__ = "metric_rollups"

    module: Mapped[str] = mapped_column(String(63), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    hour: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    sum: Mapped[float] = mapped_column(Float)
    min: Mapped[float] = mapped_column(Float)
    max: Mapped[float] = mapped_column(Float)
    last: Mapped[float] = mapped_column(Float)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MetricLatest(Base):
    __tablename__ = "metric_latest"

    module: Mapped[str] = mapped_column(String(63), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    source: Mapped[str] = mapped_column(String(63))


class MetricDaily(Base):
    """The last value of each UTC day: the dashboard's 7-day history."""

    __tablename__ = "metric_daily"
    __table_args__ = (Index("ix_metric_daily_day", "day"),)

    module: Mapped[str] = mapped_column(String(63), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class MetricSourceState(Base):
    """What the last poll of a pull source said (health, uptime, error)."""

    __tablename__ = "metric_sources"

    name: Mapped[str] = mapped_column(String(63), primary_key=True)
    module: Mapped[str] = mapped_column(String(63))
    health: Mapped[str | None] = mapped_column(String(16), nullable=True)
    uptime: Mapped[float | None] = mapped_column(Float, nullable=True)
    error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_ok_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
