"""PostgreSQL backups through `pg_dump --format=custom` and `pg_restore`, the tools made for it.

The SQLAlchemy URL becomes libpq arguments; the password goes to the child through `PGPASSWORD` only,
so it never appears in a process listing or in a message. The client tools must be on PATH, of the
server's major version or later (pg_dump refuses an older one with its own message, passed on).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from jarvis.core.backup import ALEMBIC_TABLE, BackupError, atomic_target

# asyncpg spells the TLS mode `ssl`; libpq reads `sslmode` (PGSSLMODE).
SSL_MODES = {"true": "require", "false": "disable"}


@dataclass(frozen=True)
class Libpq:
    """How to reach the database with the libpq tools: arguments, and the environment for the secret."""

    database: str
    args: list[str]
    env: dict[str, str] = field(default_factory=dict)


def libpq(url: str) -> Libpq:
    parsed = make_url(url)
    if not parsed.database:
        raise BackupError("database_url names no database (…/DBNAME at the end)")
    args: list[str] = []
    host = parsed.host or parsed.query.get("host")
    if isinstance(host, str) and host:
        args += ["--host", host]
    if parsed.port:
        args += ["--port", str(parsed.port)]
    if parsed.username:
        args += ["--username", parsed.username]
    args += ["--dbname", parsed.database]
    env: dict[str, str] = {}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    ssl = parsed.query.get("sslmode") or parsed.query.get("ssl")
    if isinstance(ssl, str) and ssl:
        env["PGSSLMODE"] = SSL_MODES.get(ssl.lower(), ssl)
    return Libpq(database=parsed.database, args=args, env=env)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} not found on PATH: install the PostgreSQL client tools "
            "(e.g. `apt-get install postgresql-client`), of the server's major version or later"
        )
    return path


def _run(command: list[str], target: Libpq, purpose: str) -> subprocess.CompletedProcess[str]:
    # The child sees the password in its environment only; PGAPPNAME names it in pg_stat_activity.
    env = {**os.environ, "PGAPPNAME": f"jarvis-{purpose}", **target.env}
    try:
        return subprocess.run(command, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    except OSError as exc:
        raise BackupError(f"cannot run {command[0]}: {exc.strerror or exc}") from None


def _last_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


def dump(url: str, target: Path) -> int:
    """`pg_dump --format=custom` of the database to `target` (atomically); return its size in bytes."""
    pg_dump = _tool("pg_dump")
    conn = libpq(url)
    try:
        with atomic_target(target) as temp:
            result = _run([pg_dump, "--format=custom", f"--file={temp}", *conn.args], conn, "backup")
            if result.returncode != 0:
                raise BackupError(f"pg_dump failed: {_last_line(result.stderr)}")
    except OSError as exc:
        raise BackupError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target.stat().st_size


def check_dump(path: Path) -> None:
    """A custom-format archive (`pg_restore --list` reads it) that holds the Jarvis schema."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    result = subprocess.run(
        [_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    if result.returncode != 0:
        raise BackupError(
            f"{path} is not a pg_dump custom-format archive ({_last_line(result.stderr)}); "
            "a SQLite `.db` backup restores only into a SQLite database"
        )
    if not re.search(rf"^\d+; \d+ \d+ TABLE \S+ {ALEMBIC_TABLE}\b", result.stdout, re.MULTILINE):
        raise BackupError(
            f"{path} is a PostgreSQL archive but not of a Jarvis database (no {ALEMBIC_TABLE}); nothing done"
        )


@dataclass(frozen=True)
class TargetState:
    servers: int  # connections of running Jarvis servers (other than ours)
    tables: int


def inspect_target(url: str) -> TargetState:
    """Who else uses the target database, and whether it holds anything yet."""
    from jarvis.core.db import SERVER_APPLICATION_NAME, Database  # the async engine: only for PostgreSQL

    async def go() -> TargetState:
        db = Database(url)
        try:
            async with db.engine.connect() as connection:
                servers = await connection.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND application_name = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": SERVER_APPLICATION_NAME},
                )
                tables = await connection.scalar(
                    text(
                        "SELECT count(*) FROM information_schema.tables "
                        "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
                    )
                )
            return TargetState(servers=int(servers or 0), tables=int(tables or 0))
        finally:
            await db.dispose()

    try:
        return asyncio.run(go())
    except OSError as exc:
        raise BackupError(f"cannot reach the database: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - asyncpg's and SQLAlchemy's errors, phrased as one line
        message = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise BackupError(f"cannot open the target database ({message}); create it first (createdb)") from None


def restore(url: str, path: Path) -> None:
    """`pg_restore --clean --if-exists --no-owner` into the database, in one transaction: all or nothing."""
    pg_restore = _tool("pg_restore")
    conn = libpq(url)
    command = [pg_restore, "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error"]
    result = _run([*command, *conn.args, str(path)], conn, "restore")
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed, the database is unchanged: {_last_line(result.stderr)}")
