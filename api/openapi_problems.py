"""The OpenAPI document tells the truth about errors: every error is RFC 9457 problem+json.

FastAPI documents a 422 as `application/json` with its own HTTPValidationError shape, but every
error this service sends goes through api/errors.py as `application/problem+json` with a stable
`code`. This rewrites the generated document once: each operation's 422 and a `default`
response point at one Problem schema (clients and the schemathesis run both rely on it).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from api.errors import PROBLEM

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 9457 problem details; `code` is stable, context members may follow",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {"type": "object", "properties": {"field": {"type": "string"}, "message": {"type": "string"}}},
        },
    },
    "additionalProperties": True,
}
REF = {"$ref": "#/components/schemas/Problem"}


def _problem_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM: {"schema": REF}}}


def problem_response(description: str) -> dict[str, Any]:
    """An operation's documented error (for `responses=` on a route): problem+json."""
    return _problem_response(description)


def document_problems(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = generate()
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        schemas["Problem"] = PROBLEM_SCHEMA
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        for path_item in document.get("paths", {}).values():
            for operation in path_item.values():
                responses = operation.setdefault("responses", {})
                if "422" in responses:
                    responses["422"] = _problem_response("the request is not valid (validation_failed)")
                responses.setdefault(
                    "default", _problem_response("an error: 4xx for the request, 503 when the store is unavailable")
                )
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
