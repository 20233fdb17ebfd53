"""Builders of OTLP messages as Claude Code sends them (the real opentelemetry-proto classes)."""

from __future__ import annotations

import time
from typing import Any

from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.logs.v1.logs_pb2 import LogRecord
from opentelemetry.proto.metrics.v1.metrics_pb2 import AggregationTemporality, NumberDataPoint

DELTA = AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA
CUMULATIVE = AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE
PROTOBUF = {"content-type": "application/x-protobuf"}
NOW_NS = int(time.time() * 1e9)
START_NS = NOW_NS - 600 * 10**9


def kv(attrs: dict[str, Any]) -> list[KeyValue]:
    pairs = []
    for key, value in attrs.items():
        if isinstance(value, bool):
            any_value = AnyValue(bool_value=value)
        elif isinstance(value, int):
            any_value = AnyValue(int_value=value)
        elif isinstance(value, float):
            any_value = AnyValue(double_value=value)
        else:
            any_value = AnyValue(string_value=str(value))
        pairs.append(KeyValue(key=key, value=any_value))
    return pairs


def point(value: float, at: int, start: int = START_NS, **attrs: Any) -> NumberDataPoint:
    return NumberDataPoint(as_double=value, time_unix_nano=at, start_time_unix_nano=start, attributes=kv(attrs))


def metrics(
    *series: tuple[str, list[NumberDataPoint]],
    temporality: int = DELTA,
    host: str | None = "laptop",
) -> ExportMetricsServiceRequest:
    request = ExportMetricsServiceRequest()
    resource_metrics = request.resource_metrics.add()
    resource = {"service.name": "claude-code", "service.version": "2.1.0"}
    if host:
        resource["host.name"] = host
    resource_metrics.resource.attributes.extend(kv(resource))
    scope = resource_metrics.scope_metrics.add()
    scope.scope.name = "com.anthropic.claude_code"
    for name, points in series:
        metric = scope.metrics.add()
        metric.name = name
        metric.unit = "USD" if name.endswith("cost.usage") else "tokens"
        metric.sum.aggregation_temporality = temporality  # type: ignore[assignment]
        metric.sum.is_monotonic = True
        metric.sum.data_points.extend(points)
    return request


def cost(session: str, value: float, at: int = NOW_NS, model: str = "claude-sonnet-4-5", **kw: Any) -> NumberDataPoint:
    return point(value, at, **{"session.id": session, "model": model}, **kw)


def tokens(
    session: str, kind: str, value: float, at: int = NOW_NS, model: str = "claude-sonnet-4-5"
) -> NumberDataPoint:
    return point(value, at, **{"session.id": session, "model": model, "type": kind})


def record(name: str, session: str, at: int = NOW_NS, sequence: int = 0, **attrs: Any) -> LogRecord:
    body = AnyValue(string_value=f"claude_code.{name}")
    all_attrs = {
        "event.name": name,
        "event.timestamp": f"2026-12-04T03:00:{sequence % 60:02d}.000Z",
        "event.sequence": sequence,
        "session.id": session,
        "prompt.id": "prompt-1",
        **attrs,
    }
    return LogRecord(time_unix_nano=at, observed_time_unix_nano=at, body=body, attributes=kv(all_attrs))


def api_request(session: str, cost_usd: Any, sequence: int = 0, at: int = NOW_NS, **attrs: Any) -> LogRecord:
    values = {
        "model": "claude-sonnet-4-5",
        "cost_usd": str(cost_usd),
        "input_tokens": "100",
        "output_tokens": "20",
        "cache_read_tokens": "1000",
        "cache_creation_tokens": "50",
        "duration_ms": "1200",
        **attrs,
    }
    return record("api_request", session, at=at, sequence=sequence, **values)


def logs(*records: LogRecord, host: str | None = "laptop") -> ExportLogsServiceRequest:
    request = ExportLogsServiceRequest()
    resource_logs = request.resource_logs.add()
    resource = {"service.name": "claude-code"}
    if host:
        resource["host.name"] = host
    resource_logs.resource.attributes.extend(kv(resource))
    scope = resource_logs.scope_logs.add()
    scope.scope.name = "com.anthropic.claude_code.events"
    scope.log_records.extend(records)
    return request
