"""Error types and the one place that turns them into the API envelope or an HTML page."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import HTMLResponse, Response
from starlette.types import Scope, Send

from jarvis.core.headers import SECURITY_HEADERS
from jarvis.core.jsonresp import JSONBytes, dumps

log = structlog.get_logger("jarvis.errors")

# The HTML face of an error for browsers asking for a page; the web layer provides it (`install_error_handlers`).
HtmlPage = Callable[[Request, int, str], Response]
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])
PHRASES = "__error_phrases__"


def error_phrases(**phrases: str) -> Callable[[Endpoint], Endpoint]:
    """Name the sentence a route's validation errors start with, per field (`body` for the whole body).

    The seed's clients look for its phrases ("Message is required"); the envelope keeps naming the
    field and the problem after it."""

    def mark(endpoint: Endpoint) -> Endpoint:
        setattr(endpoint, PHRASES, phrases)
        return endpoint

    return mark


class AppError(Exception):
    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        details: list[dict[str, str]] | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.details = details or []
        self.headers = headers or {}  # e.g. Retry-After on a 503
        if code:
            self.code = code


class ValidationFailed(AppError):
    status = 400
    code = "validation_error"


class NotFound(AppError):
    status = 404
    code = "not_found"


class Conflict(AppError):
    status = 409
    code = "conflict"


class TooLarge(AppError):
    status = 413
    code = "too_large"


class Unprocessable(AppError):
    status = 422
    code = "unprocessable"


class Forbidden(AppError):
    status = 403
    code = "forbidden"


class DatabaseBusy(AppError):
    status = 503
    code = "database_busy"


class DependencyDown(AppError):
    status = 503
    code = "dependency_unavailable"


def error_body(message: str, code: str, details: list[dict[str, str]] | None, rid: str) -> bytes:
    """The failure envelope, serialised: the one shape every error answer has."""
    body: dict[str, Any] = {
        "success": False,
        "error": message,
        "code": code,
        "details": details or [],
        "request_id": rid,
    }
    return dumps(body)


POOL_BUSY = (
    "The database has no free connection right now; retry in a moment (or raise database.pool_size / "
    "database.max_overflow)."
)


async def reject(
    scope: Scope,
    send: Send,
    status: int,
    message: str,
    code: str,
    *,
    details: list[dict[str, str]] | None = None,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    """Answer with the failure envelope from pure-ASGI middleware (before any Request exists)."""
    body = error_body(message, code, details, scope.get("state", {}).get("request_id", ""))
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", "") or request.headers.get("x-request-id", ""))


def render_error(
    request: Request,
    status: int,
    message: str,
    code: str,
    details: list[dict[str, str]] | None = None,
    *,
    html_page: HtmlPage | None = None,
) -> Response:
    if (
        html_page is not None
        and not request.url.path.startswith("/api")
        and "text/html" in request.headers.get("accept", "")
    ):
        return html_page(request, status, message)
    return JSONBytes(error_body(message, code, details, request_id(request)), status_code=status)


def describe_validation(
    errors: list[dict[str, Any]] | Any, phrases: Mapping[str, str] | None = None
) -> tuple[str, list[dict[str, str]]]:
    """Turn pydantic errors into the envelope's `details`, naming each field; a route's `error_phrases`
    for a failing field lead the message."""
    details: list[dict[str, str]] = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")]
        field = ".".join(loc) or "body"
        kind = error.get("type", "")
        if kind == "extra_forbidden":
            problem = "is not a known field"
        elif kind == "missing":
            problem = "is required"
        elif kind == "json_invalid":
            field, problem = "body", "is not valid JSON"
        else:
            problem = str(error.get("msg", "is invalid")).removeprefix("Value error, ")
        details.append({"field": field, "problem": problem})
    if not details:
        return "The request is invalid.", details
    first = details[0]
    message = f"`{first['field']}` {first['problem']}" if first["field"] != "body" else f"The body {first['problem']}"
    if len(details) > 1:
        message += f" (and {len(details) - 1} more problem{'s' if len(details) > 2 else ''})"
    known = phrases or {}
    phrase = next((known[d["field"]] for d in details if d["field"] in known), None)
    if phrase is not None:
        return f"{phrase} ({message[0].lower()}{message[1:]}).", details
    return message + ".", details


def app_error_response(request: Request, exc: AppError, *, html_page: HtmlPage | None = None) -> Response:
    response = render_error(request, exc.status, exc.message, exc.code, exc.details, html_page=html_page)
    response.headers.update(exc.headers)
    return response


def unexpected_response(request: Request, *, html_page: HtmlPage | None = None) -> Response:
    """The 500 for an error nobody expected (logged here, with its traceback and the request id)."""
    log.exception("unhandled_error", path=request.url.path, request_id=request_id(request))
    message = "Something went wrong on the server; the error is logged with this request id."
    response = render_error(request, 500, message, "internal", html_page=html_page)
    # The server closes the connection after an unhandled error; saying so lets a keep-alive client
    # open a new one instead of failing its next request on this one.
    response.headers["connection"] = "close"
    return response


def install_error_handlers(app: FastAPI, *, html_page: HtmlPage | None = None) -> None:
    """One handler per error family, all rendering through `envelope_error` (JSON, or `html_page` for browsers)."""

    def envelope_error(
        request: Request, status: int, message: str, code: str, details: list[dict[str, str]] | None = None
    ) -> Response:
        return render_error(request, status, message, code, details, html_page=html_page)

    async def app_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, AppError)
        return app_error_response(request, exc, html_page=html_page)

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        phrases = getattr(request.scope.get("endpoint"), PHRASES, None)
        message, details = describe_validation(exc.errors(), phrases)
        return envelope_error(request, 400, message, "validation_error", details)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        messages = {
            404: f"Nothing at {request.url.path}; see /docs for the API.",
            405: f"{request.method} is not allowed on {request.url.path}.",
        }
        message = messages.get(exc.status_code, str(exc.detail))
        return envelope_error(request, exc.status_code, message, f"http_{exc.status_code}")

    async def pool_exhausted(request: Request, exc: Exception) -> Response:
        log.warning("database_pool_exhausted", path=request.url.path)
        return app_error_response(request, DatabaseBusy(POOL_BUSY, headers={"retry-after": "1"}))

    async def unexpected(request: Request, exc: Exception) -> Response:
        response = unexpected_response(request, html_page=html_page)
        # Starlette answers this one from outside every middleware: add what they would have.
        response.headers["x-request-id"] = request_id(request)
        for name, value in SECURITY_HEADERS:
            response.headers[name.decode()] = value.decode()
        return response

    app.add_exception_handler(AppError, app_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(PoolTimeout, pool_exhausted)
    app.add_exception_handler(Exception, unexpected)


__all__ = [
    "AppError",
    "Conflict",
    "DependencyDown",
    "Forbidden",
    "HTMLResponse",
    "NotFound",
    "TooLarge",
    "Unprocessable",
    "ValidationFailed",
    "describe_validation",
    "error_phrases",
    "install_error_handlers",
]
