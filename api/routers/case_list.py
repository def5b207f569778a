"""GET /api/v1/cases and /api/v1/overdue: the listings of api/reads/case_lists.py, as JSON pages
or, with `format=xlsx`, every page from the first in one workbook."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from api import list_exports
from api.auth import CurrentUser
from api.freshness import MinPosition
from api.list_exports import Format, Names, all_items
from api.reads.case_lists import CaseFilters, CaseListing, case_list, overdue_list
from domain.vocabulary import Channel, Status

router = APIRouter(prefix="/api/v1", tags=["views"])

MAX_LIMIT = 500
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="rows per page (at most 500)")]
Cursor = Annotated[str | None, Query(max_length=500, description="`next_cursor` of the previous page")]
AsOf = Annotated[datetime | None, Query(description="the state in the world at this time (by occurred_at)")]
KnownAt = Annotated[datetime | None, Query(description="the state as the ledger knew it at this time")]


def listing(
    request: Request, found: CaseListing, limit: int, cursor: str | None, fmt: str | None, filename: str
) -> Any:
    """One page as JSON, or with `format=xlsx` every page from the first, `limit` at a time."""
    if fmt != "xlsx":
        return found.page(limit, cursor)
    rows = all_items(lambda after: found.page(limit, after))
    return list_exports.cases(rows, Names.read(request), filename)


@router.get("/cases")
def list_cases(
    request: Request, who: CurrentUser, _: MinPosition = None,
    status: Annotated[list[Status] | None, Query(description="one or more statuses")] = None,
    unit: Annotated[str | None, Query(max_length=100, description="the holding unit and its sub-units")] = None,
    leader: Annotated[str | None, Query(max_length=100)] = None,
    category: Annotated[str | None, Query(max_length=100)] = None,
    channel: Channel | None = None,
    overdue: Annotated[bool | None, Query(description="a deadline ran out before the day asked")] = None,
    backlog: Annotated[bool | None, Query(description="on a backlog campaign (积案)")] = None,
    first_petition: Annotated[bool | None, Query(description="a first petition (初信初访)")] = None,
    reception: Annotated[str | None, Query(max_length=100, description="registered at this reception")] = None,
    registered_from: Annotated[date | None, Query(description="registered on or after (China date)")] = None,
    registered_to: Annotated[date | None, Query(description="registered on or before (China date)")] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=100, description="text in the subject")] = None,
    as_of: AsOf = None, known_at: KnownAt = None, limit: Limit = 50, cursor: Cursor = None,
    format: Format = None,
) -> Any:  # fmt: skip
    """Case status rows in the reader's scope, newest registration first, one keyset page."""
    filters = CaseFilters(
        status=status, unit=unit, leader=leader, category=category, channel=channel, overdue=overdue,
        backlog=backlog, first_petition=first_petition, reception=reception,
        registered_from=registered_from, registered_to=registered_to, q=q,
    )  # fmt: skip
    found = case_list(request, who, filters, as_of, known_at)
    return listing(request, found, limit, cursor, format, "案件列表.xlsx")


@router.get("/overdue")
def list_overdue(
    request: Request, who: CurrentUser, _: MinPosition = None,
    unit: Annotated[str | None, Query(max_length=100, description="the holding unit and its sub-units")] = None,
    leader: Annotated[str | None, Query(max_length=100)] = None,
    as_of: AsOf = None, known_at: KnownAt = None, limit: Limit = 50, cursor: Cursor = None,
    format: Format = None,
) -> Any:  # fmt: skip
    """Cases with an office deadline run out, the longest overdue first, with that clock and its article."""
    found = overdue_list(request, who, unit, leader, as_of, known_at)
    return listing(request, found, limit, cursor, format, "超期案件.xlsx")
