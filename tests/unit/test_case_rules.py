"""The case aggregate in memory: every named rule, every lifecycle transition, the hash chain."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from domain import case_events as ev
from domain import rules
from domain.case import ALLOWED_FROM, Case
from domain.case_commands import SPEC_OF
from domain.context import command_context, utcnow
from domain.errors import (
    DeadlinePassed,
    DomainError,
    InvalidInput,
    NotFound,
    RuleViolated,
    TransitionNotAllowed,
)
from domain.integrity import GENESIS_HASH, event_hash
from domain.persistence import LedgerRow
from domain.policy import CHINA_TZ, local_date
from domain.query_code import hash_query_code, new_query_code
from domain.serialization import CanonicalTranscoder, TypedMapper
from domain.vocabulary import (
    AnswerOutcome,
    Channel,
    ClearanceBasis,
    ClosureType,
    ContactMethod,
    DiversionOutcome,
    DossierItem,
    Kind,
    Measure,
    MediationOutcome,
    NotAcceptedReason,
    NoticeMode,
    Pathway,
    ProgressStep,
    ReviewDecision,
    Satisfaction,
    Status,
    TerminationBasis,
)
from tests.factories import (
    accepted_case,
    actor,
    answered_case,
    archive,
    archived_case,
    assigned_case,
    case_in,
    closed_case,
    diverted_case,
    moment_for,
    moment_on,
    next_moment,
    perform,
    petitioner,
    registered_case,
    registration_fields,
    reviewed_case,
    rid,
    sha256,
    terminated_case,
    under_re_review_case,
    under_review_case,
    visited_case,
)

S = Status
FINISHED = (S.CLOSED, S.TERMINATED, S.NOT_ACCEPTED, S.DIVERTED, S.TRANSFERRED)


def refused(error: type[DomainError], call: Callable[[], object]) -> DomainError:
    with pytest.raises(error) as info:
        call()
    return info.value


def assert_rule(err: DomainError, rule: rules.Rule) -> None:
    assert type(err) is rule.error
    assert err.context["rule"] == rule.name
    assert err.article == rule.article
    assert err.message == rule.message


def register(**overrides: Any) -> Case:
    with command_context(actor=actor(), occurred_at=utcnow() - timedelta(days=3)):
        return Case.register(**registration_fields(**overrides))


def extend(case: Case, *, days: int = 10, approved_by: str = "head-1", reason: str | None = "survey") -> Case:
    return perform(
        case,
        "extend",
        reason=reason,
        days=days,
        approved_by=approved_by,
        petitioner_notified_on=local_date(next_moment(case)),
    )


def request_review(case: Case, days_after_delivery: int) -> Case:
    assert case.answer_delivered_on is not None
    requested_on = case.answer_delivered_on + timedelta(days=days_after_delivery)
    return perform(case, "request_review", at=moment_for(case, requested_on), requested_on=requested_on)


def request_re_review(case: Case, days_after_delivery: int) -> Case:
    assert case.review_delivered_on is not None
    requested_on = case.review_delivered_on + timedelta(days=days_after_delivery)
    return perform(case, "request_re_review", at=moment_for(case, requested_on), requested_on=requested_on)


def _days_after(
    case: Case, command: str, since: date | None, days: int, day_field: str, **kwargs: Any
) -> Case:
    """Run `command` on the day `days` after `since`, that day given as `day_field`."""
    assert since is not None
    day = since + timedelta(days=days)
    return perform(case, command, at=moment_for(case, day), **{day_field: day, **kwargs})


def review_requested_of(case: Case, **level: Any) -> Case:
    """A review request five days after delivery, naming its deciding level as the resolver would."""
    return _days_after(case, "request_review", case.answer_delivered_on, 5, "requested_on", **level)


def re_review_requested_of(case: Case, **level: Any) -> Case:
    return _days_after(case, "request_re_review", case.review_delivered_on, 5, "requested_on", **level)


def decide_review(case: Case, **kwargs: Any) -> Case:
    kwargs.setdefault("decision", ReviewDecision.UPHELD)
    return _days_after(case, "decide_review", case.review_requested_on, 10, "delivered_on", **kwargs)


def decide_re_review(case: Case, **kwargs: Any) -> Case:
    kwargs.setdefault("decision", ReviewDecision.UPHELD)
    return _days_after(case, "decide_re_review", case.re_review_requested_on, 10, "delivered_on", **kwargs)


def linked_to_terminated(case: Case) -> Case:
    return perform(case, "link_repeat", earlier_case_id=uuid4(), earlier_terminated=True)


# ---- every named rule -------------------------------------------------------------------------

# rule name → a call that breaks exactly that rule (each builds its own case).
BREAKERS: dict[str, Callable[[], object]] = {
    "answer_needs_acceptance_and_assignment": lambda: perform(
        accepted_case(), "answer", outcome=AnswerOutcome.SUPPORT, delivered_on=date.today()
    ),
    "return_visit_needs_answer": lambda: perform(
        assigned_case(), "record_return_visit",
        satisfaction=Satisfaction.SATISFIED, signed=True, method=ContactMethod.VISIT,
    ),
    "review_needs_answer": lambda: perform(
        assigned_case(), "request_review", requested_on=date.today()
    ),
    "re_review_needs_review_decision": lambda: perform(
        answered_case(), "request_re_review", requested_on=date.today()
    ),
    "review_request_within_30_days": lambda: request_review(answered_case(), 31),
    # reviewed, then closed: the same answer cannot be put to review a second time
    "one_review_per_decision": lambda: request_review(
        perform(reviewed_case(), "close", closure_type=ClosureType.ANSWERED_ONLY), 25
    ),
    "re_review_request_within_30_days": lambda: request_re_review(reviewed_case(), 31),
    "one_extension_per_handling_period": lambda: extend(extend(assigned_case())),
    "extension_at_most_30_days": lambda: extend(assigned_case(), days=31),
    "extension_before_handling_due": lambda: extend_on_day(assigned_case(), 61),
    "extension_needs_approver_and_reason": lambda: extend(assigned_case(), reason=None),
    "at_most_five_representatives": lambda: register(
        channel=Channel.VISIT, petitioners=tuple(petitioner() for _ in range(6)), headcount=30
    ),
    "accusation_names_accused": lambda: register(kind=Kind.ACCUSATION),
    "terminated_matter_not_reaccepted": lambda: perform(
        linked_to_terminated(registered_case()), "accept", accepting_unit="u"
    ),
    "archive_needs_finished_case": lambda: perform(
        assigned_case(), "archive", dossier=tuple(DossierItem)
    ),
    "archive_needs_complete_dossier": lambda: archive(closed_case(), dossier=(DossierItem.RECORD,)),
    "closure_needs_return_visit": lambda: perform(
        answered_case(), "close", closure_type=ClosureType.ANSWERED_ONLY
    ),
    "mediated_closure_needs_agreement": lambda: perform(
        visited_case(), "close", closure_type=ClosureType.MEDIATED
    ),
    "termination_basis_must_hold": lambda: perform(
        visited_case(), "terminate", basis=TerminationBasis.MEDIATION_AGREEMENT
    ),
    "archived_case_is_sealed": lambda: perform(archived_case(), "add_note", text="late"),
    "occurred_at_in_order": lambda: perform(
        (c := registered_case()), "accept",
        at=c.registered_at - timedelta(minutes=1), accepting_unit="u",  # type: ignore[operator]
    ),
    "occurred_at_not_in_future": lambda: perform(
        registered_case(), "add_note", at=utcnow() + timedelta(hours=1), text="from tomorrow"
    ),
    "date_not_before_1990": lambda: perform(
        assigned_case(), "answer", outcome=AnswerOutcome.SUPPORT, delivered_on=date(1, 1, 1)
    ),
    "date_not_in_future": lambda: perform(
        assigned_case(), "answer", outcome=AnswerOutcome.SUPPORT, delivered_on=date.today() + timedelta(days=2)
    ),
    "dated_not_before_what_it_answers": lambda: perform(  # (a notice has a rule of its own)
        (c := assigned_case()), "answer", outcome=AnswerOutcome.EXPLAIN,
        delivered_on=local_date(c.registered_at) - timedelta(days=1),  # type: ignore[arg-type]
    ),
    "supervision_reply_needs_open_letter": lambda: perform(
        assigned_case(), "answer_supervision", supervision_version=None, reply="done"
    ),
    "hearing_dates_in_order": lambda: perform(
        (c := under_re_review_case()), "hold_hearing",
        started_on=c.re_review_requested_on + timedelta(days=3),  # type: ignore[operator]
        ended_on=c.re_review_requested_on + timedelta(days=2),  # type: ignore[operator]
    ),
    "correction_needs_reason": lambda: perform(
        registered_case(), "correct", reason=None,
        target_version=1, target_type="Registered", field="subject", old_value="a", new_value="b",
    ),
    "correction_target_correctable": lambda: correction_params(
        registered_case(), target_version=1, field="petitioners", new_value=[]
    ),
    "correction_changes_value": lambda: perform(
        registered_case(), "correct", reason="typo",
        target_version=1, target_type="Registered", field="subject", old_value="a", new_value="a",
    ),
    # ---- the appeal chain, the kinds' processes, repeats (R3, R4, R10) ----
    # answered three days ago: the 30-day review window is still open
    "archive_after_appeal_rights": lambda: perform(
        closed_case(at=utcnow() - timedelta(days=3)), "archive", dossier=tuple(DossierItem)
    ),
    "appeal_only_for_complaint_requests": lambda: request_review(answered_case(kind=Kind.SUGGESTION), 5),
    "handling_period_only_for_its_matters": lambda: extend(assigned_case(kind=Kind.SUGGESTION)),
    "hearing_during_handling_only_for_complaint_requests": lambda: perform(
        (c := assigned_case(kind=Kind.SUGGESTION)), "hold_hearing",
        started_on=local_date(next_moment(c)), ended_on=local_date(next_moment(c)),
    ),
    "review_decided_by_level_above": lambda: decide_review(
        review_requested_of(answered_case(), deciding_unit="county"), reviewing_unit="town"
    ),
    "re_review_decided_by_level_above": lambda: decide_re_review(
        re_review_requested_of(reviewed_case(), referred_upward=True), reviewing_unit="county"
    ),
    "outside_decision_entered_at_top_of_tree": lambda: decide_review(
        review_requested_of(answered_case(), deciding_unit="county"),
        reviewing_unit="city", decided_outside=True, document_sha256=sha256(),
    ),
    "terminated_identity_needs_different_matter_reason": lambda: perform(
        registered_case(terminated_matter_on_record=True), "accept", accepting_unit="u"
    ),
}  # fmt: skip


# ---- issue 18: notices (R5), objections (R6), diversion (R7) --------------------------------


def _objected(case: Case) -> Case:
    return perform(case, "object_to_assignment", reason="不属本单位职权范围")


def _divert_as(role: str, case: Case) -> object:
    with command_context(actor=actor(role)):
        params = {"pathway": Pathway.ARBITRATION, "institution": "劳动人事争议仲裁委员会"}
        return SPEC_OF["divert"].arguments(None, case, params)  # type: ignore[arg-type]


def _outcome(case: Case) -> Case:
    assert case.screened_at is not None
    return perform(case, "record_diversion_outcome", outcome=DiversionOutcome.TAKEN_UP,
                   on=local_date(case.screened_at))  # fmt: skip


BREAKERS.update({
    # (a notice in the future meets the general date rule first)
    "notice_dated_after_the_petition_and_not_in_future": lambda: perform(
        (c := registered_case()), "accept", accepting_unit="u",
        notice_issued_on=local_date(c.registered_at) - timedelta(days=1),  # type: ignore[arg-type]
    ),
    "notice_follows_an_outcome_without_one": lambda: perform(
        registered_case(), "record_notice", issued_on=date.today(), notice_mode=NoticeMode.WRITTEN
    ),
    "assignment_objection_within_5_working_days": lambda: perform(
        (c := assigned_case()), "object_to_assignment", reason="不属本单位",
        at=c.assigned_at + timedelta(days=20),  # type: ignore[operator]
    ),
    "assignment_objection_states_reasons": lambda: perform(assigned_case(), "object_to_assignment"),
    "one_objection_per_assignment": lambda: _objected(_objected(assigned_case())),
    "objection_decision_needs_pending_objection": lambda: perform(
        assigned_case(), "decide_objection", upheld=True
    ),
    "diversion_by_the_phase_holder": lambda: _divert_as("registrar", assigned_case()),
    "diversion_outcome_recorded_once": lambda: _outcome(_outcome(diverted_case())),
    # 第二十一条: staff never enter a rating as the petitioner's own
    "self_service_rating_only_by_the_petitioner": lambda: perform(
        answered_case(), "record_return_visit",
        satisfaction=Satisfaction.SATISFIED, signed=False, method=ContactMethod.SELF_SERVICE,
    ),
})  # fmt: skip



# issue 21: 销号
def _on_campaign(case: Case, campaign: str = "jaan") -> Case:
    return perform(case, "designate_backlog", campaign=campaign, designated_by="sup")


def _clear(case: Case, basis: ClearanceBasis, campaign: str | None = None) -> Case:
    return perform(case, "clear_backlog", campaign=campaign, approved_by="l", basis=basis, cleared_by="sup")


BREAKERS.update({
    "backlog_cleared_only_if_designated": lambda: _clear(closed_case(), ClearanceBasis.CLOSED),
    "open_backlog_case_cleared_only_on_desistance": lambda: _clear(
        _on_campaign(assigned_case()), ClearanceBasis.CLOSED
    ),
    "backlog_clearance_basis_true_of_the_case": lambda: _clear(
        _on_campaign(closed_case()), ClearanceBasis.TERMINATED
    ),
})  # fmt: skip


def test_a_case_is_struck_off_once_per_campaign_and_open_only_on_desistance() -> None:
    case = _on_campaign(_on_campaign(assigned_case(), "a"), "b")
    err = refused(InvalidInput, lambda: _clear(case, ClearanceBasis.PETITIONER_DESISTED))  # which one?
    assert err.context["field"] == "campaign_id"
    _clear(case, ClearanceBasis.PETITIONER_DESISTED, "a")
    assert case.backlog_cleared == ("a",)
    assert_rule(refused(TransitionNotAllowed, lambda: _clear(case, ClearanceBasis.PETITIONER_DESISTED, "a")),
                rules.BACKLOG_CLEARED_ONLY_IF_DESIGNATED)  # fmt: skip
    _clear(case, ClearanceBasis.PETITIONER_DESISTED)  # the only one left
    assert case.backlog_cleared == ("a", "b")


# ---- issue 21: 落实, the local escalation policy, 第三十九条 measures ------------------------------


def _supported() -> Case:
    case = assigned_case()
    at = next_moment(case)
    return perform(case, "answer", at=at, outcome=AnswerOutcome.SUPPORT, delivered_on=local_date(at))


def _implemented(case: Case) -> Case:
    assert case.answer_delivered_on is not None
    return perform(case, "record_implementation", done_on=case.answer_delivered_on)


def _assigned_three_times_unsatisfied() -> Case:
    case = assigned_case()
    for n in (2, 3):
        perform(case, "reassign", unit_code=f"unit-{n}", leader_id=f"leader-{n}")
    at = next_moment(case)
    perform(case, "answer", at=at, outcome=AnswerOutcome.EXPLAIN, delivered_on=local_date(at))
    return perform(case, "record_return_visit", satisfaction=Satisfaction.UNSATISFIED, signed=True,
                   method=ContactMethod.VISIT)  # fmt: skip


BREAKERS.update({
    "implementation_needs_support_answer": lambda: perform(
        answered_case(), "record_implementation", done_on=date.today()
    ),
    "implementation_recorded_once": lambda: _implemented(_implemented(_supported())),
    "ordered_rectification_needs_deadline": lambda: perform(
        registered_case(), "record_accountability", measure=Measure.ORDERED_RECTIFICATION,
        basis="推诿拖延", decided_by="insp", target_unit_code="town-a",
    ),
    "escalated_matter_closes_when_satisfied": lambda: perform(
        _assigned_three_times_unsatisfied(), "close", closure_type=ClosureType.ANSWERED_ONLY,
        escalation_in_force=True,
    ),
})  # fmt: skip

ALL_RULES = {r.name: r for r in vars(rules).values() if isinstance(r, rules.Rule)}


def test_every_named_rule_has_a_breaking_case_here() -> None:
    assert set(BREAKERS) == set(ALL_RULES)


@pytest.mark.parametrize("name", sorted(ALL_RULES))
def test_breaking_a_named_rule_raises_its_error_with_rule_and_article(name: str) -> None:
    rule = ALL_RULES[name]
    err = refused(DomainError, BREAKERS[name])
    assert_rule(err, rule)
    assert err.code == rule.error.code


def test_rules_that_cite_the_regulation_carry_the_article() -> None:
    assert ALL_RULES["review_request_within_30_days"].article == "第三十五条"
    assert ALL_RULES["re_review_request_within_30_days"].article == "第三十六条"
    assert ALL_RULES["extension_at_most_30_days"].article == "第三十四条"
    assert ALL_RULES["at_most_five_representatives"].article == "第二十条"
    assert ALL_RULES["accusation_names_accused"].article == "第三十条"


# ---- registration ---------------------------------------------------------------------------


def test_registration_records_the_petition_and_starts_registered() -> None:
    fields = registration_fields()
    at = utcnow() - timedelta(days=2)
    with command_context(actor=actor(), occurred_at=at):
        case = Case.register(**fields)
    assert case.status is S.REGISTERED
    assert case.petitioners == fields["petitioners"]
    assert case.subject == fields["subject"]
    assert case.registered_at == at
    assert case.version == 1


def test_a_visit_names_five_representatives_not_six() -> None:
    case = register(channel=Channel.VISIT, petitioners=tuple(petitioner() for _ in range(5)), headcount=5)
    assert len(case.petitioners) == 5
    err = refused(
        RuleViolated,
        lambda: register(
            channel=Channel.VISIT, petitioners=tuple(petitioner() for _ in range(6)), headcount=6
        ),
    )
    assert_rule(err, rules.AT_MOST_FIVE_REPRESENTATIVES)


@pytest.mark.parametrize("channel", [c for c in Channel if c is not Channel.VISIT])
def test_a_joint_letter_carries_every_signatory(channel: Channel) -> None:
    """Art. 20's limit of five representatives is for visits (走访, R9)."""
    signatories = tuple(petitioner() for _ in range(6))
    case = register(channel=channel, petitioners=signatories, headcount=6)
    assert case.petitioners == signatories


