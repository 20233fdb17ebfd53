"""POST /v1/logs: api_request events stored once, light events, prompts never stored, refusals."""

from __future__ import annotations

import httpx
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest, ExportLogsServiceResponse
from sqlalchemy import select

from jarvis.core.context import AppContext
from jarvis.costs.models import CostEvent, CostRequest
from tests.costs.otlp import NOW_NS, PROTOBUF, api_request, logs, record


async def post(client: httpx.AsyncClient, request: ExportLogsServiceRequest) -> ExportLogsServiceResponse:
    response = await client.post("/v1/logs", content=request.SerializeToString(), headers=PROTOBUF)
    assert response.status_code == 200, response.text
    return ExportLogsServiceResponse.FromString(response.content)


async def test_api_requests_are_stored_once(client: httpx.AsyncClient, ctx: AppContext) -> None:
    batch = logs(
        api_request("s1", 0.01, sequence=1, request_id="req_1"),
        api_request("s1", 0.02, sequence=2),  # no request id: its timestamp and sequence identify it
        api_request("s1", 0.04, sequence=3, model="claude-opus-4-1"),
    )
    assert not (await post(client, batch)).HasField("partial_success")
    await post(client, batch)  # the exporter retried
    async with ctx.db.sessions() as session:
        rows = list(await session.scalars(select(CostRequest).order_by(CostRequest.cost_usd)))
    assert [row.cost_usd for row in rows] == [0.01, 0.02, 0.04]
    assert rows[0].request_id == "req_1" and rows[0].prompt_id == "prompt-1" and rows[0].duration_ms == 1200
    assert (rows[0].input_tokens, rows[0].cache_read_tokens) == (100, 1000)
    data = (await client.get("/api/costs", params={"group_by": "model"})).json()["data"]
    by_model = {group["key"]: group for group in data["groups"]}
    assert by_model["claude-sonnet-4-5"]["requests"] == 2 and by_model["claude-opus-4-1"]["cost_usd"] == 0.04
    assert data["total"] == {
        "cost_usd": 0.07,
        "tokens": {"input": 300, "output": 60, "cache_read": 3000, "cache_creation": 150},
        "requests": 3,
    }


async def test_light_events_keep_facts_and_never_prompt_text(client: httpx.AsyncClient, ctx: AppContext) -> None:
    batch = logs(
        record("user_prompt", "s1", sequence=1, prompt_length="42", prompt="my secret plan"),
        record("user_prompt", "s1", sequence=2, prompt="opted in, no length"),
        record("tool_result", "s1", sequence=3, tool_name="Bash", success=True, duration_ms="35"),
        record("tool_decision", "s1", sequence=4, tool_name="Edit", decision="accept", source="config"),
        record("api_error", "s1", sequence=5, model="m", status_code="529", error="Overloaded"),
        record("something_else", "s1", sequence=6),
    )
    assert not (await post(client, batch)).HasField("partial_success")
    await post(client, batch)
    async with ctx.db.sessions() as session:
        rows = list(await session.scalars(select(CostEvent).order_by(CostEvent.id)))
    assert [row.name for row in rows] == ["user_prompt", "user_prompt", "tool_result", "tool_decision", "api_error"]
    assert rows[0].data["prompt_length"] == 42 and rows[1].data["prompt_length"] == len("opted in, no length")
    assert "secret" not in str([row.data for row in rows]) and "opted in" not in str([row.data for row in rows])
    assert rows[2].data["success"] is True and rows[3].data["decision"] == "accept"
    assert rows[4].data["status_code"] == "529"


async def test_nan_or_negative_request_cost_is_refused(client: httpx.AsyncClient) -> None:
    batch = logs(
        api_request("s1", "NaN", sequence=1),
        api_request("s1", -0.5, sequence=2),
        api_request("s1", 0.03, sequence=3, output_tokens="-4"),
        api_request("s1", 0.05, sequence=4),
    )
    answer = await post(client, batch)
    assert answer.partial_success.rejected_log_records == 3
    message = answer.partial_success.error_message
    assert "cost_usd" in message and "output_tokens" in message and "claude_code.api_request" in message
    data = (await client.get("/api/costs")).json()["data"]
    assert data["groups"] == [
        {
            "key": "s1",
            "cost_usd": 0.05,
            "tokens": {"input": 100, "output": 20, "cache_read": 1000, "cache_creation": 50},
            "requests": 1,
        }
    ]


async def test_records_of_other_programs_are_skipped(client: httpx.AsyncClient) -> None:
    batch = logs(record("api_request", "s1", at=NOW_NS, cost_usd="0.1"))
    batch.resource_logs[0].scope_logs[0].log_records.add().body.string_value = "GET /index.html 200"
    answer = await post(client, batch)
    assert not answer.HasField("partial_success")


async def test_otlp_json_logs_with_hex_ids_and_a_json_partial_success(client: httpx.AsyncClient) -> None:
    import json

    from google.protobuf import json_format

    batch = logs(api_request("s-json", 0.02, sequence=1), api_request("s-json", "-1", sequence=2))
    body = json.loads(json_format.MessageToJson(batch))
    for item in body["resourceLogs"][0]["scopeLogs"][0]["logRecords"]:
        item["traceId"], item["spanId"] = "5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174"
    response = await client.post("/v1/logs", content=json.dumps(body), headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    partial = response.json()["partialSuccess"]
    assert partial["rejectedLogRecords"] == "1"  # int64 as a string, as OTLP/JSON writes it
    assert "cost_usd" in partial["errorMessage"]
    groups = (await client.get("/api/costs")).json()["data"]["groups"]
    assert [(g["key"], g["cost_usd"], g["requests"]) for g in groups] == [("s-json", 0.02, 1)]
