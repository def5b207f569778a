"""RFC 9457 problem details: one table maps every domain error to a status and stable code."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.responses import JSON
from domain import errors as de

log = logging.getLogger("xinfang.api")

PROBLEM = "application/problem+json"
# What a 503 store_unavailable tells clients to wait: a restarting server is usually back by then.
STORE_RETRY_AFTER_SECONDS = 2

STATUS: dict[type[de.DomainError], int] = {
    de.InvalidInput: 422,
    de.RuleViolated: 422,
    de.IdempotencyKeyReused: 422,
    de.TransitionNotAllowed: 409,
    de.DeadlinePassed: 409,
    de.VersionConflict: 409,
    de.AlreadyExists: 409,
    de.CaseNotFound: 404,
    de.NotFound: 404,
    de.Forbidden: 403,
}


class Unauthenticated(Exception):
    """No valid bearer token."""


class ProblemError(Exception):
    """An API-level problem that is not a domain error (e.g. a malformed header)."""

    def __init__(
        self, status: int, code: str, detail: str, *, headers: dict[str, str] | None = None, **extra: Any
    ) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.extra = status, code, detail, extra
        self.headers = headers or {}


RESERVED = frozenset({"type", "title", "status", "detail", "code"})


def problem(
    status: int, code: str, title: str, detail: str, *, headers: dict[str, str] | None = None, **extra: Any
) -> JSON:
    # Context never overwrites the problem's own members (a case's status is not the HTTP status).
    extra = {(f"context_{k}" if k in RESERVED else k): v for k, v in extra.items()}
    body = {"type": f"https://xinfang-ledger.invalid/problems/{code}", "title": title, "status": status,
            "detail": detail, "code": code, **extra}  # fmt: skip
    headers = {**(headers or {}), **({"WWW-Authenticate": "Bearer"} if status == 401 else {})}
    return JSON(body, status_code=status, media_type=PROBLEM, headers=headers or None)


def _status_for(error: de.DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 422


def _jsonable(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(de.DomainError)
    async def domain_error(_: Request, exc: de.DomainError) -> JSON:
        extra = {k: _jsonable(v) for k, v in exc.context.items()}
        if exc.article:
            extra["article"] = exc.article
        if isinstance(exc, de.InvalidInput) and "field" in extra:
            extra["errors"] = [{"field": extra["field"], "message": exc.message}]
        return problem(_status_for(exc), exc.code, type(exc).__name__, exc.message, **extra)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSON:
        errors = [
            {"field": ".".join(str(p) for p in e.get("loc", ()) if p not in ("body", "query", "path", "header")),
             "message": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]  # fmt: skip
        return problem(
            422, "validation_failed", "Validation failed", "the request is not valid", errors=errors
        )

    @app.exception_handler(Unauthenticated)
    async def unauthenticated(_: Request, exc: Unauthenticated) -> JSON:
        return problem(
            401, "unauthenticated", "Unauthenticated", str(exc) or "a valid bearer token is required"
        )

    @app.exception_handler(ProblemError)
    async def api_problem(_: Request, exc: ProblemError) -> JSON:
        title = exc.code.replace("_", " ").capitalize()
        return problem(exc.status, exc.code, title, exc.detail, headers=exc.headers, **exc.extra)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSON:
        code = {400: "malformed_body", 404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}.get(
            exc.status_code, "http_error"
        )
        return problem(exc.status_code, code, str(exc.detail), str(exc.detail))

    @app.exception_handler(OverflowError)
    async def out_of_range(_: Request, exc: OverflowError) -> JSON:
        # Only input reaches these limits (a date in year 1 moved to China time, a 100-digit
        # number): the request is wrong, not the server.
        return problem(422, "validation_failed", "Validation failed", f"a value is out of range: {exc}")

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    @app.exception_handler(psycopg.OperationalError)
    @app.exception_handler(psycopg.InterfaceError)
    @app.exception_handler(sqlite3.OperationalError)
    async def store_down(_: Request, exc: Exception) -> JSON:
        if isinstance(exc, sqlite3.OperationalError) and not is_sqlite_busy(exc):
            raise exc  # a bug (no such table, bad SQL), not an outage: let it be a 500
        log.warning("store unavailable: %s: %s", type(exc).__name__, exc)
        return problem(
            503, "store_unavailable", "Store unavailable", "the ledger store is not reachable; retry shortly",
            headers={"Retry-After": str(STORE_RETRY_AFTER_SECONDS)},
        )  # fmt: skip


def is_sqlite_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text or "unable to open" in text
