"""What the receivers refuse: undecodable (400 with a Status), wrong type (415), too large (413),
a gzip bomb (413 without inflating it all), no credentials (401), and what an ingest token may do."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from jarvis.core.context import AppContext
from tests.accounts.conftest import make_token
from tests.costs.otlp import PROTOBUF, api_request, cost, logs, metrics

REMOTE = ("203.0.113.7", 4000)


@pytest.fixture
async def remote(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=REMOTE)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
        yield http


def status_of(body: bytes) -> tuple[int, str]:
    """google.rpc.Status {code = 1, message = 2}, read by hand as the server wrote it."""
    assert body[0] == 0x08
    code = body[1]
    assert body[2] == 0x12
    length, at = 0, 3
    shift = 0
    while True:
        byte = body[at]
        length |= (byte & 0x7F) << shift
        at += 1
        shift += 7
        if not byte & 0x80:
            break
    return code, body[at : at + length].decode()


@pytest.mark.parametrize("path", ["/v1/metrics", "/v1/logs"])
async def test_undecodable_bodies_are_400_with_a_status(client: httpx.AsyncClient, path: str) -> None:
    response = await client.post(path, content=b"\xff\xff\xff\xff garbage", headers=PROTOBUF)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/x-protobuf"
    code, message = status_of(response.content)
    assert code == 3 and "protobuf" in message
    response = await client.post(path, content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400 and response.json()["code"] == 3
    response = await client.post(
        path, content=b'{"resourceMetrics": 7, "resourceLogs": 7}', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400 and response.json()["code"] == 3
    response = await client.post(path, content=b"not gzip at all", headers={**PROTOBUF, "content-encoding": "gzip"})
    assert response.status_code == 400


async def test_other_content_types_are_415(client: httpx.AsyncClient) -> None:
    body = metrics(("claude_code.cost.usage", [cost("s1", 0.1)])).SerializeToString()
    response = await client.post("/v1/metrics", content=body, headers={"content-type": "text/plain"})
    assert response.status_code == 415 and response.json()["code"] == "unsupported_media_type"
    response = await client.post("/v1/metrics", content=body, headers={**PROTOBUF, "content-encoding": "br"})
    assert response.status_code == 415


async def test_bodies_over_the_cap_are_413(client: httpx.AsyncClient, ctx: AppContext) -> None:
    cap = ctx.settings.server.max_body_bytes
    response = await client.post("/v1/metrics", content=b"\x00" * (cap + 1), headers=PROTOBUF)
    assert response.status_code == 413


async def test_a_gzip_bomb_is_413_without_inflating_it_all(
    client: httpx.AsyncClient, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    cap = ctx.settings.server.max_body_bytes
    bomb = gzip.compress(b"\x00" * (64 * cap), compresslevel=9)  # 64 MiB of zeros in about 64 KB
    assert len(bomb) < cap
    produced: list[int] = []
    real = zlib.decompressobj

    class Counting:
        def __init__(self, *args: object, **kwargs: object) -> None:
            self.inner = real(*args, **kwargs)  # type: ignore[arg-type]

        def decompress(self, data: bytes, max_length: int = 0) -> bytes:
            out = self.inner.decompress(data, max_length)
            produced.append(len(out))
            return out

        def __getattr__(self, name: str) -> object:
            return getattr(self.inner, name)

    monkeypatch.setattr(zlib, "decompressobj", Counting)
    response = await client.post("/v1/metrics", content=bomb, headers={**PROTOBUF, "content-encoding": "gzip"})
    assert response.status_code == 413, response.text
    assert sum(produced) <= cap + 1


async def test_a_remote_client_needs_an_ingest_token(remote: httpx.AsyncClient, ctx: AppContext) -> None:
    metric_body = metrics(("claude_code.cost.usage", [cost("s1", 0.1)])).SerializeToString()
    log_body = logs(api_request("s1", 0.1)).SerializeToString()
    for path, body in (("/v1/metrics", metric_body), ("/v1/logs", log_body)):
        response = await remote.post(path, content=body, headers=PROTOBUF)
        assert response.status_code == 401, response.text
    ingest = await make_token(ctx, "ingest")
    for path, body in (("/v1/metrics", metric_body), ("/v1/logs", log_body)):
        response = await remote.post(path, content=body, headers={**PROTOBUF, "authorization": f"Bearer {ingest}"})
        assert response.status_code == 200, response.text
    # The ingest token reports; it does not read.
    response = await remote.get("/api/costs", headers={"authorization": f"Bearer {ingest}"})
    assert response.status_code == 403
    reader = await make_token(ctx, "read")
    response = await remote.get("/api/costs", headers={"authorization": f"Bearer {reader}"})
    assert response.status_code == 200 and response.json()["data"]["total"]["cost_usd"] == 0.1
