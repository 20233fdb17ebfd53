"""Request bodies of the services API.

`POST /api/services` takes exactly one `[[services]]` entry (`ServiceConfig`, validated by
the same model as jarvis.toml). `PATCH` takes any subset of it but the name; the merged
result is validated again as a whole, so a patch can never leave an invalid service behind.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from jarvis.settings import ServiceConfig

ServiceCreate = ServiceConfig
Window = Literal["24h", "7d", "30d"]


class ServiceUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["http", "tcp"] | None = None
    url: str | None = Field(None, max_length=2048)
    method: Literal["GET", "HEAD", "POST"] | None = None
    expect_status: list[int] | None = Field(None, max_length=50)
    degraded_status: list[int] | None = Field(None, max_length=50)
    body_contains: str | None = Field(None, max_length=1000)
    json_path: str | None = Field(None, max_length=200)
    json_equals: Any = None
    headers_env: dict[str, str] | None = Field(None, max_length=20)
    bearer_env: str | None = Field(None, max_length=100)
    host: str | None = Field(None, max_length=255)
    port: int | None = Field(None, ge=1, le=65535)
    interval_s: float | None = Field(None, ge=1, le=86400 * 7)
    grace_s: float | None = Field(None, ge=0, le=86400)
    timeout_s: float | None = Field(None, gt=0, le=120)
    retries: int | None = Field(None, ge=0, le=10)
    retry_base_delay_s: float | None = Field(None, ge=0, le=60)
    degraded_over_ms: float | None = Field(None, gt=0)
    failure_threshold: int | None = Field(None, ge=1, le=100)
    success_threshold: int | None = Field(None, ge=1, le=100)
    send_on_resolved: bool | None = None
    reminder_interval_s: float | None = Field(None, ge=60, le=7 * 86400)


# Response models, for /docs (extra keys allowed: these name what a client can rely on).


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ServicePublic(_Open):
    name: str
    kind: str
    target: str
    status: str
    latency_ms: float | None
    http_status: int | None
    error: str | None
    last_checked: str | None
    last_change: str | None
    uptime: dict[str, float | None] = Field(description="Percent up over 24h, 7d and 30d")
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    recent: list[dict[str, Any]]


class ServiceDetail(ServicePublic):
    source: str
    interval_s: float
    config: dict[str, Any] | None


class ServiceList(BaseModel):
    services: list[ServicePublic]


class ServiceDeleted(BaseModel):
    deleted: str


class ServiceHistory(_Open):
    name: str
    window: str
    status: str
    checks: int
    uptime: float | None
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    points: list[dict[str, Any]] = Field(description="Raw for 24h, hourly beyond")
    recent_failures: list[dict[str, Any]]


class CheckResult(_Open):
    """The result of a check run now (recorded like a scheduled one)."""

    service: str
    at: str
    status: str
    latency_ms: float | None
    http_status: int | None
    error: str | None
    attempts: int


class MaintenancePublic(_Open):
    id: int
    services: list[str] = Field(description="Empty: every service")
    starts_at: str | None
    ends_at: str | None
    cron: str | None
    duration_s: float | None
    reason: str | None
    active: bool
    active_until: str | None


class MaintenanceList(BaseModel):
    windows: list[MaintenancePublic]


class Deleted(BaseModel):
    deleted: int


class Paused(BaseModel):
    service: str
    paused_at: str | None = Field(description="Since when its checks are paused; null once resumed")
