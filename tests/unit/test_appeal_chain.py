"""The appeal chain in memory (issue 18; DOMAIN.md R3, R4, R10): archive after the windows, the
deciding levels, the receipt date, which kinds get which process, the repeat screen."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from domain import rules
from domain.case import Case
from domain.case_commands import SPEC_OF, level_above
from domain.clocks import Clock, compute_clocks
from domain.context import command_context, utcnow
from domain.errors import DomainError, InvalidInput, NotFound
from domain.identity import id_number_hash, identity_hashes
from domain.values import Actor, Petitioner
from domain.vocabulary import AnswerOutcome, DossierItem, Kind, ReviewDecision, Status
from tests.factories import (
    after_appeal_windows,
    answered_case,
    archive,
    assigned_case,
    closed_case,
    moment_for,
    perform,
    registered_case,
    reviewed_case,
    sha256,
)
from tests.unit.test_case_rules import (
    assert_rule,
    decide_re_review,
    decide_review,
    extend,
    re_review_requested_of,
    refused,
    review_requested_of,
)
from tests.unit.test_clocks import accepted_case, answer, noon

# A county (root) over a town over a village: the jurisdiction's tree.
TREE = {"village": "town", "town": "county", "county": None}


class _Tree:
    """The reference reads the appeal resolvers use: the unit tree only."""

    def unit_path(self, code: str) -> list[str]:
        if code not in TREE:
            raise NotFound(f"no such unit {code}")
        path = [code]
        while (parent := TREE[path[-1]]) is not None:
            path.append(parent)
        return path


def prepared(case: Case, command: str, unit: str, **params: Any) -> dict[str, Any]:
    """The arguments a command gets from its resolver, for a supervisor of `unit`."""
    with command_context(actor=Actor(user_id="sup", role="supervisor", unit_code=unit)):
        return SPEC_OF[command].arguments(_Tree(), case, params)  # type: ignore[arg-type]


def answered_by(unit: str, **overrides: Any) -> Case:
    case = assigned_case(**overrides)
    perform(case, "reassign", unit_code=unit, leader_id="l-" + unit)
    return perform(
        case, "answer", outcome=AnswerOutcome.EXPLAIN, delivered_on=_day_after(case), document_sha256=sha256()
    )


def _day_after(case: Case) -> date:
    assert case.last_transition_at is not None
    return (case.last_transition_at + timedelta(hours=1)).date()


# ---- R3: archive only after the appeal windows ------------------------------------------------


def test_a_case_closed_four_days_after_its_answer_is_not_archived_while_review_is_possible() -> None:
    case = closed_case(at=utcnow() - timedelta(days=4))
    err = refused(DomainError, lambda: perform(case, "archive", dossier=tuple(DossierItem)))
    assert_rule(err, rules.ARCHIVE_AFTER_APPEAL_RIGHTS)
    assert err.context["window"] == "review_request_window"
    assert case.status is Status.CLOSED


def test_the_same_case_is_archived_once_the_review_window_has_closed() -> None:
    case = closed_case()
    assert case.answer_delivered_on is not None
    at = after_appeal_windows(case)
    assert at.date() > case.answer_delivered_on + timedelta(days=30)
    archive(case)
    assert case.status is Status.ARCHIVED


def test_a_reviewed_and_closed_case_waits_for_the_re_review_window() -> None:
    case = reviewed_case()
    perform(case, "close", closure_type="answered_only")
    assert case.review_delivered_on is not None
    inside = moment_for(case, case.review_delivered_on + timedelta(days=29))
    err = refused(DomainError, lambda: perform(case, "archive", at=inside, dossier=tuple(DossierItem)))
    assert_rule(err, rules.ARCHIVE_AFTER_APPEAL_RIGHTS)
    assert err.context["window"] == "re_review_request_window"


def test_a_suggestion_is_archived_right_after_its_reply_there_being_no_appeal() -> None:
    case = closed_case(kind=Kind.SUGGESTION, at=utcnow() - timedelta(days=4))
    perform(case, "archive", dossier=tuple(DossierItem))
    assert case.status is Status.ARCHIVED


# ---- R3: who decides ------------------------------------------------------------------------


def test_the_review_request_names_the_unit_above_the_answering_unit() -> None:
    case = answered_by("town")
    assert case.answering_unit == "town"
    args = prepared(case, "review-request", "county", requested_on=date.today())
    assert (args["deciding_unit"], args["referred_upward"]) == ("county", False)


def test_a_review_of_the_top_units_answer_is_referred_upward() -> None:
    case = answered_by("county")
    args = prepared(case, "review-request", "county", requested_on=date.today())
    assert (args["deciding_unit"], args["referred_upward"]) == (None, True)


def test_the_level_above_is_outside_for_the_top_unit_and_for_an_unknown_one() -> None:
    tree: Any = _Tree()
    assert (level_above(tree, "village"), level_above(tree, "town")) == ("town", "county")
    assert level_above(tree, "county") is None
    assert level_above(tree, "elsewhere") is None


def test_the_township_that_answered_may_not_decide_its_own_review() -> None:
    case = review_requested_of(answered_by("town"), deciding_unit="county")
    args = prepared(
        case, "review-decision", "town", decision=ReviewDecision.UPHELD, delivered_on=date.today()
    )
    err = refused(DomainError, lambda: decide_review(case, reviewing_unit=args["reviewing_unit"]))
    assert_rule(err, rules.REVIEW_BY_LEVEL_ABOVE)
    assert (err.context["deciding_unit"], err.context["acting_unit"]) == ("county", "town")


def test_the_county_decides_the_review_and_the_re_review_goes_outside() -> None:
    case = decide_review(
        review_requested_of(answered_by("town"), deciding_unit="county"), reviewing_unit="county"
    )
    assert (case.review_unit, case.review_decided_outside) == ("county", False)
    args = prepared(case, "re-review-request", "county", requested_on=date.today())
    assert (args["deciding_unit"], args["referred_upward"]) == (None, True)
    re_review_requested_of(case, referred_upward=True)
    # The county that decided the review cannot decide the re-review too.
    err = refused(DomainError, lambda: decide_re_review(case, reviewing_unit="county"))
    assert_rule(err, rules.RE_REVIEW_BY_LEVEL_ABOVE)


def test_the_outside_decision_is_entered_by_a_supervisor_of_the_top_unit_with_its_document() -> None:
    case = decide_review(
        review_requested_of(answered_by("town"), deciding_unit="county"), reviewing_unit="county"
    )
    re_review_requested_of(case, referred_upward=True)
    outside = {"authority": "市信访局", "document_sha256": sha256()}
    args = prepared(
        case, "re-review-decision", "county",
        decision=ReviewDecision.UPHELD, delivered_on=date.today(), decided_outside=outside,
    )  # fmt: skip
    assert (args["reviewing_unit"], args["decided_outside"]) == ("市信访局", True)
    decide_re_review(case, **{k: args[k] for k in ("reviewing_unit", "decided_outside", "document_sha256")})
    assert case.status is Status.TERMINATED
    assert case.review_unit == "county"


def test_an_outside_decision_is_refused_from_below_the_top_unit() -> None:
    case = review_requested_of(answered_by("village"), deciding_unit="town")
    outside = {"authority": "市信访局", "document_sha256": sha256()}
    err = refused(
        DomainError,
        lambda: prepared(
            case, "review-decision", "town",
            decision=ReviewDecision.UPHELD, delivered_on=date.today(), decided_outside=outside,
        ),
    )  # fmt: skip
    assert_rule(err, rules.OUTSIDE_DECISION_ENTERED_AT_TOP)


def test_an_outside_decision_needs_a_request_referred_upward() -> None:
    case = review_requested_of(answered_by("town"), deciding_unit="county")
    err = refused(
        DomainError,
        lambda: decide_review(
            case, reviewing_unit="市信访局", decided_outside=True, document_sha256=sha256()
        ),
    )
    assert_rule(err, rules.OUTSIDE_DECISION_ENTERED_AT_TOP)


def test_a_request_recorded_before_the_levels_is_decided_as_before() -> None:
    case = review_requested_of(answered_case())  # no level named: an earlier ledger's request
    decide_review(case, reviewing_unit="any-unit")
    assert case.status is Status.REVIEWED


# ---- R3: the receipt date -----------------------------------------------------------------


def test_the_receipt_date_defaults_to_the_request_date_and_is_not_before_it() -> None:
    case = review_requested_of(answered_case())
    assert case.review_received_on == case.review_requested_on
    other = answered_case()
    assert other.answer_delivered_on is not None
    requested = other.answer_delivered_on + timedelta(days=3)
    with pytest.raises(InvalidInput) as info:
        perform(
            other, "request_review", at=moment_for(other, requested),
            requested_on=requested, received_on=requested - timedelta(days=1),
        )  # fmt: skip
    assert info.value.context["field"] == "received_on"


def _clock(clocks: list[Clock], name: str) -> Clock:
    return [c for c in clocks if c.name == name][-1]


def test_the_review_decision_clock_runs_from_the_day_the_request_was_received() -> None:
    story = accepted_case()
    answer(story, date(2026, 3, 20), date(2026, 3, 20))
    story.on(date(2026, 4, 10), "request_review", requested_on=date(2026, 4, 1), received_on=date(2026, 4, 8))
    decision = story.clock("review_decision", at=date(2026, 4, 20))
    assert (decision.started_on, decision.due_on) == (date(2026, 4, 8), date(2026, 5, 8))
    window = story.clock("review_request_window", at=date(2026, 4, 20))
    assert window.stopped_on == date(2026, 4, 1)  # the petitioner asked in time


# ---- R4: which matters get which process ----------------------------------------------------


def test_a_suggestion_has_no_handling_deadline_and_no_review_window() -> None:
    case = answered_case(kind=Kind.SUGGESTION)
    events = list(case.collect_events())
    names = {c.name for c in compute_clocks(events, at=noon(date.today()))}  # type: ignore[arg-type]
    assert "screening" in names
    assert not names & {"handling", "review_request_window", "fast_track_answer"}


def test_a_complaint_request_keeps_its_handling_deadline_and_review_window() -> None:
    events = list(answered_case().collect_events())
    names = {c.name for c in compute_clocks(events, at=noon(date.today()))}  # type: ignore[arg-type]
    assert {"handling", "review_request_window"} <= names


def test_an_accusation_has_no_review_chain_and_no_handling_period_here() -> None:
    """R4: an accusation follows its handling body's own rules; the 60(+30)-day clock and
    复查/复核 are a complaint request's (第三十一条第六项、第三十四条)."""
    case = answered_case(kind=Kind.ACCUSATION, accused_unit="town-x")
    err = refused(DomainError, lambda: review_requested_of(case))
    assert_rule(err, rules.APPEAL_ONLY_FOR_COMPLAINT_REQUESTS)
    events = list(case.collect_events())
    names = {c.name for c in compute_clocks(events, at=noon(date.today()))}  # type: ignore[arg-type]
    assert "screening" in names
    assert not names & {"handling", "review_request_window", "fast_track_answer"}


