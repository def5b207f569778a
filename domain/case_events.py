"""The events of a petition case (DOMAIN.md, "Events").

Each `apply` only assigns state: it is re-run on every replay, so it must never check a
rule (rules live in the command methods of `domain.case.Case`).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from domain.ledger import LedgerCreated, LedgerEvent
from domain.values import Petitioner
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


class CaseEvent(LedgerEvent):
    """Base of every case event."""


class Registered(CaseEvent, LedgerCreated):
    channel: Channel
    kind: Kind
    petitioners: tuple[Petitioner, ...]
    headcount: int
    subject: str
    content: str
    category: str
    region_code: str
    received_unit: str
    policy_version: str
    external_ref: str | None = None
    accused_unit: str | None = None
    accused_leader: str | None = None
    # R10: at registration, an earlier case of the same identity number was terminated (终结).
    terminated_matter_on_record: bool = False
    # The petitioner's query code as a scrypt hash (domain/query_code.py), never the code; events
    # stored before it have none, and their cases have no public look-up until one is reissued.
    query_code_hash: str | None = None
    # Issue 21: the leader's reception (领导接访) the petition was received at; None for most.
    reception_id: str | None = None

    def apply(self, case: Any) -> None:
        case.status = Status.REGISTERED
        case.terminated_matter_on_record = self.terminated_matter_on_record
        case.query_code_hash = self.query_code_hash
        case.reception_id = self.reception_id
        for name in (
            "channel", "kind", "petitioners", "headcount", "subject", "content", "category",
            "region_code", "received_unit", "policy_version", "external_ref", "accused_unit",
            "accused_leader",
        ):  # fmt: skip
            setattr(case, name, getattr(self, name))
        case.registered_at = self.occurred_at
        case.registered_by = self.actor.user_id
        case.last_transition_at = self.occurred_at


class Accepted(CaseEvent):
    accepting_unit: str
    policy_version: str
    # R5 (issue 18): the notice of the outcome; events recorded before it have none of these
    # fields and read as notice_pending=False, so their screening clocks stay as they were.
    notice_issued_on: date | None = None
    notice_mode: NoticeMode | None = None
    notice_pending: bool = False
    # R10: why a petition of a petitioner with a terminated matter is not that matter again.
    different_matter_reason: str | None = None

    def apply(self, case: Any) -> None:
        case.status = Status.ACCEPTED
        case.different_matter_reason = self.different_matter_reason
        case.accepting_unit = self.accepting_unit
        case.accepted_at = self.occurred_at
        case.last_transition_at = self.occurred_at
        take_screening_notice(case, self)


class NotAccepted(CaseEvent):
    reason_code: NotAcceptedReason
    notice_issued_on: date | None = None  # required until issue 18; a notice may now follow
    notice_mode: NoticeMode | None = None
    notice_pending: bool = False

    def apply(self, case: Any) -> None:
        case.status = Status.NOT_ACCEPTED
        case.not_accepted_reason = self.reason_code
        case.screened_at = self.occurred_at
        case.last_transition_at = self.occurred_at
        take_screening_notice(case, self)


class Diverted(CaseEvent):
    pathway: Pathway
    institution: str
    notice_issued_on: date | None = None
    notice_mode: NoticeMode | None = None
    notice_pending: bool = False

    def apply(self, case: Any) -> None:
        case.status = Status.DIVERTED
        case.diverted_to = (self.pathway, self.institution)
        case.screened_at = self.occurred_at
        case.last_transition_at = self.occurred_at
        take_screening_notice(case, self)
        case.diversion_outcome = None


class Transferred(CaseEvent):
    authority: str
    notice_issued_on: date | None = None
    notice_mode: NoticeMode | None = None
    notice_pending: bool = False

    def apply(self, case: Any) -> None:
        case.status = Status.TRANSFERRED
        case.transferred_to = self.authority
        case.screened_at = self.occurred_at
        case.last_transition_at = self.occurred_at
        take_screening_notice(case, self)


class Assigned(CaseEvent):
    unit_code: str
    leader_id: str
    officer_id: str | None = None
    report_by: date | None = None  # 办结报告 deadline (第二十二条第三项), issue 18

    def apply(self, case: Any) -> None:
        case.status = Status.IN_HANDLING
        case.unit_code = self.unit_code
        case.leader_id = self.leader_id
        case.officer_id = self.officer_id
        case.assigned_at = self.occurred_at
        case.assignment_version = self.originator_version
        case.assignment_count += 1  # 交办 times, for the local escalation policy (issue 21)
        case.last_transition_at = self.occurred_at
        case.report_by = self.report_by
        case.objection_pending = False


class Reassigned(Assigned):
    """A new unit and leader take the case over; handling goes on."""


class Instructed(CaseEvent):
    leader_id: str
    text: str

    def apply(self, case: Any) -> None:
        case.instruction_count += 1


class SupervisionIssued(CaseEvent):
    supervisor_id: str
    reply_by: date
    text: str

    def apply(self, case: Any) -> None:
        case.open_supervisions = (*case.open_supervisions, self.originator_version)
        case.supervision_count += 1


class SupervisionAnswered(CaseEvent):
    supervision_version: int
    reply: str

    def apply(self, case: Any) -> None:
        case.open_supervisions = tuple(v for v in case.open_supervisions if v != self.supervision_version)


class ProgressRecorded(CaseEvent):
    step: ProgressStep
    note: str | None = None

    def apply(self, case: Any) -> None:
        case.progress_steps = frozenset({*case.progress_steps, self.step})


class MediationRecorded(CaseEvent):
    outcome: MediationOutcome
    document_sha256: str | None = None

    def apply(self, case: Any) -> None:
        case.mediation_outcome = self.outcome


class ExtensionGranted(CaseEvent):
    days: int
    approved_by: str
    petitioner_notified_on: date

    def apply(self, case: Any) -> None:
        case.extension_days = self.days
        case.extension_period = case.handling_period


class Answered(CaseEvent):
    outcome: AnswerOutcome
    delivered_on: date
    document_sha256: str | None = None

    def apply(self, case: Any) -> None:
        case.status = Status.ANSWERED
        case.answer_outcome = self.outcome
        case.answer_delivered_on = self.delivered_on
        case.answer_document = self.document_sha256
        case.answered_at = self.occurred_at
        case.answer_version = self.originator_version
        # R3: the review (复查) goes to the level above the unit that answered: the holding unit.
        case.answering_unit = case.unit_code
        case.return_visit_in_period = False
        case.last_transition_at = self.occurred_at


class ReturnVisitRecorded(CaseEvent):
    satisfaction: Satisfaction
    signed: bool
    method: ContactMethod
    answer_sha256: str | None = None
    comment: str | None = None

    def apply(self, case: Any) -> None:
        case.satisfaction = self.satisfaction
        case.return_visit_count += 1
        case.return_visit_in_period = True


class ReviewRequested(CaseEvent):
    requested_on: date
    # R3 (defaults keep earlier requests readable): the day the deciding unit received it, the
    # unit one level above the answering unit, or referred upward when that level is outside.
    received_on: date | None = None
    deciding_unit: str | None = None
    referred_upward: bool = False

    def apply(self, case: Any) -> None:
        case.status = Status.UNDER_REVIEW
        case.review_requested_on = self.requested_on
        case.review_received_on = self.received_on or self.requested_on
        case.review_deciding_unit = self.deciding_unit
        case.review_referred_upward = self.referred_upward
        case.review_answer_version = case.answer_version
        case.last_transition_at = self.occurred_at


class ReviewDecided(CaseEvent):
    reviewing_unit: str  # for a decision taken outside the jurisdiction: that authority
    decision: ReviewDecision
    delivered_on: date
    decided_outside: bool = False
    document_sha256: str | None = None

    def apply(self, case: Any) -> None:
        case.status = Status.REVIEWED
        case.review_unit = self.reviewing_unit
        case.review_decided_outside = self.decided_outside
        case.review_decision = self.decision
        case.review_delivered_on = self.delivered_on
        case.last_transition_at = self.occurred_at


class ReReviewRequested(CaseEvent):
    requested_on: date
    received_on: date | None = None  # as on ReviewRequested (R3)
    deciding_unit: str | None = None
    referred_upward: bool = False

    def apply(self, case: Any) -> None:
        case.status = Status.UNDER_RE_REVIEW
        case.re_review_requested_on = self.requested_on
        case.re_review_received_on = self.received_on or self.requested_on
        case.re_review_deciding_unit = self.deciding_unit
        case.re_review_referred_upward = self.referred_upward
        case.last_transition_at = self.occurred_at


class HearingHeld(CaseEvent):
    started_on: date
    ended_on: date

    def apply(self, case: Any) -> None:
        case.hearings = (*case.hearings, (self.started_on, self.ended_on))


class ReReviewDecided(CaseEvent):
    reviewing_unit: str  # for a decision taken outside the jurisdiction: that authority
    decision: ReviewDecision
    delivered_on: date
    decided_outside: bool = False
    document_sha256: str | None = None

    def apply(self, case: Any) -> None:
        case.re_review_decision = self.decision
        case.re_review_delivered_on = self.delivered_on


class Closed(CaseEvent):
    closure_type: ClosureType

    def apply(self, case: Any) -> None:
        case.status = Status.CLOSED
        case.closure_type = self.closure_type
        case.closed_at = self.occurred_at
        case.last_transition_at = self.occurred_at


class Reopened(CaseEvent):
    """回流: a closed case goes back into handling for a new handling period."""

    def apply(self, case: Any) -> None:
        case.status = Status.IN_HANDLING
        case.handling_period += 1
        case.reopened_count += 1
        case.reopened_at = self.occurred_at
        case.closure_type = None
        case.closed_at = None
        case.last_transition_at = self.occurred_at


class Terminated(CaseEvent):
    basis: TerminationBasis

    def apply(self, case: Any) -> None:
        case.status = Status.TERMINATED
        case.termination_basis = self.basis
        case.terminated_at = self.occurred_at
        case.last_transition_at = self.occurred_at


class Archived(CaseEvent):
    dossier: tuple[DossierItem, ...]

    def apply(self, case: Any) -> None:
        case.status = Status.ARCHIVED
        case.archived_at = self.occurred_at
        case.last_transition_at = self.occurred_at


class BacklogDesignated(CaseEvent):
    campaign: str  # the campaign's id (POST /api/v1/campaigns); a bare name before issue 21
    designated_by: str

    def apply(self, case: Any) -> None:
        case.backlog_campaigns = (*case.backlog_campaigns, self.campaign)


class BacklogCleared(CaseEvent):
    """销号: the case is struck off a campaign, on a leader's approval and a stated basis."""

    campaign: str
    approved_by: str
    basis: ClearanceBasis
    cleared_by: str

    def apply(self, case: Any) -> None:
        case.backlog_cleared = (*case.backlog_cleared, self.campaign)


