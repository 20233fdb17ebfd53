"""/docs documents what every endpoint returns: each operation in /openapi.json declares a success
response with a schema (a model, or the stream's text/event-stream), so none shows a bare "string"."""

from __future__ import annotations

from typing import Any

import httpx


async def test_every_operation_declares_a_success_response_schema(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert spec["openapi"].startswith("3.1")
    missing = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            success = {code: r for code, r in operation["responses"].items() if code.startswith("2")}
            schemas = [media.get("schema") for r in success.values() for media in (r.get("content") or {}).values()]
            if not any(schemas) and "204" not in success:  # a 204 has no body to describe
                missing.append(f"{method.upper()} {path}")
    assert missing == []


async def test_the_seed_endpoints_document_the_seeds_shapes(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    schemas = spec["components"]["schemas"]

    def success(path: str, method: str = "get") -> Any:
        content = spec["paths"][path][method]["responses"]["200"]["content"]
        ref = next(iter(content.values()))["schema"]["$ref"].rsplit("/", 1)[-1]
        return schemas[ref]

    waves = success("/api/dashboard/waves")["properties"]["data"]
    assert waves["type"] == "array"
    business = success("/api/dashboard/business")["properties"]["data"]["$ref"]
    assert set(schemas[business.rsplit("/", 1)[-1]]["properties"]) >= {"music", "marketing", "intelligence"}
    stream = spec["paths"]["/api/dashboard/stream"]["get"]["responses"]["200"]["content"]
    assert list(stream) == ["text/event-stream"]
    feedback = success("/api/proactive/feedback/{suggestion_id}", "post")
    assert "message" in feedback["properties"]