def test_a_petition_dated_before_1990_is_not_registered() -> None:
    """R12: the year-1 petition that showed 739,941 days overdue."""
    year_one = datetime(1, 1, 2, tzinfo=UTC)
    with command_context(actor=actor(), occurred_at=year_one):
        err = refused(InvalidInput, lambda: Case.register(**registration_fields()))
    assert_rule(err, rules.DATE_NOT_BEFORE_1990)
    assert err.context["field"] == "occurred_at"
    with command_context(actor=actor(), occurred_at=datetime(1990, 1, 1, 9, tzinfo=CHINA_TZ)):
        assert Case.register(**registration_fields()).status is S.REGISTERED


@pytest.mark.parametrize("day", [date(1989, 12, 31), date(1, 1, 1)])
def test_every_date_a_command_records_is_from_1990(day: date) -> None:
    err = refused(InvalidInput, lambda: perform(
        reviewed_case(), "request_re_review", requested_on=day,
    ))  # fmt: skip
    assert_rule(err, rules.DATE_NOT_BEFORE_1990)
    assert err.context["field"] == "requested_on"


def test_a_deadline_may_lie_ahead_but_not_before_1990() -> None:
    ahead = local_date(utcnow()) + timedelta(days=20)
    case = perform(assigned_case(), "supervise", supervisor_id="s", reply_by=ahead, text="reply")
    assert case.version > 0
    err = refused(InvalidInput, lambda: perform(
        assigned_case(), "supervise", supervisor_id="s", reply_by=date(1, 1, 1), text="reply",
    ))  # fmt: skip
    assert_rule(err, rules.DATE_NOT_BEFORE_1990)


