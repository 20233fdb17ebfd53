"""The one outbound HTTP client: timeouts, a size cap and bounded retries (stamina).

Health checks, metric sources and the original services all go through `fetch`, so a
hanging peer, a redirect loop or a 2 GB body costs at most one timeout and one cap.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx
import stamina

from jarvis.core.outbound import GuardedBackend, OutboundPolicy, Unreachable


class BodyTooLarge(Exception):
    pass


class RetryableStatus(Exception):
    """A 5xx answer, worth another attempt."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


@dataclass(slots=True)
class FetchResult:
    status: int | None
    body: bytes
    elapsed_ms: float
    attempts: int
    error: str | None = None
    headers: dict[str, str] | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def make_client(
    timeout_s: float, *, max_connections: int = 200, max_keepalive: int = 50, policy: OutboundPolicy | None = None
) -> httpx.AsyncClient:
    """`max_keepalive=0` opens a fresh connection per request (health probes: a real connect each
    time, and no scan of idle connections per request, which costs more CPU than the connect).

    With a `policy`, every connection (redirect hops included) is checked by it (`outbound.py`), and no
    proxy from the environment is used: a proxy would make the connection the policy cannot see."""
    limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_keepalive)
    transport = None
    if policy is not None:
        transport = httpx.AsyncHTTPTransport(limits=limits, trust_env=False)
        # httpx has no public way to hand httpcore a network backend: the pool is built as httpx builds it.
        transport._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=max_connections,
            max_keepalive_connections=max_keepalive,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(policy),
        )
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout_s),
        follow_redirects=True,
        max_redirects=5,
        limits=limits,
        transport=transport,
        trust_env=policy is None,
        headers={"user-agent": "jarvis-command-center"},
    )


async def _read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise BodyTooLarge(f"body larger than {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def describe_error(exc: BaseException) -> str:
    if isinstance(exc, httpx.TimeoutException | asyncio.TimeoutError | TimeoutError):
        return "timed out"
    if isinstance(exc, httpx.TooManyRedirects):
        return "too many redirects"
    if isinstance(exc, httpx.ConnectError):
        cause = exc.__cause__
        return str(cause) if isinstance(cause, Unreachable) else "connection refused or unreachable"
    if isinstance(exc, BodyTooLarge | RetryableStatus):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"[:300]


async def fetch(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    json: Any = None,
    timeout_s: float = 5.0,
    max_bytes: int = 1024 * 1024,
    attempts: int = 1,
    base_delay_s: float = 0.5,
    retry_5xx: bool = True,
) -> FetchResult:
    """One request with retries; never raises for network trouble, the result says what failed.

    Each attempt is cut off after `timeout_s` in total (not per read), and the whole call
    after `attempts * timeout_s` plus back-off. `elapsed_ms` is the last attempt's own time (a 500
    answered at once is a few ms, not the retries' back-off added up).
    """
    tries = 0
    attempt_ms = 0.0
    last_status: int | None = None
    last_headers: dict[str, str] | None = None
    retry_on: tuple[type[Exception], ...] = (httpx.TransportError, asyncio.TimeoutError)
    if retry_5xx:
        retry_on = (*retry_on, RetryableStatus)
    try:
        async for attempt in stamina.retry_context(
            on=retry_on,
            attempts=max(1, attempts),
            timeout=None,
            wait_initial=base_delay_s,
            wait_max=max(base_delay_s * 8, base_delay_s),
            wait_jitter=base_delay_s,
        ):
            with attempt:
                tries += 1
                attempt_started = time.perf_counter()
                try:
                    async with asyncio.timeout(timeout_s):
                        async with client.stream(method, url, headers=headers, json=json) as response:
                            last_status = response.status_code
                            last_headers = dict(response.headers)
                            if retry_5xx and response.status_code >= 500:
                                raise RetryableStatus(response.status_code)
                            body = await _read_capped(response, max_bytes)
                finally:
                    attempt_ms = (time.perf_counter() - attempt_started) * 1000
        return FetchResult(last_status, body, attempt_ms, tries, None, last_headers)
    except (httpx.HTTPError, BodyTooLarge, RetryableStatus, TimeoutError, OSError) as exc:
        return FetchResult(last_status, b"", attempt_ms, tries, describe_error(exc), last_headers)
