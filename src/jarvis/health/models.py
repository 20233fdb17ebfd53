"""Tables of the health domain: API-defined services, raw check results, hourly roll-ups,
and each service's current status (so the last status change survives pruning and restarts)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from jarvis.core.db import Base, UTCDateTime


class ServiceRow(Base):
    """A service added through the API (config-file services live in jarvis.toml only)."""

    __tablename__ = "health_services"

    name: Mapped[str] = mapped_column(String(63), primary_key=True)
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    # A push monitor's secret ping URL, as a SHA-256 (the URL is shown once, when the monitor is created).
    push_token_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CheckResult(Base):
    """One check of one service; kept raw for `retention.raw_days`."""

    __tablename__ = "health_results"
    __table_args__ = (Index("ix_health_results_service_at", "service", "at"), Index("ix_health_results_at", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service: Mapped[str] = mapped_column(String(63))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))
    latency_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    http_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(String(300), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=1)


class Rollup(Base):
    """One hour of one service's results, summarised (kept `retention.rollup_days`)."""

    __tablename__ = "health_rollups"
    __table_args__ = (Index("ix_health_rollups_hour", "hour"),)

    service: Mapped[str] = mapped_column(String(63), primary_key=True)
    hour: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    ok_count: Mapped[int] = mapped_column(Integer)
    degraded_count: Mapped[int] = mapped_column(Integer)
    latency_avg_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    latency_p50_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    latency_p95_ms: Mapped[float | None] = mapped_column(Float, nullable=True)


class ServiceState(Base):
    """The latest status of each service and when it last changed."""

    __tablename__ = "health_state"

    service: Mapped[str] = mapped_column(String(63), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    last_checked: Mapped[datetime] = mapped_column(UTCDateTime)
    last_change: Mapped[datetime] = mapped_column(UTCDateTime)
    latency_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    http_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(String(300), nullable=True)


class MaintenanceWindow(Base):
    """A time when some services (or all) may be down: no alert goes out, nothing counts against uptime.

    One-off (`starts_at` … `ends_at`) or recurring (`cron`, each occurrence lasting `duration_s`)."""

    __tablename__ = "health_maintenance"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    services: Mapped[list[str]] = mapped_column(JSON)  # empty: every service
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cron: Mapped[str | None] = mapped_column(String(100), nullable=True)
    duration_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    reason: Mapped[str | None] = mapped_column(String(300), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PausedService(Base):
    """A service whose checks are paused (by a person, until resumed): nothing is checked or alerted."""

    __tablename__ = "health_paused"

    service: Mapped[str] = mapped_column(String(63), primary_key=True)
    paused_at: Mapped[datetime] = mapped_column(UTCDateTime)
