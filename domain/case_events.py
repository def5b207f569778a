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
    ClosureType,
    ContactMethod,
    DossierItem,
    Kind,
    Measure,
    MediationOutcome,
    NotAcceptedReason,
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

    def apply(self, case: Any) -> None:
        case.status = Status.REGISTERED
        case.terminated_matter_on_record = self.terminated_matter_on_record
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
    # R10: why a petition of a petitioner with a terminated matter is not that matter again.
    different_matter_reason: str | None = None

    def apply(self, case: Any) -> None:
        case.status = Status.ACCEPTED
        case.different_matter_reason = self.different_matter_reason
        case.accepting_unit = self.accepting_unit
        case.accepted_at = self.occurred_at
        case.last_transition_at = self.occurred_at


class NotAccepted(CaseEvent):
    reason_code: NotAcceptedReason
    notice_issued_on: date

    def apply(self, case: Any) -> None:
        case.status = Status.NOT_ACCEPTED
        case.not_accepted_reason = self.reason_code
        case.notice_issued_on = self.notice_issued_on
        case.screened_at = self.occurred_at
        case.last_transition_at = self.occurred_at


class Diverted(CaseEvent):
    pathway: Pathway
    institution: str

    def apply(self, case: Any) -> None:
        case.status = Status.DIVERTED
        case.diverted_to = (self.pathway, self.institution)
        case.screened_at = self.occurred_at
        case.last_transition_at = self.occurred_at


class Transferred(CaseEvent):
    authority: str

    def apply(self, case: Any) -> None:
        case.status = Status.TRANSFERRED
        case.transferred_to = self.authority
        case.screened_at = self.occurred_at
        case.last_transition_at = self.occurred_at


class Assigned(CaseEvent):
    unit_code: str
    leader_id: str
    officer_id: str | None = None

    def apply(self, case: Any) -> None:
        case.status = Status.IN_HANDLING
        case.unit_code = self.unit_code
        case.leader_id = self.leader_id
        case.officer_id = self.officer_id
        case.assigned_at = self.occurred_at
        case.assignment_version = self.originator_version
        case.last_transition_at = self.occurred_at


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
    campaign: str
    designated_by: str

    def apply(self, case: Any) -> None:
        case.backlog_campaigns = (*case.backlog_campaigns, self.campaign)


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


CASE_EVENT_TYPES: tuple[type[CaseEvent], ...] = (
    Registered, Accepted, NotAccepted, Diverted, Transferred, Assigned, Reassigned, Instructed,
    SupervisionIssued, SupervisionAnswered, ProgressRecorded, MediationRecorded, ExtensionGranted,
    Answered, ReturnVisitRecorded, ReviewRequested, ReviewDecided, ReReviewRequested,
    HearingHeld, ReReviewDecided, Closed, Reopened, Terminated, Archived, BacklogDesignated,
    RepeatLinked, AccountabilityRecorded, NoteAdded, DocumentAttached, Corrected,
    PersonalDataViewed,
)  # fmt: skip
