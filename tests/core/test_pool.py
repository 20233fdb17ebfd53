"""PostgreSQL's pool: a request that finds no free connection is answered 503 with the envelope at once,
not after a 30 s hang."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from jarvis.app import create_app
from tests.conftest import make_settings


async def test_an_exhausted_pool_answers_503_with_retry_after(tmp_path: Path, db_url: str) -> None:
    if db_url.startswith("sqlite"):
        pytest.skip("SQLite has no connection pool to exhaust")
    settings = make_settings(
        tmp_path, database_url=db_url, database={"pool_size": 1, "max_overflow": 0, "pool_timeout_s": 0.2}
    )
    app = create_app(settings, run_jobs=False, migrate=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            assert (await client.get("/api/projects")).status_code == 200  # warm: the access check has its answer
            async with app.state.ctx.db.engine.connect() as held:  # the only connection, taken
                await held.execute(text("SELECT 1"))
                started = time.monotonic()
                response = await client.get("/api/projects")
                waited = time.monotonic() - started
            assert response.status_code == 503, response.text
            assert response.headers["retry-after"] == "1"
            assert response.json()["code"] == "database_busy" and "database.pool_size" in response.json()["error"]
            assert waited < 5
            assert (await client.get("/api/projects")).status_code == 200  # the connection is back
