"""The connection pool: a request that finds no free connection is answered 503 with the envelope at once,
not after a 30 s hang; and no request holds a connection while it waits for the writer (which needs one)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
from sqlalchemy import text

from jarvis.app import create_app
from tests.conftest import make_settings


async def test_an_exhausted_pool_answers_503_with_retry_after(tmp_path: Path, db_url: str) -> None:
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


async def test_writes_waiting_for_the_writer_hold_no_connection(tmp_path: Path, db_url: str) -> None:
    """20 timeline events at once hung the server for good with a 15-connection pool: each request held one
    (its instance lookup) while the writer waited for one. With a single connection, they all go through."""
    settings = make_settings(
        tmp_path, database_url=db_url, database={"pool_size": 1, "max_overflow": 0, "pool_timeout_s": 2}
    )
    app = create_app(settings, run_jobs=False, migrate=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            assert (await client.post("/api/instances/a1/heartbeat", json={"status": "active"})).status_code == 200
            events = [
                client.post("/api/instances/a1/events", json={"kind": "log", "message": f"m{i}"}) for i in range(8)
            ]
            answers = await asyncio.wait_for(asyncio.gather(*events), 20)
    assert [answer.status_code for answer in answers] == [201] * 8


async def test_writes_go_through_while_readers_hold_every_connection(tmp_path: Path, db_url: str) -> None:
    """The writer has a connection of its own: under a read load that takes the whole pool, writes still commit
    (they timed out at 10 s in the load benchmark's closed loop when the writer queued for the readers' pool)."""
    settings = make_settings(
        tmp_path, database_url=db_url, database={"pool_size": 1, "max_overflow": 0, "pool_timeout_s": 0.5}
    )
    app = create_app(settings, run_jobs=False, migrate=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            assert (await client.post("/api/instances/w1/heartbeat", json={"status": "active"})).status_code == 200
            async with app.state.ctx.db.engine.connect() as held:  # a reader holds the only pooled connection
                await held.execute(text("SELECT 1"))
                beat = await client.post("/api/instances/w1/heartbeat", json={"status": "idle", "name": "w"})
            assert beat.status_code == 200, beat.text
            assert beat.json()["data"]["status"] == "idle"
