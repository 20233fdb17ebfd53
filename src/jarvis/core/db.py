"""Database engine, sessions and the declarative base shared by every domain's models."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on every backend (SQLite forgets the zone; we put it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value if value.tzinfo else value.replace(tzinfo=UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


# The PostgreSQL application_name of the server's connections: `jarvis restore` looks for it in
# pg_stat_activity to refuse while a server is using the database.
SERVER_APPLICATION_NAME = "jarvis-serve"


class Database:
    """Owns the engine; one per process (or per test)."""

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        application_name: str | None = None,
        pool: tuple[int, int, float] = (10, 20, 5.0),
    ) -> None:
        """`pool`: the pool's size, overflow and the seconds a request waits for a connection (`[database]`);
        past that wait SQLAlchemy raises `TimeoutError`, which answers 503."""
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {"echo": echo}
        size, overflow, timeout = pool
        path = url.split("///", 1)[-1] if self.is_sqlite else ""
        in_memory = self.is_sqlite and path in ("", ":memory:")
        if self.is_sqlite:
            if not in_memory:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                kwargs.update(pool_size=size, max_overflow=overflow, pool_timeout=timeout)
        else:
            kwargs.update(pool_size=size, max_overflow=overflow, pool_timeout=timeout, pool_pre_ping=True)
            if application_name:
                kwargs["connect_args"] = {"server_settings": {"application_name": application_name}}
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        # The group-commit writer's own connection (`core/writer.py`): its batches never wait for a connection
        # behind readers, however many requests hold one. (An in-memory SQLite database is one connection's own,
        # so there it shares the engine.)
        writer_kwargs = {**kwargs, "pool_size": 1, "max_overflow": 0}
        self.write_engine: AsyncEngine = self.engine if in_memory else create_async_engine(url, **writer_kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            if self.write_engine is not self.engine:
                event.listen(self.write_engine.sync_engine, "connect", _sqlite_pragmas)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.write_sessions = async_sessionmaker(self.write_engine, expire_on_commit=False)

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.write_engine is not self.engine:
            await self.write_engine.dispose()


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request; routes commit explicitly, anything else is rolled back."""
    async with request.app.state.ctx.db.sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


def row_id(text: str) -> int | None:
    """An id from a URL as an integer primary key, or None when it cannot be one: ASCII digits only
    (`"²".isdigit()` is true, `int("²")` fails) and within PostgreSQL's `integer` (a larger one would make the
    query fail instead of finding nothing)."""
    raw = text.strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 10:
        return None
    value = int(raw)
    return value if value < 2**31 else None


def upsert(session: AsyncSession, model: Any) -> Any:
    """The dialect's INSERT that understands ON CONFLICT (SQLite and PostgreSQL share that API).

    Only the dialect in use is imported, so a SQLite install does not load PostgreSQL's."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(model)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(model)
