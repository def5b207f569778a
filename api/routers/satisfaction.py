"""GET /api/v1/satisfaction: return visits, or satisfaction rates by leader, unit, category or month."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from api import list_exports
from api.access import reader_access
from api.auth import CurrentUser
from api.freshness import MinPosition
from api.list_exports import Format, Names, all_items
from api.view_query import Where, decode_cursor, local_time, page_of, period, unit_paths, view_database
from projections.case_status.context import utc_text
from projections.satisfaction import rates

router = APIRouter(prefix="/api/v1", tags=["views"])

GroupBy = Literal["leader", "unit", "category", "month"]


@router.get("/satisfaction")
def satisfaction(
    request: Request,
    who: CurrentUser,
    _: MinPosition,
    group_by: Annotated[GroupBy | None, Query(description="rates per group; without it, the visits")] = None,
    from_: Annotated[date | None, Query(alias="from", description="visits on or after this day")] = None,
    to: Annotated[date | None, Query(description="visits on or before this day")] = None,
    unit: Annotated[str | None, Query(max_length=100, description="unit subtree holding the case")] = None,
    leader: Annotated[str | None, Query(max_length=100, description="leader holding the case")] = None,
    category: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    format: Format = None,
) -> Any:
    """Return visits (newest first), or counts and 满意率 by leader, unit, category or month, in your scope."""
    paths = unit_paths(request)
    # Visits on cases the reader may see at all, for the records and the rates alike (第三十条).
    scope = reader_access(request, who).rows(utc_text)
    # Filters every table of the view has; the period applies to the visits only.
    held = Where().scope(scope)
    if unit is not None:
        held.under("unit_path", paths.path(unit))
    if leader is not None:
        held.add("leader_id = ?", leader)
    if category is not None:
        held.add("category = ?", category)
    visits = period(Where(list(held.clauses), list(held.params)), from_, to)

    def page(after: str | None) -> dict[str, Any]:
        with view_database(request).transaction(write=False) as tx:
            rows = rates.records_page(tx, visits.sql, visits.params, limit=limit + 1, after=decode_cursor(after))
        items, next_cursor = page_of(rows, limit)
        return {"items": [{**r, "occurred_at": local_time(r["occurred_at"])} for r in items],
                "next_cursor": next_cursor}  # fmt: skip

    if group_by is None:
        if format == "xlsx":
            return list_exports.visits(all_items(page), Names.read(request))
        return page(cursor)
    with view_database(request).transaction(write=False) as tx:
        groups = rates.group_counts(tx, group_by, visits.sql, visits.params)
        keys = set(groups) | rates.held_keys(tx, group_by, held.sql, held.params)
        total = rates.total(tx, visits.sql, visits.params)
    if group_by == "month":
        keys |= _months(groups, from_, to)
    body = {
        "group_by": group_by,
        "groups": [{"key": k, **groups.get(k, rates.Counts()).as_dict()} for k in sorted(keys)],
        "total": total.as_dict(),
    }
    return list_exports.satisfaction_groups(body, Names.read(request)) if format == "xlsx" else body


def _months(groups: dict[str, Any], start: date | None, end: date | None) -> set[str]:
    """Every month of the period asked (or between the first and last visit), so an empty month shows."""
    first = start.isoformat()[:7] if start else min(groups, default=None)
    last = end.isoformat()[:7] if end else max(groups, default=None)
    if first is None or last is None:
        return set()
    return set(rates.months_between(first, last))
