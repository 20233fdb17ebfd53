"""create_app(settings): routers, error handlers, middleware; the lifespan starts the runtime."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import Response

from jarvis import __version__
from jarvis.accounts import collector as accounts_collector
from jarvis.accounts import routes as accounts_routes
from jarvis.chat import collector as chat_collector
from jarvis.chat import routes as chat_routes
from jarvis.chat.schemas import MESSAGE_RENDERER
from jarvis.checks import check_settings
from jarvis.core import http as outbound
from jarvis.core.apidocs import install_api_docs
from jarvis.core.auth import Scope, require
from jarvis.core.cache import TTLCache
from jarvis.core.context import AppContext
from jarvis.core.db import SERVER_APPLICATION_NAME, Database
from jarvis.core.errors import install_error_handlers
from jarvis.core.gateway import Gateway, RouteTable, allowed_host_names
from jarvis.core.headers import SECURITY_HEADERS
from jarvis.core.hub import InMemoryHub
from jarvis.core.logging import RequestIdMiddleware
from jarvis.core.middleware import BodyLimitMiddleware, NulStripMiddleware
from jarvis.core.migrate import upgrade_async
from jarvis.core.sections import SECTION_READER
from jarvis.core.serverlock import server_lock
from jarvis.costs import routes as costs_routes
from jarvis.dashboard import routes as dashboard_routes
from jarvis.dashboard.snapshot import SNAPSHOT, SnapshotService
from jarvis.financial import routes as financial_routes
from jarvis.health import collector as health_collector
from jarvis.health import routes as health_routes
from jarvis.instances import collector as instances_collector
from jarvis.instances import routes as instances_routes
from jarvis.metrics import collector as metrics_collector
from jarvis.metrics import routes as metrics_routes
from jarvis.notifications import collector as notifications_collector
from jarvis.notifications import routes as notifications_routes
from jarvis.proactive import collector as proactive_collector
from jarvis.proactive import routes as proactive_routes
from jarvis.projects import routes as projects_routes
from jarvis.settings import Settings, load_settings
from jarvis.web import chat as web_chat
from jarvis.web import routes as web_routes
from jarvis.web.errors import error_page

log = structlog.get_logger("jarvis.app")

ROUTERS = [
    accounts_routes.router,
    dashboard_routes.router,
    instances_routes.router,
    projects_routes.router,
    health_routes.router,
    health_routes.push_router,
    health_routes.maintenance_router,
    metrics_routes.router,
    financial_routes.router,
    chat_routes.router,
    proactive_routes.router,
    notifications_routes.router,
    costs_routes.router,
    web_routes.router,
]
# Order matters: notifications before proactive (the engine delivers through channels).
COLLECTORS = [
    accounts_collector,
    instances_collector,
    health_collector,
    metrics_collector,
    notifications_collector,
    proactive_collector,
    chat_collector,
]


# The routes that are not FastAPI's (mounts, the OpenAPI document) and the scope each is served under.
PLAIN_ROUTES: dict[str, Scope] = {"/static": "public", "/docs/assets": "read", "/openapi.json": "read"}


def build_context(settings: Settings) -> AppContext:
    return AppContext(
        settings=settings,
        db=Database(
            settings.effective_database_url,
            application_name=SERVER_APPLICATION_NAME,
            pool=(settings.database.pool_size, settings.database.max_overflow, settings.database.pool_timeout_s),
        ),
        cache=TTLCache(max_keys=settings.cache.max_keys),
        hub=InMemoryHub(),
        http=outbound.make_client(settings.http.timeout_s),
    )


def create_app(
    settings: Settings | None = None, *, run_jobs: bool = True, migrate: bool = True, freeze_heap: bool = False
) -> FastAPI:
    """The whole server. Tests pass `run_jobs=False` and drive jobs through `ctx.runtime.run_once`.

    `freeze_heap` (`jarvis serve`): once started, what start-up made (modules, routes, settings, mappers)
    is moved out of the garbage collector's reach (`gc.freeze`). Without it a full collection walks all of
    it: 9 pauses of up to 68 ms in 8 s of hook ingestion, which were the requests' p99. Tests build many
    apps in one process and leave it off, so nothing of one test is kept for the next."""
    settings = check_settings(settings or load_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Held while the app runs, so `jarvis restore` refuses to replace the database under it.
        with server_lock(settings):
            ctx = build_context(settings)
            app.state.ctx = ctx
            if migrate:
                await upgrade_async(settings.effective_database_url)
            snapshot = SnapshotService(ctx)
            ctx.extras[SNAPSHOT] = snapshot
            ctx.extras[SECTION_READER] = snapshot
            for collector in COLLECTORS:
                collector.install(ctx)
            ctx.extras[MESSAGE_RENDERER] = web_chat.RENDERER  # chat's stream sends the page's own partial
            ctx.runtime.task("dashboard-publisher", snapshot.run_publisher)
            if run_jobs:
                ctx.runtime.start()
            if freeze_heap:
                gc.collect()
                gc.freeze()
            log.info("started", version=__version__, database=ctx.db.url.split("://", 1)[0])
            try:
                yield
            finally:
                await ctx.runtime.stop()
                await ctx.writer.close()
                await ctx.http.aclose()
                await ctx.db.dispose()
                log.info("stopped")

    app = FastAPI(
        title="Jarvis Command Center",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        telemetry={"tracing": False, "metrics": False},  # Prometheus at /metrics instead; saves a check per request
        description="Operations dashboard for a fleet of AI coding agents. Every JSON answer uses the envelope "
        '`{"success": true, "data": …}` or `{"success": false, "error", "code", "details", "request_id"}`.',
    )
    install_error_handlers(app, html_page=error_page)
    install_api_docs(app)
    for router in ROUTERS:
        app.include_router(router)

    @app.get(
        "/metrics",
        tags=["system"],
        dependencies=[require("read")],
        summary="Prometheus metrics",
        response_class=Response,
        responses={200: {"content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}}}},
    )
    async def metrics(request: Request) -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    web_routes.install_static(app)

    # Added first, so innermost: rate limit, CORS, body limit, request ids and headers all apply to it.
    table = RouteTable.from_app(app, PLAIN_ROUTES)  # a route without a scope stops start-up here
    app.state.route_table = table
    app.add_middleware(
        Gateway,
        table=lambda: table,
        allowed_hosts=allowed_host_names(settings.server.allowed_hosts, settings.server.host),
        allowed_origins=settings.server.cors_origins,
        html_page=error_page,
    )
    if settings.rate_limit.enabled:
        from jarvis.core.ratelimit import RateLimitMiddleware  # off by default: not loaded unless used

        app.add_middleware(
            RateLimitMiddleware,
            max_requests=settings.rate_limit.max_requests,
            window_minutes=settings.rate_limit.window_minutes,
        )
    if settings.server.cors_origins:
        # As the seed had it: the listed origins (its frontend on another port) may call the API with
        # credentials; a preflight from one of them answers 200. Without CORS_ORIGINS: same origin only.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.server.cors_origins,
            allow_credentials=True,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=["content-type", "authorization", "last-event-id", "x-request-id", "cache-control"],
            expose_headers=["x-request-id"],
        )
    app.add_middleware(NulStripMiddleware)  # inside the body cap: it reads bodies already capped
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.server.max_body_bytes)
    app.add_middleware(RequestIdMiddleware, extra_headers=SECURITY_HEADERS)
    return app
