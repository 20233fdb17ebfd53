"""/docs: Swagger UI 5 from the fastapi-offline wheel (it reads the OpenAPI 3.1 FastAPI serves).

No CDN and no inline script (the CSP holds): the page loads the bundle and `init.js` from this
server, and the online validator badge is off, so opening /docs sends nothing off the machine.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles

from jarvis.core.auth import require

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


def install_api_docs(app: FastAPI) -> None:
    app.mount("/docs/assets", StaticFiles(directory=ASSETS), name="apidocs-assets")

    @app.get("/docs", include_in_schema=False, dependencies=[require("read")])
    async def docs(request: Request) -> HTMLResponse:
        return HTMLResponse(PAGE)

    @app.get("/docs/init.js", include_in_schema=False, dependencies=[require("read")])
    async def init(request: Request) -> Response:
        return Response(INIT, media_type="text/javascript")