def test_an_accusations_handling_period_cannot_be_extended() -> None:
    case = assigned_case(kind=Kind.ACCUSATION, accused_unit="town-x")
    err = refused(DomainError, lambda: extend(case))
    assert_rule(err, rules.HANDLING_PERIOD_ONLY_FOR_ITS_MATTERS)


def test_a_review_request_on_a_suggestions_reply_is_refused() -> None:
    err = refused(DomainError, lambda: review_requested_of(answered_case(kind=Kind.SUGGESTION)))
    assert_rule(err, rules.APPEAL_ONLY_FOR_COMPLAINT_REQUESTS)
    assert err.context["kind"] == "suggestion"


def test_a_hearing_during_handling_is_recorded_and_does_not_pause_the_handling_clock() -> None:
    story = accepted_case()
    before = story.clock("handling", at=date(2026, 3, 10)).due_on
    story.on(date(2026, 3, 12), "hold_hearing", started_on=date(2026, 3, 10), ended_on=date(2026, 3, 12))
    handling = story.clock("handling", at=date(2026, 3, 13))
    assert (handling.due_on, handling.paused_days) == (before, 0)
    assert story.case.hearings == ((date(2026, 3, 10), date(2026, 3, 12)),)


def test_a_hearing_during_handling_cannot_start_before_the_acceptance() -> None:
    case = assigned_case()
    assert case.accepted_at is not None
    with pytest.raises(InvalidInput):
        perform(case, "hold_hearing", started_on=case.accepted_at.date() - timedelta(days=2),
                ended_on=case.accepted_at.date())  # fmt: skip


