"""Leader caseloads (包案领导), now or as of a past time on either timeline.

Counts obey the reader's role scope: a reader's numbers count only cases in it. They are
aggregates, which may count an accusation whose reader is on its accused side (DOMAIN.md R1);
no caseload lists a case.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import Request

from api.access import reader_access
from api.auth import Principal
from api.reads.case_lists import invalid, when
from api.view_query import Where, unit_paths, view_database
from projections.case_status.caseload import Period, caseloads, empty
from projections.practices.queries import leader_reception_counts


def _load(
    request: Request, who: Principal, unit: str | None, leader: str | None,
    as_of: datetime | None, known_at: datetime | None, start: date | None, end: date | None, limit: int,
    after: str | None,
) -> list[dict[str, Any]]:  # fmt: skip
    if start is not None and end is not None and start > end:
        raise invalid("from", "the period starts after it ends")
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


def caseload_page(
    request: Request, who: Principal, *, unit: str | None, as_of: datetime | None, known_at: datetime | None,
    start: date | None, end: date | None, limit: int, cursor: str | None,
) -> dict[str, Any]:  # fmt: skip
    """One caseload row per leader holding cases in the reader's scope, by leader id: one page."""
    rows = _load(request, who, unit, None, as_of, known_at, start, end, limit + 1, cursor)
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next_cursor": rows[-1]["leader_id"] if more else None}


def leader_caseload(
    request: Request, who: Principal, leader_id: str, *, unit: str | None, as_of: datetime | None,
    known_at: datetime | None, start: date | None, end: date | None,
) -> dict[str, Any]:  # fmt: skip
    """One leader's caseload (zeros when they hold no case the reader may see)."""
    rows = _load(request, who, unit, leader_id, as_of, known_at, start, end, 1, None)
    return rows[0] if rows else {**empty(leader_id), "receptions": 0, "reception_cases": 0}
