"""`jarvis backup [FILE] [--keep N]` and `jarvis restore FILE [--force]`, on the configured database.

A backup runs beside a live server (same settings as `jarvis serve`); a restore refuses while a server
uses the database, checks the file before it touches anything, and ends with the migrations `jarvis serve`
would apply, so a backup made by an older version comes back in this version's schema. Every failure is
one line on stderr and exit code 1. The work itself is in `core/backup.py` and `core/pgdump.py`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from jarvis.cli.base import Commands, fail, load_settings

if TYPE_CHECKING:
    from jarvis.settings import Settings

FAILED = 1


def count(value: str) -> int:
    """`--keep`: a whole number, 0 or more."""
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return number


def backup_folder(settings: Settings) -> Path:
    return (settings.data_dir / "backups").expanduser().resolve()


def backup(args: argparse.Namespace) -> int:
    from jarvis.core.backup import BackupError, backup_sqlite, default_name, human_size, prune
    from jarvis.core.serverlock import sqlite_path

    settings = load_settings()
    url = settings.effective_database_url
    database = sqlite_path(url)
    is_sqlite = url.startswith("sqlite")
    folder = backup_folder(settings)
    target = (
        Path(args.file).expanduser().resolve() if args.file else folder / default_name(".db" if is_sqlite else ".dump")
    )
    keep = settings.backup.keep if args.keep is None else args.keep
    try:
        if target.exists():
            raise BackupError(f"{target} exists already: remove it or name another file")
        if is_sqlite:
            if database is None:
                raise BackupError("the database is in memory: there is nothing on disk to back up")
            size = backup_sqlite(database, target)
        else:
            from jarvis.core import pgdump

            size = pgdump.dump(url, target)
        removed = prune(folder, keep) if target.parent == folder else []
    except BackupError as exc:
        raise fail(str(exc), FAILED) from None
    for path in removed:
        print(f"removed old backup {path.name}")
    print(f"wrote {target} ({human_size(size)})")
    return 0


def restore(args: argparse.Namespace) -> int:
    from jarvis.core import pgdump
    from jarvis.core.backup import BackupError, check_sqlite_backup, is_empty_sqlite, restore_sqlite
    from jarvis.core.migrate import upgrade
    from jarvis.core.serverlock import ServerLock, ServerLockError, lock_path, sqlite_path

    settings = load_settings()
    url = settings.effective_database_url
    source = Path(args.file).expanduser().resolve()
    database = sqlite_path(url)
    path = lock_path(settings)
    lock = ServerLock(path) if path else None
    try:
        if url.startswith("sqlite") and database is None:
            raise BackupError("the database is in memory: set data_dir or database_url to restore into a file")
        # Everything is checked before the target is touched: the file, no server, nothing overwritten.
        if database:
            check_sqlite_backup(source)
        else:
            pgdump.check_dump(source)
        if lock:
            lock.take_exclusive()  # kept until the migrations ran: no server starts on a half-restored file
        if database:
            if not is_empty_sqlite(database) and not args.force:
                raise BackupError(f"{database} already holds a database: pass --force to replace it with {source.name}")
            restore_sqlite(source, database)
        else:
            state = pgdump.inspect_target(url)
            if state.servers:
                raise BackupError(
                    f"a Jarvis server is connected to this database ({state.servers} connections): stop it first, "
                    "then restore"
                )
            if state.tables and not args.force:
                raise BackupError(
                    f"the database already holds {state.tables} tables: pass --force to replace them with {source.name}"
                )
            pgdump.restore(url, source)
        try:
            upgrade(url)
        except Exception as exc:  # noqa: BLE001 - Alembic's errors vary; the data is restored either way
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise BackupError(
                f"restored, but the migrations failed ({first}); run `jarvis db upgrade` before `jarvis serve`"
            ) from None
    except (BackupError, ServerLockError) as exc:
        raise fail(str(exc), FAILED) from None
    finally:
        if lock:
            lock.release()
    into = database or f"PostgreSQL database {pgdump.libpq(url).database}"
    print(f"restored {source} into {into}; the schema is up to date")
    return 0


def register(commands: Commands) -> None:
    command = commands.add(
        "backup", help="Back the database up while the server runs (SQLite backup API, or pg_dump for PostgreSQL)"
    )
    command.add_argument(
        "file", nargs="?", help="where to write (default: <data dir>/backups/jarvis-YYYYMMDD-HHMMSS.db or .dump, UTC)"
    )
    command.add_argument(
        "--keep",
        type=count,
        metavar="N",
        help="after a backup into the default folder, delete the oldest there beyond N (default: backup.keep, "
        "14; 0 keeps all)",
    )
    command.set_defaults(run=backup)

    command = commands.add("restore", help="Replace the configured database with a backup (stop the server first)")
    command.add_argument("file", help="a backup made by `jarvis backup`")
    command.add_argument("--force", action="store_true", help="replace a database that already holds data")
    command.set_defaults(run=restore)
