"""Decoded OTLP messages → the rows this domain keeps, and what it refuses.

Only Claude Code's own names are read (`claude_code.*`, see docs/costs.md); anything else in a batch
(another program's metrics, histograms, unknown events) is skipped, not refused: a shared collector
may send us more than we want. A data point or log record is refused (counted in the answer's
`partial_success`, nothing of it stored) when its value cannot be a count: NaN, infinite or negative,
an unspecified temporality, a timestamp out of range.

Each kept point gets a key (a hash of its series — metric, attributes, resource — and its time) and
each event a key from what identifies it (session and request id, else its timestamp and sequence),
so storing a batch twice stores it once.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.metrics.v1.metrics_pb2 import AggregationTemporality

from jarvis.core import clock
from jarvis.core.text import INVISIBLE

PREFIX = "claude_code."
# metric (without the prefix) → the attribute that tells its parts apart (None: one part).
METRICS: dict[str, str | None] = {
    "cost.usage": None,
    "token.usage": "type",
    "session.count": None,
    "lines_of_code.count": "type",
    "commit.count": None,
    "pull_request.count": None,
    "active_time.total": "type",
    "code_edit_tool.decision": "decision",
}
EVENTS = frozenset({"api_request", "api_error", "tool_result", "tool_decision", "user_prompt"})
UNKNOWN_HOST = "unknown"
NO_RECORDED_VALUE = 1  # DataPointFlags
MAX_REASONS = 5
MAX_NANO = 2**63 - 1  # a signed 64-bit column (PostgreSQL's bigint); fixed64 goes beyond


@dataclass(frozen=True, slots=True)
class Point:
    key: str
    series: str
    cumulative: bool
    start_nano: int
    time_nano: int
    value: float  # an increment (delta), or the running total (cumulative)
    session_id: str | None
    host: str
    metric: str
    model: str | None
    kind: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class Request:
    key: str
    session_id: str | None
    host: str
    model: str | None
    request_id: str | None
    prompt_id: str | None
    cost_usd: float
    tokens: tuple[int, int, int, int]  # input, output, cache read, cache creation
    duration_ms: float | None
    at: datetime


@dataclass(frozen=True, slots=True)
class LightEvent:
    key: str
    session_id: str | None
    host: str
    name: str
    data: dict[str, Any]
    at: datetime


@dataclass(slots=True)
class Parsed:
    """What a batch holds for us, and what was refused (a count and the first few reasons)."""

    points: list[Point] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    events: list[LightEvent] = field(default_factory=list)
    rejected: int = 0
    reasons: list[str] = field(default_factory=list)

    def refuse(self, reason: str) -> None:
        self.rejected += 1
        if len(self.reasons) < MAX_REASONS:
            self.reasons.append(reason)

    def message(self) -> str:
        more = self.rejected - len(self.reasons)
        return "; ".join(self.reasons) + (f"; and {more} more" if more > 0 else "")


def _value(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    if kind in ("string_value", "int_value", "double_value", "bool_value"):
        return getattr(value, kind)
    return None  # arrays, maps and bytes: nothing of ours


def attributes(pairs: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for pair in pairs:
        assert isinstance(pair, KeyValue)
        result[pair.key] = _value(pair.value)
    return result


def _text(value: Any, cap: int) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    text = str(value).translate(INVISIBLE).strip()
    return text[:cap] or None


def _hash(*parts: Any) -> str:
    return hashlib.sha256(orjson.dumps(parts, option=orjson.OPT_SORT_KEYS)).hexdigest()[:64]


def _moment(nano: int) -> datetime:
    """A timestamp from nanoseconds since the epoch; 0 (not set) is now. ValueError when out of range."""
    if nano <= 0:
        return clock.now()
    try:
        return datetime.fromtimestamp(nano / 1e9, UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError("has a timestamp out of range") from None


def _host(resource: dict[str, Any]) -> str:
    return _text(resource.get("host.name"), 255) or UNKNOWN_HOST


def metrics(request: ExportMetricsServiceRequest) -> Parsed:
    parsed = Parsed()
    for resource_metrics in request.resource_metrics:
        resource = attributes(resource_metrics.resource.attributes)
        host = _host(resource)
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                short = metric.name[len(PREFIX) :] if metric.name.startswith(PREFIX) else None
                if short not in METRICS or metric.WhichOneof("data") != "sum":
                    continue  # not Claude Code's, or not a counter: skipped (documented), not refused
                temporality = metric.sum.aggregation_temporality
                for point in metric.sum.data_points:
                    _point(parsed, metric.name, short, temporality, point, resource, host)
    return parsed


def _point(
    parsed: Parsed, name: str, short: str, temporality: int, point: Any, resource: dict[str, Any], host: str
) -> None:
    if point.flags & NO_RECORDED_VALUE:
        return
    attrs = attributes(point.attributes)
    session_id = _text(attrs.get("session.id") or resource.get("session.id"), 200)
    value = float(point.as_double) if point.WhichOneof("value") == "as_double" else float(point.as_int)
    where = f"{name} (session {session_id or '?'})"
    if temporality not in (
        AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA,
        AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE,
    ):
        parsed.refuse(f"{where}: aggregation temporality is unspecified")
        return
    if not math.isfinite(value) or value < 0:
        parsed.refuse(f"{where}: value {value} is not a count (NaN, infinite or negative)")
        return
    try:
        if max(point.time_unix_nano, point.start_time_unix_nano) > MAX_NANO:
            raise ValueError("has a timestamp out of range")
        at = _moment(point.time_unix_nano)
    except ValueError as exc:
        parsed.refuse(f"{where}: {exc}")
        return
    kind_attr = METRICS[short]
    series = _hash(name, attrs, resource)
    parsed.points.append(
        Point(
            key=_hash(series, point.time_unix_nano),
            series=series,
            cumulative=temporality == AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE,
            start_nano=int(point.start_time_unix_nano),
            time_nano=int(point.time_unix_nano),
            value=value,
            session_id=session_id,
            host=host,
            metric=short,
            model=_text(attrs.get("model"), 200),
            kind=_text(attrs.get(kind_attr), 100) if kind_attr else None,
            at=at,
        )
    )


def _number(attrs: dict[str, Any], name: str, *, integer: bool = False) -> float | None:
    """An attribute as a number (Claude Code sends some as strings); None when absent, ValueError when not a count."""
    raw = attrs.get(name)
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        raise ValueError(f"`{name}` is not a number")
    try:
        number = float(raw)
    except (TypeError, ValueError):
        raise ValueError(f"`{name}` is not a number") from None
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"`{name}` {raw!r} is not a count (NaN, infinite or negative)")
    if integer and number > 2**62:
        raise ValueError(f"`{name}` is out of range")
    return number


def _event_name(record: Any, attrs: dict[str, Any]) -> str | None:
    body = record.body.string_value if record.body.WhichOneof("value") == "string_value" else ""
    name = body if body.startswith(PREFIX) else str(attrs.get("event.name") or "")
    name = name[len(PREFIX) :] if name.startswith(PREFIX) else name
    return name if name in EVENTS else None


def logs(request: ExportLogsServiceRequest) -> Parsed:
    parsed = Parsed()
    for resource_logs in request.resource_logs:
        resource = attributes(resource_logs.resource.attributes)
        host = _host(resource)
        for scope_logs in resource_logs.scope_logs:
            for record in scope_logs.log_records:
                attrs = attributes(record.attributes)
                name = _event_name(record, attrs)
                if name is None:
                    continue  # another program's log line, or an event we do not keep
                try:
                    _record(parsed, name, record, attrs, resource, host)
                except ValueError as exc:
                    session = _text(attrs.get("session.id"), 200) or "?"
                    parsed.refuse(f"claude_code.{name} (session {session}): {exc}")
    return parsed


def _record(parsed: Parsed, name: str, record: Any, attrs: dict[str, Any], resource: dict[str, Any], host: str) -> None:
    session_id = _text(attrs.get("session.id") or resource.get("session.id"), 200)
    at = _moment(record.time_unix_nano or record.observed_time_unix_nano)
    stamp = (_text(attrs.get("event.timestamp"), 64), _text(attrs.get("event.sequence"), 32), record.time_unix_nano)
    if name == "api_request":
        request_id = _text(attrs.get("request_id") or attrs.get("request.id"), 200)
        identity = (session_id, "request", request_id) if request_id else (session_id, "request", *stamp)
        tokens = tuple(
            int(_number(attrs, field, integer=True) or 0)
            for field in ("input_tokens", "output_tokens", "cache_read_tokens", "cache_creation_tokens")
        )
        parsed.requests.append(
            Request(
                key=_hash(*identity),
                session_id=session_id,
                host=host,
                model=_text(attrs.get("model"), 200),
                request_id=request_id,
                prompt_id=_text(attrs.get("prompt.id"), 200),
                cost_usd=_number(attrs, "cost_usd") or 0.0,
                tokens=(tokens[0], tokens[1], tokens[2], tokens[3]),
                duration_ms=_number(attrs, "duration_ms"),
                at=at,
            )
        )
        return
    parsed.events.append(
        LightEvent(
            key=_hash(session_id, name, *stamp),
            session_id=session_id,
            host=host,
            name=name,
            data=_light(name, attrs),
            at=at,
        )
    )


def _fact(value: Any) -> Any:
    return value if isinstance(value, bool | int | float) else _text(value, 300)


def _light(name: str, attrs: dict[str, Any]) -> dict[str, Any]:
    """The few facts kept of a light event. Of a prompt only its length, even when the user opted in to
    sending its text (OTEL_LOG_USER_PROMPTS=1): the text itself is never stored."""
    if name == "user_prompt":
        length = _number(attrs, "prompt_length", integer=True)
        if length is None and isinstance(attrs.get("prompt"), str):
            length = len(attrs["prompt"])
        return {
            "prompt_length": int(length) if length is not None else None,
            "prompt_id": _text(attrs.get("prompt.id"), 200),
        }
    keep = {
        "tool_result": ("tool_name", "success", "duration_ms", "decision_type", "decision_source"),
        "tool_decision": ("tool_name", "decision", "source"),
        "api_error": ("model", "status_code", "duration_ms", "attempt", "error"),
    }[name]
    data: dict[str, Any] = {key: _fact(attrs[key]) for key in keep if attrs.get(key) is not None}
    data["prompt_id"] = _text(attrs.get("prompt.id"), 200)
    return data
