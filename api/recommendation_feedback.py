"""The unit's written feedback on a recommendation (第四十条), one path for the API and the
/recommendations page: the same access rule (another unit's recommendation is not found; only a
user of the recommended unit answers), the same domain rules, the same audit context."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import Request

from api.access import may_give_feedback, may_see_recommendation
from api.auth import Principal, audit
from api.schemas import RecommendationFeedbackIn
from api.view_query import unit_paths
from domain.application import LedgerApplication
from domain.errors import Forbidden, NotFound
from domain.recommendations import Recommendation


def not_found(recommendation_id: UUID) -> NotFound:
    return NotFound("no such recommendation", recommendation_id=str(recommendation_id))


def feedback(
    recommendation_id: UUID, body: RecommendationFeedbackIn, request: Request, ledger: LedgerApplication,
    who: Principal,
) -> dict[str, Any]:  # fmt: skip
    """Record the feedback; the answer as the API gives it."""
    paths = unit_paths(request)

    def authorize(recommendation: Recommendation) -> None:
        if not may_see_recommendation(who, paths, recommendation.target_unit_code):
            raise not_found(recommendation_id)
        if not may_give_feedback(who, recommendation.target_unit_code):
            raise Forbidden("only a user of the recommended unit feeds back on it", role=who.role.value)

    with audit(who, request):
        position = ledger.give_recommendation_feedback(
            recommendation_id, adopted=body.adopted, text=body.text, authorize=authorize
        )
    return {"recommendation_id": str(recommendation_id), "position": position}