@pytest.mark.parametrize(
    ("target_type", "field", "new_value"),
    [("Registered", "occurred_at", "0001-01-01T09:00:00+08:00"), ("Answered", "delivered_on", "1989-12-31")],
)
def test_a_correction_cannot_bring_back_an_implausible_date(
    target_type: str, field: str, new_value: str
) -> None:
    err = refused(InvalidInput, lambda: perform(
        visited_case(), "correct", reason="typo",
        target_version=1, target_type=target_type, field=field, old_value="x", new_value=new_value,
    ))  # fmt: skip
    assert_rule(err, rules.DATE_NOT_BEFORE_1990)
    assert err.context["field"] == "new_value"


def test_a_notice_is_not_dated_before_the_petition_it_answers() -> None:
    case = registered_case()
    assert case.registered_at is not None
    registered = local_date(case.registered_at)
    err = refused(InvalidInput, lambda: perform(
        case, "not_accept", reason_code=NotAcceptedReason.OUT_OF_REMIT,
        notice_issued_on=registered - timedelta(days=1),
    ))  # fmt: skip
    assert_rule(err, rules.NOTICE_DATED_WITHIN_THE_MATTER)
    assert err.context["field"] == "notice_issued_on"
    done = perform(
        case, "not_accept", reason_code=NotAcceptedReason.OUT_OF_REMIT, notice_issued_on=registered
    )
    assert done.status is S.NOT_ACCEPTED


def test_accusation_must_name_the_accused() -> None:
    err = refused(RuleViolated, lambda: register(kind=Kind.ACCUSATION))
    assert_rule(err, rules.ACCUSATION_NAMES_ACCUSED)
    by_unit = register(kind=Kind.ACCUSATION, accused_unit="unit-x")
    by_leader = register(kind=Kind.ACCUSATION, accused_leader="leader-x")
    assert by_unit.accused_unit == "unit-x"
    assert by_leader.accused_leader == "leader-x"


def test_only_an_accusation_names_an_accused() -> None:
    err = refused(InvalidInput, lambda: register(kind=Kind.SUGGESTION, accused_unit="unit-x"))
    assert err.context["field"] == "kind"


def test_headcount_below_the_number_of_petitioners_is_refused() -> None:
    refused(InvalidInput, lambda: register(petitioners=(petitioner(), petitioner()), headcount=1))


def test_unknown_policy_version_is_refused() -> None:
    err = refused(InvalidInput, lambda: register(policy_version="1999-nothing"))
    assert err.context["field"] == "policy_version"


def test_registration_in_the_future_is_refused() -> None:
    def call() -> Case:
        with command_context(actor=actor(), occurred_at=utcnow() + timedelta(hours=1)):
            return Case.register(**registration_fields())

    assert_rule(refused(RuleViolated, call), rules.NOT_IN_FUTURE)


def test_occurred_at_without_a_time_zone_is_refused() -> None:
    naive = (utcnow() - timedelta(days=1)).replace(tzinfo=None)
    case = registered_case()
    err = refused(InvalidInput, lambda: perform(case, "add_note", at=naive, text="x"))
    assert err.context["field"] == "occurred_at"


def test_the_same_external_reference_names_the_same_case() -> None:
    ref = rid("ext-")
    assert register(external_ref=ref).id == register(external_ref=ref).id
    assert register(external_ref=rid("ext-")).id != register(external_ref=ref).id


# ---- screening: only from registered ---------------------------------------------------------

SCREENING: dict[str, tuple[dict[str, Any], Status]] = {
    "accept": ({"accepting_unit": "unit-a"}, S.ACCEPTED),
    "not_accept": (
        {"reason_code": NotAcceptedReason.OUT_OF_REMIT, "notice_issued_on": date.today()},
        S.NOT_ACCEPTED,
    ),
    "divert": ({"pathway": Pathway.ARBITRATION, "institution": "labour arbitration"}, S.DIVERTED),
    "transfer": ({"authority": "provincial bureau"}, S.TRANSFERRED),
}


@pytest.mark.parametrize("command", sorted(SCREENING))
def test_screening_a_registered_case_sets_its_status(command: str) -> None:
    kwargs, status = SCREENING[command]
    case = registered_case()
    perform(case, command, **kwargs)
    assert case.status is status
    assert case.version == 2


# R7: a diversion stays possible until the answer (tests/unit/test_case_process.py).
LEFT_SCREENING = [
    (command, status)
    for command in sorted(SCREENING)
    for status in Status
    if status is not S.REGISTERED and status not in ALLOWED_FROM[command]
]


@pytest.mark.parametrize(("command", "status"), LEFT_SCREENING)
def test_screening_is_refused_once_a_case_left_registered(command: str, status: Status) -> None:
    case = case_in(status)
    version = case.version
    err = refused(TransitionNotAllowed, lambda: perform(case, command, **SCREENING[command][0]))
    assert err.code == "transition_not_allowed"
    assert case.version == version and case.status is status


def test_acceptance_records_unit_time_and_the_policy_in_force() -> None:
    case = registered_case()
    at = next_moment(case)
    perform(case, "accept", at=at, accepting_unit="unit-a")
    assert (case.accepting_unit, case.accepted_at) == ("unit-a", at)
    accepted = case.collect_events()[-1]
    assert isinstance(accepted, ev.Accepted)
    assert accepted.policy_version == case.policy_version


