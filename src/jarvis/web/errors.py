"""The HTML face of an error, for browsers asking for a page (called by `core.errors`)."""

from __future__ import annotations

import html

import structlog
from starlette.requests import Request
from starlette.responses import HTMLResponse

log = structlog.get_logger("jarvis.web")

TITLES = {400: "Bad request", 403: "Not allowed", 404: "Not found", 405: "Not allowed", 500: "Server error"}


def _plain(status: int, message: str) -> HTMLResponse:
    body = (
        "<!doctype html><html lang=en><meta charset=utf-8><title>Jarvis — error</title>"
        f"<main><h1>{status}</h1><p>{html.escape(message)}</p><p><a href='/'>Back to the dashboard</a></p></main>"
    )
    return HTMLResponse(body, status_code=status)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """The themed page with the header; the bare one if even that fails (an error page must not fail)."""
    try:
        from jarvis.web.templating import render

        context = {"status": status, "heading": TITLES.get(status, "Error"), "message": message, "page": "error"}
        return render(request, "error.html", context, status_code=status)
    except Exception:  # noqa: BLE001 - last resort: never turn an error page into a 500
        log.exception("error_page_failed", status=status)
        return _plain(status, message)
