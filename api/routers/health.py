"""Liveness and readiness (no token needed)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from api.auth import Ledger
from api.responses import JSON
from projections.engine.positions import PositionBoard

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(ledger: Ledger, request: Request) -> Any:
    """Ready when the store answers and no view is stopped; each view's position, lag and error."""
    board: PositionBoard = request.app.state.view_board
    try:
        position = ledger.recorder.max_notification_id() or 0
        views = {name: status.as_dict() for name, status in board.positions().items()}
    except Exception as exc:  # any store failure means not ready
        return JSON({"ready": False, "store": "unavailable", "error": type(exc).__name__}, status_code=503)
    stopped = sorted(name for name, status in views.items() if status["stopped"])
    body = {"ready": not stopped, "store": ledger.store.kind, "ledger_position": position, "views": views}
    if stopped:
        return JSON({**body, "stopped_views": stopped}, status_code=503)
    return body
