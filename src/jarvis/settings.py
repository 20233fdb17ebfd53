"""Typed settings: defaults, then `jarvis.toml`, then the seed's env names, then `JARVIS_*`.

Every value is validated once at start-up; a bad one stops the process with a single
line naming the setting and where it came from (see `load_settings`). Secrets are
never written inline: the file names the environment variable that holds them.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from dotenv import dotenv_values
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

NAME_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"


class Section(BaseModel):
    """A settings table: unknown keys are errors, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid")


class ServerSettings(Section):
    host: str = "127.0.0.1"
    port: int = Field(5001, ge=1, le=65535)
    cors_origins: list[str] = Field(default_factory=list)
    max_body_bytes: int = Field(1024 * 1024, ge=1024)
    trust_remote: bool = False  # allow other hosts only behind an authenticating proxy

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
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


class MonitoringSettings(Section):
    dir: Path | None = None
    tracker_file: str = "instance-tracker.json"
    instance_stale_after_s: float = Field(600.0, gt=0)
    event_retention: int = Field(500, ge=10, description="events kept per instance")


class UpstreamSettings(Section):
    """The original system's services, kept as optional neighbours."""

    jarvis_api_url: str | None = None
    ai_dawg_api_url: str | None = None
    jarvis_auth_token_env: str = "JARVIS_AUTH_TOKEN"


class ServiceConfig(Section):
    """One `[[services]]` entry; also the body of `POST /api/services`."""

    name: str = Field(pattern=NAME_PATTERN)
    kind: Literal["http", "tcp"] = "http"
    url: str | None = Field(None, max_length=2048)
    method: Literal["GET", "HEAD", "POST"] = "GET"
    expect_status: list[int] = Field(default_factory=lambda: [200])
    body_contains: str | None = Field(None, max_length=1000)
    json_path: str | None = Field(None, max_length=200)
    json_equals: Any = None
    headers_env: dict[str, str] = Field(default_factory=dict)
    host: str | None = Field(None, max_length=255)
    port: int | None = Field(None, ge=1, le=65535)
    interval_s: float = Field(30.0, ge=1, le=86400)
    timeout_s: float | None = Field(None, gt=0, le=120)
    retries: int | None = Field(None, ge=0, le=10)
    degraded_over_ms: float = Field(1000.0, gt=0)

    @model_validator(mode="after")
    def _target_present(self) -> ServiceConfig:
        if self.kind == "http" and not self.url:
            raise ValueError("an http service needs `url`")
        if self.url and not re.match(r"^https?://", self.url):
            raise ValueError("`url` must start with http:// or https://")
        if self.kind == "tcp" and (not self.host or not self.port):
            raise ValueError("a tcp service needs `host` and `port`")
        return self


class MetricSourceConfig(Section):
    name: str = Field(pattern=NAME_PATTERN)
    url: str = Field(max_length=2048, pattern=r"^https?://")
    interval_s: float = Field(60.0, ge=1, le=86400)
    module: str = Field(pattern=NAME_PATTERN)
    map: dict[str, str] = Field(default_factory=dict)
    health_path: str | None = None
    uptime_path: str | None = None
    headers_env: dict[str, str] = Field(default_factory=dict)


class CustomModuleConfig(Section):
    id: str = Field(pattern=NAME_PATTERN)
    name: str = Field(max_length=100)
    priority: int = Field(10, ge=1, le=100)
    keys: list[str] = Field(default_factory=list)


class MetricsSettings(Section):
    sources: list[MetricSourceConfig] = Field(default_factory=list)
    modules: list[CustomModuleConfig] = Field(default_factory=list)
    max_batch: int = Field(1000, ge=1, le=100_000)


class FinancialSettings(Section):
    """Standing inputs; API snapshots override them per period. Missing stays missing."""

    mrr: float | None = Field(None, ge=0)
    customers: int | None = Field(None, ge=0)
    cash_balance: float | None = None
    monthly_operating_costs: float | None = Field(None, ge=0)
    sales_marketing_spend: float | None = Field(None, ge=0)
    gross_margin: float | None = Field(None, ge=0, le=1)


class ChatSettings(Section):
    provider: Literal["builtin", "openai", "anthropic", "jarvis"] = "builtin"
    model: str = ""
    base_url: str = ""
    api_key_env: str = "OPENAI_API_KEY"
    timeout_s: float = Field(30.0, gt=0, le=600)
    max_history: int = Field(20, ge=1, le=500)
    max_message_chars: int = Field(32_000, ge=1)