def test_a_repeat_of_a_terminated_matter_is_not_accepted() -> None:
    earlier = terminated_case()
    case = perform(registered_case(), "link_repeat", earlier_case_id=earlier.id, earlier_terminated=True)
    err = refused(RuleViolated, lambda: perform(case, "accept", accepting_unit="u"))
    assert_rule(err, rules.NOT_REACCEPTED_AFTER_TERMINATION)
    assert err.article == "第三十六条"
    perform(
        case,
        "not_accept",
        reason_code=NotAcceptedReason.TERMINATED_SAME_MATTER,
        notice_issued_on=date.today(),
    )
    assert case.status is S.NOT_ACCEPTED


def test_a_repeat_of_an_open_matter_may_still_be_accepted() -> None:
    case = perform(registered_case(), "link_repeat", earlier_case_id=uuid4(), earlier_terminated=False)
    perform(case, "accept", accepting_unit="u")
    assert case.status is S.ACCEPTED


# ---- handling -------------------------------------------------------------------------------


def test_assignment_puts_an_accepted_case_in_handling() -> None:
    case = accepted_case()
    perform(case, "assign", unit_code="unit-b", leader_id="leader-b", officer_id="officer-b")
    assert case.status is S.IN_HANDLING
    assert (case.unit_code, case.leader_id, case.officer_id) == ("unit-b", "leader-b", "officer-b")


def test_assignment_is_refused_before_acceptance() -> None:
    err = refused(
        TransitionNotAllowed,
        lambda: perform(registered_case(), "assign", unit_code="u", leader_id="l"),
    )
    assert err.context["command"] == "assign" and err.context["case_status"] == "registered"


def test_reassignment_moves_the_case_to_another_unit_and_leader() -> None:
    case = assigned_case()
    perform(case, "reassign", unit_code="unit-c", leader_id="leader-c")
    assert case.status is S.IN_HANDLING
    assert (case.unit_code, case.leader_id, case.officer_id) == ("unit-c", "leader-c", None)
    assert case.assignment_version == case.version


def test_reassignment_to_the_same_holder_is_refused() -> None:
    case = assigned_case()
    same = {"unit_code": case.unit_code, "leader_id": case.leader_id, "officer_id": case.officer_id}
    refused(InvalidInput, lambda: perform(case, "reassign", **same))


def test_answer_is_refused_before_acceptance() -> None:
    err = refused(
        TransitionNotAllowed,
        lambda: perform(
            registered_case(), "answer", outcome=AnswerOutcome.SUPPORT, delivered_on=date.today()
        ),
    )
    assert_rule(err, rules.ANSWER_NEEDS_ACCEPTANCE_AND_ASSIGNMENT)
    assert err.code == "transition_not_allowed"


def test_answer_is_refused_before_assignment() -> None:
    err = refused(
        TransitionNotAllowed,
        lambda: perform(accepted_case(), "answer", outcome=AnswerOutcome.SUPPORT, delivered_on=date.today()),
    )
    assert_rule(err, rules.ANSWER_NEEDS_ACCEPTANCE_AND_ASSIGNMENT)


def test_answer_of_an_assigned_case_records_outcome_and_delivery() -> None:
    case = assigned_case()
    day = local_date(next_moment(case))
    document = sha256()
    perform(case, "answer", outcome=AnswerOutcome.REJECT, delivered_on=day, document_sha256=document)
    assert case.status is S.ANSWERED
    assert (case.answer_outcome, case.answer_delivered_on) == (AnswerOutcome.REJECT, day)
    assert case.answer_document == document
    assert case.answer_version == case.version


def test_answer_delivered_before_registration_is_refused() -> None:
    case = assigned_case()
    assert case.registered_at is not None
    before = local_date(case.registered_at) - timedelta(days=1)
    err = refused(
        InvalidInput,
        lambda: perform(case, "answer", outcome=AnswerOutcome.SUPPORT, delivered_on=before),
    )
    assert err.context["field"] == "delivered_on"


def test_answer_delivered_in_the_future_is_refused() -> None:
    tomorrow = date.today() + timedelta(days=2)
    refused(
        InvalidInput,
        lambda: perform(assigned_case(), "answer", outcome=AnswerOutcome.SUPPORT, delivered_on=tomorrow),
    )


def test_an_answer_document_must_be_a_sha256() -> None:
    err = refused(
        InvalidInput,
        lambda: perform(
            assigned_case(), "answer", outcome=AnswerOutcome.SUPPORT,
            delivered_on=date.today(), document_sha256="NOT-A-HASH",
        ),
    )  # fmt: skip
    assert err.context["field"] == "document_sha256"


def test_return_visit_needs_an_answer() -> None:
    err = refused(
        TransitionNotAllowed,
        lambda: perform(
            assigned_case(), "record_return_visit",
            satisfaction=Satisfaction.SATISFIED, signed=True, method=ContactMethod.PHONE,
        ),
    )  # fmt: skip
    assert_rule(err, rules.RETURN_VISIT_NEEDS_ANSWER)


def test_return_visit_rates_the_answer_it_follows() -> None:
    case = visited_case()
    visit = case.collect_events()[-1]
    assert isinstance(visit, ev.ReturnVisitRecorded)
    assert visit.answer_sha256 == case.answer_document is not None
    assert case.satisfaction is Satisfaction.SATISFIED
    assert case.return_visit_in_period


def test_progress_mediation_instruction_and_supervision_are_recorded_in_handling() -> None:
    case = assigned_case()
    perform(case, "record_progress", step=ProgressStep.MET_PETITIONER, note="at home")
    perform(case, "record_progress", step=ProgressStep.SITE_INVESTIGATION)
    perform(case, "record_mediation", outcome=MediationOutcome.AGREEMENT, document_sha256=sha256())
    perform(case, "instruct", leader_id="leader-1", text="resolve within the month")
    perform(case, "supervise", supervisor_id="sup", reply_by=date.today(), text="reply")
    assert case.progress_steps == {ProgressStep.MET_PETITIONER, ProgressStep.SITE_INVESTIGATION}
    assert case.mediation_outcome is MediationOutcome.AGREEMENT
    assert (case.instruction_count, case.supervision_count) == (1, 1)
    assert case.open_supervisions == (case.version,)


def test_supervision_reply_closes_the_oldest_open_letter() -> None:
    case = assigned_case()
    perform(case, "supervise", supervisor_id="s", reply_by=date.today(), text="first")
    first = case.version
    perform(case, "supervise", supervisor_id="s", reply_by=date.today(), text="second")
    perform(case, "answer_supervision", supervision_version=None, reply="on it")
    assert case.open_supervisions == (first + 1,)
    err = refused(
        TransitionNotAllowed,
        lambda: perform(case, "answer_supervision", supervision_version=first, reply="again"),
    )
    assert_rule(err, rules.SUPERVISION_REPLY_NAMES_OPEN_LETTER)


def test_supervision_reply_date_before_the_letter_is_refused() -> None:
    case = assigned_case()
    before = local_date(next_moment(case)) - timedelta(days=1)
    err = refused(
        InvalidInput,
        lambda: perform(case, "supervise", supervisor_id="s", reply_by=before, text="t"),
    )
    assert err.context["field"] == "reply_by"


# ---- extension ------------------------------------------------------------------------------


@pytest.mark.parametrize("days", [1, 15, 30])
def test_an_extension_of_1_to_30_days_is_granted(days: int) -> None:
    case = extend(assigned_case(), days=days)
    assert case.extension_days == days
    assert case.extension_period == case.handling_period == 1


@pytest.mark.parametrize("days", [-1, 0, 31, 90])
def test_an_extension_outside_1_to_30_days_is_refused(days: int) -> None:
    case = assigned_case()
    err = refused(RuleViolated, lambda: extend(case, days=days))
    assert_rule(err, rules.EXTENSION_AT_MOST_30_DAYS)
    assert err.context["days"] == days
    assert case.extension_days == 0


def test_only_one_extension_per_handling_period() -> None:
    case = extend(assigned_case(), days=5)
    err = refused(RuleViolated, lambda: extend(case, days=5))
    assert_rule(err, rules.ONE_EXTENSION_PER_PERIOD)
    assert case.extension_days == 5


