"""Recommendations of 第四十条 to a unit, and the unit's written feedback on adopting them.

Issued by a supervisor to a unit of his subtree; read by the issuing side, the target unit and
inspectors (api/access.py); answered once by a user of the target unit, within the feedback
period of the policy in force (`Policy.recommendation_feedback_days`). A recommendation names no
case and no party (第三十条): the target unit may be an accusation's accused side.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request

from api.auth import CurrentUser, Ledger, audit
from api.freshness import MinPosition
from api.reads.recommendations import recommendation_page
from api.recommendation_feedback import feedback
from api.responses import JSON
from api.schemas import RecommendationFeedbackIn, RecommendationIn
from domain.vocabulary import RecommendationKind, Role

router = APIRouter(prefix="/api/v1", tags=["practices"])

ISSUERS = frozenset({Role.SUPERVISOR})


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
    return feedback(recommendation_id, body, request, ledger, who)


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
