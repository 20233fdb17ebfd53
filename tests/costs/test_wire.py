"""The OTLP/JSON decoding details that the HTTP tests cannot see: ids are hex, not base64."""

from __future__ import annotations

import orjson
import pytest
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest

from jarvis.costs import wire

TRACE, SPAN = "5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174"


def test_hex_trace_and_span_ids_become_their_bytes() -> None:
    body = {
        "resourceLogs": [{"scopeLogs": [{"logRecords": [{"traceId": TRACE, "spanId": SPAN, "timeUnixNano": "17"}]}]}]
    }
    message = wire.decode(orjson.dumps(body), wire.JSON, ExportLogsServiceRequest)
    record = message.resource_logs[0].scope_logs[0].log_records[0]
    assert record.trace_id == bytes.fromhex(TRACE) and record.span_id == bytes.fromhex(SPAN)
    assert record.time_unix_nano == 17


@pytest.mark.parametrize("body", [b"[]", b'"text"', b'{"resourceLogs": {"a": 1}}', b"\xff"])
def test_what_is_not_an_otlp_json_message_is_bad_data(body: bytes) -> None:
    with pytest.raises(wire.BadData):
        wire.decode(body, wire.JSON, ExportLogsServiceRequest)


def test_inflate_stops_at_the_cap() -> None:
    import gzip

    from jarvis.core.errors import TooLarge

    assert wire.inflate(gzip.compress(b"x" * 100), "gzip", 100) == b"x" * 100
    with pytest.raises(TooLarge):
        wire.inflate(gzip.compress(b"x" * 101), "gzip", 100)
    with pytest.raises(wire.BadData):
        wire.inflate(gzip.compress(b"x" * 100)[:-10], "gzip", 1000)
