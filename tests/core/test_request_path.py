"""What each request costs the event loop: no dependency in a worker thread; no start-up heap in full collections."""

from __future__ import annotations

import argparse
import asyncio
import gc
import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from jarvis.app import create_app
from jarvis.cli import server
from tests.conftest import make_settings


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for sub in dependant.dependencies:
        yield sub
        yield from _dependencies(sub)


def test_every_dependency_and_endpoint_runs_on_the_event_loop(app: FastAPI) -> None:
    """FastAPI runs a plain `def` dependency or endpoint in a worker thread: a thread hop per request."""
    in_threads = set()
    for route in app.routes:
        if not isinstance(route, APIRoute):
            continue
        for dependant in [route.dependant, *_dependencies(route.dependant)]:
            call: Any = dependant.call
            target = call if inspect.isfunction(call) else getattr(call, "__call__", call)  # noqa: B004
            if not (inspect.iscoroutinefunction(target) or inspect.isasyncgenfunction(target)):
                in_threads.add(f"{route.path}: {getattr(call, '__name__', call)!r}")
    assert not in_threads


def test_serve_freezes_the_start_up_heap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, int] = {}

    def run(app: FastAPI, **_: Any) -> None:
        async def start_and_stop() -> None:
            async with app.router.lifespan_context(app):
                seen["frozen"] = gc.get_freeze_count()

        asyncio.run(start_and_stop())

    settings = make_settings(tmp_path)
    monkeypatch.setattr("jarvis.cli.server.load_settings", lambda: settings)
    monkeypatch.setattr("uvicorn.run", run)
    try:
        server.serve(argparse.Namespace(host=None, port=None))
    finally:
        gc.unfreeze()
    assert seen["frozen"] > 10_000  # the modules, routes and mappers start-up made


async def test_apps_built_for_tests_leave_the_heap_alone(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path), run_jobs=False)
    async with app.router.lifespan_context(app):
        assert gc.get_freeze_count() == 0
