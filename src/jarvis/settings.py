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
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

NAME_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
METRIC_KEY_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"


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

    name: str = Field(pattern=NAME_PATTERN, max_length=63)
    kind: Literal["http", "tcp"] = "http"
    url: str | None = Field(None, max_length=2048, validate_default=True)
    method: Literal["GET", "HEAD", "POST"] = "GET"
    expect_status: list[int] = Field(default_factory=lambda: [200], min_length=1, max_length=50)
    # Answers that count as up but not fully well (the control plane's 207 from /health/detailed).
    degraded_status: list[int] = Field(default_factory=list, max_length=50)
    body_contains: str | None = Field(None, max_length=1000)
    json_path: str | None = Field(None, max_length=200)
    json_equals: Any = None
    headers_env: dict[str, str] = Field(default_factory=dict, max_length=20)
    bearer_env: str | None = Field(None, max_length=100, description="env var holding a bearer token")
    host: str | None = Field(None, max_length=255, validate_default=True)
    port: int | None = Field(None, ge=1, le=65535, validate_default=True)
    interval_s: float = Field(30.0, ge=1, le=86400)
    timeout_s: float | None = Field(None, gt=0, le=120)
    retries: int | None = Field(None, ge=0, le=10)
    retry_base_delay_s: float | None = Field(None, ge=0, le=60)
    degraded_over_ms: float = Field(1000.0, gt=0)

    @field_validator("url")
    @classmethod
    def _url_for_http(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("kind", "http") == "http" and not value:
            raise ValueError("is required for an http service")
        if value and not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("must start with http:// or https:// and name a host")
        return value

    @field_validator("host", "port")
    @classmethod
    def _target_for_tcp(cls, value: Any, info: ValidationInfo) -> Any:
        if info.data.get("kind") == "tcp" and not value:
            raise ValueError("is required for a tcp service")
        return value

    @field_validator("expect_status", "degraded_status")
    @classmethod
    def _http_codes(cls, value: list[int]) -> list[int]:
        if any(code < 100 or code > 599 for code in value):
            raise ValueError("must hold HTTP status codes between 100 and 599")
        return value


class MetricSourceConfig(Section):
    """One `[[metrics.sources]]` entry: an HTTP JSON endpoint polled on an interval.

    `map` goes from a metric key of `module` to a dotted JSON path (`data.metrics.x`);
    empty means the AI DAWG `/api/v1/modules/{name}` shape (every number under
    `data.metrics`, health from `data.status`, uptime from `data.uptime`).
    """

    name: str = Field(pattern=NAME_PATTERN)
    url: str = Field(max_length=2048, pattern=r"^https?://")
    interval_s: float = Field(60.0, ge=1, le=86400)
    module: str = Field(pattern=NAME_PATTERN)
    map: dict[str, str] = Field(default_factory=dict, max_length=200)
    health_path: str | None = Field(None, max_length=200)
    uptime_path: str | None = Field(None, max_length=200)
    headers_env: dict[str, str] = Field(default_factory=dict, max_length=20)
    timeout_s: float | None = Field(None, gt=0, le=120)
    retries: int | None = Field(None, ge=0, le=10)

    @field_validator("map")
    @classmethod
    def _metric_keys(cls, value: dict[str, str]) -> dict[str, str]:
        for key, path in value.items():
            if not re.match(METRIC_KEY_PATTERN, key):
                raise ValueError(f"key {key!r} must match {METRIC_KEY_PATTERN}")
            if not path or len(path) > 200:
                raise ValueError(f"the JSON path of {key!r} must be 1 to 200 characters")
        return value


class CustomModuleConfig(Section):
    id: str = Field(pattern=NAME_PATTERN)
    name: str = Field(max_length=100)
    priority: int = Field(10, ge=1, le=100)
    keys: list[str] = Field(default_factory=list, max_length=100)

    @field_validator("keys")
    @classmethod
    def _metric_keys(cls, value: list[str]) -> list[str]:
        bad = [key for key in value if not re.match(METRIC_KEY_PATTERN, key)]
        if bad:
            raise ValueError(f"keys must match {METRIC_KEY_PATTERN}: {', '.join(bad)}")
        return value


class MetricsSettings(Section):
    sources: list[MetricSourceConfig] = Field(default_factory=list)
    modules: list[CustomModuleConfig] = Field(default_factory=list)
    max_batch: int = Field(1000, ge=1, le=100_000)
    max_future_s: float = Field(300.0, ge=0, le=86400, description="how far ahead a point's timestamp may be")

    @model_validator(mode="after")
    def _known_modules(self) -> MetricsSettings:
        from jarvis.metrics.modules import ALIASES, BUILTIN_IDS  # the module list lives with its domain

        custom = [module.id for module in self.modules]
        clashes = sorted({m for m in custom if m in BUILTIN_IDS or custom.count(m) > 1})
        if clashes:
            raise ValueError(f"custom module ids must be new and unique, repeated: {', '.join(clashes)}")
        known = BUILTIN_IDS | set(custom) | set(ALIASES)
        for source in self.sources:
            if source.module not in known:
                raise ValueError(f"source {source.name!r}: unknown module {source.module!r}")
        names = [source.name for source in self.sources]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"metric source names must be unique, repeated: {', '.join(repeated)}")
        return self