class RepeatLinked(CaseEvent):
    earlier_case_id: UUID
    earlier_terminated: bool

    def apply(self, case: Any) -> None:
        case.repeat_of = (*case.repeat_of, self.earlier_case_id)
        case.repeat_of_terminated = case.repeat_of_terminated or self.earlier_terminated


class AccountabilityRecorded(CaseEvent):
    measure: Measure
    basis: str
    decided_by: str
    target_leader_id: str | None = None
    target_unit_code: str | None = None
    # 责令限期整改 (第三十九条): the deadline of an ordered rectification; no other measure has one.
    rectify_by: date | None = None

    def apply(self, case: Any) -> None:
        case.accountability_count += 1


class NoteAdded(CaseEvent):
    text: str

    def apply(self, case: Any) -> None:
        case.note_count += 1


class DocumentAttached(CaseEvent):
    file_name: str
    media_type: str
    sha256: str

    def apply(self, case: Any) -> None:
        case.documents = (*case.documents, self.sha256)


class Corrected(CaseEvent):
    target_version: int
    target_type: str
    field: str
    old_value: Any
    new_value: Any

    def apply(self, case: Any) -> None:
        case.apply_correction(self)


class PersonalDataViewed(CaseEvent):
    """A read of the petitioner's unmasked personal data is itself on the record."""

    purpose: str

    def apply(self, case: Any) -> None:
        case.personal_data_views += 1