class ProactiveSettings(Section):
    enabled: bool = True
    refresh_interval_s: float = Field(30.0, ge=1)
    max_per_hour: int = Field(5, ge=0)
    max_per_day: int = Field(20, ge=0)
    min_gap_minutes: float = Field(15.0, ge=0)
    quiet_hours: str = Field("", pattern=r"^$|^\d{2}:\d{2}-\d{2}:\d{2}$")
    rules: dict[str, dict[str, Any]] = Field(default_factory=dict)


class ChannelConfig(Section):
    name: str = Field(pattern=NAME_PATTERN)
    kind: Literal["webhook", "slack", "discord", "smtp"]
    url_env: str | None = None
    min_priority: Literal["critical", "high", "normal", "low"] = "high"
    smtp_host: str | None = None
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_user_env: str | None = None
    smtp_password_env: str | None = None
    smtp_starttls: bool = False
    mail_from: str | None = None
    mail_to: list[str] = Field(default_factory=list)


class NotificationsSettings(Section):
    channels: list[ChannelConfig] = Field(default_factory=list)


class RateLimitSettings(Section):
    enabled: bool = False
    max_requests: int = Field(100, ge=1)
    window_minutes: float = Field(15.0, gt=0)


class RetentionSettings(Section):
    raw_days: int = Field(30, ge=1)
    rollup_days: int = Field(400, ge=1)


class Settings(BaseSettings):
    """The effective configuration of one `jarvis serve` process."""

    model_config = SettingsConfigDict(extra="forbid")

    data_dir: Path = Path(".jarvis")
    database_url: str | None = None
    debug: bool = False
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    server: ServerSettings = Field(default_factory=ServerSettings)
    cache: CacheSettings = Field(default_factory=CacheSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    monitoring: MonitoringSettings = Field(default_factory=MonitoringSettings)
    upstream: UpstreamSettings = Field(default_factory=UpstreamSettings)
    services: list[ServiceConfig] = Field(default_factory=list)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)
    financial: FinancialSettings = Field(default_factory=FinancialSettings)
    chat: ChatSettings = Field(default_factory=ChatSettings)
    proactive: ProactiveSettings = Field(default_factory=ProactiveSettings)
    notifications: NotificationsSettings = Field(default_factory=NotificationsSettings)
    rate_limit: RateLimitSettings = Field(default_factory=RateLimitSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)

    @field_validator("services")
    @classmethod
    def _unique_service_names(cls, value: list[ServiceConfig]) -> list[ServiceConfig]:
        names = [service.name for service in value]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"service names must be unique, repeated: {', '.join(duplicates)}")
        return value

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'jarvis.db').resolve()}"

    @property
    def tracker_path(self) -> Path | None:
        if self.monitoring.dir is None:
            return None
        return self.monitoring.dir / self.monitoring.tracker_file

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Everything is passed in by `load_settings`, already merged in priority order,
        # so that each bad value can be traced back to the file or variable it came from.
        return (init_settings,)


# The seed's variable names: (dotted setting, scale applied to the value).
# The original was a Node service and wrote durations in milliseconds.
SEED_ENV: dict[str, tuple[str, float | None]] = {
    "DASHBOARD_PORT": ("server.port", None),
    "JARVIS_API_URL": ("upstream.jarvis_api_url", None),
    "AI_DAWG_API_URL": ("upstream.ai_dawg_api_url", None),
    "MONITORING_DIR": ("monitoring.dir", None),
    "CACHE_TTL_INSTANCE_ACTIVITY": ("cache.ttl.instance_activity", 0.001),
    "CACHE_TTL_SYSTEM_HEALTH": ("cache.ttl.system_health", 0.001),
    "CACHE_TTL_BUSINESS_METRICS": ("cache.ttl.business_metrics", 0.001),
    "API_TIMEOUT": ("http.timeout_s", 0.001),
    "API_RETRY_ATTEMPTS": ("http.retry_attempts", None),
    "API_RETRY_BASE_DELAY": ("http.retry_base_delay_s", 0.001),
    "CHAT_TIMEOUT": ("chat.timeout_s", 0.001),
    "MAX_CONVERSATION_HISTORY": ("chat.max_history", None),
    "PROACTIVE_ENABLED": ("proactive.enabled", None),
    "PROACTIVE_REFRESH_INTERVAL": ("proactive.refresh_interval_s", 0.001),
    "CORS_ORIGINS": ("server.cors_origins", None),
    "RATE_LIMIT_ENABLED": ("rate_limit.enabled", None),
    "RATE_LIMIT_MAX_REQUESTS": ("rate_limit.max_requests", None),
    "RATE_LIMIT_WINDOW_MINUTES": ("rate_limit.window_minutes", None),
    "DEBUG": ("debug", None),
}

# JARVIS_* names that are not settings of this class.
RESERVED_ENV = {"JARVIS_CONFIG", "JARVIS_API_URL", "JARVIS_AUTH_TOKEN", "JARVIS_ENV_FILE"}