class FinancialSettings(Section):
    """Standing inputs; API snapshots override them per period. Missing stays missing.

    The field names are those of a snapshot (`jarvis.financial.fields.INPUT_FIELDS`).
    """

    mrr: float | None = Field(None, ge=0, allow_inf_nan=False)
    customers: int | None = Field(None, ge=0)
    new_customers: int | None = Field(None, ge=0)
    churned_customers: int | None = Field(None, ge=0)
    new_mrr: float | None = Field(None, ge=0, allow_inf_nan=False)
    expansion_mrr: float | None = Field(None, ge=0, allow_inf_nan=False)
    contraction_mrr: float | None = Field(None, ge=0, allow_inf_nan=False)
    churned_mrr: float | None = Field(None, ge=0, allow_inf_nan=False)
    revenue_today: float | None = Field(None, ge=0, allow_inf_nan=False)
    revenue_this_month: float | None = Field(None, ge=0, allow_inf_nan=False)
    cash_balance: float | None = Field(None, allow_inf_nan=False)
    monthly_operating_costs: float | None = Field(None, ge=0, allow_inf_nan=False)
    sales_marketing_spend: float | None = Field(None, ge=0, allow_inf_nan=False)
    gross_margin: float | None = Field(None, ge=0, le=1)


class ChatSettings(Section):
    provider: Literal["builtin", "openai", "anthropic", "jarvis"] = "builtin"
    model: str = ""
    base_url: str = ""
    api_key_env: str = "OPENAI_API_KEY"
    timeout_s: float = Field(30.0, gt=0, le=600)
    max_history: int = Field(20, ge=1, le=500)
    max_message_chars: int = Field(32_000, ge=1)
    # Model providers only: answer length, tool rounds per answer, and how often a streaming
    # answer is written to the database (whichever comes first), so a crash loses at most that much.
    max_tokens: int = Field(1024, ge=1, le=200_000)
    max_tool_rounds: int = Field(4, ge=0, le=20)
    flush_interval_s: float = Field(0.5, gt=0, le=60)
    flush_every_tokens: int = Field(32, ge=1, le=10_000)


class ProactiveSettings(Section):
    enabled: bool = True
    refresh_interval_s: float = Field(30.0, ge=1)
    max_per_hour: int = Field(5, ge=0)
    max_per_day: int = Field(20, ge=0)
    min_gap_minutes: float = Field(15.0, ge=0)
    quiet_hours: str = Field("", pattern=r"^$|^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")
    timezone: str = "UTC"  # the zone quiet hours and usage habits ("at 9:00") are read in
    suppress_below_score: float = Field(0.3, ge=0, le=1)  # Beta posterior mean under which a rule is muted
    suppress_min_feedback: int = Field(3, ge=1)  # feedback needed before a score can mute anything
    suppress_up_to: Literal["low", "normal", "high"] = "low"  # muted priorities; critical never is
    rules: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Europe/Paris)") from None
        return value

    @field_validator("rules")
    @classmethod
    def _valid_rule_tables(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        # Each rule validates its own table with its own model (a typo fails start-up, naming it).
        from jarvis.proactive.rules import validate_rule_tables

        validate_rule_tables(value)
        return value


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
    timeout_s: float = Field(5.0, gt=0, le=120)  # per attempt
    attempts: int = Field(3, ge=1, le=10)
    base_delay_s: float = Field(1.0, ge=0, le=60)  # back-off between attempts
    failing_after: int = Field(3, ge=1)  # consecutive failed deliveries before the channel shows as failing

    @model_validator(mode="after")
    def _target_present(self) -> ChannelConfig:
        if self.kind == "smtp":
            if not self.smtp_host or not self.mail_from or not self.mail_to:
                raise ValueError("an smtp channel needs `smtp_host`, `mail_from` and `mail_to`")
        elif not self.url_env:
            raise ValueError(f"a {self.kind} channel needs `url_env` (the variable holding its URL)")
        return self


class NotificationsSettings(Section):
    channels: list[ChannelConfig] = Field(default_factory=list)
    queue_size: int = Field(1000, ge=10)  # per channel; beyond it deliveries wait in the database
    base_url: str = Field("", pattern=r"^$|^https?://")  # the dashboard's public URL, to make links absolute

    @field_validator("channels")
    @classmethod
    def _unique_channel_names(cls, value: list[ChannelConfig]) -> list[ChannelConfig]:
        names = [channel.name for channel in value]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"channel names must be unique, repeated: {', '.join(duplicates)}")
        return value


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
