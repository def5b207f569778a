"""GET /api/v1/accountability: the accountability register (问责), newest first
(api/reads/accountability.py says who reads what)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from api import list_exports
from api.auth import CurrentUser
from api.freshness import MinPosition
from api.list_exports import Format, Names, all_items
from api.reads.accountability import register_pages

router = APIRouter(prefix="/api/v1", tags=["views"])


@router.get("/accountability")
def accountability(
    request: Request,
    who: CurrentUser,
    _: MinPosition,
    leader: Annotated[str | None, Query(max_length=100, description="the leader held to account")] = None,
    unit: Annotated[
        str | None, Query(max_length=100, description="the unit held to account, and below")
    ] = None,
    from_: Annotated[date | None, Query(alias="from", description="measures on or after this day")] = None,
    to: Annotated[date | None, Query(description="measures on or before this day")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    format: Format = None,
) -> Any:
    """Accountability measures in your scope, newest first; filter by target leader, target unit subtree, period."""
    page = register_pages(request, who, leader=leader, unit=unit, start=from_, to=to, limit=limit)
    if format == "xlsx":
        return list_exports.accountability(all_items(page), Names.read(request))
    return page(cursor)
