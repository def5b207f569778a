"""GET /api/v1/escalations: the month's concentrated-supervision list (集中督办) under the local
escalation policy (api/reads/escalations.py); `month=YYYY-MM` for an earlier month's, as of its end."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from api.auth import CurrentUser, Ledger
from api.freshness import MinPosition
from api.reads.escalations import escalation_list

router = APIRouter(prefix="/api/v1", tags=["practices"])

Month = Annotated[
    str | None,
    Query(
        pattern=r"^\d{4}-\d{2}$", description="YYYY-MM: that month's list as of its end (default: this month)"
    ),
]


@router.get("/escalations")
def list_escalations(
    request: Request, ledger: Ledger, who: CurrentUser, _: MinPosition = None, month: Month = None
) -> dict[str, Any]:
    """The month's concentrated-supervision list under the local escalation policy: matters assigned 3 or more times whose latest return visit is unsatisfied (empty while the policy is off). `month=YYYY-MM`: that month's list as of its end (a late entry counts from when it happened); default this month, as it stands now."""
    return escalation_list(request, ledger, who, month)
