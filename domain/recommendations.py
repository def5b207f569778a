"""The petition bureau's recommendations to a unit and the unit's written feedback (第四十条).

A recommendation (improve the work, complete a policy, hold someone to account) names a target
unit and its text, never a case or a party: an accountability recommendation goes to the unit
that may be the accused side of an accusation, and must not tell it who accused it (第三十条).
The unit feeds back in writing whether it adopts it, once, by a due date the policy in force
sets (`Policy.recommendation_feedback_days`; the regulation names no period).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

from domain.arguments import checked
from domain.context import current_context
from domain.errors import InvalidInput, TransitionNotAllowed
from domain.ledger import LedgerAggregate, LedgerCreated, LedgerEvent
from domain.policy import get_policy, local_date
from domain.rules import Rule
from domain.vocabulary import RecommendationKind

ART_40 = "第四十条"

RECOMMENDATION_TARGET_WITHIN_SUBTREE = Rule(
    "recommendation_target_within_own_subtree",
    "a supervisor recommends to a unit of the tree in his own unit's subtree",
    ART_40,
)
FEEDBACK_ONCE = Rule(
    "recommendation_feedback_once",
    "the unit feeds back once on a recommendation (a mistake is a new recommendation, not a second answer)",
    ART_40,
    TransitionNotAllowed,
)
FEEDBACK_IN_WRITING = Rule(
    "recommendation_feedback_in_writing",
    "the feedback says in writing whether and how the recommendation is adopted (书面反馈采纳情况)",
    ART_40,
    InvalidInput,
)


class RecommendationIssued(LedgerCreated):
    kind: RecommendationKind
    target_unit_code: str
    text: str
    issuing_unit: str
    policy_version: str
    feedback_due: date

    def apply(self, rec: Any) -> None:
        rec.kind, rec.target_unit_code, rec.text = self.kind, self.target_unit_code, self.text
        rec.issuing_unit, rec.feedback_due = self.issuing_unit, self.feedback_due
        rec.issued_by, rec.issued_at = self.actor.user_id, self.occurred_at


class RecommendationFeedbackGiven(LedgerEvent):
    adopted: bool
    text: str

    def apply(self, rec: Any) -> None:
        rec.adopted, rec.feedback_text = self.adopted, self.text
        rec.feedback_by, rec.feedback_at = self.actor.user_id, self.occurred_at


class Recommendation(LedgerAggregate):
    def __init__(self) -> None:
        super().__init__()
        self.kind: RecommendationKind | None = None
        self.target_unit_code = self.text = self.issuing_unit = self.issued_by = ""
        self.feedback_due: date | None = None
        self.adopted: bool | None = None
        self.feedback_text: str | None = None

    @classmethod
    @checked
    def issue(
        cls,
        *,
        kind: RecommendationKind,
        target_unit_code: str,
        text: str,
        issuing_unit: str,
        policy_version: str,
    ) -> Recommendation:
        policy = get_policy(policy_version)
        issued_on = local_date(current_context().effective_occurred_at())
        due = policy.add_days(issued_on, policy.recommendation_feedback_days)
        return cls._start(
            RecommendationIssued,
            id=uuid4(),
            kind=kind,
            target_unit_code=target_unit_code,
            text=text,
            issuing_unit=issuing_unit,
            policy_version=policy_version,
            feedback_due=due,
        )

    @checked
    def give_feedback(self, *, adopted: bool, text: str) -> None:
        FEEDBACK_ONCE.check(self.adopted is None, recommendation_id=str(self.id))
        FEEDBACK_IN_WRITING.check(bool(text.strip()), field="text")
        self.trigger_event(RecommendationFeedbackGiven, adopted=adopted, text=text)


RECOMMENDATION_EVENTS: tuple[type[LedgerEvent], ...] = (RecommendationIssued, RecommendationFeedbackGiven)
