"""Background jobs: each runs on its own interval, survives its own failures, stops cleanly."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import structlog

log = structlog.get_logger("jarvis.runtime")

JobFn = Callable[[], Awaitable[None]]


@dataclass
class Job:
    name: str
    fn: JobFn
    interval_s: float | None  # None: a long-running task started once
    runs: int = 0
    failures: int = 0
    last_error: str | None = None


@dataclass
class Runtime:
    jobs: dict[str, Job] = field(default_factory=dict)
    _tasks: dict[str, asyncio.Task[None]] = field(default_factory=dict)
    _on_stop: list[JobFn] = field(default_factory=list)
    running: bool = False

    def on_stop(self, fn: JobFn) -> None:
        """Run `fn` at shutdown, after the jobs stopped (close what a domain opened)."""
        self._on_stop.append(fn)

    def every(self, name: str, interval_s: float, fn: JobFn) -> None:
        self.jobs[name] = Job(name, fn, interval_s)
        if self.running:
            self._start(self.jobs[name])

    def task(self, name: str, fn: JobFn) -> None:
        self.jobs[name] = Job(name, fn, None)
        if self.running:
            self._start(self.jobs[name])

    async def run_once(self, name: str) -> None:
        await self._run(self.jobs[name])

    async def _run(self, job: Job) -> None:
        try:
            await job.fn()
            job.runs += 1
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a job survives its own bugs; we log and go on
            job.failures += 1
            job.last_error = f"{type(exc).__name__}: {exc}"[:300]
            log.exception("job_failed", job=job.name)

    async def _loop(self, job: Job) -> None:
        if job.interval_s is None:
            await self._run(job)
            return
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        while True:
            await self._run(job)
            next_at += job.interval_s
            delay = next_at - loop.time()
            if delay < 0:  # fell behind: skip missed slots rather than bunching runs
                next_at = loop.time()
                delay = 0
            await asyncio.sleep(delay)

    def _start(self, job: Job) -> None:
        self._tasks[job.name] = asyncio.create_task(self._loop(job), name=f"job:{job.name}")

    def start(self) -> None:
        self.running = True
        for job in self.jobs.values():
            self._start(job)

    def cancel(self, name: str) -> None:
        task = self._tasks.pop(name, None)
        self.jobs.pop(name, None)
        if task:
            task.cancel()

    async def stop(self) -> None:
        self.running = False
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for fn in self._on_stop:
            try:
                await fn()
            except Exception:
                log.exception("stop_hook_failed")

    def status(self) -> dict[str, dict[str, object]]:
        return {
            job.name: {"runs": job.runs, "failures": job.failures, "last_error": job.last_error}
            for job in self.jobs.values()
        }
