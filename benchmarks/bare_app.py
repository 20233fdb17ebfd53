"""Baseline for the overview benchmark: bare Starlette serving a pre-serialised body of a given size."""

from __future__ import annotations

import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def main() -> None:
    port, size = int(sys.argv[1]), int(sys.argv[2])
    body = b'{"success":true,"data":"' + b"x" * max(0, size - 26) + b'"}'

    async def endpoint(request: Request) -> Response:
        return Response(body, media_type="application/json")

    app = Starlette(routes=[Route("/", endpoint)])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