# ---- R10: repeats ---------------------------------------------------------------------------


def test_the_identity_hash_ignores_spaces_and_the_case_of_the_check_character() -> None:
    assert id_number_hash("11010519491231002x") == id_number_hash(" 11010519491231002X ")
    assert id_number_hash("110105194912310021") != id_number_hash("110105194912310022")
    people = (
        Petitioner("甲", "11010519491231002X"),
        Petitioner("乙"),
        Petitioner("丙", "11010519491231002x"),
    )
    assert identity_hashes(people) == [id_number_hash("11010519491231002X")]
    assert "11010519491231002" not in identity_hashes(people)[0]


def test_a_petition_of_a_person_with_a_terminated_matter_is_accepted_with_a_different_matter_reason() -> None:
    case = registered_case(terminated_matter_on_record=True)
    perform(
        case,
        "accept",
        accepting_unit="u",
        different_matter_reason="另一宗：拖欠工资，与已终结的宅基地事项无关",
    )
    assert case.status is Status.ACCEPTED
    assert case.different_matter_reason is not None


def test_a_blank_different_matter_reason_does_not_count() -> None:
    case = registered_case(terminated_matter_on_record=True)
    err = refused(
        DomainError, lambda: perform(case, "accept", accepting_unit="u", different_matter_reason="  ")
    )
    assert_rule(err, rules.TERMINATED_IDENTITY_NEEDS_DIFFERENT_MATTER)
