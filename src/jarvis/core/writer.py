"""Group commit: one writer per database takes ingest writes from a bounded queue and commits them in batches.

A request hands its write to `Writer.submit(batcher, item)` and is answered only once the batch that
holds it has committed, so nothing acknowledged is lost; while one batch commits, the next gathers, so
under load a commit carries many writes and at rest a write waits for nobody. A full queue is
back-pressure: `Overloaded` (503 with `Retry-After`), never an unbounded buffer.

A domain describes one kind of write as a `Batcher`: `write(session, items)` applies a list of items
inside the batch's transaction (bulk statements where it can) and returns one result per item;
`committed(items, results)` runs after the commit (hub events, `mark_changed`). If a batch fails, each
of its items is retried in a transaction of its own, so one bad item fails alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

import structlog
from prometheus_client import Counter, Histogram
from sqlalchemy.ext.asyncio import AsyncSession

from jarvis.core.db import Database
from jarvis.core.errors import AppError

log = structlog.get_logger("jarvis.writer")

I = TypeVar("I")  # noqa: E741 - the item type, as in the Batcher protocol
R = TypeVar("R")
I_contra = TypeVar("I_contra", contravariant=True)

BATCHES = Counter("jarvis_writer_batches", "Batches committed by the group-commit writer")
ITEMS = Counter("jarvis_writer_items", "Writes committed by the group-commit writer", ["batcher"])
BATCH_SIZE = Histogram(
    "jarvis_writer_batch_size", "Writes per committed batch", buckets=(1, 2, 5, 10, 25, 50, 100, 250)
)


class Batcher(Protocol[I_contra, R]):
    name: str

    async def write(self, session: AsyncSession, items: Sequence[I_contra]) -> Sequence[R]:
        """Apply `items` in the open transaction (no commit); one result per item, in order."""
        ...

    async def committed(self, items: Sequence[I_contra], results: Sequence[R]) -> None:
        """After the commit: announce (hub events, dashboard sections). Failures are logged, not raised."""
        ...


class Overloaded(AppError):
    status = 503
    code = "overloaded"


@dataclass(slots=True)
class _Pending(Generic[I, R]):
    batcher: Batcher[I, R]
    item: I
    future: asyncio.Future[R]


@dataclass
class Writer:
    db: Database
    max_queue: int = 10_000
    max_batch: int = 500
    max_wait_s: float = 0.001  # how long a batch waits for company once a write arrives
    retry_after_s: int = 1
    queue: asyncio.Queue[_Pending[Any, Any] | None] = field(init=False)
    _task: asyncio.Task[None] | None = field(default=None, init=False)
    _closed: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        self.queue = asyncio.Queue(self.max_queue)

    async def submit(self, batcher: Batcher[I, R], item: I) -> R:
        """Queue one write and wait until it is committed; its result, or the error it failed with."""
        if self._closed:
            raise Overloaded("The server is shutting down; retry in a moment.", headers={"Retry-After": "1"})
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        try:
            self.queue.put_nowait(_Pending(batcher, item, future))
        except asyncio.QueueFull:
            raise Overloaded(
                f"Too many writes are waiting ({self.max_queue}); retry after {self.retry_after_s} s.",
                headers={"Retry-After": str(self.retry_after_s)},
            ) from None
        self._ensure_running()
        return await asyncio.shield(future)

    def _ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="group-commit-writer")

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        stopping = False
        while not stopping:
            first = await self.queue.get()
            if first is None:
                return
            batch = [first]
            deadline = loop.time() + self.max_wait_s
            while len(batch) < self.max_batch:
                try:
                    pending = self.queue.get_nowait()
                except asyncio.QueueEmpty:
                    remaining = deadline - loop.time()
                    if remaining <= 0:
                        break
                    try:
                        pending = await asyncio.wait_for(self.queue.get(), remaining)
                    except TimeoutError:
                        break
                if pending is None:  # close(): commit what came before, then stop
                    stopping = True
                    break
                batch.append(pending)
            await self._commit(batch)

    async def _commit(self, batch: list[_Pending[Any, Any]]) -> None:
        groups: dict[int, tuple[Batcher[Any, Any], list[_Pending[Any, Any]]]] = {}
        for pending in batch:
            groups.setdefault(id(pending.batcher), (pending.batcher, []))[1].append(pending)
        try:
            outcomes = await self._transaction(list(groups.values()))
        except Exception as exc:
            if len(batch) == 1:
                self._fail(batch[0], exc)
                return
            log.warning("batch_failed_retrying_one_by_one", size=len(batch))
            for pending in batch:
                await self._commit([pending])
            return
        BATCHES.inc()
        BATCH_SIZE.observe(len(batch))
        for (batcher, members), results in zip(groups.values(), outcomes, strict=True):
            ITEMS.labels(batcher=batcher.name).inc(len(members))
            for pending, result in zip(members, results, strict=True):
                if not pending.future.done():
                    pending.future.set_result(result)
            try:
                await batcher.committed([p.item for p in members], results)
            except Exception:  # the write is committed; a failed announcement must not undo the answer
                log.exception("after_commit_failed", batcher=batcher.name)

    async def _transaction(self, groups: list[tuple[Batcher[Any, Any], list[_Pending[Any, Any]]]]) -> list[Any]:
        outcomes: list[Sequence[Any]] = []
        async with self.db.write_sessions() as session:  # its own connection: never behind readers
            for batcher, members in groups:
                results = await batcher.write(session, [p.item for p in members])
                if len(results) != len(members):
                    raise RuntimeError(f"{batcher.name}.write returned {len(results)} results for {len(members)}")
                outcomes.append(results)
            await session.commit()
        return outcomes

    @staticmethod
    def _fail(pending: _Pending[Any, Any], error: BaseException) -> None:
        if not isinstance(error, AppError):
            log.error("write_failed", batcher=pending.batcher.name, error=f"{type(error).__name__}: {error}"[:300])
        if not pending.future.done():
            pending.future.set_exception(error)

    async def close(self) -> None:
        """Stop taking writes and commit every one already queued (each was promised an answer)."""
        self._closed = True
        if self._task is not None and not self._task.done():
            await self.queue.put(None)
            await asyncio.gather(self._task, return_exceptions=True)
