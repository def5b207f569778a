"""Leader caseloads (包案领导), now or as of a past time on either timeline.

Counts obey the reader's role scope: a reader's numbers count only cases in it. They are
aggregates, which may count an accusation whose reader is on its accused side (DOMAIN.md R1);
no caseload lists a case.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from api import list_exports
from api.access import reader_access
from api.auth import CurrentUser
from api.freshness import MinPosition
from api.list_exports import Names, all_items
from api.routers.case_list import AsOf, KnownAt, Limit, _invalid, when
from api.view_query import Where, unit_paths, view_database
from projections.caseload import Period, caseloads, empty
from projections.practices import leader_reception_counts

router = APIRouter(prefix="/api/v1", tags=["views"])

Unit = Annotated[str | None, Query(max_length=100, description="cases held by this unit and its sub-units")]
From = Annotated[date | None, Query(alias="from", description="period start (China date, inclusive)")]
To = Annotated[date | None, Query(alias="to", description="period end (China date, inclusive)")]
After = Annotated[str | None, Query(max_length=100, description="`next_cursor` of the previous page")]


def _load(
    request: Request, who: CurrentUser, unit: str | None, leader: str | None,
    as_of: Any, known_at: Any, start: date | None, end: date | None, limit: int, after: str | None,
) -> list[dict[str, Any]]:  # fmt: skip
    if start is not None and end is not None and start > end:
        raise _invalid("from", "the period starts after it ends")
    at, day = when(as_of, known_at)
    paths = unit_paths(request)
    where = Where().scope(reader_access(request, who).counted())
    if unit is not None:
        where.under("unit_path", paths.path(unit))
    if leader is not None:
        where.add("leader_id = ?", leader)
    counted = reader_access(request, who).counted("s")
    with view_database(request).transaction(write=False) as tx:
        rows = caseloads(
            tx, at, where.sql, where.params, today=day, period=Period(start, end), limit=limit, after=after
        )
        # 领导接访 (issue 21): receptions the leader held (in the period) and the petitions
        # registered at them, counted in the reader's scope like the rest of the row.
        held = leader_reception_counts(
            tx, [r["leader_id"] for r in rows], counted.where, counted.params, start, end
        )
    none = {"receptions": 0, "reception_cases": 0}
    return [{**r, **held.get(r["leader_id"], none)} for r in rows]


@router.get("/caseloads")
def list_caseloads(
    request: Request, who: CurrentUser, _: MinPosition = None, unit: Unit = None,
    as_of: AsOf = None, known_at: KnownAt = None, start: From = None, end: To = None,
    limit: Limit = 100, cursor: After = None, format: list_exports.Format = None,
) -> Any:  # fmt: skip
    """One caseload row per leader holding cases in the reader's scope, by leader id."""

    def page(after: str | None) -> dict[str, Any]:
        rows = _load(request, who, unit, None, as_of, known_at, start, end, limit + 1, after)
        more = len(rows) > limit
        rows = rows[:limit]
        return {"items": rows, "next_cursor": rows[-1]["leader_id"] if more else None}

    if format == "xlsx":
        return list_exports.caseloads(all_items(page), Names.read(request))
    return page(cursor)


@router.get("/leaders/{leader_id}/caseload")
def leader_caseload(
    leader_id: str, request: Request, who: CurrentUser, _: MinPosition = None, unit: Unit = None,
    as_of: AsOf = None, known_at: KnownAt = None, start: From = None, end: To = None,
) -> dict[str, Any]:  # fmt: skip
    """One leader's caseload (zeros when they hold no case the reader may see)."""
    rows = _load(request, who, unit, leader_id, as_of, known_at, start, end, 1, None)
    return rows[0] if rows else {**empty(leader_id), "receptions": 0, "reception_cases": 0}
