"""OTLP/HTTP receivers (`POST /v1/metrics`, `POST /v1/logs`, scope `ingest`) and `GET /api/costs`.

Routes only translate: the body is decoded (`wire.py`), read (`parse.py`) and handed to the writer
(`ingest.submit`); the answer is the OTLP response in the request's encoding.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from google.protobuf.message import Message
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest, ExportLogsServiceResponse
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)
from starlette.responses import Response

from jarvis.core.auth import require
from jarvis.core.context import CtxDep
from jarvis.core.db import SessionDep
from jarvis.core.envelope import Envelope
from jarvis.core.jsonresp import ok
from jarvis.costs import ingest, parse, schemas, service, wire

router = APIRouter(tags=["costs"])
OTLP_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            wire.PROTOBUF: {"schema": {"type": "string", "format": "binary"}},
            wire.JSON: {"schema": {"type": "object"}},
        },
    }
}
_PARTIAL = {
    "type": "object",
    "properties": {
        "partialSuccess": {
            "type": "object",
            "properties": {
                "rejectedDataPoints": {"type": "string", "description": "int64 as a string (metrics)"},
                "rejectedLogRecords": {"type": "string", "description": "int64 as a string (logs)"},
                "errorMessage": {"type": "string"},
            },
        }
    },
}
_BINARY = {"type": "string", "format": "binary"}
OTLP_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Export*ServiceResponse in the request's encoding (`partialSuccess` names what was refused)",
        "content": {wire.PROTOBUF: {"schema": _BINARY}, wire.JSON: {"schema": _PARTIAL}},
    },
    400: {
        "description": "The body cannot be decoded: a google.rpc.Status (code 3) in the request's encoding",
        "content": {
            wire.PROTOBUF: {"schema": _BINARY},
            wire.JSON: {
                "schema": {"type": "object", "properties": {"code": {"type": "integer"}, "message": {"type": "string"}}}
            },
        },
    },
}


async def _decoded(request: Request, message: type[Any]) -> tuple[Any, str]:
    media = wire.media_type(request.headers.get("content-type"))
    if media not in wire.ACCEPTED_TYPES:  # the gateway refuses these first; this guards a direct call
        raise wire.UnsupportedEncoding(
            f"Send the body as {wire.PROTOBUF} or {wire.JSON}.",
            details=[{"field": "Content-Type", "problem": f"must be {wire.PROTOBUF} or {wire.JSON}"}],
        )
    cap = request.app.state.ctx.settings.server.max_body_bytes
    body = wire.inflate(await request.body(), request.headers.get("content-encoding"), cap)
    return wire.decode(body, media, message), media


def _partial(response: Message, field: str, parsed: parse.Parsed) -> None:
    if parsed.rejected:
        partial = getattr(response, "partial_success")  # noqa: B009 - the same field on both messages
        setattr(partial, field, parsed.rejected)
        partial.error_message = f"{parsed.rejected} refused: {parsed.message()}"


@router.post(
    "/v1/metrics",
    dependencies=[require("ingest", accepts=wire.ACCEPTED_TYPES)],
    summary="OTLP/HTTP metrics receiver (Claude Code telemetry)",
    response_class=Response,
    responses=OTLP_ANSWERS,
    openapi_extra=OTLP_BODY,
)
async def otlp_metrics(request: Request, ctx: CtxDep) -> Response:
    """An ExportMetricsServiceRequest (protobuf or OTLP/JSON, gzip or plain). Claude Code's metrics are
    stored per session; other metrics are skipped; NaN or negative values are refused (partial success)."""
    media = wire.media_type(request.headers.get("content-type"))
    try:
        message, media = await _decoded(request, ExportMetricsServiceRequest)
    except wire.BadData as exc:
        return wire.status_body(str(exc), media)
    parsed = parse.metrics(message)
    await ingest.submit(ctx, parsed)
    response = ExportMetricsServiceResponse()
    _partial(response, "rejected_data_points", parsed)
    return wire.answer(response, media)


@router.post(
    "/v1/logs",
    dependencies=[require("ingest", accepts=wire.ACCEPTED_TYPES)],
    summary="OTLP/HTTP logs receiver (Claude Code events)",
    response_class=Response,
    responses=OTLP_ANSWERS,
    openapi_extra=OTLP_BODY,
)
async def otlp_logs(request: Request, ctx: CtxDep) -> Response:
    """An ExportLogsServiceRequest. `claude_code.api_request` events are stored once each (cost, tokens,
    model); prompts, tool results and decisions, API errors as light events; other records are skipped."""
    media = wire.media_type(request.headers.get("content-type"))
    try:
        message, media = await _decoded(request, ExportLogsServiceRequest)
    except wire.BadData as exc:
        return wire.status_body(str(exc), media)
    parsed = parse.logs(message)
    await ingest.submit(ctx, parsed)
    response = ExportLogsServiceResponse()
    _partial(response, "rejected_log_records", parsed)
    return wire.answer(response, media)


@router.get(
    "/api/costs",
    dependencies=[require("read")],
    summary="What Claude Code sessions cost, grouped",
    response_model=Envelope[schemas.CostReport],
)
async def costs(session: SessionDep, group_by: Annotated[str, Query(max_length=40)] = "session") -> Response:
    """Cost (USD), tokens and API requests grouped by `session`, `host`, `model` or `day` (UTC), with the
    total. Each session is counted from one source: its api_request events when it sent any, else its metrics."""
    return ok(await service.totals(session=session, group_by=group_by))
