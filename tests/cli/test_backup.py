"""`jarvis backup` and `jarvis restore` as a person runs them, against a real `jarvis serve`.

The round trips fill every table of the schema (walked from the models, so a new table is covered
without a change here) and compare every table row by row after the restore."""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from pathlib import Path

import pytest

from jarvis.core.db import Base
from tests.cli.conftest import backup_while_serving, environment, fill_every_table, jarvis, read_every_table, serving
from tests.conftest import POSTGRES_URL, _pg, _pg_url


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite+aiosqlite:///{data_dir / 'jarvis.db'}"


def test_sqlite_round_trip_while_the_server_runs(tmp_path: Path, sqlite_template: Path) -> None:
    source = tmp_path / "data"
    source.mkdir()
    shutil.copy(sqlite_template, source / "jarvis.db")
    inserted = fill_every_table(sqlite_url(source))
    env = environment(source)
    with serving(env, tmp_path):
        backup, expected = backup_while_serving(env, sqlite_url(source), tmp_path)
        assert backup.parent == source / "backups" and backup.suffix == ".db"

    # A complete, self-contained SQLite file: no WAL beside it, integrity intact.
    assert not backup.with_name(backup.name + "-wal").exists()
    with sqlite3.connect(backup) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)

    fresh = tmp_path / "fresh"
    restored = jarvis(environment(fresh), "restore", str(backup), cwd=tmp_path)
    assert restored.returncode == 0, restored.stderr
    assert "restored" in restored.stdout

    rows = read_every_table(sqlite_url(fresh))
    tables = {table.name for table in Base.metadata.sorted_tables}
    assert set(inserted) == tables  # the fill walked every table of the schema
    assert set(rows) == tables | {"alembic_version"}
    for name in sorted(rows):
        assert rows[name], f"table {name} came back empty"
        assert rows[name] == expected[name], f"table {name} differs after the restore"


@pytest.fixture
def pg_databases() -> list[str]:
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL round trip: set JARVIS_TEST_POSTGRES_URL=postgresql+asyncpg://user@host/db to run it")
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("PostgreSQL round trip: pg_dump / pg_restore not on PATH (install postgresql-client)")
    return []


def test_postgres_round_trip_while_the_server_runs(tmp_path: Path, pg_databases: list[str]) -> None:
    names = [f"jarvis_bk_{uuid.uuid4().hex[:10]}", f"jarvis_bk_{uuid.uuid4().hex[:10]}"]
    for name in names:
        _pg(f'CREATE DATABASE "{name}"')
    try:
        source_url, target_url = (_pg_url(name) for name in names)
        source_env = environment(tmp_path / "data", source_url)
        assert jarvis(source_env, "db", "upgrade", cwd=tmp_path).returncode == 0
        inserted = fill_every_table(source_url)
        with serving(source_env, tmp_path):
            backup, expected = backup_while_serving(source_env, source_url, tmp_path)
            assert backup.suffix == ".dump"
            # Another data folder shares no lock file: PostgreSQL itself shows the server's connections.
            elsewhere = environment(tmp_path / "elsewhere", source_url)
            refused = jarvis(elsewhere, "restore", "--force", str(backup), cwd=tmp_path)
            assert refused.returncode == 1
            assert "a Jarvis server is connected to this database" in refused.stderr and "stop it" in refused.stderr

        target_env = environment(tmp_path / "fresh", target_url)
        restored = jarvis(target_env, "restore", str(backup), cwd=tmp_path)
        assert restored.returncode == 0, restored.stderr
        again = jarvis(target_env, "restore", str(backup), cwd=tmp_path)
        assert again.returncode == 1 and "--force" in again.stderr

        rows = read_every_table(target_url)
        assert set(inserted) == {table.name for table in Base.metadata.sorted_tables}
        assert set(rows) == set(inserted) | {"alembic_version"}
        for name in sorted(rows):
            assert rows[name], f"table {name} came back empty"
            assert rows[name] == expected[name], f"table {name} differs after the restore"
    finally:
        for name in names:
            _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