@pytest.mark.parametrize(
    ("approved_by", "reason"), [("", "why"), ("  ", "why"), ("head", None), ("head", "  ")]
)
def test_an_extension_needs_an_approver_and_a_reason(approved_by: str, reason: str | None) -> None:
    err = refused(RuleViolated, lambda: extend(assigned_case(), approved_by=approved_by, reason=reason))
    assert_rule(err, rules.EXTENSION_NEEDS_APPROVER_AND_REASON)


def test_a_reopened_case_may_be_extended_again() -> None:
    case = extend(assigned_case(), days=30)
    answered = perform(
        case, "answer", outcome=AnswerOutcome.EXPLAIN, delivered_on=local_date(next_moment(case))
    )
    perform(answered, "record_return_visit", satisfaction=Satisfaction.UNSATISFIED, signed=False,
            method=ContactMethod.VISIT)  # fmt: skip
    perform(answered, "close", closure_type=ClosureType.ANSWERED_ONLY)
    perform(answered, "reopen", reason="petitioner came back with new facts")
    assert answered.handling_period == 2
    extend(answered, days=20)
    assert (answered.extension_days, answered.extension_period) == (20, 2)
    refused(RuleViolated, lambda: extend(answered, days=1))


def extend_on_day(case: Case, day: int, recorded_on_day: int | None = None) -> Case:
    """Extend on the `day`-th day after acceptance (as occurred; recorded that day or later)."""
    assert case.accepted_at is not None
    accepted_on = local_date(case.accepted_at)
    at = moment_on(accepted_on + timedelta(days=day))
    now = moment_on(accepted_on + timedelta(days=recorded_on_day)) if recorded_on_day else None
    return perform(case, "extend", at=at, now=now, reason="survey", days=10, approved_by="head-1",
                   petitioner_notified_on=local_date(at))  # fmt: skip


def test_an_extension_on_the_last_day_of_the_60_is_granted() -> None:
    case = extend_on_day(assigned_case(), 60)
    assert case.extension_days == 10


def test_an_extension_after_the_60_days_ran_out_is_refused() -> None:
    # Granted late, it would move the due date over days already overdue (第三十四条).
    case = assigned_case()
    assert case.accepted_at is not None
    version = case.version
    err = refused(DeadlinePassed, lambda: extend_on_day(case, 61))
    assert_rule(err, rules.EXTENSION_BEFORE_DUE)
    due = local_date(case.accepted_at) + timedelta(days=60)
    assert (err.context["granted_on"], err.context["due_on"]) == (
        (due + timedelta(days=1)).isoformat(),
        due.isoformat(),
    )
    assert (case.extension_days, case.version) == (0, version)


def test_an_extension_granted_in_time_and_entered_late_is_kept() -> None:
    # The day it was granted counts, not the day it reached the ledger.
    case = extend_on_day(assigned_case(), 55, recorded_on_day=70)
    assert case.extension_days == 10


def reopened_case(days_after_acceptance: int) -> Case:
    case = answered_case()
    perform(case, "record_return_visit", satisfaction=Satisfaction.UNSATISFIED, signed=False,
            method=ContactMethod.VISIT)  # fmt: skip
    perform(case, "close", closure_type=ClosureType.ANSWERED_ONLY)
    assert case.accepted_at is not None
    reopened_on = local_date(case.accepted_at) + timedelta(days=days_after_acceptance)
    return perform(case, "reopen", at=moment_on(reopened_on), reason="petitioner came back with new facts")


def test_after_reopening_the_extension_deadline_counts_from_the_reopening() -> None:
    # Reopened on day 30: the new period's 60th day is day 90 after the first acceptance.
    case = extend_on_day(reopened_case(30), 90)
    assert (case.extension_days, case.extension_period) == (10, 2)
    err = refused(DeadlinePassed, lambda: extend_on_day(reopened_case(30), 91))
    assert_rule(err, rules.EXTENSION_BEFORE_DUE)


def test_extension_is_refused_outside_handling() -> None:
    err = refused(TransitionNotAllowed, lambda: extend(answered_case()))
    assert err.code == "transition_not_allowed"


# ---- closing, reopening ---------------------------------------------------------------------


def test_closure_needs_the_return_visit() -> None:
    err = refused(
        TransitionNotAllowed,
        lambda: perform(answered_case(), "close", closure_type=ClosureType.RESOLVED),
    )
    assert_rule(err, rules.CLOSURE_NEEDS_RETURN_VISIT)


@pytest.mark.parametrize("closure_type", [ClosureType.RESOLVED, ClosureType.ANSWERED_ONLY])
def test_a_visited_answer_closes_the_case(closure_type: ClosureType) -> None:
    case = closed_case(closure_type=closure_type)
    assert case.status is S.CLOSED
    assert case.closure_type is closure_type
    assert case.closed_at == case.last_transition_at


@pytest.mark.parametrize("outcome", [MediationOutcome.AGREEMENT, MediationOutcome.SETTLEMENT])
def test_mediated_closure_follows_an_agreement_or_settlement(outcome: MediationOutcome) -> None:
    case = assigned_case()
    perform(case, "record_mediation", outcome=outcome)
    perform(case, "answer", outcome=AnswerOutcome.SUPPORT, delivered_on=local_date(next_moment(case)))
    perform(case, "record_return_visit", satisfaction=Satisfaction.SATISFIED, signed=True,
            method=ContactMethod.VISIT)  # fmt: skip
    perform(case, "close", closure_type=ClosureType.MEDIATED)
    assert case.closure_type is ClosureType.MEDIATED


def test_mediated_closure_after_failed_mediation_is_refused() -> None:
    case = assigned_case()
    perform(case, "record_mediation", outcome=MediationOutcome.FAILED)
    perform(case, "answer", outcome=AnswerOutcome.SUPPORT, delivered_on=local_date(next_moment(case)))
    perform(case, "record_return_visit", satisfaction=Satisfaction.SATISFIED, signed=True,
            method=ContactMethod.VISIT)  # fmt: skip
    err = refused(RuleViolated, lambda: perform(case, "close", closure_type=ClosureType.MEDIATED))
    assert_rule(err, rules.MEDIATED_CLOSURE_NEEDS_AGREEMENT)


def test_a_new_answer_needs_a_new_return_visit_before_closing() -> None:
    case = closed_case()
    perform(case, "reopen", reason="new facts")
    perform(case, "answer", outcome=AnswerOutcome.SUPPORT, delivered_on=local_date(next_moment(case)))
    assert not case.return_visit_in_period
    refused(TransitionNotAllowed, lambda: perform(case, "close", closure_type=ClosureType.RESOLVED))


def test_reopening_returns_a_closed_case_to_handling_for_a_new_period() -> None:
    case = closed_case()
    perform(case, "reopen", reason="petitioner returned (回流)")
    assert case.status is S.IN_HANDLING
    assert (case.handling_period, case.reopened_count) == (2, 1)
    assert case.closed_at is None and case.closure_type is None


def test_reopening_needs_a_reason() -> None:
    err = refused(InvalidInput, lambda: perform(closed_case(), "reopen", reason=None))
    assert err.context["field"] == "reason"


@pytest.mark.parametrize("status", [s for s in Status if s not in (S.CLOSED, S.ARCHIVED)])
def test_only_a_closed_case_is_reopened(status: Status) -> None:
    err = refused(TransitionNotAllowed, lambda: perform(case_in(status), "reopen", reason="r"))
    assert err.code == "transition_not_allowed"


# ---- review and re-review -------------------------------------------------------------------


@pytest.mark.parametrize("days", [0, 1, 29, 30])
def test_review_may_be_requested_up_to_day_30_after_delivery(days: int) -> None:
    case = request_review(answered_case(), days)
    assert case.status is S.UNDER_REVIEW
    assert case.answer_delivered_on is not None
    assert case.review_requested_on == case.answer_delivered_on + timedelta(days=days)


def test_review_requested_on_day_31_is_too_late() -> None:
    case = answered_case()
    err = refused(DeadlinePassed, lambda: request_review(case, 31))
    assert_rule(err, rules.REVIEW_WITHIN_WINDOW)
    assert err.code == "deadline_passed"
    assert case.answer_delivered_on is not None
    assert err.context["last_day"] == (case.answer_delivered_on + timedelta(days=30)).isoformat()
    assert case.status is S.ANSWERED


def test_review_may_be_requested_of_a_closed_case_within_the_window() -> None:
    case = request_review(closed_case(), 10)
    assert case.status is S.UNDER_REVIEW


def test_review_requested_before_the_answer_was_delivered_is_refused() -> None:
    err = refused(InvalidInput, lambda: request_review(answered_case(), -1))
    assert err.context["field"] == "requested_on"


