"""The server process: binding, cache TTLs, outbound HTTP, rate limits, retention, backups, the original services."""

from __future__ import annotations

import ipaddress
from typing import Any

from pydantic import Field, field_validator

from jarvis.settings.base import Section


class ServerSettings(Section):
    host: str = "127.0.0.1"
    port: int = Field(5001, ge=1, le=65535)
    cors_origins: list[str] = Field(default_factory=list)
    max_body_bytes: int = Field(1024 * 1024, ge=1024)
    # With no user account: whether clients other than this machine may use the server (only behind a
    # proxy that authenticates them). With accounts, everyone logs in or sends a token whatever this says.
    trust_remote: bool = False
    # Host names this server answers to besides localhost and its bind address (DNS-rebinding defence);
    # ["*"] switches the check off.
    allowed_hosts: list[str] = Field(default_factory=list, max_length=100)
    # Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (client address, https).
    trusted_proxies: list[str] = Field(default_factory=list, max_length=100)
    # Environment variables a service created through the API may send (`headers_env`, `bearer_env`); none by
    # default, so an API client cannot make the server send a secret of its environment anywhere.
    secret_env_allow: list[str] = Field(default_factory=list, max_length=100)
    # Networks a service created through the API may reach besides public addresses (CIDR, e.g.
    # "10.0.0.0/8"); loopback by default, so services on this machine can be added. Link-local (the cloud's
    # metadata address), private and other non-public addresses are refused unless listed.
    outbound_allow: list[str] = Field(default_factory=lambda: ["127.0.0.0/8", "::1/128"], max_length=100)

    @field_validator(
        "cors_origins", "allowed_hosts", "trusted_proxies", "secret_env_allow", "outbound_allow", mode="before"
    )
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("outbound_allow")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"{entry!r} is not a network: write an address or a CIDR such as 10.0.0.0/8") from None
        return value


class CacheTTL(Section):
    """Seconds each dashboard section may be served from cache."""

    instance_activity: float = Field(2.0, gt=0, le=3600)
    system_health: float = Field(3.0, gt=0, le=3600)
    business_metrics: float = Field(5.0, gt=0, le=3600)
    financial: float = Field(5.0, gt=0, le=3600)
    waves: float = Field(2.0, gt=0, le=3600)


class CacheSettings(Section):
    ttl: CacheTTL = Field(default_factory=CacheTTL)
    max_keys: int = Field(10_000, ge=10)


class HttpSettings(Section):
    """Outbound calls: health checks, metric sources, the original services."""

    timeout_s: float = Field(5.0, gt=0, le=300)
    retry_attempts: int = Field(3, ge=1, le=10)
    retry_base_delay_s: float = Field(1.0, ge=0, le=60)
    max_body_bytes: int = Field(1024 * 1024, ge=1024)


class UpstreamSettings(Section):
    """The original system's services, kept as optional neighbours."""

    jarvis_api_url: str | None = None
    ai_dawg_api_url: str | None = None
    jarvis_auth_token_env: str = "JARVIS_AUTH_TOKEN"


class RateLimitSettings(Section):
    enabled: bool = False
    max_requests: int = Field(100, ge=1)
    window_minutes: float = Field(15.0, gt=0)


class RetentionSettings(Section):
    raw_days: int = Field(30, ge=1)
    rollup_days: int = Field(400, ge=1)


class BackupSettings(Section):
    # Backups `jarvis backup` keeps in `<data dir>/backups` (it deletes the oldest beyond this after each
    # new one there, and only files named like its own); 0 keeps every one.
    keep: int = Field(14, ge=0, le=10_000)


class DatabaseSettings(Section):
    """The database connection pool (for SQLite too: its readers each hold a connection while they read)."""

    # Connections kept open, and the extra ones opened under load beyond them.
    pool_size: int = Field(10, ge=1, le=500)
    max_overflow: int = Field(20, ge=0, le=500)
    # How long a request waits for a free connection before it is answered 503 (with Retry-After), instead of
    # hanging for SQLAlchemy's default 30 s.
    pool_timeout_s: float = Field(5.0, gt=0, le=60)
