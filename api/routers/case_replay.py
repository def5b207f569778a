"""Disputed-case review: a case replayed event by event, and who held it while it was overdue
(api/reads/replay.py)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request

from api.auth import CurrentUser, Ledger
from api.reads import replay as reads
from api.routers.case_reads import Purpose, Unmask

router = APIRouter(prefix="/api/v1/cases", tags=["case reads"])


@router.get("/{case_id}/replay")
def replay(
    case_id: UUID, request: Request, ledger: Ledger, who: CurrentUser,
    unmask: Unmask = False, purpose: Purpose = None,
) -> dict[str, Any]:  # fmt: skip
    """After each event: the case, what changed, the clocks still running and who held the case."""
    return reads.case_replay(request, ledger, who, case_id, unmask=unmask, purpose=purpose)


@router.get("/{case_id}/delays")
def case_delays(case_id: UUID, request: Request, ledger: Ledger, who: CurrentUser) -> dict[str, Any]:
    """Every interval in which a clock was overdue, its days, and who held the case in each part."""
    return reads.case_delays(request, ledger, who, case_id)
