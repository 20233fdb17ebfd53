"""Settings: defaults, jarvis.toml, the seed's env names, JARVIS_* and the one-line errors."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

from jarvis.settings import ServiceConfig, Settings, SettingsError, load_settings, masked


def test_defaults_work_with_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings({})
    assert settings.server.host == "127.0.0.1"
    assert settings.server.port == 5001
    assert settings.cache.ttl.instance_activity == 2
    assert settings.cache.ttl.system_health == 3
    assert settings.cache.ttl.business_metrics == 5
    assert settings.effective_database_url.endswith(".jarvis/jarvis.db")
    assert settings.effective_database_url.startswith("sqlite+aiosqlite:///")


def test_toml_then_seed_env_then_jarvis_env(tmp_path: Path) -> None:
    config = tmp_path / "jarvis.toml"
    config.write_text('[server]\nport = 6000\nhost = "0.0.0.0"\n[chat]\nmax_history = 7\n')
    env = {"JARVIS_CONFIG": str(config), "DASHBOARD_PORT": "6100", "MAX_CONVERSATION_HISTORY": "9"}
    settings = load_settings(env)
    assert settings.server.port == 6100  # the seed's name beats the file
    assert settings.server.host == "0.0.0.0"
    assert settings.chat.max_history == 9
    settings = load_settings({**env, "JARVIS_SERVER__PORT": "6200"})
    assert settings.server.port == 6200  # JARVIS_* beats the seed's name


def test_seed_names_all_map_and_durations_are_milliseconds(tmp_path: Path) -> None:
    env = {
        "JARVIS_CONFIG": str(tmp_path / "none.toml"),
        "JARVIS_API_URL": "http://localhost:4000",
        "AI_DAWG_API_URL": "http://localhost:3001",
        "MONITORING_DIR": str(tmp_path),
        "CACHE_TTL_INSTANCE_ACTIVITY": "2500",
        "CACHE_TTL_SYSTEM_HEALTH": "4000",
        "CACHE_TTL_BUSINESS_METRICS": "6000",
        "API_TIMEOUT": "5000",
        "API_RETRY_ATTEMPTS": "4",
        "API_RETRY_BASE_DELAY": "250",
        "CHAT_TIMEOUT": "15000",
        "PROACTIVE_ENABLED": "false",
        "PROACTIVE_REFRESH_INTERVAL": "60000",
        "CORS_ORIGINS": "http://a.example, http://b.example",
        "RATE_LIMIT_ENABLED": "true",
        "RATE_LIMIT_MAX_REQUESTS": "50",
        "RATE_LIMIT_WINDOW_MINUTES": "10",
        "DEBUG": "true",
    }
    (tmp_path / "none.toml").write_text("")
    settings = load_settings(env)
    assert settings.upstream.jarvis_api_url == "http://localhost:4000"
    assert settings.upstream.ai_dawg_api_url == "http://localhost:3001"
    assert settings.monitoring.dir == tmp_path
    assert settings.cache.ttl.instance_activity == 2.5
    assert settings.cache.ttl.system_health == 4
    assert settings.cache.ttl.business_metrics == 6
    assert settings.http.timeout_s == 5
    assert settings.http.retry_attempts == 4
    assert settings.http.retry_base_delay_s == 0.25
    assert settings.chat.timeout_s == 15
    assert settings.proactive.enabled is False
    assert settings.proactive.refresh_interval_s == 60
    assert settings.server.cors_origins == ["http://a.example", "http://b.example"]
    assert settings.rate_limit.enabled is True
    assert settings.rate_limit.max_requests == 50
    assert settings.rate_limit.window_minutes == 10
    assert settings.debug is True


def test_bad_port_names_setting_and_origin(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings({"DASHBOARD_PORT": "abc", "JARVIS_CONFIG": str(_empty(tmp_path))})
    assert "server.port" in str(error.value)
    assert "DASHBOARD_PORT" in str(error.value)
    config = tmp_path / "jarvis.toml"
    config.write_text('[server]\nport = "abc"\n')
    with pytest.raises(SettingsError) as error:
        load_settings({"JARVIS_CONFIG": str(config)})
    assert "server.port" in str(error.value) and str(config) in str(error.value)


@pytest.mark.parametrize(
    ("toml", "setting"),
    [
        ('[[services]]\nname = "a"\nurl = "http://127.0.0.1:1/"\ndegraded_over_ms = inf\n', "degraded_over_ms"),
        ('[[services]]\nname = "a"\nurl = "http://127.0.0.1:1/"\njson_path = "x"\njson_equals = nan\n', "json_equals"),
        ('[[services]]\nname = "a"\nurl = "http://127.0.0.1:1/"\njson_equals = [1, -inf]\n', "json_equals"),
        ("[http]\ntimeout_s = nan\n", "http.timeout_s"),
        ('[server]\noutbound_allow = ["10.0.0.0/33"]\n', "server.outbound_allow"),
    ],
)
def test_toml_nan_infinity_and_bad_networks_are_refused(tmp_path: Path, toml: str, setting: str) -> None:
    """TOML can write `nan` and `inf`; they would be stored where JSON (and PostgreSQL) has no such numbers."""
    config = tmp_path / "jarvis.toml"
    config.write_text(toml)
    with pytest.raises(SettingsError) as error:
        load_settings({"JARVIS_CONFIG": str(config)})
    assert setting in str(error.value)


def test_unknown_key_and_syntax_error_name_the_file(tmp_path: Path) -> None:
    config = tmp_path / "jarvis.toml"
    config.write_text("[server]\nprot = 5001\n")
    with pytest.raises(SettingsError) as error:
        load_settings({"JARVIS_CONFIG": str(config)})
    assert "server.prot" in str(error.value) and "unknown setting" in str(error.value)
    assert str(config) in str(error.value)
    config.write_text("[server\nport = 1\n")
    with pytest.raises(SettingsError) as error:
        load_settings({"JARVIS_CONFIG": str(config)})
    assert "TOML syntax error" in str(error.value) and str(config) in str(error.value)


def test_masked_hides_secrets(tmp_path: Path) -> None:
    settings = load_settings(
        {"JARVIS_CONFIG": str(_empty(tmp_path)), "JARVIS_DATABASE_URL": "postgresql+asyncpg://u:hunter2@db/x"}
    )
    shown = masked(settings)
    assert "hunter2" not in str(shown)
    assert shown["database_url"] == "postgresql+asyncpg://u:***@db/x"
    assert shown["chat"]["api_key_env"] == "OPENAI_API_KEY"  # a variable's name is not a secret


def test_cli_bad_value_is_one_line_without_traceback(tmp_path: Path) -> None:
    config = tmp_path / "jarvis.toml"
    config.write_text('[server]\nport = "abc"\n')
    result = subprocess.run(
        [sys.executable, "-m", "jarvis.cli", "config", "check"],
        env={"JARVIS_CONFIG": str(config), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "server.port" in lines[0] and str(config) in lines[0]
    assert "Traceback" not in result.stderr


def test_cli_config_check_prints_effective_settings(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "jarvis.cli", "config", "check"],
        env={"PATH": "/usr/bin:/bin", "DASHBOARD_PORT": "5055", "JARVIS_DATABASE_URL": "postgresql://a:pw@h/d"},
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert '"port": 5055' in result.stdout
    assert "pw@" not in result.stdout


def _empty(tmp_path: Path) -> Path:
    path = tmp_path / "empty.toml"
    path.write_text("")
    return path


def _leaf_settings(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from _leaf_settings(annotation, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}"


def _mentions(text: str) -> list[str]:
    return re.findall(r"`[^`]+`", text) + re.findall(r"\[\[[a-z_.]+\]\]", text)


def test_every_setting_is_documented() -> None:
    """docs/configuration.md is the reference users read; a new setting must appear there."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "configuration.md").read_text()
    missing = [
        name
        for name in _leaf_settings(Settings)
        if not {f"`{name}`", f"`{name.rsplit('.', 1)[-1]}`", f"[[{name}]]"} & set(_mentions(text))
    ]
    missing += [f"services.{name}" for name in ServiceConfig.model_fields if f"`{name}`" not in text]
    assert missing == []