class SettingsError(Exception):
    """A configuration problem, already phrased as the one line to show a person."""


def _set_dotted(target: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    for part in parts[:-1]:
        node = target.setdefault(part, {})
        if not isinstance(node, dict):
            node = {}
            target[part] = node
        target = node
    target[parts[-1]] = value


def _get_dotted(source: dict[str, Any], dotted: tuple[str | int, ...]) -> bool:
    node: Any = source
    for part in dotted:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return False
    return True


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _env_value(raw: str) -> Any:
    stripped = raw.strip()
    if stripped[:1] in "[{":
        try:
            return json.loads(stripped)
        except ValueError:
            return raw
    return raw


def _scaled(raw: str, scale: float | None) -> Any:
    if scale is None:
        return raw
    try:
        return float(raw) * scale
    except ValueError:
        return raw  # let validation name the setting


def _seed_env(environ: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for name, (dotted, scale) in SEED_ENV.items():
        if name in environ and environ[name] != "":
            _set_dotted(values, dotted, _scaled(environ[name], scale))
            origins[dotted] = f"environment variable {name}"
    return values, origins


def _jarvis_env(environ: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    top_level = set(Settings.model_fields)
    for name, raw in environ.items():
        if not name.startswith("JARVIS_") or name in RESERVED_ENV or name.startswith("JARVIS_TEST_"):
            continue
        parts = name[len("JARVIS_") :].lower().split("__")
        if parts[0] not in top_level:
            continue
        dotted = ".".join(parts)
        _set_dotted(values, dotted, _env_value(raw))
        origins[dotted] = f"environment variable {name}"
    return values, origins


def config_path(environ: dict[str, str]) -> Path:
    return Path(environ.get("JARVIS_CONFIG") or "jarvis.toml")


def load_settings(environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
    """Build the settings, or raise `SettingsError` with one line a person can act on."""
    env = dict(os.environ if environ is None else environ)
    env_file = Path(env.get("JARVIS_ENV_FILE") or ".env")
    if environ is None and env_file.is_file():
        file_values = {k: v for k, v in dotenv_values(env_file).items() if v is not None}
        env = {**file_values, **env}

    path = config_path(env)
    toml_data: dict[str, Any] = {}
    explicit = "JARVIS_CONFIG" in env
    if path.is_file():
        try:
            toml_data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{path}: TOML syntax error: {exc}") from None
        except OSError as exc:
            raise SettingsError(f"{path}: cannot read the configuration file: {exc.strerror}") from None
    elif explicit:
        raise SettingsError(f"{path}: configuration file not found (set by JARVIS_CONFIG)")

    seed_values, seed_origins = _seed_env(env)
    jarvis_values, jarvis_origins = _jarvis_env(env)
    merged = _merge(_merge(toml_data, seed_values), jarvis_values)
    merged = _merge(merged, overrides)
    try:
        return Settings(**merged)
    except ValidationError as exc:
        raise SettingsError(_describe(exc, path, toml_data, {**seed_origins, **jarvis_origins})) from None


def _describe(exc: ValidationError, path: Path, toml_data: dict[str, Any], origins: dict[str, str]) -> str:
    error = exc.errors()[0]
    loc = tuple(part for part in error["loc"] if part != "__root__")
    dotted = ".".join(str(part) for part in loc) or "settings"
    origin = "defaults"
    for length in range(len(loc), 0, -1):
        key = ".".join(str(part) for part in loc[:length])
        if key in origins:
            origin = origins[key]
            break
    else:
        if _get_dotted(toml_data, loc[:1]):
            origin = str(path)
    if error["type"] == "extra_forbidden":
        problem = "unknown setting"
    else:
        problem = error["msg"].removeprefix("Value error, ")
    shown = "" if error["type"] == "extra_forbidden" else f" = {error.get('input')!r}"
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"invalid setting `{dotted}`{shown} in {origin}: {problem}{more}"


SECRET_WORDS = ("password", "secret", "token", "key")


def masked(settings: Settings) -> dict[str, Any]:
    """The effective settings as plain data, with anything secret-looking hidden."""
    data = settings.model_dump(mode="json")
    data["database_url"] = _mask_url(settings.effective_database_url)

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                key: (
                    "***"
                    if isinstance(value, str)
                    and value
                    and any(word in key.lower() for word in SECRET_WORDS)
                    and not key.endswith("_env")
                    else walk(value)
                )
                for key, value in node.items()
            }
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    result: dict[str, Any] = walk(data)
    return result


def _mask_url(url: str) -> str:
    return re.sub(r"(://[^:/@]+:)[^@]+@", r"\1***@", url)
