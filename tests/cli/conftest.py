"""What the backup tests share: `jarvis …` as a subprocess, a real `jarvis serve`, one row in every
table, and every table's rows read back in a comparable form."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from jarvis.core.db import Base, Database
from jarvis.migrations import metadata  # noqa: F401 - imports every domain's models into Base.metadata
from tests.conftest import free_port

NOW = datetime.now(UTC).replace(microsecond=0)
# Values a running server reads back: a service it can load (it checks it once a day, on a closed port),
# a login that has not expired.
OVERRIDES: dict[tuple[str, str], Any] = {
    ("health_services", "config"): {
        "name": "name-1",
        "kind": "tcp",
        "host": "127.0.0.1",
        "port": 9,
        "interval_s": 86400,
    },
    ("login_sessions", "expires_at"): NOW + timedelta(days=7),
}

Rows = dict[str, list[tuple[Any, ...]]]


def environment(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JARVIS_") or k.startswith("JARVIS_TEST_")}
    env.update(JARVIS_DATA_DIR=str(data_dir), JARVIS_ENV_FILE="/dev/null", JARVIS_LOG_LEVEL="warning")
    if database_url:
        env["JARVIS_DATABASE_URL"] = database_url
    return env


def jarvis(env: dict[str, str], *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jarvis.cli", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120
    )


@contextmanager
def serving(env: dict[str, str], cwd: Path) -> Iterator[str]:
    """A real `jarvis serve` process on a free port, until the block ends; yields its URL."""
    port = free_port()
    command = [sys.executable, "-m", "jarvis.cli", "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # bounded: up to about 30 s for start-up (migrations run first)
            if process.poll() is not None:
                raise AssertionError(f"jarvis serve exited: {process.stderr.read().decode() if process.stderr else ''}")
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code in (200, 503):
                    break
            except httpx.TransportError:
                time.sleep(0.05)  # one interval of the bounded poll
        else:
            raise AssertionError("jarvis serve did not answer /health")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _value(table: sa.Table, column: sa.Column[Any], inserted: dict[str, dict[str, Any]]) -> Any:
    if (table.name, column.name) in OVERRIDES:
        return OVERRIDES[(table.name, column.name)]
    if column.foreign_keys:
        target = next(iter(column.foreign_keys)).column
        return inserted[target.table.name][target.name]
    column_type = column.type.impl_instance if isinstance(column.type, sa.types.TypeDecorator) else column.type
    if isinstance(column_type, sa.JSON):
        return ["x"] if "assigned" in column.name or "scopes" in column.name else {"k": "v"}
    kind = column_type.python_type
    if kind is bool:
        return True
    if kind is int:
        return 7
    if kind is float:
        return 1.5
    if kind is datetime:
        return NOW
    if kind is date:
        return NOW.date()
    if kind is str:
        text = f"{column.name}-1".replace("_", "-")
        length = getattr(column_type, "length", None)
        return text[:length] if length else text
    raise AssertionError(f"no test value for {table.name}.{column.name} ({kind.__name__}): add one")


def fill_every_table(url: str) -> dict[str, dict[str, Any]]:
    """One row in every table of the schema, parents first, every column set; returns the rows."""

    async def go() -> dict[str, dict[str, Any]]:
        inserted: dict[str, dict[str, Any]] = {}
        db = Database(url)
        try:
            async with db.engine.begin() as connection:
                for table in Base.metadata.sorted_tables:
                    row = {column.name: _value(table, column, inserted) for column in table.columns}
                    await connection.execute(table.insert().values(row))
                    inserted[table.name] = row
        finally:
            await db.dispose()
        return inserted

    return asyncio.run(go())


def read_every_table(url: str) -> Rows:
    """Every table's rows (the Alembic version too), each table in primary-key order."""

    async def go() -> Rows:
        rows: Rows = {}
        db = Database(url)
        try:
            async with db.engine.connect() as connection:
                for table in Base.metadata.sorted_tables:
                    result = await connection.execute(sa.select(table).order_by(*table.primary_key.columns))
                    rows[table.name] = [tuple(row) for row in result]
                versions = await connection.execute(sa.text("SELECT version_num FROM alembic_version ORDER BY 1"))
                rows["alembic_version"] = [tuple(row) for row in versions]
        finally:
            await db.dispose()
        return rows

    return asyncio.run(go())


def backup_while_serving(env: dict[str, str], url: str, cwd: Path, *args: str) -> tuple[Path, Rows]:
    """`jarvis backup` against the live database, and the rows the backup must hold.

    The server may write between our read and the backup (a health check, a suggestion), so the rows
    are read before and after; when both agree, the backup taken in between holds exactly them."""
    for _ in range(20):  # bounded: a server at rest writes nothing for many seconds
        before = read_every_table(url)
        result = jarvis(env, "backup", *args, cwd=cwd)
        assert result.returncode == 0, result.stderr
        last = result.stdout.strip().splitlines()[-1]
        assert last.startswith("wrote ") and last.endswith(")"), last
        path = Path(last.removeprefix("wrote ").rsplit(" (", 1)[0])
        if read_every_table(url) == before:
            return path, before
        path.unlink()
    raise AssertionError("the server kept writing: no backup could be compared")
