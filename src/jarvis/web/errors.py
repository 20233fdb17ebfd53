"""The HTML face of an error, for browsers asking for a page."""

from __future__ import annotations

import html

from starlette.requests import Request
from starlette.responses import HTMLResponse


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    body = (
        "<!doctype html><html lang=en><meta charset=utf-8><title>Jarvis — error</title>"
        f"<main><h1>{status}</h1><p>{html.escape(message)}</p><p><a href='/'>Back to the dashboard</a></p></main>"
    )
    return HTMLResponse(body, status_code=status)
