"""One check of one service: HTTP(S) through `core.http.fetch`, TCP connect, or the in-process
database ping. A check never raises and never outlives its budget: whatever the peer does
(hangs, garbage, 500s, redirect loops, huge bodies) ends as an `Outcome` saying why."""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import httpx
import orjson
import stamina
from sqlalchemy import text

from jarvis.core import clock
from jarvis.core.context import AppContext
from jarvis.core.http import describe_error, fetch
from jarvis.core.jsonpath import MISSING, lookup
from jarvis.core.outbound import OutboundPolicy, Unreachable
from jarvis.health.specs import ServiceSpec
from jarvis.settings import ServiceConfig, Settings

Status = Literal["healthy", "degraded", "offline"]


@dataclass(slots=True)
class Outcome:
    at: datetime
    status: Status
    latency_ms: float | None
    http_status: int | None = None
    error: str | None = None
    attempts: int = 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": clock.iso(self.at),
            "status": self.status,
            "latency_ms": None if self.latency_ms is None else round(self.latency_ms, 1),
            "http_status": self.http_status,
            "error": self.error,
            "attempts": self.attempts,
        }


@dataclass(frozen=True, slots=True)
class Policy:
    """Timeout and retries for one service: its own values, else `[http]`'s."""

    timeout_s: float
    attempts: int
    base_delay_s: float
    budget_s: float  # the whole check, retries and back-off included


def policy_for(spec: ServiceSpec, settings: Settings) -> Policy:
    config = spec.config
    timeout = config.timeout_s if config and config.timeout_s else settings.http.timeout_s
    attempts = config.retries + 1 if config and config.retries is not None else settings.http.retry_attempts
    base = (
        config.retry_base_delay_s
        if config and config.retry_base_delay_s is not None
        else settings.http.retry_base_delay_s
    )
    # stamina waits at most 8 × base (+ jitter) between attempts; a check never outlives its
    # interval unless a single timeout already exceeds it.
    natural = attempts * timeout + (attempts - 1) * base * 9
    return Policy(timeout, attempts, base, max(timeout, min(natural, spec.interval_s)))


async def run_check(ctx: AppContext, spec: ServiceSpec, client: httpx.AsyncClient | None = None) -> Outcome:
    """`client` defaults to the shared one; the scheduler passes its own (no keep-alive)."""
    at = clock.now()
    started = time.perf_counter()
    policy = policy_for(spec, ctx.settings)
    try:
        async with asyncio.timeout(policy.budget_s):
            if spec.kind == "self":
                return await _check_self(ctx, at, policy)
            assert spec.config is not None
            if spec.kind == "tcp":
                guard = OutboundPolicy(ctx.settings.server.outbound_allow) if spec.source == "api" else None
                return await _check_tcp(spec.config, at, policy, guard)
            return await _check_http(ctx, client or ctx.http, spec.config, at, policy)
    except TimeoutError:
        return Outcome(at, "offline", _ms(started), error=f"timed out after {policy.budget_s:g} s")
    except Exception as exc:  # a broken check is a failed check, never a dead scheduler
        return Outcome(at, "offline", _ms(started), error=describe_error(exc))


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _grade(config: ServiceConfig | None, at: datetime, latency: float, attempts: int, code: int | None) -> Outcome:
    """Up: degraded when slow or when it took retries, healthy otherwise."""
    threshold = config.degraded_over_ms if config else 1000.0
    if attempts > 1:
        return Outcome(at, "degraded", latency, code, f"succeeded after {attempts} attempts", attempts)
    if latency > threshold:
        return Outcome(at, "degraded", latency, code, f"slow: {latency:.0f} ms, over {threshold:g} ms", attempts)
    return Outcome(at, "healthy", latency, code, None, attempts)


async def _check_self(ctx: AppContext, at: datetime, policy: Policy) -> Outcome:
    started = time.perf_counter()
    async with ctx.db.engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
    return _grade(None, at, _ms(started), 1, None)


async def _check_tcp(config: ServiceConfig, at: datetime, policy: Policy, guard: OutboundPolicy | None) -> Outcome:
    """`guard`: the address is resolved and checked first, and the checked address is the one connected to."""
    started = time.perf_counter()
    tries = 0
    try:
        async for attempt in stamina.retry_context(
            on=(OSError, TimeoutError),
            attempts=policy.attempts,
            timeout=None,
            wait_initial=policy.base_delay_s,
            wait_max=max(policy.base_delay_s * 8, policy.base_delay_s),
            wait_jitter=policy.base_delay_s,
        ):
            with attempt:
                tries += 1
                started = time.perf_counter()  # latency is one attempt's, not the retries' back-off
                async with asyncio.timeout(policy.timeout_s):
                    host = config.host
                    if guard is not None:
                        host = (await guard.resolve(str(config.host), int(config.port or 0)))[0]
                    _reader, writer = await asyncio.open_connection(host, config.port)
                connected = _ms(started)
                writer.close()
                await writer.wait_closed()
    except Unreachable as exc:
        return Outcome(at, "offline", _ms(started), None, str(exc), tries)
    except (OSError, TimeoutError) as exc:
        return Outcome(at, "offline", _ms(started), None, describe_error(exc), tries)
    return _grade(config, at, connected, tries, None)


def _headers(config: ServiceConfig) -> dict[str, str] | None:
    """Header values come from env vars, read at check time (never from the file itself)."""
    headers = {name: os.environ[var] for name, var in config.headers_env.items() if os.environ.get(var)}
    token = os.environ.get(config.bearer_env) if config.bearer_env else None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers or None


async def _check_http(
    ctx: AppContext, client: httpx.AsyncClient, config: ServiceConfig, at: datetime, policy: Policy
) -> Outcome:
    accepted = [*config.expect_status, *config.degraded_status]
    result = await fetch(
        client,
        config.method,
        str(config.url),
        headers=_headers(config),
        timeout_s=policy.timeout_s,
        max_bytes=ctx.settings.http.max_body_bytes,
        attempts=policy.attempts,
        base_delay_s=policy.base_delay_s,
        retry_5xx=not any(code >= 500 for code in accepted),
    )
    code = result.status
    if result.error is not None:
        return Outcome(at, "offline", result.elapsed_ms, code, result.error, result.attempts)
    if code in config.degraded_status:
        return Outcome(at, "degraded", result.elapsed_ms, code, f"answered HTTP {code}", result.attempts)
    if code not in config.expect_status:
        expected = ", ".join(str(c) for c in config.expect_status)
        return Outcome(
            at, "offline", result.elapsed_ms, code, f"unexpected HTTP {code} (expected {expected})", result.attempts
        )
    problem = body_problem(config, result.body)
    if problem is not None:
        return Outcome(at, "offline", result.elapsed_ms, code, problem, result.attempts)
    return _grade(config, at, result.elapsed_ms, result.attempts, code)


def body_problem(config: ServiceConfig, body: bytes) -> str | None:
    """Why the body fails the service's condition, or None when it passes (or has none)."""
    if config.body_contains is not None and config.body_contains not in body.decode("utf-8", "replace"):
        return f"body does not contain {config.body_contains!r}"
    if config.json_path is None:
        return None
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        return "body is not valid JSON"
    value = lookup(document, config.json_path)
    if value is MISSING:
        return f"`{config.json_path}` is not in the body"
    if config.json_equals is not None and value != config.json_equals:
        # The value found is not repeated: an error must not echo what a (possibly internal) URL answered.
        return f"`{config.json_path}` is not {config.json_equals!r}"
    return None
