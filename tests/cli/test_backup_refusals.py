"""What `jarvis backup` and `jarvis restore` refuse, and what they leave alone: a running server, a file
that is not a Jarvis backup, a database that would be overwritten, files that are not backups."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config

from jarvis.core.migrate import MIGRATIONS
from jarvis.core.pgdump import libpq
from jarvis.core.serverlock import ServerLock
from tests.cli.conftest import environment, jarvis, read_every_table, serving
from tests.conftest import free_port


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite+aiosqlite:///{data_dir / 'jarvis.db'}"


def database_with(data_dir: Path, template: Path, *users: str) -> Path:
    """A migrated database in `data_dir` holding these user names (a marker a restore would replace)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "jarvis.db"
    shutil.copy(template, path)
    with sqlite3.connect(path) as connection:
        for name in users:
            connection.execute(
                "INSERT INTO users (name, role, password_hash, created_at, password_changed_at) "
                "VALUES (?, 'admin', 'x', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
                (name,),
            )
    connection.close()
    return path


def user_names(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        names = [row[0] for row in connection.execute("SELECT name FROM users ORDER BY name")]
    connection.close()
    return names


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file in the folder and its content hash: "nothing changed" made checkable. The lock file
    (empty, created by the first restore that takes it) is not data."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
        if path.name != "jarvis.lock"
    }


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("jarvis: "), result.stderr
    return lines[0]


def test_restore_refuses_while_the_server_runs(tmp_path: Path, sqlite_template: Path) -> None:
    backup = database_with(tmp_path / "old", sqlite_template, "from-the-backup")
    live = database_with(tmp_path / "data", sqlite_template, "live")
    env = environment(tmp_path / "data")
    with serving(env, tmp_path):
        message = one_line_error(jarvis(env, "restore", "--force", str(backup), cwd=tmp_path))
        assert "a Jarvis server is running on this database" in message and "stop it first" in message
    assert user_names(live) == ["live"]  # not restored
    # Once the server stopped, the same command goes through.
    assert jarvis(env, "restore", "--force", str(backup), cwd=tmp_path).returncode == 0
    assert user_names(live) == ["from-the-backup"]


