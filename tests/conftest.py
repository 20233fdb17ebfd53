"""Shared fixtures: an app per test on a migrated database (SQLite always, PostgreSQL when set),
an HTTP client through ASGI, a live server on a free port, and a controllable clock."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import structlog
import uvicorn
from fastapi import FastAPI

from jarvis.app import create_app
from jarvis.core import clock
from jarvis.core.context import AppContext
from jarvis.core.logging import console_renderer
from jarvis.core.migrate import upgrade
from jarvis.settings import Settings, load_settings

# The Chromium fixtures (browser, page) and the ordering that runs their tests last, for every folder.
pytest_plugins = ["tests.support.browser"]

POSTGRES_URL = os.environ.get("JARVIS_TEST_POSTGRES_URL")
REQUIRE_SERVICES = os.environ.get("JARVIS_TEST_REQUIRE_SERVICES") == "1"
# Without a PostgreSQL URL (a developer's laptop) the PostgreSQL half is left out, said once in the header.
BACKENDS = ["sqlite", "postgres"] if POSTGRES_URL or REQUIRE_SERVICES else ["sqlite"]


def pytest_configure() -> None:
    """Log as `jarvis serve` does on a terminal: structlog's default renderer prints every frame's locals,
    which takes seconds per logged exception."""
    processors = structlog.get_config()["processors"]
    structlog.configure(processors=[*processors[:-1], console_renderer()])


def pytest_report_header() -> str:
    if POSTGRES_URL:
        return f"postgres: storage tests also run on {POSTGRES_URL.split('@')[-1]}"
    return "postgres: skipped (set JARVIS_TEST_POSTGRES_URL=postgresql+asyncpg://user@host/db to run those tests)"


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"data_dir": str(tmp_path / "data")}
    values.update(overrides)
    return load_settings({}, **values)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "jarvis.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


def _pg_admin_url() -> str:
    assert POSTGRES_URL
    return POSTGRES_URL.replace("+asyncpg", "")


def _pg(sql: str) -> None:
    import asyncpg

    async def run() -> None:
        connection = await asyncpg.connect(_pg_admin_url())
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    # In a thread of its own: the caller may be inside a running event loop.
    error: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(run())
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            error.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if error:
        raise error[0]


def _pg_url(database: str) -> str:
    assert POSTGRES_URL
    base = POSTGRES_URL.rsplit("/", 1)[0]
    return f"{base}/{database}"


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str | None]:
    if not POSTGRES_URL:
        if REQUIRE_SERVICES:
            pytest.fail("JARVIS_TEST_POSTGRES_URL must be set in CI")
        yield None
        return
    name = f"jarvis_tpl_{uuid.uuid4().hex[:10]}"
    try:
        _pg(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # noqa: BLE001 - any connection problem means no PostgreSQL
        if REQUIRE_SERVICES:
            pytest.fail(f"cannot reach PostgreSQL at JARVIS_TEST_POSTGRES_URL: {exc}")
        yield None
        return
    upgrade(_pg_url(name))
    yield name
    _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def db_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path, postgres_template: str | None
) -> Iterator[str]:
    """A freshly migrated, empty database for one test."""
    if request.param == "sqlite":
        target = tmp_path / "data" / "jarvis.db"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(sqlite_template, target)
        yield f"sqlite+aiosqlite:///{target}"
        return
    if postgres_template is None:
        pytest.skip("PostgreSQL tests: set JARVIS_TEST_POSTGRES_URL=postgresql+asyncpg://user@host/db to run them")
    name = f"jarvis_t_{uuid.uuid4().hex[:12]}"
    _pg(f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}"')
    yield _pg_url(name)
    _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return make_settings(tmp_path, database_url=db_url)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings, run_jobs=False, migrate=False)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
def ctx(app: FastAPI) -> AppContext:
    context: AppContext = app.state.ctx
    return context


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
        yield http


@pytest.fixture
def frozen_clock() -> Iterator[clock.FrozenClock]:
    with clock.FrozenClock() as frozen:
        yield frozen


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class LiveServer:
    """The real server on a free loopback port, in a thread with its own event loop."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_config=None, access_log=False, timeout_graceful_shutdown=1
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        for _ in range(500):
            if self.server.started:
                return self
            threading.Event().wait(0.01)
        raise RuntimeError("live server did not start")

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    @property
    def ctx(self) -> AppContext:
        context: AppContext = self.app.state.ctx
        return context


@pytest.fixture
def live_server(tmp_path: Path, sqlite_template: Path) -> Iterator[LiveServer]:
    target = tmp_path / "data" / "jarvis.db"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(sqlite_template, target)
    settings = make_settings(tmp_path, database_url=f"sqlite+aiosqlite:///{target}")
    with LiveServer(create_app(settings, migrate=False)) as server:
        yield server
