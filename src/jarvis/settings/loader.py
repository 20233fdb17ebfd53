"""Where settings come from: defaults, `jarvis.toml`, the seed's env names, `JARVIS_*`; and masking.

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
from typing import Any

from dotenv import dotenv_values
from pydantic import ValidationError

from jarvis.settings.model import Settings

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
RESERVED_ENV = {
    "JARVIS_CONFIG",
    "JARVIS_API_URL",
    "JARVIS_AUTH_TOKEN",
    "JARVIS_ENV_FILE",
    "JARVIS_HOOK_URL",
    "JARVIS_TOKEN",
}


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
