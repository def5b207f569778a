"""GET /api/v1/accountability: the accountability register (问责), newest first.

Who reads it: an inspector, every measure; a supervisor, measures on cases in their scope;
a leader, only the measures taken against themselves. Other roles are refused (403).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from api import list_exports
from api.access import Access, ScopeSQL, reader_access
from api.auth import CurrentUser, Principal
from api.freshness import MinPosition
from api.list_exports import Format, Names, all_items
from api.view_query import Where, decode_cursor, local_time, page_of, period, unit_paths, view_database
from domain.vocabulary import Role
from projections.accountability import register_page
from projections.case_context import utc_text

router = APIRouter(prefix="/api/v1", tags=["views"])

READERS = frozenset({Role.INSPECTOR, Role.SUPERVISOR, Role.LEADER})


def register_scope(who: Principal, access: Access) -> ScopeSQL:
    """The measures this reader may see (the rule is here, beside the only listing it governs):
    on cases the reader may see at all (第三十条), and a leader's only when taken against him."""
    who.require(READERS, "read the accountability register")
    rows = access.rows(utc_text)
    if who.role is Role.LEADER:
        if who.leader_id is None:
            return ScopeSQL("1=0", ())
        return ScopeSQL(f"target_leader_id = ? AND ({rows.where})", (who.leader_id, *rows.params))
    return rows


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
    paths = unit_paths(request)
    where = Where().scope(register_scope(who, reader_access(request, who)))
    if leader is not None:
        where.add("target_leader_id = ?", leader)
    if unit is not None:
        where.under("target_unit_path", paths.path(unit))
    period(where, from_, to)

    def page(after: str | None) -> dict[str, Any]:
        with view_database(request).transaction(write=False) as tx:
            rows = register_page(tx, where.sql, where.params, limit=limit + 1, after=decode_cursor(after))
        items, next_cursor = page_of(rows, limit)
        return {
            "items": [{**r, "occurred_at": local_time(r["occurred_at"])} for r in items],
            "next_cursor": next_cursor,
        }

    if format == "xlsx":
        return list_exports.accountability(all_items(page), Names.read(request))
    return page(cursor)
