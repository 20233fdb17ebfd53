"""/docs: Swagger UI 5 from the fastapi-offline wheel (it reads the OpenAPI 3.1 FastAPI serves), and
the error answers the OpenAPI documents.

No CDN and no inline script (the CSP holds): the page loads the bundle and `init.js` from this
server, and the online validator badge is off, so opening /docs sends nothing off the machine.

FastAPI documents a `422` with its own body for every validated operation; this server answers bad
input with a `400` in the error envelope (`core/errors.py`), and every closed route with `401`/`403`.
The schema says what is sent instead.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles

from jarvis.core.auth import require
from jarvis.core.envelope import ErrorEnvelope

# The bundle as the package ships it (swagger-ui-bundle.js, swagger-ui.css).
ASSETS = str(files("fastapi_offline") / "static")

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Jarvis Command Center — API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script></body></html>"""

INIT = (
    "window.ui = SwaggerUIBundle({url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, "
    "validatorUrl: null});\n"
)


ERRORS = {
    "400": "Bad input: `details` names each field and what is wrong with it; nothing was changed",
    "401": "Not logged in, and no API token (`Authorization: Bearer …`)",
    "403": "The role or the token lacks this route's scope, or a cross-site write",
    "404": "Nothing by that name or id",
    "413": "The body is over `server.max_body_bytes`",
    "415": "The body is not JSON",
}
ERROR_REF = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with `$defs` inlined, for `openapi_extra` and `responses` (which have no
    components of their own)."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(defs[ref.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


def document_errors(schema: dict[str, Any], public: set[str]) -> dict[str, Any]:
    """Replace FastAPI's `422` by the answers this server gives (see the module's docstring)."""
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            codes = ["400"] if responses.pop("422", None) is not None else []
            if path not in public:
                codes += ["401", "403"]
            if "{" in path:
                codes.append("404")
            if "requestBody" in operation:
                codes += ["413", "415"]
            for code in codes:
                responses.setdefault(code, {"description": ERRORS[code], "content": ERROR_REF})
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for fastapi_only in ("HTTPValidationError", "ValidationError"):
        components.pop(fastapi_only, None)
    components["ErrorEnvelope"] = inline_schema(ErrorEnvelope)
    return schema


def install_api_docs(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            table = getattr(app.state, "route_table", None)
            public = set(table.public_paths()) if table is not None else set()
            app.openapi_schema = document_errors(generate(), public)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.mount("/docs/assets", StaticFiles(directory=ASSETS), name="apidocs-assets")

    @app.get("/docs", include_in_schema=False, dependencies=[require("read")])
    async def docs(request: Request) -> HTMLResponse:
        return HTMLResponse(PAGE)

    @app.get("/docs/init.js", include_in_schema=False, dependencies=[require("read")])
    async def init(request: Request) -> Response:
        return Response(INIT, media_type="text/javascript")