def test_review_needs_an_answer() -> None:
    err = refused(
        TransitionNotAllowed,
        lambda: perform(assigned_case(), "request_review", requested_on=date.today()),
    )
    assert_rule(err, rules.REVIEW_NEEDS_ANSWER)


def test_review_decision_sets_reviewed() -> None:
    case = reviewed_case()
    assert case.status is S.REVIEWED
    assert case.review_decision is ReviewDecision.UPHELD
    assert case.review_delivered_on is not None


def test_re_review_needs_a_review_decision() -> None:
    for case in (answered_case(), under_review_case(), closed_case()):
        err = refused(
            TransitionNotAllowed,
            lambda c=case: perform(c, "request_re_review", requested_on=date.today()),  # type: ignore[misc]
        )
        assert err.code == "transition_not_allowed"


@pytest.mark.parametrize("days", [0, 30])
def test_re_review_may_be_requested_up_to_day_30_after_the_review_decision(days: int) -> None:
    case = request_re_review(reviewed_case(), days)
    assert case.status is S.UNDER_RE_REVIEW


def test_re_review_requested_on_day_31_is_too_late() -> None:
    err = refused(DeadlinePassed, lambda: request_re_review(reviewed_case(), 31))
    assert_rule(err, rules.RE_REVIEW_WITHIN_WINDOW)


def test_a_hearing_is_held_during_re_review() -> None:
    case = under_re_review_case()
    assert case.re_review_requested_on is not None
    start = case.re_review_requested_on + timedelta(days=2)
    perform(case, "hold_hearing", started_on=start, ended_on=start + timedelta(days=1))
    assert case.hearings == ((start, start + timedelta(days=1)),)
    assert case.status is S.UNDER_RE_REVIEW


def test_a_hearing_before_the_re_review_request_is_refused() -> None:
    case = under_re_review_case()
    assert case.re_review_requested_on is not None
    day = case.re_review_requested_on - timedelta(days=1)
    refused(InvalidInput, lambda: perform(case, "hold_hearing", started_on=day, ended_on=day))


def test_re_review_decision_terminates_the_case_with_two_events() -> None:
    case = under_re_review_case()
    before = case.version
    case.collect_events()
    assert case.re_review_requested_on is not None
    delivered = case.re_review_requested_on + timedelta(days=25)
    perform(
        case, "decide_re_review", at=moment_for(case, delivered),
        reviewing_unit="unit-up", decision=ReviewDecision.CHANGED, delivered_on=delivered,
    )  # fmt: skip
    decided, terminated = case.collect_events()
    assert isinstance(decided, ev.ReReviewDecided)
    assert isinstance(terminated, ev.Terminated)
    assert terminated.basis is TerminationBasis.RE_REVIEW_DECIDED
    assert (decided.originator_version, terminated.originator_version) == (before + 1, before + 2)
    assert case.status is S.TERMINATED
    assert case.re_review_decision is ReviewDecision.CHANGED
    assert case.termination_basis is TerminationBasis.RE_REVIEW_DECIDED


def test_termination_with_re_review_basis_only_comes_with_the_decision() -> None:
    err = refused(
        TransitionNotAllowed,
        lambda: perform(reviewed_case(), "terminate", basis=TerminationBasis.RE_REVIEW_DECIDED),
    )
    assert_rule(err, rules.TERMINATION_BASIS_HOLDS)


def test_termination_when_no_review_was_requested_in_time() -> None:
    case = answered_case()
    assert case.answer_delivered_on is not None
    day_31 = case.answer_delivered_on + timedelta(days=31)
    perform(case, "terminate", at=moment_for(case, day_31), basis=TerminationBasis.NO_REVIEW_IN_TIME)
    assert case.status is S.TERMINATED
    assert case.termination_basis is TerminationBasis.NO_REVIEW_IN_TIME


def test_termination_for_no_review_is_refused_while_the_window_is_open() -> None:
    case = answered_case()
    assert case.answer_delivered_on is not None
    day_30 = case.answer_delivered_on + timedelta(days=30)
    err = refused(
        TransitionNotAllowed,
        lambda: perform(
            case, "terminate", at=moment_for(case, day_30), basis=TerminationBasis.NO_REVIEW_IN_TIME
        ),
    )
    assert_rule(err, rules.TERMINATION_BASIS_HOLDS)
    assert err.context["window_ends"] == day_30.isoformat()


def test_termination_for_no_re_review_counts_from_the_review_decision() -> None:
    case = reviewed_case()
    assert case.review_delivered_on is not None
    day_30 = case.review_delivered_on + timedelta(days=30)
    refused(
        TransitionNotAllowed,
        lambda: perform(
            case, "terminate", at=moment_for(case, day_30), basis=TerminationBasis.NO_REVIEW_IN_TIME
        ),
    )
    perform(case, "terminate", at=moment_for(case, day_30 + timedelta(days=1)),
            basis=TerminationBasis.NO_REVIEW_IN_TIME)  # fmt: skip
    assert case.status is S.TERMINATED


def test_termination_on_a_mediation_agreement() -> None:
    case = assigned_case()
    perform(case, "record_mediation", outcome=MediationOutcome.AGREEMENT)
    perform(case, "answer", outcome=AnswerOutcome.SUPPORT, delivered_on=local_date(next_moment(case)))
    perform(case, "terminate", basis=TerminationBasis.MEDIATION_AGREEMENT)
    assert case.termination_basis is TerminationBasis.MEDIATION_AGREEMENT


def test_a_case_closed_after_its_review_decision_cannot_be_reviewed_again() -> None:
    case = reviewed_case(after_delivery=1)
    perform(case, "close", closure_type=ClosureType.ANSWERED_ONLY)
    assert case.answer_delivered_on is not None
    again = case.answer_delivered_on + timedelta(days=29)
    with pytest.raises(DomainError):
        perform(case, "request_review", at=moment_for(case, again), requested_on=again)


def test_a_reviewed_then_closed_case_is_not_terminated_while_re_review_is_still_open() -> None:
    case = reviewed_case(after_delivery=1)  # review decision delivered 11 days after the answer
    perform(case, "close", closure_type=ClosureType.ANSWERED_ONLY)
    assert case.review_delivered_on is not None
    day = case.review_delivered_on + timedelta(days=25)  # answer window over, re-review open
    with pytest.raises(TransitionNotAllowed):
        perform(case, "terminate", at=moment_for(case, day), basis=TerminationBasis.NO_REVIEW_IN_TIME)


def test_a_review_decision_cannot_be_delivered_before_the_review_was_requested() -> None:
    case = under_review_case(after_delivery=20)
    assert case.review_requested_on is not None
    before = case.review_requested_on - timedelta(days=5)
    with pytest.raises(DomainError):
        perform(case, "decide_review", reviewing_unit="u", decision=ReviewDecision.UPHELD,
                delivered_on=before)  # fmt: skip


# ---- archive --------------------------------------------------------------------------------


@pytest.mark.parametrize("status", FINISHED)
def test_a_finished_case_with_a_complete_dossier_is_archived(status: Status) -> None:
    case = case_in(status)
    archive(case, dossier=tuple(reversed(DossierItem)))
    assert case.status is S.ARCHIVED
    archived = case.collect_events()[-1]
    assert isinstance(archived, ev.Archived)
    assert archived.dossier == tuple(sorted(DossierItem))


PENDING_REQUEST = (S.UNDER_REVIEW, S.UNDER_RE_REVIEW)


@pytest.mark.parametrize("status", [s for s in Status if s not in (*FINISHED, S.ARCHIVED)])
def test_an_unfinished_case_is_not_archived(status: Status) -> None:
    err = refused(
        TransitionNotAllowed, lambda: perform(case_in(status), "archive", dossier=tuple(DossierItem))
    )
    # R3: a pending review or re-review request is named as what stands in the way.
    expected = rules.ARCHIVE_AFTER_APPEAL_RIGHTS if status in PENDING_REQUEST else rules.CLOSED_BEFORE_ARCHIVE
    assert_rule(err, expected)
    assert err.context["case_status"] == status.value


def test_archive_needs_the_complete_dossier_and_names_what_is_missing() -> None:
    case = closed_case()
    err = refused(
        RuleViolated,
        lambda: archive(case, dossier=(DossierItem.RECORD, DossierItem.DOSSIER)),
    )
    assert_rule(err, rules.DOSSIER_COMPLETE)
    assert err.context["missing"] == ["determination", "resolution", "screening", "verification"]
    assert case.status is S.CLOSED


