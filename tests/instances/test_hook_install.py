"""`jarvis hook install|uninstall`: our entries in Claude Code's settings.json, exactly, and nothing else.

The pure edits are tested directly; the command is run as a user runs it (a subprocess with a
temporary `HOME`, or `--project DIR`), and the file is read back byte for byte.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from jarvis.instances.hook import RECORDED_EVENTS, TOOL_EVENTS
from jarvis.instances.hook_install import (
    hook_command,
    install,
    is_ours,
    jarvis_executable,
    settings_snippet,
    uninstall,
)

COMMAND = "/opt/jarvis/.venv/bin/jarvis hook --server http://127.0.0.1:5001"
USER_HOOK = {"matcher": "Bash", "hooks": [{"type": "command", "command": "~/bin/check-bash.sh"}]}
JARVIS = str(Path(sys.executable).parent / "jarvis")


def jarvis(*args: str, home: Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> Any:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("JARVIS_")}
    return subprocess.run(
        [sys.executable, "-m", "jarvis.cli", "hook", *args],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=cwd,
        env={**environ, "HOME": str(home), **(env or {})},
    )


def commands_of(settings: dict[str, Any], event: str) -> list[str]:
    return [handler["command"] for group in settings["hooks"].get(event, []) for handler in group["hooks"]]


# --- the pure edits ------------------------------------------------------------------------------


def test_install_writes_one_entry_per_recorded_event() -> None:
    result = install({}, COMMAND)
    assert list(result["hooks"]) == list(RECORDED_EVENTS)
    assert len(RECORDED_EVENTS) == 29 and "MessageDisplay" not in result["hooks"] and "FileChanged" not in result
    for event in RECORDED_EVENTS:
        [group] = result["hooks"][event]
        assert group["hooks"] == [{"type": "command", "command": COMMAND, "timeout": 5}]
        assert group.get("matcher") == ("*" if event in TOOL_EVENTS else None)
    assert TOOL_EVENTS == {"PreToolUse", "PermissionRequest", "PermissionDenied", "PostToolUse", "PostToolUseFailure"}


def test_install_keeps_the_users_hooks_and_keys_in_order() -> None:
    settings = {
        "model": "opus",
        "hooks": {"PreToolUse": [USER_HOOK], "MyOwnEvent": [USER_HOOK]},
        "permissions": {"allow": ["Bash(ls)"]},
    }
    result = install(settings, COMMAND)
    assert list(result) == ["model", "hooks", "permissions"]
    assert result["permissions"] == {"allow": ["Bash(ls)"]} and result["model"] == "opus"
    assert result["hooks"]["PreToolUse"][0] == USER_HOOK
    assert commands_of(result, "PreToolUse") == ["~/bin/check-bash.sh", COMMAND]
    assert result["hooks"]["MyOwnEvent"] == [USER_HOOK]
    assert settings["hooks"]["PreToolUse"] == [USER_HOOK]  # the argument is not changed


def test_install_replaces_an_old_jarvis_entry_in_place() -> None:
    old = {
        "hooks": {
            "Stop": [
                USER_HOOK,
                {"hooks": [{"type": "command", "command": "jarvis hook"}, {"type": "command", "command": "say done"}]},
            ],
            "PreToolUse": [{"matcher": "*", "hooks": [{"type": "command", "command": "/old/path/jarvis hook"}]}],
            "FileChanged": [{"hooks": [{"type": "command", "command": "JARVIS_HOOK_URL=http://x:1 jarvis hook"}]}],
            "SessionEnd": [{"hooks": [{"type": "command", "command": "/v/bin/python -m jarvis.instances.hook"}]}],
        }
    }
    result = install(old, COMMAND)
    assert commands_of(result, "Stop") == ["~/bin/check-bash.sh", COMMAND, "say done"]
    assert commands_of(result, "PreToolUse") == [COMMAND]
    assert commands_of(result, "SessionEnd") == [COMMAND]
    assert "FileChanged" not in result["hooks"]  # ours on an event no longer recorded: gone
    assert install(result, COMMAND) == result
    assert install(install(old, "/new/jarvis hook --server http://h:1"), COMMAND) == result


def test_uninstall_removes_exactly_ours() -> None:
    settings = {"env": {"A": "1"}, "hooks": {"PreToolUse": [USER_HOOK], "Stop": [{"hooks": []}]}}
    installed = install(settings, COMMAND)
    assert uninstall(installed) == settings
    assert uninstall(install({}, COMMAND)) == {}
    assert uninstall({"hooks": {}}) == {"hooks": {}}  # nothing of ours: nothing changes


@pytest.mark.parametrize(
    ("command", "ours"),
    [
        ("jarvis hook", True),
        ("/opt/jarvis/.venv/bin/jarvis hook --server http://h:5001", True),
        ("'/path with space/jarvis' hook --token-file /t", True),
        ("JARVIS_HOOK_URL=http://h:1 /usr/local/bin/jarvis hook", True),
        ("/v/bin/python -m jarvis.instances.hook --server http://h", True),
        ("jarvis hook install", False),
        ("~/bin/check-bash.sh", False),
        ("jarvis-notify hook", False),
        ("git hook run", False),
        ("echo 'unbalanced", False),
    ],
)
def test_our_entries_are_recognised_by_their_command(command: str, ours: bool) -> None:
    assert is_ours(command) is ours


def test_the_command_quotes_paths_and_finds_this_jarvis() -> None:
    assert (
        hook_command("/a b/jarvis", "http://h:1", "/t f")
        == "'/a b/jarvis' hook --server http://h:1 --token-file '/t f'"
    )
    assert Path(jarvis_executable()).is_absolute()


def test_the_manual_snippet_is_the_installed_block() -> None:
    assert json.loads(settings_snippet(COMMAND)) == {"hooks": install({}, COMMAND)["hooks"]}


# --- the command ---------------------------------------------------------------------------------


def test_install_into_home_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    first = jarvis("install", home=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "added 29 events" in first.stdout
    path = tmp_path / ".claude" / "settings.json"
    content = path.read_bytes()
    settings = json.loads(content)
    assert commands_of(settings, "PreToolUse") == [f"{JARVIS} hook --server http://127.0.0.1:5001"]
    assert settings["hooks"]["PreToolUse"][0]["matcher"] == "*"
    second = jarvis("install", "--user", home=tmp_path)
    assert second.returncode == 0 and "unchanged 29" in second.stdout
    assert path.read_bytes() == content
    assert not path.with_name("settings.json.bak").exists()  # nothing was replaced


def test_install_into_a_project_keeps_the_users_hook_and_unknown_keys(tmp_path: Path) -> None:
    project = tmp_path / "shop"
    (project / ".claude").mkdir(parents=True)
    path = project / ".claude" / "settings.json"
    original = {"zeta": 1, "hooks": {"PreToolUse": [USER_HOOK]}, "alpha": {"nested": [1, 2]}, "enabledPlugins": {}}
    path.write_text(json.dumps(original, indent=4))
    before = path.read_text()
    result = jarvis(
        "install", "--project", str(project), "--server", "http://dash.internal:8080/", home=tmp_path / "home"
    )
    assert result.returncode == 0, result.stderr
    settings = json.loads(path.read_text())
    assert list(settings) == ["zeta", "hooks", "alpha", "enabledPlugins"]
    assert settings["alpha"] == {"nested": [1, 2]}
    assert settings["hooks"]["PreToolUse"][0] == USER_HOOK
    assert commands_of(settings, "PreToolUse")[1] == f"{JARVIS} hook --server http://dash.internal:8080"
    assert path.with_name("settings.json.bak").read_text() == before
    assert not (tmp_path / "home" / ".claude").exists()  # --project touches only the project

    removed = jarvis("uninstall", "--project", str(project), home=tmp_path / "home")
    assert removed.returncode == 0 and "removed the jarvis hook from 29 events" in removed.stdout
    assert json.loads(path.read_text()) == original
    again = jarvis("uninstall", "--project", str(project), home=tmp_path / "home")
    assert again.returncode == 0 and "nothing changed" in again.stdout


def test_invalid_json_is_an_error_and_the_file_is_untouched(tmp_path: Path) -> None:
    path = tmp_path / ".claude" / "settings.json"
    path.parent.mkdir()
    path.write_text('{"hooks": {,}')
    for command in ("install", "uninstall"):
        result = jarvis(command, home=tmp_path)
        assert result.returncode == 1
        assert "not valid JSON" in result.stderr and "nothing was changed" in result.stderr
        assert path.read_text() == '{"hooks": {,}'
    assert sorted(p.name for p in path.parent.iterdir()) == ["settings.json"]


def test_a_hooks_value_of_the_wrong_shape_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / ".claude" / "settings.json"
    path.parent.mkdir()
    path.write_text('{"hooks": {"Stop": "jarvis hook"}}')
    result = jarvis("install", home=tmp_path)
    assert result.returncode == 1 and "hooks.Stop" in result.stderr
    assert path.read_text() == '{"hooks": {"Stop": "jarvis hook"}}'


def test_the_server_comes_from_the_flag_then_the_environment_not_the_cwd(tmp_path: Path) -> None:
    (tmp_path / "jarvis.toml").write_text("[server]\nport = 5999\n")
    env = {"JARVIS_HOOK_URL": "http://from-env:7000"}
    result = jarvis("install", home=tmp_path, cwd=tmp_path, env=env)
    assert result.returncode == 0
    settings = json.loads((tmp_path / ".claude" / "settings.json").read_text())
    assert commands_of(settings, "Stop") == [f"{JARVIS} hook --server http://from-env:7000"]
    result = jarvis("install", "--server", "https://dash:443", home=tmp_path, cwd=tmp_path, env=env)
    assert result.returncode == 0 and "updated 29" in result.stdout
    settings = json.loads((tmp_path / ".claude" / "settings.json").read_text())
    assert commands_of(settings, "Stop") == [f"{JARVIS} hook --server https://dash:443"]
    bad = jarvis("install", "--server", "dash:443", home=tmp_path)
    assert bad.returncode == 2 and "--server" in bad.stderr


def test_token_file_and_dry_run(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("jv_secret\n")
    result = jarvis("install", "--token-file", str(token), "--dry-run", home=tmp_path)
    assert result.returncode == 0
    assert "dry run: nothing written" in result.stdout and "+" in result.stdout
    assert f"--token-file {token}" in result.stdout and "jv_secret" not in result.stdout
    assert not (tmp_path / ".claude").exists()
    result = jarvis("install", "--token-file", str(token), home=tmp_path)
    settings = json.loads((tmp_path / ".claude" / "settings.json").read_text())
    assert commands_of(settings, "Stop") == [f"{JARVIS} hook --server http://127.0.0.1:5001 --token-file {token}"]
    assert "jv_secret" not in (tmp_path / ".claude" / "settings.json").read_text()


def test_a_symlinked_settings_file_stays_a_link(tmp_path: Path) -> None:
    dotfiles = tmp_path / "dotfiles" / "claude.json"
    dotfiles.parent.mkdir()
    dotfiles.write_text('{"model": "opus"}')
    (tmp_path / ".claude").mkdir()
    (tmp_path / ".claude" / "settings.json").symlink_to(dotfiles)
    assert jarvis("install", home=tmp_path).returncode == 0
    assert (tmp_path / ".claude" / "settings.json").is_symlink()
    assert list(json.loads(dotfiles.read_text())) == ["model", "hooks"]