def test_the_server_does_not_start_during_a_restore(tmp_path: Path, sqlite_template: Path) -> None:
    database_with(tmp_path / "data", sqlite_template)
    lock = ServerLock(tmp_path / "data" / "jarvis.lock")
    lock.take_exclusive()  # what `jarvis restore` holds while it works
    try:
        process = subprocess.run(
            [sys.executable, "-m", "jarvis.cli", "serve", "--port", str(free_port())],
            env=environment(tmp_path / "data"),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        lock.release()
    assert process.returncode != 0
    assert "a restore is running on this database" in process.stderr


@pytest.mark.parametrize("kind", ["not-sqlite", "empty", "not-jarvis", "damaged", "missing"])
def test_restore_refuses_what_is_not_a_jarvis_backup_and_changes_nothing(
    tmp_path: Path, sqlite_template: Path, kind: str
) -> None:
    live = database_with(tmp_path / "data", sqlite_template, "live")
    candidate = tmp_path / "candidate.db"
    if kind == "not-sqlite":
        candidate.write_bytes(b"PGDMP" + os.urandom(4096))
    elif kind == "empty":
        candidate.touch()
    elif kind == "not-jarvis":
        with sqlite3.connect(candidate) as connection:
            connection.execute("CREATE TABLE notes (body TEXT)")
        connection.close()
    elif kind == "damaged":
        shutil.copy(live, candidate)
        data = bytearray(candidate.read_bytes())
        data[4096 * 3 : 4096 * 6] = os.urandom(4096 * 3)  # pages of tables and indexes overwritten
        candidate.write_bytes(bytes(data))
    before = fingerprint(live.parent)

    message = one_line_error(jarvis(environment(live.parent), "restore", "--force", str(candidate), cwd=tmp_path))
    expected = {
        "not-sqlite": "is not a SQLite database",
        "empty": "not a Jarvis one",
        "not-jarvis": "not a Jarvis one",
        "damaged": "is damaged",
        "missing": "no such file",
    }[kind]
    assert expected in message
    assert fingerprint(live.parent) == before
    assert user_names(live) == ["live"]


def test_restore_needs_force_to_replace_a_database(tmp_path: Path, sqlite_template: Path) -> None:
    backup = database_with(tmp_path / "old", sqlite_template, "from-the-backup")
    live = database_with(tmp_path / "data", sqlite_template, "live")
    env = environment(live.parent)
    before = fingerprint(live.parent)
    message = one_line_error(jarvis(env, "restore", str(backup), cwd=tmp_path))
    assert "already holds a database" in message and "--force" in message
    assert fingerprint(live.parent) == before

    (live.parent / "jarvis.db-wal").write_bytes(b"stale log of the old database")
    forced = jarvis(env, "restore", "--force", str(backup), cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert user_names(live) == ["from-the-backup"]
    assert not (live.parent / "jarvis.db-wal").exists()
    assert not [path for path in live.parent.iterdir() if path.name.endswith(".tmp")]


def test_a_backup_from_an_older_schema_is_migrated_on_restore(tmp_path: Path, sqlite_template: Path) -> None:
    old = tmp_path / "old.db"
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", f"sqlite+aiosqlite:///{old}")
    command.upgrade(config, "chat_0001")  # the base and the chat domain's first revision only

    restored = jarvis(environment(tmp_path / "data"), "restore", str(old), cwd=tmp_path)
    assert restored.returncode == 0, restored.stderr
    rows = read_every_table(sqlite_url(tmp_path / "data"))  # every table of this version is there
    current = read_every_table(f"sqlite+aiosqlite:///{sqlite_template}")
    assert rows["alembic_version"] == current["alembic_version"]


def test_retention_keeps_the_newest_and_never_touches_other_files(tmp_path: Path, sqlite_template: Path) -> None:
    data = tmp_path / "data"
    database_with(data, sqlite_template)
    folder = data / "backups"
    folder.mkdir()
    older = [folder / f"jarvis-2025010{day}-120000.db" for day in range(1, 5)]
    unrelated = [folder / "notes.txt", folder / "jarvis-before-upgrade.db", folder / ".jarvis-20250101-000000.db"]
    for path in older + unrelated:
        path.write_bytes(b"x")

    result = jarvis(environment(data), "backup", "--keep", "2", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    written = Path(lines[-1].removeprefix("wrote ").rsplit(" (", 1)[0])
    assert written.parent == folder and lines[-1].endswith("KiB)")
    assert sorted(folder.iterdir()) == sorted([written, older[-1], *unrelated])
    assert lines[:-1] == [f"removed old backup {path.name}" for path in older[:3]]

    # The setting does the same when --keep is not given; 0 keeps everything.
    env = {**environment(data), "JARVIS_BACKUP__KEEP": "0"}
    written_again = jarvis(env, "backup", str(folder / "jarvis-20990101-000000.db"), cwd=tmp_path)
    assert written_again.returncode == 0, written_again.stderr
    assert len([path for path in folder.iterdir() if path.name.startswith("jarvis-2")]) == 3


def test_backup_failures_are_one_line(tmp_path: Path, sqlite_template: Path) -> None:
    message = one_line_error(jarvis(environment(tmp_path / "nothing"), "backup", cwd=tmp_path))
    assert "nothing to back up" in message

    data = tmp_path / "data"
    database_with(data, sqlite_template)
    taken = tmp_path / "taken.db"
    taken.write_bytes(b"keep me")
    message = one_line_error(jarvis(environment(data), "backup", str(taken), cwd=tmp_path))
    assert "exists already" in message and taken.read_bytes() == b"keep me"

    # PostgreSQL without the client tools on PATH: what to install, before any connection is tried.
    env = {**environment(data, "postgresql+asyncpg://jarvis:s3cret@db.invalid:5432/jarvis"), "PATH": str(tmp_path)}
    message = one_line_error(jarvis(env, "backup", cwd=tmp_path))
    assert "pg_dump not found on PATH" in message and "PostgreSQL client tools" in message
    assert "s3cret" not in message


def test_the_postgres_password_goes_to_the_environment_only() -> None:
    target = libpq("postgresql+asyncpg://jarvis:s%40cret@db.internal:6543/ops?ssl=require")
    assert target.args == ["--host", "db.internal", "--port", "6543", "--username", "jarvis", "--dbname", "ops"]
    assert target.env == {"PGPASSWORD": "s@cret", "PGSSLMODE": "require"}
    assert all("cret" not in arg for arg in target.args)
    assert libpq("postgresql+asyncpg://postgres@/jarvis?host=/run/postgresql").args[:2] == ["--host", "/run/postgresql"]