# ---- any time before archive, and nothing after ------------------------------------------------


def any_time_commands(case: Case) -> dict[str, dict[str, Any]]:
    return {
        "add_note": {"text": "called the petitioner"},
        "attach_document": {"file_name": "a.pdf", "media_type": "application/pdf", "sha256": sha256()},
        "designate_backlog": {"campaign": rid("campaign-"), "designated_by": "sup"},
        "link_repeat": {"earlier_case_id": uuid4(), "earlier_terminated": False},
        "record_accountability": {
            "measure": Measure.INTERVIEW, "basis": "late", "decided_by": "insp",
            "target_leader_id": "leader-1",
        },
        "correct": {
            "target_version": 1, "target_type": "Registered", "field": "subject",
            "old_value": case.subject, "new_value": "corrected subject",
        },
    }  # fmt: skip


@pytest.mark.parametrize("status", [s for s in Status if s is not S.ARCHIVED])
def test_notes_documents_links_and_corrections_are_recorded_in_every_status_before_archive(
    status: Status,
) -> None:
    case = case_in(status)
    for command, kwargs in any_time_commands(case).items():
        before = case.version
        perform(case, command, reason="recorded", **kwargs)
        assert case.version == before + 1, command
    assert case.status is status
    assert case.note_count == 1 and len(case.documents) == 1
    assert case.subject == "corrected subject"


def _after_archive_params() -> list[Any]:
    params = []
    for origin in (S.CLOSED, S.NOT_ACCEPTED):
        for command in sorted(ALLOWED_FROM):
            params.append(pytest.param(origin, command, id=f"{origin}-{command}"))
    return params


@pytest.mark.parametrize(("origin", "command"), _after_archive_params())
def test_nothing_is_entered_after_archive(origin: Status, command: str) -> None:
    case = archive(case_in(origin))
    version = case.version
    kwargs = arguments_for(command, case)
    with pytest.raises(TransitionNotAllowed) as info:
        perform(case, command, reason="r", **kwargs)
    assert info.value.code == "transition_not_allowed"
    assert case.version == version
    assert_rule(info.value, rules.NOTHING_AFTER_ARCHIVE)


# ---- every refused transition ---------------------------------------------------------------


def arguments_for(command: str, case: Case) -> dict[str, Any]:
    """Well-formed arguments for any command (the status is what makes them wrong)."""
    today = date.today()
    table: dict[str, dict[str, Any]] = {
        **{name: kwargs for name, (kwargs, _) in SCREENING.items()},
        **any_time_commands(case),
        "assign": {"unit_code": "u", "leader_id": "l"},
        "reassign": {"unit_code": "u2", "leader_id": "l2"},
        "instruct": {"leader_id": "l", "text": "t"},
        "supervise": {"supervisor_id": "s", "reply_by": today, "text": "t"},
        "answer_supervision": {"supervision_version": None, "reply": "r"},
        "record_progress": {"step": ProgressStep.MET_PETITIONER},
        "record_mediation": {"outcome": MediationOutcome.FAILED},
        "extend": {"days": 5, "approved_by": "head", "petitioner_notified_on": today},
        "answer": {"outcome": AnswerOutcome.SUPPORT, "delivered_on": today},
        "record_return_visit": {
            "satisfaction": Satisfaction.SATISFIED, "signed": True, "method": ContactMethod.PHONE,
        },
        "request_review": {"requested_on": today},
        "decide_review": {"reviewing_unit": "u", "decision": ReviewDecision.UPHELD, "delivered_on": today},
        "request_re_review": {"requested_on": today},
        "hold_hearing": {"started_on": today, "ended_on": today},
        "decide_re_review": {"reviewing_unit": "u", "decision": ReviewDecision.UPHELD, "delivered_on": today},
        "close": {"closure_type": ClosureType.RESOLVED},
        "clear_backlog": {
            "campaign": None, "approved_by": "l", "basis": ClearanceBasis.PETITIONER_DESISTED, "cleared_by": "sup",
        },
        "reopen": {},
        "terminate": {"basis": TerminationBasis.NO_REVIEW_IN_TIME},
        "archive": {"dossier": tuple(DossierItem)},
        # issue 18 (R5, R6, R7)
        "record_notice": {"issued_on": today, "notice_mode": NoticeMode.WRITTEN},
        "report_completion": {"text": "办结报告"},
        "object_to_assignment": {},
        "decide_objection": {"upheld": False},
        "record_diversion_outcome": {"outcome": DiversionOutcome.TAKEN_UP, "on": today},
        "reissue_query_code": {"query_code_hash": hash_query_code(new_query_code())},
        "record_implementation": {"done_on": today},  # issue 21
    }  # fmt: skip
    return table[command]


DISALLOWED = [
    (command, status)
    for command, allowed in sorted(ALLOWED_FROM.items())
    for status in Status
    if status not in allowed and status is not S.ARCHIVED
]


def test_every_command_has_arguments_for_the_transition_matrix() -> None:
    case = registered_case()
    for command in ALLOWED_FROM:
        assert callable(getattr(case, command))
        arguments_for(command, case)


@pytest.mark.parametrize(("command", "status"), DISALLOWED)
def test_a_command_outside_its_statuses_is_refused_and_changes_nothing(command: str, status: Status) -> None:
    case = case_in(status)
    version = case.version
    pending = len(case._pending_events)
    err = refused(
        TransitionNotAllowed,
        lambda: perform(case, command, reason="r", **arguments_for(command, case)),
    )
    assert err.code == "transition_not_allowed"
    assert case.status is status and case.version == version
    assert len(case._pending_events) == pending


# ---- corrections ----------------------------------------------------------------------------


def test_a_correction_needs_a_reason() -> None:
    case = registered_case()
    err = refused(
        RuleViolated,
        lambda: perform(case, "correct", reason="  ", target_version=1, target_type="Registered",
                        field="subject", old_value=case.subject, new_value="x"),
    )  # fmt: skip
    assert_rule(err, rules.CORRECTION_NEEDS_REASON)


def test_a_correction_must_change_the_value() -> None:
    case = registered_case()
    err = refused(
        RuleViolated,
        lambda: perform(case, "correct", reason="typo", target_version=1, target_type="Registered",
                        field="subject", old_value=case.subject, new_value=case.subject),
    )  # fmt: skip
    assert_rule(err, rules.CORRECTION_CHANGES_VALUE)


class _Rows:
    """Just the read a correction's resolver needs, over in-memory stored events."""

    def __init__(self, stored: list[StoredEvent]) -> None:
        self.rows = [
            LedgerRow(s.originator_id, s.originator_version, s.topic, s.state, i, utcnow())
            for i, s in enumerate(stored, start=1)
        ]

    def case_row(self, case_id: UUID, version: int) -> LedgerRow | None:
        found = [r for r in self.rows if r.originator_id == case_id and r.version == version]
        return found[0] if found else None


def correction_params(case: Case, **params: Any) -> dict[str, Any]:
    mapper = TypedMapper(transcoder=CanonicalTranscoder())
    # The pending events are the whole history of a case built in memory; leave them pending.
    stored = [mapper.to_stored_event(e) for e in case._pending_events]
    return SPEC_OF["corrections"].arguments(_Rows(stored), case, params)  # type: ignore[arg-type]


def test_a_correction_names_the_earlier_entry_with_old_and_new_value() -> None:
    case = answered_case()
    answer_version = case.answer_version
    assert case.answer_delivered_on is not None
    old = case.answer_delivered_on
    new = old - timedelta(days=1)
    args = correction_params(
        case, target_version=answer_version, field="delivered_on", new_value=new.isoformat()
    )
    assert args == {
        "target_version": answer_version, "target_type": "Answered", "field": "delivered_on",
        "old_value": old.isoformat(), "new_value": new.isoformat(),
    }  # fmt: skip
    perform(case, "correct", reason="the receipt shows the day before", **args)
    assert case.answer_delivered_on == new
    assert type(case.answer_delivered_on) is date
    assert case.corrections == {str(answer_version): {"delivered_on": new.isoformat()}}


def test_a_second_correction_starts_from_the_corrected_value() -> None:
    case = registered_case()
    args = correction_params(case, target_version=1, field="subject", new_value="second")
    perform(case, "correct", reason="typo", **args)
    again = correction_params(case, target_version=1, field="subject", new_value="third")
    assert again["old_value"] == "second"


