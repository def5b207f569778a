"""GET /api/v1/escalations: this month's concentrated-supervision list (集中督办) under the local
escalation policy (api/reads/escalations.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from api.auth import CurrentUser, Ledger
from api.freshness import MinPosition
from api.reads.escalations import escalation_list

router = APIRouter(prefix="/api/v1", tags=["practices"])


@router.get("/escalations")
def list_escalations(
    request: Request, ledger: Ledger, who: CurrentUser, _: MinPosition = None
) -> dict[str, Any]:
    """This month's concentrated-supervision list under the local escalation policy: matters assigned 3 or more times whose latest return visit is unsatisfied (empty while the policy is off)."""
    return escalation_list(request, ledger, who)
