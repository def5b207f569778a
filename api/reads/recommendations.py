"""The recommendations of 第四十条 a reader may see, newest first, each with its feedback and its
state. Read by the issuing side, the target unit and inspectors (api/access.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import Request

from api.access import recommendation_rows
from api.auth import Principal
from api.view_query import Where, decode_cursor, encode_cursor, local_time, unit_paths, view_database
from domain.context import utcnow
from domain.policy import local_date
from domain.vocabulary import RecommendationKind
from projections.recommendations.view import select_recommendations, state_of

STATES = ("awaiting", "overdue", "adopted", "not_adopted")


def _item(row: dict[str, Any], today: date) -> dict[str, Any]:
    hidden = {"target_path", "position"}
    out = {k: v for k, v in row.items() if k not in hidden}
    out["issued_at"] = local_time(row["issued_at"])
    out["feedback_at"] = None if row["feedback_at"] is None else local_time(row["feedback_at"])
    out["state"] = state_of(row, today)
    return out


def recommendation_page(
    request: Request,
    who: Principal,
    *,
    kind: RecommendationKind | None = None,
    state: str | None = None,
    limit: int = 100,
    cursor: str | None = None,
) -> dict[str, Any]:
    """The recommendations this reader may see, newest first (the API and the page share it)."""
    today = local_date(utcnow())
    where = Where().scope(recommendation_rows(who, unit_paths(request)))
    if kind is not None:
        where.add("kind = ?", kind.value)
    if state == "adopted":
        where.add("adopted = ?", True)
    elif state == "not_adopted":
        where.add("adopted = ?", False)
    elif state == "awaiting":
        where.add("adopted IS NULL AND feedback_due >= ?", today.isoformat())
    elif state == "overdue":
        where.add("adopted IS NULL AND feedback_due < ?", today.isoformat())
    with view_database(request).transaction(write=False) as tx:
        rows = select_recommendations(
            tx, where.sql, where.params, limit=limit + 1, after=decode_cursor(cursor)
        )
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [_item(r, today) for r in rows],
        "next_cursor": encode_cursor(rows[-1]["issued_at"], rows[-1]["position"]) if more else None,
    }
