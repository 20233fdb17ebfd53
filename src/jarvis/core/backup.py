"""Backups of the SQLite database, and what both backends share: names, atomic writes, retention.

A backup is taken through SQLite's online backup API, never by copying the file: a copy taken while the
server writes can pair a database file with a WAL it does not match, and the result may not open. The
API reads one consistent snapshot (in WAL mode without stopping the server's writes). Whatever is being
written (backup or restored database) goes to a temporary name in the destination's own folder, is
fsynced, then renamed, so a half-written file never carries the final name.

PostgreSQL lives in `core/pgdump.py`; the commands in `cli/backup.py`.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

# Only files named like this are ever deleted by retention.
BACKUP_NAME = re.compile(r"jarvis-\d{8}-\d{6}\.(?:db|dump)")
ALEMBIC_TABLE = "alembic_version"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is the one line to show a person."""


def default_name(suffix: str, now: datetime | None = None) -> str:
    """`jarvis-YYYYMMDD-HHMMSS.db` (or `.dump`), in UTC, so names sort in time order."""
    return f"jarvis-{(now or datetime.now(UTC)).astimezone(UTC):%Y%m%d-%H%M%S}{suffix}"


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (a power cut could otherwise forget it)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_target(target: Path) -> Iterator[Path]:
    """A temporary path beside `target` to write into; renamed over `target` only if the block succeeds.

    The temporary name starts with a dot and ends in `.tmp`, so it never matches `BACKUP_NAME`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
        fd = os.open(temp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, target)
        _fsync_dir(target.parent)
    finally:
        temp.unlink(missing_ok=True)


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete the oldest backups in `folder` beyond the newest `keep`; return what was deleted.

    Only regular files whose name matches `BACKUP_NAME` count and are touched; `keep` 0 deletes nothing."""
    if keep <= 0 or not folder.is_dir():
        return []
    backups = sorted(
        (path for path in folder.iterdir() if BACKUP_NAME.fullmatch(path.name) and not path.is_symlink()),
        key=lambda path: path.name,
    )
    backups = [path for path in backups if path.is_file()]
    removed = backups[: max(len(backups) - keep, 0)]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def _copy(source: sqlite3.Connection, temp: Path) -> None:
    """The whole database through the backup API, as one self-contained file (no WAL beside it)."""
    destination = sqlite3.connect(temp)
    try:
        source.backup(destination)
        # The copy inherits WAL mode from the source; a backup must be one file that opens anywhere.
        destination.execute("PRAGMA journal_mode=DELETE")
        if destination.execute("PRAGMA quick_check").fetchone() != ("ok",):
            raise BackupError(f"the copy of the database failed its integrity check ({temp})")
    finally:
        destination.close()


def backup_sqlite(database: Path, target: Path) -> int:
    """Write a consistent copy of `database` (it may be in use) to `target`; return its size in bytes."""
    if not database.is_file():
        raise BackupError(f"no database at {database}: nothing to back up (check data_dir / database_url)")
    try:
        source = sqlite3.connect(f"file:{quote(str(database))}?mode=rw", uri=True, timeout=30)
        try:
            with atomic_target(target) as temp:
                _copy(source, temp)
        finally:
            source.close()
    except sqlite3.Error as exc:
        raise BackupError(f"cannot back up {database}: {exc}") from None
    except OSError as exc:
        raise BackupError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target.stat().st_size


def check_sqlite_backup(path: Path) -> None:
    """A readable SQLite database that passes `PRAGMA integrity_check` and holds a Jarvis schema."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    try:
        connection = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)
        try:
            result = connection.execute("PRAGMA integrity_check").fetchall()
            if result != [("ok",)]:
                raise BackupError(f"{path} is damaged (integrity check: {result[0][0]}); restore another backup")
            found = connection.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", (ALEMBIC_TABLE,)
            ).fetchone()
            versions = connection.execute(f"SELECT count(*) FROM {ALEMBIC_TABLE}").fetchone() if found[0] else (0,)
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        if "not a database" not in str(exc):
            raise BackupError(f"{path} is damaged ({exc}); restore another backup") from None
        raise BackupError(
            f"{path} is not a SQLite database; a PostgreSQL `.dump` restores only into a PostgreSQL database"
        ) from None
    if not versions[0]:
        raise BackupError(f"{path} is a SQLite database but not a Jarvis one (no {ALEMBIC_TABLE} table); nothing done")


def is_empty_sqlite(database: Path) -> bool:
    return not database.exists() or database.stat().st_size == 0


def restore_sqlite(backup: Path, database: Path) -> None:
    """Replace `database` with the contents of `backup` (checked first with `check_sqlite_backup`).

    The copy is made beside the target, then renamed over it; the target's `-wal` and `-shm` go first,
    since SQLite would otherwise replay the old database's log into the new file."""
    try:
        source = sqlite3.connect(f"file:{quote(str(backup.resolve()))}?mode=ro", uri=True)
        try:
            with atomic_target(database) as temp:
                _copy(source, temp)
                for suffix in ("-wal", "-shm", "-journal"):
                    database.with_name(database.name + suffix).unlink(missing_ok=True)
        finally:
            source.close()
    except sqlite3.Error as exc:
        raise BackupError(f"cannot restore {backup}: {exc}") from None
    except OSError as exc:
        raise BackupError(f"cannot write {database}: {exc.strerror or exc}") from None
