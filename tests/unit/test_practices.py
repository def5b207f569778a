"""The practices of issue 21 in memory: 落实 and its clock, the local escalation policy,
第三十九条 measures and 第四十条 recommendations."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain import recommendations as rec
from domain import rules
from domain.case import Case
from domain.clocks import compute_clocks, open_deadlines
from domain.context import command_context, utcnow
from domain.errors import DomainError, InvalidInput, TransitionNotAllowed
from domain.escalation import is_escalated
from domain.policy import get_policy, local_date
from domain.policy_adoptions import PolicyAdoptions
from domain.recommendations import Recommendation
from domain.rules import Rule
from domain.vocabulary import (
    AnswerOutcome,
    ClosureType,
    ContactMethod,
    DossierItem,
    LocalPolicy,
    Measure,
    RecommendationKind,
    Satisfaction,
)
from tests.factories import actor, answered_case, assigned_case, next_moment, perform


def supported_case() -> Case:
    case = assigned_case()
    at = next_moment(case)
    return perform(case, "answer", at=at, outcome=AnswerOutcome.SUPPORT, delivered_on=local_date(at))


# ---- 落实 (第三十三条) ---------------------------------------------------------------------------


def test_a_support_answer_opens_an_implementation_clock_due_by_the_policy_period() -> None:
    case = supported_case()
    events = case.collect_events()
    deadlines = {d.name: d for d in open_deadlines(events)}
    assert case.answer_delivered_on is not None
    policy = get_policy(case.policy_version)
    assert policy.implementation_days == 30  # the default no version overrides (policies.toml)
    due = policy.add_days(case.answer_delivered_on, 30)
    assert deadlines["implementation"].due_on == due
    assert deadlines["implementation"].article == "第三十三条"
    # the case was answered ~300 days ago in the factories' world: the obligation is overdue now
    (clock,) = [c for c in compute_clocks(events, at=utcnow()) if c.name == "implementation"]
    assert clock.state == "overdue"


def test_an_answer_that_does_not_support_opens_no_implementation_clock() -> None:
    events = answered_case().collect_events()  # explain
    assert "implementation" not in {c.name for c in compute_clocks(events, at=utcnow())}


def test_recording_the_implementation_stops_its_clock_on_done_on() -> None:
    case = supported_case()
    assert case.answer_delivered_on is not None
    done = case.answer_delivered_on + timedelta(days=40)
    perform(case, "record_implementation", done_on=done, note="补偿款已发放")
    events = case.collect_events()
    assert "implementation" not in {d.name for d in open_deadlines(events)}
    (clock,) = [c for c in compute_clocks(events, at=utcnow()) if c.name == "implementation"]
    assert (clock.stopped_on, clock.state, clock.days_overdue) == (done, "met_late", 10)
    assert case.implemented_on == done


def test_a_reopening_drops_the_unmet_obligation_of_the_old_answer() -> None:
    case = supported_case()
    perform(
        case,
        "record_return_visit",
        satisfaction=Satisfaction.SATISFIED,
        signed=True,
        method=ContactMethod.PHONE,
    )
    perform(case, "close", closure_type=ClosureType.RESOLVED)
    perform(case, "reopen", reason="回流")
    assert "implementation" not in {d.name for d in open_deadlines(case.collect_events())}


def test_implementation_is_not_dated_before_the_answer_nor_in_the_future() -> None:
    case = supported_case()
    assert case.answer_delivered_on is not None
    with pytest.raises(InvalidInput) as before:
        perform(case, "record_implementation", done_on=case.answer_delivered_on - timedelta(days=1))
    assert before.value.context["rule"] == rules.NOT_BEFORE_WHAT_IT_ANSWERS.name
    with pytest.raises(InvalidInput) as ahead:
        perform(case, "record_implementation", done_on=date.today() + timedelta(days=2))
    assert ahead.value.context["rule"] == rules.DATE_NOT_IN_FUTURE.name
    assert case.implemented_on is None


def test_implementation_before_any_answer_is_refused_by_the_lifecycle() -> None:
    with pytest.raises(TransitionNotAllowed):
        perform(assigned_case(), "record_implementation", done_on=date.today())


# ---- the local escalation policy -------------------------------------------------------------


def assigned_three_times(satisfaction: Satisfaction) -> Case:
    case = assigned_case()
    for n in (2, 3):
        perform(case, "reassign", unit_code=f"unit-{n}", leader_id=f"leader-{n}")
    at = next_moment(case)
    perform(case, "answer", at=at, outcome=AnswerOutcome.EXPLAIN, delivered_on=local_date(at))
    return perform(
        case, "record_return_visit", satisfaction=satisfaction, signed=True, method=ContactMethod.VISIT
    )


def test_assignments_and_reassignments_count_as_times_assigned() -> None:
    case = assigned_three_times(Satisfaction.UNSATISFIED)
    assert case.assignment_count == 3
    assert is_escalated(case)
    assert not is_escalated(assigned_three_times(Satisfaction.BASICALLY_SATISFIED))


def test_without_the_policy_an_escalated_matter_closes_as_before() -> None:
    case = perform(
        assigned_three_times(Satisfaction.UNSATISFIED), "close", closure_type=ClosureType.ANSWERED_ONLY
    )
    assert case.closure_type is ClosureType.ANSWERED_ONLY


def test_under_the_policy_an_escalated_matter_closes_only_when_satisfied() -> None:
    case = assigned_three_times(Satisfaction.UNSATISFIED)
    with pytest.raises(TransitionNotAllowed) as refused:
        perform(case, "close", closure_type=ClosureType.ANSWERED_ONLY, escalation_in_force=True)
    assert refused.value.context["rule"] == rules.ESCALATED_MATTER_CLOSES_WHEN_SATISFIED.name
    assert refused.value.article == rules.ESCALATED_MATTER_CLOSES_WHEN_SATISFIED.article
    perform(case, "record_return_visit", satisfaction=Satisfaction.BASICALLY_SATISFIED, signed=True,
            method=ContactMethod.VISIT)  # fmt: skip
    perform(case, "close", closure_type=ClosureType.RESOLVED, escalation_in_force=True)
    assert case.closure_type is ClosureType.RESOLVED


def test_under_the_policy_a_matter_assigned_fewer_times_closes_unsatisfied() -> None:
    case = assigned_case()
    at = next_moment(case)
    perform(case, "answer", at=at, outcome=AnswerOutcome.EXPLAIN, delivered_on=local_date(at))
    perform(
        case,
        "record_return_visit",
        satisfaction=Satisfaction.UNSATISFIED,
        signed=True,
        method=ContactMethod.PHONE,
    )
    perform(case, "close", closure_type=ClosureType.ANSWERED_ONLY, escalation_in_force=True)
    assert case.closed_at is not None


def test_under_the_policy_an_escalated_matter_closed_before_it_is_not_archived() -> None:
    case = perform(
        assigned_three_times(Satisfaction.UNSATISFIED), "close", closure_type=ClosureType.ANSWERED_ONLY
    )
    late = case.closed_at + timedelta(days=40)  # type: ignore[operator]  # past the review window
    with pytest.raises(TransitionNotAllowed) as refused:
        perform(case, "archive", at=late, dossier=tuple(DossierItem), escalation_in_force=True)
    assert refused.value.context["rule"] == rules.ESCALATED_MATTER_CLOSES_WHEN_SATISFIED.name
    perform(case, "archive", at=late, dossier=tuple(DossierItem))  # the policy off: archived as before
    assert case.archived_at is not None


def test_a_local_policy_is_off_until_set_and_follows_its_effective_days() -> None:
    with command_context(actor=actor("admin")):
        book = PolicyAdoptions.open()
        assert not book.local_policy_on(LocalPolicy.ESCALATION, date(2026, 1, 1))
        book.set_local_policy(option=LocalPolicy.ESCALATION, in_force=True, effective_from=date(2026, 3, 1))
        book.set_local_policy(option=LocalPolicy.ESCALATION, in_force=False, effective_from=date(2026, 9, 1))
    assert not book.local_policy_on(LocalPolicy.ESCALATION, date(2026, 2, 28))
    assert book.local_policy_on(LocalPolicy.ESCALATION, date(2026, 3, 1))
    assert not book.local_policy_on(LocalPolicy.ESCALATION, date(2026, 9, 1))


# ---- 第三十九条 measures ---------------------------------------------------------------------------


def test_an_ordered_rectification_carries_its_deadline() -> None:
    by = date.today() + timedelta(days=30)
    case = perform(assigned_case(), "record_accountability", measure=Measure.ORDERED_RECTIFICATION,
                   basis="拖延办理", decided_by="insp", target_unit_code="town-a", rectify_by=by)  # fmt: skip
    (event,) = [e for e in case.collect_events() if type(e).__name__ == "AccountabilityRecorded"]
    assert event.rectify_by == by  # type: ignore[attr-defined]
    listed = perform(assigned_case(), "record_accountability", measure=Measure.LISTED_SUPERVISION,
                     basis="挂牌督办", decided_by="insp", target_unit_code="town-a")  # fmt: skip
    assert listed.accountability_count == 1


def test_only_an_ordered_rectification_names_a_deadline_and_not_in_the_past() -> None:
    with pytest.raises(InvalidInput) as other:
        perform(assigned_case(), "record_accountability", measure=Measure.LISTED_SUPERVISION, basis="b",
                decided_by="i", target_unit_code="t", rectify_by=date.today())  # fmt: skip
    assert other.value.context["rule"] == rules.RECTIFICATION_NEEDS_DEADLINE.name
    with pytest.raises(InvalidInput) as past:
        perform(assigned_case(), "record_accountability", measure=Measure.ORDERED_RECTIFICATION, basis="b",
                decided_by="i", target_unit_code="t", rectify_by=date(2000, 1, 1))  # fmt: skip
    assert past.value.context["field"] == "rectify_by"


# ---- 第四十条 recommendations ----------------------------------------------------------------------


def issued(**overrides: object) -> Recommendation:
    fields: dict[str, object] = {
        "kind": RecommendationKind.ACCOUNTABILITY, "target_unit_code": "town-a", "text": "建议追究有关人员责任",
        "issuing_unit": "county", "policy_version": "2022-calendar",
    }  # fmt: skip
    fields.update(overrides)
    with command_context(actor=actor("supervisor")):
        return Recommendation.issue(**fields)  # type: ignore[arg-type]


def test_a_recommendation_is_due_for_feedback_after_the_policy_period() -> None:
    recommendation = issued()
    today = local_date(utcnow())
    assert recommendation.feedback_due == today + timedelta(days=30)
    assert recommendation.adopted is None


def test_feedback_is_given_once_in_writing() -> None:
    recommendation = issued()
    with command_context(actor=actor("leader")):
        recommendation.give_feedback(adopted=True, text="已采纳，已对责任人约谈")
        with pytest.raises(TransitionNotAllowed) as again:
            recommendation.give_feedback(adopted=False, text="改为不采纳")
    assert again.value.context["rule"] == rec.FEEDBACK_ONCE.name
    assert recommendation.adopted is True


RECOMMENDATION_RULES = {r.name: r for r in vars(rec).values() if isinstance(r, Rule)}


def _feedback_in_blank() -> None:
    with command_context(actor=actor("leader")):
        issued().give_feedback(adopted=True, text="  ")


def _feedback_twice() -> None:
    recommendation = issued()
    with command_context(actor=actor("leader")):
        recommendation.give_feedback(adopted=True, text="采纳")
        recommendation.give_feedback(adopted=True, text="采纳")


# rule → a call that breaks it here; the target-unit rule needs the unit tree (tests/api/test_practices_http.py)
RECOMMENDATION_BREAKERS = {
    "recommendation_feedback_once": _feedback_twice,
    "recommendation_feedback_in_writing": _feedback_in_blank,
    "recommendation_target_within_own_subtree": None,
}


def test_every_recommendation_rule_has_a_breaking_case() -> None:
    assert set(RECOMMENDATION_BREAKERS) == set(RECOMMENDATION_RULES)


@pytest.mark.parametrize("name", sorted(n for n, call in RECOMMENDATION_BREAKERS.items() if call))
def test_breaking_a_recommendation_rule_names_it_and_its_article(name: str) -> None:
    call = RECOMMENDATION_BREAKERS[name]
    assert call is not None
    with pytest.raises(DomainError) as info:
        call()
    assert info.value.context["rule"] == name
    assert info.value.article == "第四十条"
