"""/docs served from the swagger-ui-bundle package: no CDN, no inline script (the CSP holds)."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from jarvis.core.auth import require

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Jarvis Command Center — API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script></body></html>"""

INIT = "window.ui = SwaggerUIBundle({url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true});\n"


def install_api_docs(app: FastAPI) -> None:
    app.mount("/docs/assets", StaticFiles(directory=swagger_ui_path), name="apidocs-assets")

    @app.get("/docs", include_in_schema=False, dependencies=[require("read")])
    async def docs(request: Request) -> HTMLResponse:
        return HTMLResponse(PAGE)

    @app.get("/docs/init.js", include_in_schema=False, dependencies=[require("read")])
    async def init(request: Request) -> Response:
        return Response(INIT, media_type="text/javascript")
