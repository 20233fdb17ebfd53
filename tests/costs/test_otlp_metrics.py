"""POST /v1/metrics: encodings, temporality, idempotence, refusals (through the app over ASGI)."""

from __future__ import annotations

import gzip
import json

import httpx
from google.protobuf import json_format
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)

from tests.costs.otlp import CUMULATIVE, NOW_NS, PROTOBUF, START_NS, cost, metrics, point, tokens

SEC = 10**9


async def post(client: httpx.AsyncClient, request: ExportMetricsServiceRequest) -> ExportMetricsServiceResponse:
    response = await client.post("/v1/metrics", content=request.SerializeToString(), headers=PROTOBUF)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/x-protobuf"
    return ExportMetricsServiceResponse.FromString(response.content)


async def costs(client: httpx.AsyncClient, group_by: str = "session") -> dict[str, dict[str, object]]:
    response = await client.get("/api/costs", params={"group_by": group_by})
    assert response.status_code == 200, response.text
    return {group["key"]: group for group in response.json()["data"]["groups"]}


async def test_delta_points_are_summed_per_session(client: httpx.AsyncClient) -> None:
    batch = metrics(
        ("claude_code.cost.usage", [cost("s1", 0.25, NOW_NS), cost("s1", 0.5, NOW_NS + SEC), cost("s2", 1.0)]),
        ("claude_code.token.usage", [tokens("s1", "input", 100), tokens("s1", "cacheRead", 900)]),
    )
    answer = await post(client, batch)
    assert not answer.HasField("partial_success")
    groups = await costs(client)
    assert groups["s1"]["cost_usd"] == 0.75 and groups["s2"]["cost_usd"] == 1.0
    assert groups["s1"]["tokens"] == {"input": 100, "output": 0, "cache_read": 900, "cache_creation": 0}
    assert groups["s1"]["requests"] == 0


async def test_the_same_batch_twice_counts_once(client: httpx.AsyncClient) -> None:
    batch = metrics(("claude_code.cost.usage", [cost("s1", 0.25), cost("s1", 0.5, NOW_NS + SEC)]))
    await post(client, batch)
    await post(client, batch)
    assert (await costs(client))["s1"]["cost_usd"] == 0.75


async def test_cumulative_points_count_their_differences_and_resets(client: httpx.AsyncClient) -> None:
    def at(value: float, seconds: int, start: int = START_NS) -> object:
        return point(value, NOW_NS + seconds * SEC, start, **{"session.id": "s1", "model": "m"})

    series = [at(1.0, 0), at(1.5, 60), at(2.0, 120)]
    await post(client, metrics(("claude_code.cost.usage", series), temporality=CUMULATIVE))  # type: ignore[arg-type]
    assert (await costs(client))["s1"]["cost_usd"] == 2.0  # 1.0 whole, then +0.5 +0.5
    # Re-sent with the next point: only the new one counts.
    series.append(at(2.5, 180))
    await post(client, metrics(("claude_code.cost.usage", series), temporality=CUMULATIVE))  # type: ignore[arg-type]
    assert (await costs(client))["s1"]["cost_usd"] == 2.5
    # A changed start time is a reset: the new value counts whole.
    restarted = NOW_NS + 200 * SEC
    await post(client, metrics(("claude_code.cost.usage", [at(0.3, 240, restarted)]), temporality=CUMULATIVE))  # type: ignore[list-item]
    assert (await costs(client))["s1"]["cost_usd"] == 2.8
    # A drop (same start) is a reset too.
    await post(client, metrics(("claude_code.cost.usage", [at(0.1, 300, restarted)]), temporality=CUMULATIVE))  # type: ignore[list-item]
    assert (await costs(client))["s1"]["cost_usd"] == 2.9


async def test_unknown_metrics_are_ignored_not_refused(client: httpx.AsyncClient) -> None:
    batch = metrics(("http.server.duration", [point(12.0, NOW_NS)]), ("claude_code.cost.usage", [cost("s1", 0.1)]))
    answer = await post(client, batch)
    assert not answer.HasField("partial_success")
    assert list(await costs(client)) == ["s1"]


async def test_nan_and_negative_costs_are_refused_and_the_rest_stored(client: httpx.AsyncClient) -> None:
    batch = metrics(
        (
            "claude_code.cost.usage",
            [cost("s1", float("nan")), cost("s1", -1.0, NOW_NS + SEC), cost("s1", 0.4, NOW_NS + 2 * SEC)],
        )
    )
    answer = await post(client, batch)
    assert answer.partial_success.rejected_data_points == 2
    assert "claude_code.cost.usage" in answer.partial_success.error_message
    assert "nan" in answer.partial_success.error_message and "-1.0" in answer.partial_success.error_message
    assert (await costs(client))["s1"]["cost_usd"] == 0.4


async def test_json_body_with_hex_ids_and_string_integers(client: httpx.AsyncClient) -> None:
    batch = metrics(("claude_code.cost.usage", [cost("s-json", 0.2)]))
    body = json.loads(json_format.MessageToJson(batch))
    data_point = body["resourceMetrics"][0]["scopeMetrics"][0]["metrics"][0]["sum"]["dataPoints"][0]
    assert isinstance(data_point["timeUnixNano"], str)  # 64-bit integers as strings
    data_point["exemplars"] = [
        {
            "asDouble": 0.2,
            "timeUnixNano": str(NOW_NS),
            "traceId": "5b8efff798038103d269b633813fc60c",
            "spanId": "eee19b7ec3c1b174",
        }
    ]
    body["somethingNew"] = {"ignored": True}  # receivers ignore unknown fields
    response = await client.post("/v1/metrics", content=json.dumps(body), headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {}
    assert (await costs(client))["s-json"]["cost_usd"] == 0.2


async def test_gzip_bodies_are_accepted(client: httpx.AsyncClient) -> None:
    batch = metrics(("claude_code.cost.usage", [cost("s-gz", 0.3)]))
    headers = {**PROTOBUF, "content-encoding": "gzip"}
    response = await client.post("/v1/metrics", content=gzip.compress(batch.SerializeToString()), headers=headers)
    assert response.status_code == 200, response.text
    body = json.dumps(
        json.loads(json_format.MessageToJson(metrics(("claude_code.cost.usage", [cost("s-gz", 0.1, NOW_NS + SEC)]))))
    )
    headers = {"content-type": "application/json", "content-encoding": "gzip"}
    response = await client.post("/v1/metrics", content=gzip.compress(body.encode()), headers=headers)
    assert response.status_code == 200, response.text
    assert (await costs(client))["s-gz"]["cost_usd"] == 0.4


async def test_host_comes_from_the_resource_or_is_unknown(client: httpx.AsyncClient) -> None:
    await post(client, metrics(("claude_code.cost.usage", [cost("s1", 0.1)]), host="build-box"))
    await post(client, metrics(("claude_code.cost.usage", [cost("s2", 0.2)]), host=None))
    hosts = await costs(client, "host")
    assert hosts["build-box"]["cost_usd"] == 0.1 and hosts["unknown"]["cost_usd"] == 0.2
