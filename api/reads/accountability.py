"""The accountability register (问责), newest first.

Who reads it: an inspector, every measure; a supervisor, measures on cases in their scope;
a leader, only the measures taken against themselves. Other roles are refused (403).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import Request

from api.access import Access, ScopeSQL, reader_access
from api.auth import Principal
from api.view_query import Where, decode_cursor, local_time, page_of, period, unit_paths, view_database
from domain.vocabulary import Role
from projections.accountability.view import register_page
from projections.case_status.context import utc_text

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


def register_pages(
    request: Request, who: Principal, *, leader: str | None, unit: str | None, start: date | None,
    to: date | None, limit: int,
) -> Callable[[str | None], dict[str, Any]]:  # fmt: skip
    """The measures in the reader's scope, filtered by target leader, target unit subtree and
    period: a function from a cursor to one page of `limit` measures."""
    paths = unit_paths(request)
    where = Where().scope(register_scope(who, reader_access(request, who)))
    if leader is not None:
        where.add("target_leader_id = ?", leader)
    if unit is not None:
        where.under("target_unit_path", paths.path(unit))
    period(where, start, to)

    def page(after: str | None) -> dict[str, Any]:
        with view_database(request).transaction(write=False) as tx:
            rows = register_page(tx, where.sql, where.params, limit=limit + 1, after=decode_cursor(after))
        items, next_cursor = page_of(rows, limit)
        return {
            "items": [{**r, "occurred_at": local_time(r["occurred_at"])} for r in items],
            "next_cursor": next_cursor,
        }

    return page


def register(
    request: Request, who: Principal, *, leader: str | None, unit: str | None, start: date | None,
    to: date | None, limit: int, cursor: str | None,
) -> dict[str, Any]:  # fmt: skip
    """One page of the register, from `cursor`."""
    return register_pages(request, who, leader=leader, unit=unit, start=start, to=to, limit=limit)(cursor)
