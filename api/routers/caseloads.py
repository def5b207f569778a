"""Leader caseloads (包案领导), now or as of a past time on either timeline (api/reads/caseloads.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from api import list_exports
from api.auth import CurrentUser
from api.freshness import MinPosition
from api.list_exports import Names, all_items
from api.reads import caseloads as reads
from api.routers.case_list import AsOf, KnownAt, Limit

router = APIRouter(prefix="/api/v1", tags=["views"])

Unit = Annotated[str | None, Query(max_length=100, description="cases held by this unit and its sub-units")]
From = Annotated[date | None, Query(alias="from", description="period start (China date, inclusive)")]
To = Annotated[date | None, Query(alias="to", description="period end (China date, inclusive)")]
After = Annotated[str | None, Query(max_length=100, description="`next_cursor` of the previous page")]


@router.get("/caseloads")
def list_caseloads(
    request: Request, who: CurrentUser, _: MinPosition = None, unit: Unit = None,
    as_of: AsOf = None, known_at: KnownAt = None, start: From = None, end: To = None,
    limit: Limit = 100, cursor: After = None, format: list_exports.Format = None,
) -> Any:  # fmt: skip
    """One caseload row per leader holding cases in the reader's scope, by leader id."""

    def page(after: str | None) -> dict[str, Any]:
        return reads.caseload_page(
            request,
            who,
            unit=unit,
            as_of=as_of,
            known_at=known_at,
            start=start,
            end=end,
            limit=limit,
            cursor=after,
        )

    if format == "xlsx":
        return list_exports.caseloads(all_items(page), Names.read(request))
    return page(cursor)


@router.get("/leaders/{leader_id}/caseload")
def leader_caseload(
    leader_id: str, request: Request, who: CurrentUser, _: MinPosition = None, unit: Unit = None,
    as_of: AsOf = None, known_at: KnownAt = None, start: From = None, end: To = None,
) -> dict[str, Any]:  # fmt: skip
    """One leader's caseload (zeros when they hold no case the reader may see)."""
    return reads.leader_caseload(
        request, who, leader_id, unit=unit, as_of=as_of, known_at=known_at, start=start, end=end
    )
