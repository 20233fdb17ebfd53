"""The lock file that tells `jarvis restore` a server is running on this database.

Why a file and not the database's own locks: in WAL mode a running server holds no lock between its
writes, so `BEGIN EXCLUSIVE` from another process succeeds while `jarvis serve` is up (checked against a
real server), and a restore would then pull the file from under it. Each server instead holds a shared
`flock` on the lock file for its whole life; `jarvis restore` takes it exclusively, without waiting, and
keeps it until it is done, so a server started meanwhile stops with one line instead of opening a
half-restored database. The kernel drops a flock with its process, so a killed server leaves nothing
stale behind (the file itself stays; it is empty and harmless).

SQLite: the lock sits beside the database file (`jarvis.db` → `jarvis.lock`), so two data folders
pointing at one database still meet. PostgreSQL: `<data dir>/jarvis.lock`, which only sees servers on
this machine; `jarvis restore` also asks PostgreSQL for other servers' connections.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from jarvis.settings import Settings


class ServerLockError(Exception):
    """The lock is held the other way; the message says what to do."""


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL; None for PostgreSQL and for an in-memory database."""
    parsed = make_url(url)
    if not parsed.get_backend_name().startswith("sqlite"):
        return None
    if not parsed.database or parsed.database == ":memory:" or parsed.database.startswith("file:"):
        return None
    return Path(parsed.database).expanduser().resolve()


def lock_path(settings: Settings) -> Path | None:
    url = settings.effective_database_url
    database = sqlite_path(url)
    if database is not None:
        return database.with_suffix(".lock")
    if make_url(url).get_backend_name().startswith("sqlite"):
        return None  # in memory: no other process can reach it
    return settings.data_dir.expanduser().resolve() / "jarvis.lock"


class ServerLock:
    """A flock on the lock file: shared by each server, exclusive for a restore."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None

    def _take(self, mode: int) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self.fd = fd
        return True

    def hold_shared(self) -> None:
        """For the server's lifetime; refused only while a restore runs."""
        if not self._take(fcntl.LOCK_SH):
            raise ServerLockError(
                f"a restore is running on this database ({self.path} is locked); start the server once it has finished"
            )

    def take_exclusive(self) -> None:
        """For a restore; refused while any server holds its shared lock."""
        if not self._take(fcntl.LOCK_EX):
            raise ServerLockError(
                f"a Jarvis server is running on this database ({self.path} is locked): stop it first, then restore"
            )

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing the descriptor drops the flock
            self.fd = None


@contextmanager
def server_lock(settings: Settings) -> Iterator[None]:
    """The server's shared hold, for as long as the block runs (nothing for an in-memory database)."""
    path = lock_path(settings)
    if path is None:
        yield
        return
    lock = ServerLock(path)
    lock.hold_shared()
    try:
        yield
    finally:
        lock.release()
