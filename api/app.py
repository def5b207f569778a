"""The FastAPI application: routers, error mapping, a body size limit."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.bootstrap import build_application, build_views
from api.edge import ClientAddress, HostileInputGuard, trusted_networks
from api.errors import install_error_handlers, problem
from api.login_limit import FailedLoginLimiter
from api.metrics import Metrics, MetricsMiddleware
from api.openapi_problems import document_problems
from api.pages import install_pages
from api.public_limit import PublicLookupLimiter
from api.responses import JSON
from api.routers import (
    accountability,
    case_list,
    case_reads,
    case_replay,
    caseloads,
    cases,
    escalations,
    evidence,
    figures,
    health,
    imports,
    policies,
    practices,
    public,
    recommendations,
    reference,
    reports,
    satisfaction,
)
from api.routers import ledger as ledger_routes  # `ledger` names the application below
from api.routers import metrics as metrics_routes
from api.settings import Settings
from domain.application import LedgerApplication
from projections.engine.positions import PositionBoard
from projections.engine.read_pool import PooledViewDatabase
from projections.engine.runner import ViewRunner
from projections.engine.view import View
from projections.reference_data.units import UnitPaths

DESCRIPTION = """
An event-sourced, audit-first ledger of petition case work (信访), under the 2022
《信访工作条例》. Every action is an immutable event; corrections are new events.
Authenticate with `Authorization: Bearer <token>`. Errors are RFC 9457 problem details
with a stable `code`.
"""


class BodySizeLimit:
    """Refuse request bodies over a limit, declared or streamed, before the app reads them.

    A streamed (chunked) body is buffered up to the limit and then replayed to the app, so an
    oversize body gets 413 rather than whatever error the body parser would make of a cut stream.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, larger: dict[str, int] | None = None) -> None:
        self.app, self.max_bytes, self.larger = app, max_bytes, larger or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = max(self.max_bytes, self.larger.get(scope.get("path", ""), 0))
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send)
            return
        messages: list[Message] = []
        size, more = 0, True
        while more:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > limit:
                await self._refuse(scope, receive, send)
                return
            more = bool(message.get("more_body"))

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(
            413, "body_too_large", "Body too large", f"request bodies are limited to {self.max_bytes} bytes"
        )
        await response(scope, receive, send)


def create_app(
    settings: Settings | None = None,
    ledger: LedgerApplication | None = None,
    view_classes: Sequence[type[View]] | None = None,
) -> FastAPI:
    """The app; `view_classes` replaces the registry's views (tests use views of their own)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The single-process default keeps the views current in a background thread.
        if runner is not None:
            runner.start()
        try:
            yield
        finally:
            if runner is not None:
                runner.stop()
            app.state.view_reads.close()
            if owned:
                app.state.ledger.close()

    owned = ledger is None
    ledger = ledger or build_application(settings)
    view_db, views = build_views(ledger, view_classes)
    runner = ViewRunner(ledger, view_db, views) if settings.run_views and views else None
    # FastAPIOffline serves the Swagger UI and ReDoc assets from the package: offices run on
    # closed networks, and the stock /docs page (assets from a CDN) would be blank there.
    app = FastAPIOffline(
        title="xinfang-ledger",
        version="0.1.0",
        description=DESCRIPTION,
        default_response_class=JSON,
        lifespan=lifespan,
    )
    app.state.ledger = ledger
    app.state.settings = settings
    app.state.unit_paths = UnitPaths(ledger)
    app.state.login_limiter = FailedLoginLimiter(settings.auth_failure_limit, settings.auth_failure_window_seconds)
    app.state.public_limiter = PublicLookupLimiter(
        lambda: app.state.view_reads, settings.public_lookup_failure_limit, settings.public_lookup_window_seconds
    )
    app.state.view_runner = runner
    app.state.view_reads = PooledViewDatabase(ledger.store)  # pooled connections for view queries
    # Waits and /readyz read positions the same way whether views run here or in `xinfang project`.
    app.state.view_board = runner.board if runner else PositionBoard(ledger, view_db, [v.name for v in views])
    app.state.metrics = Metrics(app.state.view_board)
    install_error_handlers(app)
    routers = (
        health,
        reference,
        policies,
        case_list,
        cases,
        case_reads,
        case_replay,
        evidence,
        caseloads,
        satisfaction,
        accountability,
        recommendations,
        escalations,
        figures,
        imports,
        reports,
        practices,
        ledger_routes,
        metrics_routes,
        public,
    )
    for module in routers:
        router = module.router
        app.include_router(router)
    app.include_router(public.receipts)
    install_pages(app)  # web pages (简体中文) beside the API: /login, /cases, ...
    document_problems(app)
    # A 台账 upload may be larger than a command's body; the route refuses a file over its own
    # limit with 422 (api/ledger_rows.MAX_BYTES), this only bounds what is read at all.
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes, larger=imports.UPLOAD_LIMITS)
    app.add_middleware(HostileInputGuard)
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)  # counts 413s and 422s too
    # Outermost: every layer inside, the failed-login limiter among them, sees the real client.
    app.add_middleware(ClientAddress, proxies=trusted_networks(settings.trusted_proxies))
    return app
