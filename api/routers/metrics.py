"""GET /metrics: Prometheus exposition, behind a token.

The figures hold no case data, but request counts per route, view positions and stops tell an
outsider how busy an office is and when it is down: the scraper presents
XINFANG_METRICS_TOKEN, or an administrator's or inspector's bearer token.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.auth import Ledger, authenticate, bearer
from api.metrics import Metrics
from domain.vocabulary import Role

router = APIRouter(tags=["health"])

METRICS_READERS = frozenset({Role.ADMIN, Role.INSPECTOR})


def metrics_reader(
    request: Request,
    ledger: Ledger,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    """The scraper's token (compared in constant time), else a user of METRICS_READERS."""
    configured: str | None = request.app.state.settings.metrics_token
    presented = credentials.credentials if credentials and credentials.scheme.lower() == "bearer" else ""
    if configured and hmac.compare_digest(presented.encode(), configured.encode()):
        return
    who = authenticate(ledger, request, credentials)  # 401 / 429 as for every other call
    who.require(METRICS_READERS, "read the metrics")


@router.get("/metrics", response_class=Response, dependencies=[Depends(metrics_reader)])
def metrics(request: Request) -> Response:
    """Prometheus metrics (XINFANG_METRICS_TOKEN, or an admin's or inspector's token): HTTP status
    counts, command latency by command, view lag and stops."""
    collected: Metrics = request.app.state.metrics
    return Response(generate_latest(collected.registry), media_type=CONTENT_TYPE_LATEST)
