"""The named business rules of the 2022 regulation (《信访工作条例》) that a command can break.

Each rule has a stable name (the error's `rule`), a message and, where one applies, the article.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NoReturn

from domain.errors import (
    DeadlinePassed,
    DomainError,
    Forbidden,
    InvalidInput,
    RuleViolated,
    TransitionNotAllowed,
)


@dataclass(frozen=True)
class Rule:
    name: str
    message: str
    article: str | None = None
    error: type[DomainError] = RuleViolated

    def broken(self, **context: Any) -> NoReturn:
        raise self.error(self.message, article=self.article, rule=self.name, **context)

    def check(self, condition: bool, **context: Any) -> None:
        if not condition:
            self.broken(**context)


ANSWER_NEEDS_ACCEPTANCE_AND_ASSIGNMENT = Rule(
    "answer_needs_acceptance_and_assignment",
    "an answer needs an accepted case assigned to a unit and a leader",
    "第三十二条",
    TransitionNotAllowed,
)
RETURN_VISIT_NEEDS_ANSWER = Rule(
    "return_visit_needs_answer", "a return visit needs a written answer", None, TransitionNotAllowed
)
SELF_SERVICE_RATING_ONLY_BY_PETITIONER = Rule(
    "self_service_rating_only_by_the_petitioner",
    "a self_service return visit is the petitioner's own rating on the public look-up: staff record "
    "their visits by another method, and the public look-up records nothing else",
    "第二十一条",
    Forbidden,
)
REVIEW_NEEDS_ANSWER = Rule(
    "review_needs_answer", "a review request needs a written answer", "第三十五条", TransitionNotAllowed
)
RE_REVIEW_NEEDS_REVIEW_DECISION = Rule(
    "re_review_needs_review_decision",
    "a re-review request needs a review decision",
    "第三十六条",
    TransitionNotAllowed,
)
REVIEW_WITHIN_WINDOW = Rule(
    "review_request_within_30_days",
    "a review request must be made within 30 days of receiving the written answer",
    "第三十五条",
    DeadlinePassed,
)
RE_REVIEW_WITHIN_WINDOW = Rule(
    "re_review_request_within_30_days",
    "a re-review request must be made within 30 days of receiving the review decision",
    "第三十六条",
    DeadlinePassed,
)
ONE_REVIEW_PER_ANSWER = Rule(
    "one_review_per_decision",
    "a written answer is reviewed once, and a review decision re-reviewed once",
    "第三十五条、第三十六条",
    TransitionNotAllowed,
)
ONE_EXTENSION_PER_PERIOD = Rule(
    "one_extension_per_handling_period",
    "only one extension may be granted in a handling period",
    "第三十四条",
)
EXTENSION_BEFORE_DUE = Rule(
    "extension_before_handling_due",
    "an extension is granted while the handling period still runs, not after it ran out",
    "第三十四条",
    DeadlinePassed,
)
EXTENSION_AT_MOST_30_DAYS = Rule("extension_at_most_30_days", "an extension is 1 to 30 days", "第三十四条")
EXTENSION_NEEDS_APPROVER_AND_REASON = Rule(
    "extension_needs_approver_and_reason",
    "an extension needs the approving unit head and the reason the petitioner is told",
    "第三十四条",
)
AT_MOST_FIVE_REPRESENTATIVES = Rule(
    "at_most_five_representatives",
    "a collective visit names at most 5 representatives",
    "第二十条",
)
ACCUSATION_NAMES_ACCUSED = Rule(
    "accusation_names_accused",
    "an accusation must name the accused unit or leader, so their access can be barred",
    "第三十条",
)
NOT_REACCEPTED_AFTER_TERMINATION = Rule(
    "terminated_matter_not_reaccepted",
    "the same matter was terminated after re-review: it is not accepted again (不再受理)",
    "第三十六条",
)
CLOSED_BEFORE_ARCHIVE = Rule(
    "archive_needs_finished_case",
    "only a finished case (closed, terminated, not accepted, diverted or transferred) is archived",
    None,
    TransitionNotAllowed,
)
DOSSIER_COMPLETE = Rule(
    "archive_needs_complete_dossier",
    "archiving needs the complete dossier checklist (六个一)",
)
CLOSURE_NEEDS_RETURN_VISIT = Rule(
    "closure_needs_return_visit",
    "a case is closed after the return visit on its answer",
    None,
    TransitionNotAllowed,
)
MEDIATED_CLOSURE_NEEDS_AGREEMENT = Rule(
    "mediated_closure_needs_agreement",
    "closing as mediated needs a recorded mediation agreement or settlement",
    "第三十三条",
)
TERMINATION_BASIS_HOLDS = Rule(
    "termination_basis_must_hold",
    "the termination basis does not hold for this case",
    "第三十六条",
    TransitionNotAllowed,
)
NOTHING_AFTER_ARCHIVE = Rule(
    "archived_case_is_sealed",
    "an archived dossier is sealed: nothing more is entered (a correction is not allowed either)",
    None,
    TransitionNotAllowed,
)
CHRONOLOGY = Rule(
    "occurred_at_in_order",
    "this step cannot have happened before the step it follows",
)
NOT_IN_FUTURE = Rule("occurred_at_not_in_future", "occurred_at is in the future")
# R12, plausible dates: refused as malformed input (422 validation_failed naming the field).
DATE_NOT_BEFORE_1990 = Rule(
    "date_not_before_1990", "a date before 1990-01-01 is not a plausible petition date", None, InvalidInput
)
DATE_NOT_IN_FUTURE = Rule("date_not_in_future", "a recorded date cannot lie after today", None, InvalidInput)
NOT_BEFORE_WHAT_IT_ANSWERS = Rule(
    "dated_not_before_what_it_answers",
    "a notice or delivery is not dated before what it answers",
    None,
    InvalidInput,
)
SUPERVISION_REPLY_NAMES_OPEN_LETTER = Rule(
    "supervision_reply_needs_open_letter",
    "a supervision reply answers an open supervision letter",
    "第四十条",
    TransitionNotAllowed,
)
HEARING_DATES_IN_ORDER = Rule(
    "hearing_dates_in_order", "a hearing ends on or after the day it starts", "第三十六条"
)
CORRECTION_NEEDS_REASON = Rule("correction_needs_reason", "a correction states its reason")
CORRECTION_TARGET_CORRECTABLE = Rule(
    "correction_target_correctable",
    "that field of that entry cannot be corrected (only recorded facts can be)",
)
CORRECTION_CHANGES_VALUE = Rule("correction_changes_value", "the new value equals the value in force")


# ---- notices, completion reports, objections, diversion (issue 18; DOMAIN.md R5, R6, R7) ----

NOTICE_DATED_WITHIN_THE_MATTER = Rule(
    "notice_dated_after_the_petition_and_not_in_future",
    "a notice is dated no earlier than the petition arose and no later than today",
    "第二十二条、第二十三条",
    InvalidInput,
)
NOTICE_FOLLOWS_A_DECISION_WITHOUT_ONE = Rule(
    "notice_follows_an_outcome_without_one",
    "a notice is recorded for the latest screening outcome, once, when it was decided without one",
    "第二十三条",
    TransitionNotAllowed,
)
OBJECTION_WITHIN_5_WORKING_DAYS = Rule(
    "assignment_objection_within_5_working_days",
    "an objection to an assignment is made within 5 working days of receiving it",
    "第二十三条",
    DeadlinePassed,
)
OBJECTION_STATES_REASONS = Rule(
    "assignment_objection_states_reasons",
    "an objection to an assignment explains in detail why the matter is not the unit's",
    "第二十三条",
)
ONE_OBJECTION_PER_ASSIGNMENT = Rule(
    "one_objection_per_assignment",
    "an assignment is objected to once; the assigning side decides it",
    "第二十三条",
    TransitionNotAllowed,
)
OBJECTION_DECISION_NEEDS_OBJECTION = Rule(
    "objection_decision_needs_pending_objection",
    "an objection decision answers an objection not yet decided",
    "第二十三条",
    TransitionNotAllowed,
)
DIVERSION_BY_THE_PHASE_HOLDER = Rule(
    "diversion_by_the_phase_holder",
    "before acceptance the registrar diverts a matter; after it, the holding unit's officer or the supervisor",
    "第二十八条、第三十一条",
    Forbidden,
)
DIVERSION_OUTCOME_ONCE = Rule(
    "diversion_outcome_recorded_once",
    "a diversion's outcome is recorded once: taken up, or returned (回流) to screening",
    "第二十八条、第三十一条",
    TransitionNotAllowed,
)

# ---- the appeal chain and which matters get it (DOMAIN.md R3, R4, R10; issue 18) ------------

ARCHIVE_AFTER_APPEAL_RIGHTS = Rule(
    "archive_after_appeal_rights",
    "a case is not archived while a review (复查) or re-review (复核) request window is open or a "
    "request is pending: archiving would cut off the petitioner's statutory right",
    "第三十五条、第三十六条",
    TransitionNotAllowed,
)
APPEAL_ONLY_FOR_COMPLAINT_REQUESTS = Rule(
    "appeal_only_for_complaint_requests",
    "review and re-review apply to complaint-request matters (申诉求决类): a suggestion gets a reply "
    "(第二十九条) and an accusation follows its handling body's own rules (第三十条)",
    "第二十九条、第三十条、第三十五条",
    TransitionNotAllowed,
)
HANDLING_PERIOD_ONLY_FOR_ITS_MATTERS = Rule(
    "handling_period_only_for_its_matters",
    "only a complaint request has the 60-day handling period (第三十四条 is for matters of "
    "第三十一条第六项; a suggestion is replied to, an accusation follows its handling body's rules): "
    "there is nothing to extend",
    "第二十九条、第三十四条",
    TransitionNotAllowed,
)
HEARING_DURING_HANDLING_ONLY_ART_31_6 = Rule(
    "hearing_during_handling_only_for_complaint_requests",
    "a hearing during handling is held on a complaint-request matter (第三十一条第六项)",
    "第三十一条",
    TransitionNotAllowed,
)
REVIEW_BY_LEVEL_ABOVE = Rule(
    "review_decided_by_level_above",
    "the review (复查) is decided by the unit one level above the unit that answered; where that "
    "level is outside this jurisdiction, the request was referred upward and the outside decision "
    "is entered with decided_outside",
    "第三十五条",
)
RE_REVIEW_BY_LEVEL_ABOVE = Rule(
    "re_review_decided_by_level_above",
    "the re-review (复核) is decided by the unit one level above the unit that decided the review; "
    "where that level is outside this jurisdiction, the request was referred upward and the outside "
    "decision is entered with decided_outside",
    "第三十六条",
)
OUTSIDE_DECISION_ENTERED_AT_TOP = Rule(
    "outside_decision_entered_at_top_of_tree",
    "an outside decision is entered only for a request referred upward, by a supervisor of the top "
    "unit of this jurisdiction above the unit that answered, with the decision document's SHA-256",
    "第三十五条、第三十六条",
)
TERMINATED_IDENTITY_NEEDS_DIFFERENT_MATTER = Rule(
    "terminated_identity_needs_different_matter_reason",
    "the same petitioner has a terminated matter on record: a new petition is screened 不再受理 "
    "unless the acceptance records why it is a different matter (different_matter_reason)",
    "第三十六条",
)

# ---- backlog campaigns and 销号 (issue 21) ---------------------------------------------------

BACKLOG_CLEARED_ONLY_IF_DESIGNATED = Rule(
    "backlog_cleared_only_if_designated",
    "a case is struck off (销号) only a campaign it is on and has not yet been struck off",
    "第十八条",
    TransitionNotAllowed,
)
OPEN_BACKLOG_CASE_CLEARED_ONLY_ON_DESISTANCE = Rule(
    "open_backlog_case_cleared_only_on_desistance",
    "a case still open is struck off (销号) only on the basis petitioner_desisted (息诉罢访, the "
    "petitioner's written undertaking): striking off an unresolved matter otherwise would report "
    "a backlog as resolved that is not (不得弄虚作假)",
    "第二十八条",
    TransitionNotAllowed,
)
BACKLOG_CLEARANCE_BASIS_TRUE = Rule(
    "backlog_clearance_basis_true_of_the_case",
    "the basis of a 销号 is true of the case: closed for a closed case, terminated for a "
    "terminated matter, left_the_petition_path for one not accepted, diverted or transferred",
    "第二十八条",
)

# ---- practices of the county reports (issue 21): 落实, escalation, 第三十九条 measures ------------

IMPLEMENTATION_NEEDS_SUPPORT_ANSWER = Rule(
    "implementation_needs_support_answer",
    "carrying out (落实) is recorded for a case whose answer supports the request",
    "第三十三条",
    TransitionNotAllowed,
)
IMPLEMENTATION_RECORDED_ONCE = Rule(
    "implementation_recorded_once",
    "the carrying out of a supported answer is recorded once (a mistake is corrected, not re-entered)",
    "第三十三条",
    TransitionNotAllowed,
)
RECTIFICATION_NEEDS_DEADLINE = Rule(
    "ordered_rectification_needs_deadline",
    "an order to rectify within a time limit (责令限期整改) names its deadline (rectify_by), "
    "and only that measure names one",
    "第三十九条",
    InvalidInput,
)
# The basis is the jurisdiction's local policy, not the regulation (which is silent): Yongxing
# county's rule as DOMAIN.md's practices section records it; off until a jurisdiction adopts it.
ESCALATED_MATTER_CLOSES_WHEN_SATISFIED = Rule(
    "escalated_matter_closes_when_satisfied",
    "under the local escalation policy, a matter assigned 3 or more times is closed or archived "
    "only after a satisfied or basically satisfied return visit (交办3次以上的事项，群众满意方可结案)",
    "本地政策 escalation（交办三次以上仍不满意的信访事项每月集中督办）",
    TransitionNotAllowed,
)
