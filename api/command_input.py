"""Command input shared by the API and the page forms: If-Match, Idempotency-Key, list values."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from api.auth import Principal
from api.errors import ProblemError
from domain.application import Idempotency

MAX_IDEMPOTENCY_KEY = 200


def expected_version(if_match: str | None) -> int | None:
    """`If-Match: 3` (quotes and a weak prefix are tolerated: W/"3")."""
    if if_match is None:
        return None
    raw = if_match.strip().removeprefix("W/").strip('"')
    # ASCII digits only: str.isdigit() also takes "٣" and "²", which int() then reads or refuses.
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        raise ProblemError(422, "validation_failed", "If-Match must be a case version number",
                           errors=[{"field": "If-Match", "message": "not a version number"}])  # fmt: skip
    return int(raw)


def idempotency(
    request: Request, who: Principal, key: str | None, body: Any, *, path: str | None = None
) -> Idempotency | None:
    """The key scoped to the user and what was asked; `path` names the API path when a page
    form runs the same command (so the key means the same request either way)."""
    if key is None:
        return None
    if not key or len(key) > MAX_IDEMPOTENCY_KEY:
        raise ProblemError(422, "validation_failed", "Idempotency-Key must be 1 to 200 characters",
                           errors=[{"field": "Idempotency-Key", "message": "bad length"}])  # fmt: skip
    return Idempotency.for_request(
        who.user_id, key, "POST" if path else request.method, path or request.url.path, body
    )


def as_domain_params(params: dict[str, Any]) -> dict[str, Any]:
    """Request lists become tuples: events hold immutable values."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}
