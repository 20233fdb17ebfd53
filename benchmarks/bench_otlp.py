"""OTLP receivers (issue 13): the time to take one Claude Code export batch, as the exporter waits for it.

`jarvis serve` on SQLite, pinned to one core, over loopback HTTP: ROUNDS metrics batches of 1,000 protobuf
data points (50 sessions x cost + 4 token types x 4 models, new timestamps each round: all new points,
delta temporality as Claude Code sends) and ROUNDS logs batches of 1,000 `claude_code.api_request` records
(new sequence numbers each round), then each batch re-sent once (all duplicates: looked up, nothing
inserted). Reported: the median and max per batch; the target is < 200 ms median. The decode + parse share
is timed in-process on the same bodies.
"""

from __future__ import annotations

import statistics
import time

import httpx
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.metrics.v1.metrics_pb2 import AggregationTemporality

from benchmarks.common import jarvis_server
from jarvis.costs import parse

ROUNDS = 12
SESSIONS = 50
MODELS = ("claude-sonnet-4-5", "claude-opus-4-1", "claude-haiku-4-5", "claude-sonnet-4")
TOKEN_TYPES = ("input", "output", "cacheRead", "cacheCreation")
PROTOBUF = {"content-type": "application/x-protobuf"}
BASE_NS = int(time.time() * 1e9)


def _kv(**attrs: str) -> list[KeyValue]:
    return [KeyValue(key=k.replace("_", "."), value=AnyValue(string_value=v)) for k, v in attrs.items()]


def metrics_batch(round_: int) -> bytes:
    request = ExportMetricsServiceRequest()
    resource = request.resource_metrics.add()
    resource.resource.attributes.extend(_kv(host_name="bench-host", service_name="claude-code"))
    scope = resource.scope_metrics.add()
    at = BASE_NS + round_ * 60 * 10**9
    cost = scope.metrics.add(name="claude_code.cost.usage")
    token = scope.metrics.add(name="claude_code.token.usage")
    for metric in (cost, token):
        metric.sum.aggregation_temporality = AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA
        metric.sum.is_monotonic = True
    for s in range(SESSIONS):
        for model in MODELS:
            attrs = [KeyValue(key="session.id", value=AnyValue(string_value=f"bench-{s}"))]
            attrs.append(KeyValue(key="model", value=AnyValue(string_value=model)))
            cost.sum.data_points.add(as_double=0.001 * (s + 1), time_unix_nano=at, attributes=attrs)
            for kind in TOKEN_TYPES:
                point = token.sum.data_points.add(as_double=100.0, time_unix_nano=at, attributes=attrs)
                point.attributes.add(key="type", value=AnyValue(string_value=kind))
    assert sum(len(m.sum.data_points) for m in scope.metrics) == 1000
    return request.SerializeToString()


def logs_batch(round_: int) -> bytes:
    request = ExportLogsServiceRequest()
    resource = request.resource_logs.add()
    resource.resource.attributes.extend(_kv(host_name="bench-host", service_name="claude-code"))
    scope = resource.scope_logs.add()
    for n in range(1000):
        sequence = round_ * 1000 + n
        record = scope.log_records.add(time_unix_nano=BASE_NS + sequence * 10**6)
        record.body.string_value = "claude_code.api_request"
        attrs = {
            "event.name": "api_request",
            "event.sequence": str(sequence),
            "session.id": f"bench-{n % SESSIONS}",
            "prompt.id": f"prompt-{sequence // 10}",
            "model": MODELS[n % len(MODELS)],
            "cost_usd": "0.0123",
            "input_tokens": "1200",
            "output_tokens": "300",
            "cache_read_tokens": "20000",
            "cache_creation_tokens": "500",
            "duration_ms": "4200",
        }
        record.attributes.extend(KeyValue(key=k, value=AnyValue(string_value=v)) for k, v in attrs.items())
    return request.SerializeToString()


def post(http: httpx.Client, path: str, body: bytes) -> float:
    started = time.perf_counter()
    response = http.post(path, content=body, headers=PROTOBUF)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200 or response.content:  # an empty response: nothing refused
        raise RuntimeError(f"{path}: {response.status_code} {response.content[:200]!r}")
    return elapsed


def parse_ms(body: bytes, kind: str) -> float:
    started = time.perf_counter()
    if kind == "metrics":
        parsed = parse.metrics(ExportMetricsServiceRequest.FromString(body))
        assert len(parsed.points) == 1000
    else:
        parsed = parse.logs(ExportLogsServiceRequest.FromString(body))
        assert len(parsed.requests) == 1000
    return (time.perf_counter() - started) * 1000


def main() -> None:
    metric_bodies = [metrics_batch(r) for r in range(ROUNDS)]
    log_bodies = [logs_batch(r) for r in range(ROUNDS)]
    with jarvis_server() as server, httpx.Client(base_url=server.url, timeout=30) as http:
        post(http, "/v1/metrics", metrics_batch(ROUNDS + 1))  # warm-up: first statements, first session rows
        post(http, "/v1/logs", logs_batch(ROUNDS + 1))
        rows = {
            "metrics, 1,000 new points": [post(http, "/v1/metrics", body) for body in metric_bodies],
            "metrics, the same batch re-sent": [post(http, "/v1/metrics", body) for body in metric_bodies],
            "logs, 1,000 new api_request records": [post(http, "/v1/logs", body) for body in log_bodies],
            "logs, the same batch re-sent": [post(http, "/v1/logs", body) for body in log_bodies],
        }
        total = http.get("/api/costs", params={"group_by": "host"}).json()["data"]["total"]
        rss = server.rss_mb()
    decode = {
        "metrics": statistics.median(parse_ms(body, "metrics") for body in metric_bodies),
        "logs": statistics.median(parse_ms(body, "logs") for body in log_bodies),
    }
    print("### OTLP receivers")
    print()
    print(f"`jarvis serve` (SQLite, one core) over loopback; {ROUNDS} protobuf batches of each kind, one after the")
    print("other, each answered only once committed. Target: < 200 ms median per 1,000-item batch.")
    print()
    print("| batch | body | median | max |")
    print("|---|---|---|---|")
    sizes = {"metrics": len(metric_bodies[0]), "logs": len(log_bodies[0])}
    for name, values in rows.items():
        size = sizes["metrics" if name.startswith("metrics") else "logs"]
        print(f"| {name} | {size / 1024:.0f} KiB | {statistics.median(values):.0f} ms | {max(values):.0f} ms |")
    print()
    print(
        f"Decode + parse alone (in this process): metrics {decode['metrics']:.0f} ms, logs {decode['logs']:.0f} ms "
        "per batch."
    )
    print(
        f"Stored in the end: {total['requests']} api requests, ${total['cost_usd']:.2f}, counted once "
        f"(server RSS {rss:.0f} MB)."
    )


if __name__ == "__main__":
    main()
