"""`jarvis hook install|uninstall`: our entries in Claude Code's `settings.json`, and nothing else.

`install(settings, command)` and `uninstall(settings)` are pure: they return a new settings object in
which every event of `RECORDED_EVENTS` has exactly one entry running `command` (tool events with
`"matcher": "*"`), or none. Our entries are recognised by their command (`… jarvis … hook …` or
`python -m jarvis.instances.hook`), so an entry written by hand from the old docs is replaced, not
duplicated; the user's own hooks, every other key and the key order are kept. The file handling
around them writes atomically (a temporary file and `os.replace`), keeps `settings.json.bak`, and
leaves a file that is not valid JSON untouched. Only the standard library.
"""

from __future__ import annotations

import copy
import difflib
import json
import os
import shlex
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jarvis.instances.hook import HOOK_PATH, RECORDED_EVENTS, TOOL_EVENTS, default_server

__all__ = [
    "HOOK_PATH",
    "HOOK_TIMEOUT_S",
    "RECORDED_EVENTS",
    "TOOL_EVENTS",
    "InstallError",
    "jarvis_executable",
    "check_server",
    "hook_command",
    "install_command",
    "entry",
    "is_ours",
    "install",
    "uninstall",
    "Changes",
    "changes",
    "settings_path",
    "dumps",
    "read_settings",
    "write_settings",
    "diff",
    "Outcome",
    "apply",
    "run_install",
    "run_uninstall",
    "settings_snippet",
]

HOOK_TIMEOUT_S = 5
EXECUTABLE_NAME = "jarvis"


class InstallError(Exception):
    """A settings file we must not edit, with what the user should do; the file is left as it was."""


# --- what the entries are ----------------------------------------------------------------------


def jarvis_executable() -> str:
    """The absolute path of this `jarvis`: `sys.argv[0]` when it is the script, else the script beside
    this interpreter (a virtual environment's `bin/`), else `jarvis` on the PATH."""
    argv0 = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if argv0 is not None and argv0.name == EXECUTABLE_NAME and argv0.is_file():
        return str(argv0.resolve())
    beside = Path(sys.executable).parent / EXECUTABLE_NAME
    if sys.executable and beside.is_file():
        return str(beside.absolute())
    found = shutil.which(EXECUTABLE_NAME)
    return str(Path(found).resolve()) if found else EXECUTABLE_NAME