# ---- notices, completion reports, objections, diversion outcomes (issue 18: R5, R6, R7) ----


def take_screening_notice(case: Any, event: Accepted | NotAccepted | Diverted | Transferred) -> None:
    """A screening outcome's notice (R5), or that it is still owed (the clock runs until then)."""
    case.screening_decided_at = event.occurred_at
    case.screening_version = event.originator_version
    case.notice_issued_on = event.notice_issued_on
    case.notice_mode = event.notice_mode
    case.notice_pending = event.notice_pending


class NoticeIssued(CaseEvent):
    """The notice of the latest screening outcome, recorded after the decision (第二十三条)."""

    issued_on: date
    notice_mode: NoticeMode

    def apply(self, case: Any) -> None:
        case.notice_issued_on = self.issued_on
        case.notice_mode = self.notice_mode
        case.notice_pending = False


class CompletionReported(CaseEvent):
    """The holding unit's 办结报告 to the assigning side (第二十二条第三项)."""

    text: str
    document_sha256: str | None = None

    def apply(self, case: Any) -> None:
        case.completion_reported_version = case.assignment_version


class AssignmentObjected(CaseEvent):
    """The assigned unit objects that the matter is not its to handle; why is the `reason`."""

    def apply(self, case: Any) -> None:
        case.objection_pending = True
        case.objected_assignment_version = case.assignment_version


