"""The group-commit writer: batches, isolation of a bad item, back-pressure, a clean close."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from jarvis.core.db import Database
from jarvis.core.errors import ValidationFailed
from jarvis.core.writer import Overloaded, Writer

meta = MetaData()
notes = Table("writer_test_notes", meta, Column("id", Integer, primary_key=True), Column("text", String(20)))


class Notes:
    name = "notes"

    def __init__(self) -> None:
        self.batches: list[int] = []
        self.announced: list[str] = []

    async def write(self, session: AsyncSession, items: Sequence[str]) -> Sequence[int]:
        self.batches.append(len(items))
        for item in items:
            if item == "bad":
                raise ValidationFailed("`text` must not be bad.", details=[{"field": "text", "problem": "is bad"}])
        await session.execute(insert(notes), [{"text": item} for item in items])
        return [len(item) for item in items]

    async def committed(self, items: Sequence[str], results: Sequence[int]) -> None:
        self.announced.extend(items)


@pytest.fixture
async def database(db_url: str) -> AsyncIterator[Database]:
    db = Database(db_url)
    async with db.engine.begin() as connection:
        await connection.run_sync(meta.create_all)
    yield db
    await db.dispose()


async def count(db: Database) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(notes)) or 0)


async def test_concurrent_writes_share_commits_and_each_gets_its_result(database: Database) -> None:
    writer, batcher = Writer(database), Notes()
    results = await asyncio.gather(*(writer.submit(batcher, f"n{i}") for i in range(50)))
    assert results == [len(f"n{i}") for i in range(50)]
    assert await count(database) == 50
    assert sum(batcher.batches) == 50 and len(batcher.batches) < 50  # grouped, not one commit each
    assert sorted(batcher.announced) == sorted(f"n{i}" for i in range(50))
    await writer.close()


async def test_a_bad_item_fails_alone_and_the_rest_commit(database: Database) -> None:
    writer, batcher = Writer(database, max_wait_s=0.05), Notes()
    outcomes = await asyncio.gather(
        *(writer.submit(batcher, text) for text in ["a", "bad", "c"]), return_exceptions=True
    )
    assert outcomes[0] == 1 and outcomes[2] == 1
    assert isinstance(outcomes[1], ValidationFailed)
    assert await count(database) == 2
    assert sorted(batcher.announced) == ["a", "c"]
    await writer.close()


async def test_a_full_queue_answers_503_with_retry_after(database: Database) -> None:
    writer, batcher = Writer(database, max_queue=2, max_wait_s=0), Notes()
    gate = asyncio.Event()
    original = batcher.write

    async def slow(session: AsyncSession, items: Sequence[str]) -> Sequence[int]:
        await gate.wait()
        return await original(session, items)

    batcher.write = slow  # type: ignore[method-assign]
    first = asyncio.create_task(writer.submit(batcher, "1"))
    for _ in range(1000):  # until the writer has taken it (it then waits on the gate, alone in its batch)
        await asyncio.sleep(0)
        if writer.queue.empty() and writer._task is not None:
            break
    queued = [asyncio.create_task(writer.submit(batcher, str(i))) for i in range(2)]
    await asyncio.sleep(0)
    with pytest.raises(Overloaded) as refused:
        await writer.submit(batcher, "one too many")
    assert refused.value.status == 503 and refused.value.headers["Retry-After"] == "1"
    gate.set()
    assert await first == 1 and [await task for task in queued] == [1, 1]
    await writer.close()


async def test_close_commits_what_was_queued(database: Database) -> None:
    writer, batcher = Writer(database, max_wait_s=0.01), Notes()
    pending = [asyncio.create_task(writer.submit(batcher, f"q{i}")) for i in range(20)]
    await asyncio.sleep(0)
    await writer.close()
    assert all(task.done() for task in pending) and await count(database) == 20
    with pytest.raises(Overloaded):
        await writer.submit(batcher, "late")