@pytest.mark.parametrize(
    ("version", "field"), [(1, "petitioners"), (1, "actor"), (1, "prev_hash"), (2, "accepting_unit")]
)
def test_only_recorded_facts_can_be_corrected(version: int, field: str) -> None:
    case = accepted_case()
    err = refused(
        RuleViolated, lambda: correction_params(case, target_version=version, field=field, new_value="x")
    )
    assert_rule(err, rules.CORRECTION_TARGET_CORRECTABLE)


def test_a_correction_of_a_missing_entry_is_not_found() -> None:
    refused(
        NotFound,
        lambda: correction_params(registered_case(), target_version=9, field="subject", new_value="x"),
    )


def test_a_correction_with_a_value_of_the_wrong_type_is_refused() -> None:
    case = answered_case()
    err = refused(
        InvalidInput,
        lambda: correction_params(
            case, target_version=case.answer_version, field="outcome", new_value="maybe"
        ),
    )
    assert err.context["field"] == "new_value"


def test_correcting_a_superseded_answer_leaves_the_current_answer_alone() -> None:
    case = closed_case()
    first_answer = case.answer_version
    perform(case, "reopen", reason="new facts")
    perform(case, "answer", outcome=AnswerOutcome.SUPPORT, delivered_on=local_date(next_moment(case)))
    args = correction_params(case, target_version=first_answer, field="outcome", new_value="reject")
    perform(case, "correct", reason="wrong box ticked", **args)
    assert case.answer_outcome is AnswerOutcome.SUPPORT


# ---- time -----------------------------------------------------------------------------------


def test_accept_before_registration_is_refused() -> None:
    case = registered_case()
    assert case.registered_at is not None
    err = refused(
        RuleViolated,
        lambda: perform(case, "accept", at=case.registered_at - timedelta(seconds=1), accepting_unit="u"),  # type: ignore[operator]
    )
    assert_rule(err, rules.CHRONOLOGY)
    assert err.context["not_before"] == case.registered_at.isoformat()


def test_a_transition_cannot_predate_the_previous_transition() -> None:
    case = assigned_case()
    assert case.last_transition_at is not None
    err = refused(
        RuleViolated,
        lambda: perform(case, "answer", at=case.last_transition_at - timedelta(minutes=1),  # type: ignore[operator]
                        outcome=AnswerOutcome.SUPPORT, delivered_on=date.today()),
    )  # fmt: skip
    assert_rule(err, rules.CHRONOLOGY)


def test_a_note_may_be_back_dated_to_any_time_after_registration() -> None:
    case = assigned_case()
    assert case.registered_at is not None
    perform(case, "add_note", at=case.registered_at, text="phone call that day")
    assert case.note_count == 1
    refused(
        RuleViolated,
        lambda: perform(case, "add_note", at=case.registered_at - timedelta(seconds=1), text="x"),  # type: ignore[operator]
    )


def test_a_command_dated_in_the_future_is_refused() -> None:
    case = assigned_case()
    err = refused(
        RuleViolated,
        lambda: perform(case, "record_progress", at=utcnow() + timedelta(hours=1),
                        step=ProgressStep.MET_PETITIONER),
    )  # fmt: skip
    assert_rule(err, rules.NOT_IN_FUTURE)


def test_a_few_minutes_of_clock_skew_are_tolerated() -> None:
    case = registered_case(at=utcnow() - timedelta(hours=1))
    perform(case, "add_note", at=utcnow() + timedelta(minutes=2), text="x")
    assert case.note_count == 1


def test_registration_entered_more_than_24_hours_late_is_flagged_late() -> None:
    assert registered_case(at=utcnow() - timedelta(hours=25)).is_late_entry
    assert registered_case(at=utcnow() - timedelta(days=400)).is_late_entry


def test_registration_entered_within_24_hours_is_not_late() -> None:
    assert not registered_case(at=utcnow() - timedelta(hours=23)).is_late_entry
    assert not registered_case(at=utcnow()).is_late_entry


# ---- audit fields and hash chain ---------------------------------------------------------------


def test_events_carry_the_audit_context() -> None:
    case = registered_case()
    who = actor("officer", unit="unit-z")
    at = next_moment(case)
    with command_context(actor=who, occurred_at=at, reason="why", request_id="req-1"):
        case.add_note(text="n")
    note = case.collect_events()[-1]
    assert (note.actor, note.occurred_at, note.reason, note.request_id) == (who, at, "why", "req-1")


def test_each_event_chains_to_the_hash_of_the_one_before() -> None:
    case = terminated_case()
    perform(case, "add_note", text="final note")
    perform(case, "archive", dossier=tuple(DossierItem))
    events = case.collect_events()
    assert len(events) == case.version > 10
    assert events[0].prev_hash == GENESIS_HASH
    for before, event in pairwise(events):
        assert event.prev_hash == event_hash(before, get_topic(type(before)))
    assert case.chain_head == event_hash(events[-1], get_topic(type(events[-1])))


def test_a_changed_event_breaks_the_chain() -> None:
    events = accepted_case().collect_events()
    forged = type(events[0])(**{**vars(events[0]), "subject": "forged"})
    assert events[1].prev_hash != event_hash(forged, get_topic(type(forged)))


def test_replaying_the_events_rebuilds_the_same_case() -> None:
    case = closed_case()
    events = case.collect_events()
    copy = events[0].mutate(None)
    for event in events[1:]:
        copy = event.mutate(copy)
    assert vars(copy) == vars(case)


def test_a_refused_command_records_nothing() -> None:
    case = answered_case()
    version, head = case.version, case.chain_head
    refused(DeadlinePassed, lambda: request_review(case, 45))
    assert (case.version, case.chain_head) == (version, head)
    assert case.collect_events()[-1].originator_version == version


def test_archived_case_is_a_finished_state_of_a_terminated_case() -> None:
    case = terminated_case()
    perform(case, "archive", dossier=tuple(DossierItem))
    assert case.status is S.ARCHIVED
    assert case.archived_at == case.last_transition_at


def test_reading_personal_data_of_an_archived_case_is_still_on_the_record() -> None:
    case = archived_case()
    perform(case, "record_personal_data_view", at=utcnow(), purpose="inspection")
    assert case.personal_data_views == 1
    assert case.status is S.ARCHIVED


# ---- robustness: refused cleanly, never recorded half-way ----------------------------------


def test_a_value_the_ledger_cannot_encode_is_refused_without_touching_the_case() -> None:
    case = registered_case()
    version, headcount = case.version, case.headcount
    with pytest.raises(DomainError):
        perform(case, "correct", reason="typo", target_version=1, target_type="Registered",
                field="headcount", old_value=headcount, new_value=2**70)  # fmt: skip
    assert (case.version, case.headcount) == (version, headcount)


def test_an_unknown_reason_code_is_refused_rather_than_recorded() -> None:
    case = registered_case()
    with pytest.raises(DomainError):
        perform(case, "not_accept", reason_code="bogus", notice_issued_on=date.today())


def test_a_mediated_closure_given_as_plain_text_still_needs_an_agreement() -> None:
    case = visited_case()
    with pytest.raises(DomainError):
        perform(case, "close", closure_type="mediated")


def test_an_accusation_given_as_plain_text_must_still_name_the_accused() -> None:
    with pytest.raises(DomainError):
        register(kind="accusation")


# ---- the petitioner's query code and self-service rating (第二十一条) ---------------------------


def test_the_public_principal_records_a_self_service_rating_and_nothing_else() -> None:
    from domain.values import PUBLIC_ACTOR

    case = answered_case()
    with command_context(actor=PUBLIC_ACTOR, occurred_at=next_moment(case)):
        case.record_return_visit(satisfaction=Satisfaction.UNSATISFIED, signed=False, method=ContactMethod.SELF_SERVICE)
    assert case.satisfaction is Satisfaction.UNSATISFIED and case.return_visit_count == 1
    with command_context(actor=PUBLIC_ACTOR, occurred_at=next_moment(case)):
        err = refused(
            DomainError,
            lambda: case.record_return_visit(
                satisfaction=Satisfaction.SATISFIED, signed=True, method=ContactMethod.PHONE
            ),
        )
    assert_rule(err, rules.SELF_SERVICE_RATING_ONLY_BY_PETITIONER)


def test_a_reissued_query_code_replaces_the_registered_one() -> None:
    stored = hash_query_code(new_query_code())
    case = register(query_code_hash=stored)
    assert case.query_code_hash == stored
    replacement = hash_query_code(new_query_code())
    perform(case, "reissue_query_code", query_code_hash=replacement)
    assert case.query_code_hash == replacement
    assert type(case._pending_events[-1]).__name__ == "QueryCodeReissued"
