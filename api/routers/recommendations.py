"""Recommendations of 第四十条 to a unit, and the unit's written feedback on adopting them.

Issued by a supervisor to a unit of his subtree; read by the issuing side, the target unit and
inspectors (api/access.py); answered once by a user of the target unit, within the feedback
period of the policy in force (`Policy.recommendation_feedback_days`). A recommendation names no
case and no party (第三十条): the target unit may be an accusation's accused side.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request

from api.access import may_give_feedback, may_see_recommendation, recommendation_rows
from api.auth import CurrentUser, Ledger, Principal, audit
from api.freshness import MinPosition
from api.responses import JSON
from api.schemas import RecommendationFeedbackIn, RecommendationIn
from api.view_query import Where, decode_cursor, encode_cursor, local_time, unit_paths, view_database
from domain.context import utcnow
from domain.errors import Forbidden, NotFound
from domain.policy import local_date
from domain.recommendations import Recommendation
from domain.vocabulary import RecommendationKind, Role
from projections.recommendations import select_recommendations, state_of

router = APIRouter(prefix="/api/v1", tags=["practices"])

ISSUERS = frozenset({Role.SUPERVISOR})
STATES = ("awaiting", "overdue", "adopted", "not_adopted")


def _not_found(recommendation_id: UUID) -> NotFound:
    return NotFound("no such recommendation", recommendation_id=str(recommendation_id))


@router.post("/recommendations", status_code=201)
def issue_recommendation(body: RecommendationIn, request: Request, ledger: Ledger, who: CurrentUser) -> JSON:
    """Recommend to a unit of your subtree: improve its work, complete a policy, or hold to account (第四十条)."""
    who.require(ISSUERS, "issue a recommendation")
    with audit(who, request):
        recommendation_id, position = ledger.issue_recommendation(
            kind=body.kind, target_unit_code=body.target_unit_code, text=body.text
        )
    feedback_due = ledger.get_recommendation(recommendation_id).feedback_due
    answer = {"recommendation_id": str(recommendation_id), "feedback_due": feedback_due, "position": position}
    return JSON(answer, status_code=201)


@router.post("/recommendations/{recommendation_id}/feedback")
def give_feedback(
    recommendation_id: UUID,
    body: RecommendationFeedbackIn,
    request: Request,
    ledger: Ledger,
    who: CurrentUser,
) -> dict[str, Any]:
    """The target unit's written feedback: adopted or not, and how (书面反馈采纳情况, 第四十条)."""
    paths = unit_paths(request)

    def authorize(recommendation: Recommendation) -> None:
        if not may_see_recommendation(who, paths, recommendation.target_unit_code):
            raise _not_found(recommendation_id)
        if not may_give_feedback(who, recommendation.target_unit_code):
            raise Forbidden("only a user of the recommended unit feeds back on it", role=who.role.value)

    with audit(who, request):
        position = ledger.give_recommendation_feedback(
            recommendation_id, adopted=body.adopted, text=body.text, authorize=authorize
        )
    return {"recommendation_id": str(recommendation_id), "position": position}


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


@router.get("/recommendations")
def list_recommendations(
    request: Request,
    who: CurrentUser,
    _: MinPosition = None,
    kind: Annotated[RecommendationKind | None, Query(description="improve, policy or accountability")] = None,
    state: Annotated[
        str | None,
        Query(pattern="^(awaiting|overdue|adopted|not_adopted)$", description="the feedback's state"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    """Recommendations you may see, newest first, each with its feedback and its state (awaiting, overdue, adopted, not_adopted)."""
    return recommendation_page(request, who, kind=kind, state=state, limit=limit, cursor=cursor)