class ObjectionDecided(CaseEvent):
    """The assigning side decides an objection: upheld, the case comes back (交还) for reassignment."""

    upheld: bool

    def apply(self, case: Any) -> None:
        case.objection_pending = False
        if self.upheld:
            case.status = Status.ACCEPTED
            release_holder(case)
            case.last_transition_at = self.occurred_at


class DiversionOutcomeRecorded(CaseEvent):
    """What the legal pathway did with a diverted matter; `returned` (回流) reopens screening."""

    outcome: DiversionOutcome
    on: date

    def apply(self, case: Any) -> None:
        case.diversion_outcome = self.outcome
        if self.outcome is DiversionOutcome.RETURNED:
            case.status = Status.REGISTERED
            release_holder(case)
            case.diverted_to = None
            case.screened_at = case.accepted_at = case.accepting_unit = None
            case.screening_decided_at = None
            case.notice_issued_on = case.notice_mode = None
            case.notice_pending = False
            case.last_transition_at = self.occurred_at


def release_holder(case: Any) -> None:
    """No unit, leader or officer holds the case any longer (交还, 回流)."""
    case.unit_code = case.leader_id = case.officer_id = None
    case.assigned_at = None
    case.report_by = None


class QueryCodeReissued(CaseEvent):
    """A new query code for the petitioner (the old one stops working); only its hash is kept."""

    query_code_hash: str

    def apply(self, case: Any) -> None:
        case.query_code_hash = self.query_code_hash


class ImplementationRecorded(CaseEvent):
    """落实: the supported answer was carried out on `done_on` (第三十三条)."""

    done_on: date
    note: str | None = None

    def apply(self, case: Any) -> None:
        case.implemented_on = self.done_on
        case.implemented_answer_version = case.answer_version


PROCESS_EVENT_TYPES: tuple[type[CaseEvent], ...] = (
    NoticeIssued, CompletionReported, AssignmentObjected, ObjectionDecided, DiversionOutcomeRecorded,
    QueryCodeReissued,
    ImplementationRecorded,
)  # fmt: skip


CASE_EVENT_TYPES: tuple[type[CaseEvent], ...] = (
    Registered, Accepted, NotAccepted, Diverted, Transferred, Assigned, Reassigned, Instructed,
    SupervisionIssued, SupervisionAnswered, ProgressRecorded, MediationRecorded, ExtensionGranted,
    Answered, ReturnVisitRecorded, ReviewRequested, ReviewDecided, ReReviewRequested,
    HearingHeld, ReReviewDecided, Closed, Reopened, Terminated, Archived, BacklogDesignated, BacklogCleared,
    RepeatLinked, AccountabilityRecorded, NoteAdded, DocumentAttached, Corrected,
    PersonalDataViewed, *PROCESS_EVENT_TYPES,
)  # fmt: skip