def check_server(server: str) -> str:
    parts = urlsplit(server.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InstallError(f"--server must be an http:// or https:// URL, not {server!r}")
    return server.strip().rstrip("/")


def hook_command(executable: str, server: str, token_file: str | None = None) -> str:
    """The shell command Claude Code runs for each event (quoted: it goes through a shell)."""
    words = [executable, "hook", "--server", server]
    if token_file:
        words += ["--token-file", token_file]
    return " ".join(shlex.quote(word) for word in words)


def install_command(executable: str, server: str) -> str:
    """`jarvis hook install --server URL`, as the welcome panel shows it for this server."""
    return " ".join(shlex.quote(word) for word in [executable, "hook", "install", "--server", server])


def entry(event: str, command: str) -> dict[str, Any]:
    handler = {"type": "command", "command": command, "timeout": HOOK_TIMEOUT_S}
    return {"matcher": "*", "hooks": [handler]} if event in TOOL_EVENTS else {"hooks": [handler]}


def is_ours(command: object) -> bool:
    """Whether a hook command runs `jarvis hook` (any path, any flags or variables around it)."""
    if not isinstance(command, str) or " hook" not in command and "jarvis.instances.hook" not in command:
        return False
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    for index, word in enumerate(words):
        if word == "-m" and words[index + 1 : index + 2] == ["jarvis.instances.hook"]:
            return True
        if Path(word).name == EXECUTABLE_NAME and words[index + 1 : index + 2] == ["hook"]:
            return words[index + 2 : index + 3] not in (["install"], ["uninstall"])
    return False


def _is_our_handler(handler: object) -> bool:
    return isinstance(handler, dict) and handler.get("type", "command") == "command" and is_ours(handler.get("command"))


# --- the pure edits ------------------------------------------------------------------------------


def _hooks_of(settings: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(settings, dict):
        raise InstallError("the settings are not a JSON object")
    hooks = settings.get("hooks", {})
    if not isinstance(hooks, dict):
        raise InstallError('"hooks" is not a JSON object')
    return hooks


def _without_ours(groups: list[Any]) -> tuple[list[Any], int | None]:
    """The event's groups with our handlers taken out (a group left empty by that goes), and where
    the first of ours was (so a reinstall puts the new entry back in the same place)."""
    kept_groups: list[Any] = []
    first: int | None = None
    for group in groups:
        handlers = group.get("hooks") if isinstance(group, dict) else None
        if not isinstance(handlers, list):
            kept_groups.append(group)
            continue
        kept = [handler for handler in handlers if not _is_our_handler(handler)]
        if len(kept) == len(handlers):
            kept_groups.append(group)
            continue
        if first is None:
            first = len(kept_groups)
        if kept:
            kept_groups.append({**group, "hooks": kept})
    return kept_groups, first


def install(settings: dict[str, Any], command: str) -> dict[str, Any]:
    """`settings` with one entry running `command` for each recorded event; ours elsewhere removed."""
    result = copy.deepcopy(settings)
    hooks = _hooks_of(result)
    for event in RECORDED_EVENTS:
        groups = hooks.get(event, [])
        if not isinstance(groups, list):
            raise InstallError(f'"hooks.{event}" is not a list')
        kept, first = _without_ours(groups)
        kept.insert(len(kept) if first is None else first, entry(event, command))
        hooks[event] = kept
    for event in [name for name in hooks if name not in RECORDED_EVENTS]:
        _drop_ours(hooks, event)
    result["hooks"] = hooks
    return result


def _drop_ours(hooks: dict[str, Any], event: str) -> None:
    groups = hooks[event]
    if not isinstance(groups, list):
        return
    kept, first = _without_ours(groups)
    if first is None:
        return
    if kept:
        hooks[event] = kept
    else:
        del hooks[event]


def uninstall(settings: dict[str, Any]) -> dict[str, Any]:
    """`settings` without our entries, nor the event lists (and `hooks`) that only they filled."""
    result = copy.deepcopy(settings)
    hooks = _hooks_of(result)
    had_hooks = bool(hooks)
    for event in list(hooks):
        _drop_ours(hooks, event)
    if had_hooks and not hooks:
        del result["hooks"]
    return result


@dataclass
class Changes:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [
            f"added {len(self.added)} events",
            f"updated {len(self.updated)}",
            f"unchanged {len(self.unchanged)}",
        ]
        if self.removed:
            parts.append(f"removed from {len(self.removed)} ({', '.join(self.removed)})")
        return ", ".join(parts)


def _ours_in(groups: object) -> bool:
    return isinstance(groups, list) and any(
        _is_our_handler(handler)
        for group in groups
        if isinstance(group, dict) and isinstance(group.get("hooks"), list)
        for handler in group["hooks"]
    )


def changes(before: dict[str, Any], after: dict[str, Any]) -> Changes:
    """Event by event: where ours was added, changed, left as it was, or taken out."""
    old = before.get("hooks")
    new = after.get("hooks")
    old = old if isinstance(old, dict) else {}
    new = new if isinstance(new, dict) else {}
    result = Changes()
    for event in dict.fromkeys([*old, *new]):
        had, has = _ours_in(old.get(event)), _ours_in(new.get(event))
        if has and not had:
            result.added.append(event)
        elif had and not has:
            result.removed.append(event)
        elif has:
            (result.unchanged if old.get(event) == new.get(event) else result.updated).append(event)
    return result


# --- the file ------------------------------------------------------------------------------------


def settings_path(project: str | None = None, home: str | None = None) -> Path:
    """`DIR/.claude/settings.json` for a project, else `~/.claude/settings.json` (`$HOME` first)."""
    if project is not None:
        folder = Path(project).expanduser()
        if not folder.is_dir():
            raise InstallError(f"{project} is not a folder")
        return folder.absolute() / ".claude" / "settings.json"
    base = Path(home or os.environ.get("HOME") or Path.home())
    return base / ".claude" / "settings.json"


def dumps(settings: dict[str, Any]) -> str:
    return json.dumps(settings, indent=2, ensure_ascii=False) + "\n"


def read_settings(path: Path) -> tuple[str | None, dict[str, Any]]:
    """The file's text (`None` when there is no file) and its settings."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, {}
    except (OSError, UnicodeDecodeError) as exc:
        raise InstallError(f"cannot read {path}: {exc}") from None
    if not text.strip():
        return text, {}
    try:
        settings = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InstallError(
            f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "fix it (or move it away) and run the command again — nothing was changed"
        ) from None
    if not isinstance(settings, dict):
        raise InstallError(f"{path} does not hold a JSON object; fix it and run the command again")
    return text, settings


def write_settings(path: Path, old_text: str | None, new_text: str) -> Path | None:
    """Write `new_text` atomically; the previous content goes to `settings.json.bak`. Returns the backup."""
    target = path.resolve() if path.is_symlink() else path  # a dotfiles link stays a link
    target.parent.mkdir(parents=True, exist_ok=True)
    backup = None
    if old_text is not None:
        backup = target.with_name(target.name + ".bak")
        backup.write_text(old_text, encoding="utf-8")
    try:
        mode = target.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o644 & ~umask
    handle, temporary = tempfile.mkstemp(prefix=".settings.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(new_text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return backup


def diff(path: Path, old_text: str | None, new_text: str) -> str:
    lines = difflib.unified_diff(
        (old_text or "").splitlines(keepends=True),
        new_text.splitlines(keepends=True),
        fromfile=f"{path} (now)",
        tofile=f"{path} (after)",
        n=1,
    )
    return "".join(lines)


@dataclass
class Outcome:
    path: Path
    changes: Changes
    written: bool
    backup: Path | None
    diff: str


def apply(path: Path, edit: Any, *, dry_run: bool = False) -> Outcome:
    """Read `path`, apply `edit` (settings → settings), write it back if it changed."""
    old_text, before = read_settings(path)
    after = edit(before)
    found = changes(before, after)
    if after == before and old_text is not None:
        return Outcome(path, found, False, None, "")
    new_text = dumps(after)
    patch = diff(path, old_text, new_text)
    if dry_run:
        return Outcome(path, found, False, None, patch)
    backup = write_settings(path, old_text, new_text)
    return Outcome(path, found, True, backup, patch)


# --- the commands --------------------------------------------------------------------------------


def _fail(message: str, code: int = 1) -> int:
    print(f"jarvis: {message}", file=sys.stderr)
    return code


def run_install(
    *,
    project: str | None = None,
    server: str | None = None,
    token_file: str | None = None,
    dry_run: bool = False,
    executable: str | None = None,
) -> int:
    try:
        url = check_server(server or default_server())
    except InstallError as exc:
        return _fail(str(exc), 2)
    token_path = None
    if token_file:
        token_path = str(Path(token_file).expanduser().absolute())
        if not Path(token_path).is_file():
            print(
                f"jarvis: warning: {token_path} does not exist; the hook sends no token until it does", file=sys.stderr
            )
    command = hook_command(executable or jarvis_executable(), url, token_path)
    try:
        path = settings_path(project)
        outcome = apply(path, lambda settings: install(settings, command), dry_run=dry_run)
    except InstallError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"cannot write the settings: {exc}")
    _report(outcome, dry_run)
    print(f"hook: {command}")
    print(f"events go to {url}{HOOK_PATH}; `jarvis hook uninstall` removes them")
    return 0


def run_uninstall(*, project: str | None = None, dry_run: bool = False) -> int:
    try:
        path = settings_path(project)
        if not path.exists():
            print(f"{path}: no such file, nothing to remove")
            return 0
        outcome = apply(path, uninstall, dry_run=dry_run)
    except InstallError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"cannot write the settings: {exc}")
    removed = outcome.changes.removed
    if not removed:
        print(f"{path}: no jarvis hook there, nothing changed")
        return 0
    print(f"{path}: removed the jarvis hook from {len(removed)} events")
    _report_files(outcome, dry_run)
    return 0


def _report(outcome: Outcome, dry_run: bool) -> None:
    print(f"{outcome.path}: {outcome.changes.summary()}")
    _report_files(outcome, dry_run)


def _report_files(outcome: Outcome, dry_run: bool) -> None:
    if dry_run:
        print(outcome.diff.rstrip("\n") or "(no change)")
        print("dry run: nothing written")
    elif outcome.backup is not None:
        print(f"previous content kept in {outcome.backup}")


# --- for the welcome panel and the docs ----------------------------------------------------------


def settings_snippet(command: str) -> str:
    """The `hooks` block `install` writes, one event a line, as JSON to paste by hand."""
    lines = [f"  {json.dumps(event)}: {json.dumps([entry(event, command)])}" for event in RECORDED_EVENTS]
    return '{"hooks": {\n' + ",\n".join(lines) + "\n}}"
