"""The petition case aggregate (信访事项): commands check the rules, events assign state."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from domain import case_events as ev
from domain import rules
from domain.arguments import checked
from domain.context import current_context
from domain.corrections import correction_effect
from domain.errors import InvalidInput, TransitionNotAllowed
from domain.ledger import LedgerAggregate
from domain.plausible import check_answers, check_corrected, check_occurred_at, latest_day
from domain.policy import Policy, get_policy, local_date
from domain.process import HEARING_IN_HANDLING_KINDS, has_appeal_chain, has_handling_period
from domain.values import PUBLIC_ACTOR, Petitioner
from domain.vocabulary import (
    OPEN_STATUSES,
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

S = Status
# Which statuses each command may start from (DOMAIN.md, "The case lifecycle").
BEFORE_ARCHIVE = frozenset(Status) - {S.ARCHIVED}
ALLOWED_FROM: dict[str, frozenset[Status]] = {
    "accept": frozenset({S.REGISTERED}),
    "not_accept": frozenset({S.REGISTERED}),
    # R7: a matter may be routed to its legal pathway until the answer (第二十八条、第三十一条)
    "divert": frozenset({S.REGISTERED, S.ACCEPTED, S.IN_HANDLING}),
    "transfer": frozenset({S.REGISTERED}),
    "assign": frozenset({S.ACCEPTED}),
    "reassign": frozenset({S.IN_HANDLING}),
    "instruct": OPEN_STATUSES,
    "supervise": OPEN_STATUSES,
    "answer_supervision": BEFORE_ARCHIVE,
    "record_progress": frozenset({S.IN_HANDLING}),
    "record_mediation": frozenset({S.IN_HANDLING, S.ANSWERED}),
    "extend": frozenset({S.IN_HANDLING}),
    "answer": frozenset({S.IN_HANDLING}),
    "record_return_visit": frozenset({S.ANSWERED}),
    "request_review": frozenset({S.ANSWERED, S.CLOSED}),
    "decide_review": frozenset({S.UNDER_REVIEW}),
    "request_re_review": frozenset({S.REVIEWED, S.CLOSED}),
    "hold_hearing": frozenset({S.IN_HANDLING, S.UNDER_RE_REVIEW}),  # R4: also in handling
    "decide_re_review": frozenset({S.UNDER_RE_REVIEW}),
    "close": frozenset({S.ANSWERED, S.REVIEWED}),
    "reopen": frozenset({S.CLOSED}),
    "terminate": frozenset({S.ANSWERED, S.CLOSED, S.REVIEWED}),
    "archive": frozenset({S.CLOSED, S.TERMINATED, S.NOT_ACCEPTED, S.DIVERTED, S.TRANSFERRED}),
    "designate_backlog": BEFORE_ARCHIVE,
    "clear_backlog": BEFORE_ARCHIVE,
    "link_repeat": BEFORE_ARCHIVE,
    "record_accountability": BEFORE_ARCHIVE,
    "add_note": BEFORE_ARCHIVE,
    "attach_document": BEFORE_ARCHIVE,
    "correct": BEFORE_ARCHIVE,
    # issue 18 (R5, R6, R7)
    "record_notice": BEFORE_ARCHIVE,  # the rule names what is missing: a decision owing a notice
    "report_completion": frozenset(
        {S.IN_HANDLING, S.ANSWERED, S.CLOSED, S.UNDER_REVIEW, S.REVIEWED, S.UNDER_RE_REVIEW, S.TERMINATED}
    ),
    "object_to_assignment": frozenset({S.IN_HANDLING}),
    "decide_objection": frozenset({S.IN_HANDLING}),
    "record_diversion_outcome": frozenset({S.DIVERTED}),
    "reissue_query_code": BEFORE_ARCHIVE,
    # issue 21: 落实 follows the answer (the rule names a case whose answer is not `support`)
    "record_implementation": frozenset(
        {S.ANSWERED, S.CLOSED, S.UNDER_REVIEW, S.REVIEWED, S.UNDER_RE_REVIEW, S.TERMINATED}
    ),
}
# Commands that move the case along its lifecycle: they cannot predate the last such move.
TRANSITIONS = frozenset(
    {
        ev.Accepted, ev.NotAccepted, ev.Diverted, ev.Transferred, ev.Assigned, ev.Reassigned,
        ev.Answered, ev.ReviewRequested, ev.ReviewDecided, ev.ReReviewRequested,
        ev.ReReviewDecided, ev.Closed, ev.Reopened, ev.Terminated, ev.Archived,
        ev.ObjectionDecided, ev.DiversionOutcomeRecorded,
    }
)  # fmt: skip
MAX_REPRESENTATIVES = 5
MAX_EXTENSION_DAYS = 30
SHA256_LENGTH = 64
MAX_JSON_INT = 2**53
# Yongxing's threshold: a matter assigned (交办) this many times or more escalates (issue 21).
ESCALATION_ASSIGNMENTS = 3


def case_id_for_external_ref(external_ref: str) -> UUID:
    """The same external reference always names the same case, so it registers once."""
    return uuid5(NAMESPACE_URL, f"/xinfang/cases/external/{external_ref}")


def _basis_holds(case: Case, basis: ClearanceBasis) -> bool:
    """Whether a basis for striking a case off (销号) is true of the case, once it is no longer open."""
    if basis is ClearanceBasis.CLOSED:
        return case.status is Status.CLOSED
    if basis is ClearanceBasis.TERMINATED:
        return case.status is Status.TERMINATED
    if basis is ClearanceBasis.LEFT_THE_PETITION_PATH:
        return case.status in (Status.NOT_ACCEPTED, Status.DIVERTED, Status.TRANSFERRED)
    return True  # 息诉罢访 is the petitioner's undertaking, whatever the case's state


def _check_sha256(value: str | None, field: str) -> None:
    if value is not None and (len(value) != SHA256_LENGTH or any(c not in "0123456789abcdef" for c in value)):
        raise InvalidInput(f"{field} must be a lower-case hex SHA-256", field=field)


class Case(LedgerAggregate):
    """One petition matter. Public methods are commands; `case_events` hold the state changes."""

    def __init__(self) -> None:
        super().__init__()
        self.status = Status.REGISTERED
        self.channel: Channel | None = None
        self.kind: Kind | None = None
        self.petitioners: tuple[Petitioner, ...] = ()
        self.headcount = 0
        self.subject = self.content = self.category = self.region_code = ""
        self.received_unit = ""
        self.policy_version = ""
        self.external_ref: str | None = None
        self.accused_unit: str | None = None
        self.accused_leader: str | None = None
        self.registered_at: datetime | None = None
        self.registered_by = ""  # the registering user, who keeps reading an accusation (R1)
        self.last_transition_at: datetime | None = None
        self.accepting_unit: str | None = None
        self.accepted_at: datetime | None = None
        self.screened_at: datetime | None = None
        self.not_accepted_reason: NotAcceptedReason | None = None
        self.notice_issued_on: date | None = None
        self.diverted_to: tuple[Pathway, str] | None = None
        self.transferred_to: str | None = None
        self.unit_code: str | None = None
        self.leader_id: str | None = None
        self.officer_id: str | None = None
        self.assigned_at: datetime | None = None
        self.assignment_version = 0
        self.instruction_count = 0
        self.supervision_count = 0
        self.open_supervisions: tuple[int, ...] = ()
        self.progress_steps: frozenset[ProgressStep] = frozenset()
        self.mediation_outcome: MediationOutcome | None = None
        self.handling_period = 1
        self.extension_days = 0
        self.extension_period = 0
        self.answer_outcome: AnswerOutcome | None = None
        self.answer_delivered_on: date | None = None
        self.answer_document: str | None = None
        self.answered_at: datetime | None = None
        self.answer_version = 0
        self.satisfaction: Satisfaction | None = None
        self.return_visit_count = 0
        self.return_visit_in_period = False
        self.review_requested_on: date | None = None
        self.review_answer_version = 0
        self.review_decision: ReviewDecision | None = None
        self.review_delivered_on: date | None = None
        self.re_review_requested_on: date | None = None
        self.hearings: tuple[tuple[date, date], ...] = ()
        self.re_review_decision: ReviewDecision | None = None
        self.re_review_delivered_on: date | None = None
        self.closure_type: ClosureType | None = None
        self.closed_at: datetime | None = None
        self.reopened_count = 0
        self.reopened_at: datetime | None = None
        self.termination_basis: TerminationBasis | None = None
        self.terminated_at: datetime | None = None
        self.archived_at: datetime | None = None
        self.backlog_campaigns: tuple[str, ...] = ()
        self.backlog_cleared: tuple[str, ...] = ()  # campaigns the case was struck off (销号)
        self.reception_id: str | None = None
        self.repeat_of: tuple[UUID, ...] = ()
        self.repeat_of_terminated = False
        self.accountability_count = 0
        self.note_count = 0
        self.documents: tuple[str, ...] = ()
        self.personal_data_views = 0
        self.corrections: dict[str, Any] = {}
        # issue 18: notices (R5), the completion report and objections (R6), diversion (R7)
        self.screening_decided_at: datetime | None = None
        self.screening_version = 0  # the outcome whose notice is in force (corrections)
        self.notice_mode: NoticeMode | None = None
        self.notice_pending = False
        self.report_by: date | None = None
        self.completion_reported_version = 0
        self.objection_pending = False
        self.objected_assignment_version = 0
        self.diversion_outcome: DiversionOutcome | None = None
        # The appeal chain (R3) and the repeat screen (R10): see "appeal chain" below.
        self.answering_unit: str | None = None
        self.review_received_on: date | None = None
        self.review_deciding_unit: str | None = None
        self.review_referred_upward = False
        self.review_unit: str | None = None
        self.review_decided_outside = False
        self.re_review_received_on: date | None = None
        self.re_review_deciding_unit: str | None = None
        self.re_review_referred_upward = False
        self.terminated_matter_on_record = False
        self.different_matter_reason: str | None = None
        self.query_code_hash: str | None = None  # the petitioner's look-up (domain/query_code.py)
        # issue 21: 落实 of a supported answer, and how many times the matter was assigned (交办)
        self.implemented_on: date | None = None
        self.implemented_answer_version = 0
        self.assignment_count = 0

    # ---- registration -------------------------------------------------------------------

    @classmethod
    @checked
    def register(
        cls,
        *,
        channel: Channel,
        kind: Kind,
        petitioners: tuple[Petitioner, ...],
        headcount: int,
        subject: str,
        content: str,
        category: str,
        region_code: str,
        received_unit: str,
        policy_version: str,
        external_ref: str | None = None,
        accused_unit: str | None = None,
        accused_leader: str | None = None,
        terminated_matter_on_record: bool = False,
        query_code_hash: str | None = None,
        reception_id: str | None = None,
    ) -> Case:
        # Art. 20 limits the representatives of a collective visit (走访, R9); a joint letter or
        # online petition may carry every signatory.
        if channel is Channel.VISIT:
            rules.AT_MOST_FIVE_REPRESENTATIVES.check(len(petitioners) <= MAX_REPRESENTATIVES)
        if headcount < max(1, len(petitioners)):
            raise InvalidInput("headcount must be at least the number of petitioners", field="headcount")
        if kind is Kind.ACCUSATION:
            rules.ACCUSATION_NAMES_ACCUSED.check(bool(accused_unit or accused_leader))
        elif accused_unit or accused_leader:
            raise InvalidInput("only an accusation names an accused unit or leader", field="kind")
        get_policy(policy_version)
        check_occurred_at(current_context().effective_occurred_at())
        case_id = case_id_for_external_ref(external_ref) if external_ref else uuid4()
        return cls._start(
            ev.Registered,
            id=case_id,
            channel=channel,
            kind=kind,
            petitioners=petitioners,
            headcount=headcount,
            subject=subject,
            content=content,
            category=category,
            region_code=region_code,
            received_unit=received_unit,
            policy_version=policy_version,
            external_ref=external_ref,
            accused_unit=accused_unit,
            accused_leader=accused_leader,
            terminated_matter_on_record=terminated_matter_on_record,
            query_code_hash=query_code_hash,
            reception_id=reception_id,
        )

    @property
    def policy(self) -> Policy:
        return get_policy(self.policy_version)

    # ---- screening ----------------------------------------------------------------------

    @checked
    def accept(
        self,
        *,
        accepting_unit: str,
        notice_issued_on: date | None = None,
        notice_mode: NoticeMode | None = None,
        different_matter_reason: str | None = None,
    ) -> None:
        self._allowed("accept")
        rules.NOT_REACCEPTED_AFTER_TERMINATION.check(not self.repeat_of_terminated)
        reason = (different_matter_reason or "").strip() or None
        # R10 (第三十六条): a terminated matter is not accepted again; the registrar may still
        # accept a petition of the same person on another matter, saying why on the record.
        rules.TERMINATED_IDENTITY_NEEDS_DIFFERENT_MATTER.check(
            not self.terminated_matter_on_record or reason is not None
        )
        notice = self._screening_notice(notice_issued_on, notice_mode)
        self.trigger_event(
            ev.Accepted,
            accepting_unit=accepting_unit,
            policy_version=self.policy_version,
            different_matter_reason=reason,
            **notice,
        )

    @checked
    def not_accept(
        self,
        *,
        reason_code: NotAcceptedReason,
        notice_issued_on: date | None = None,
        notice_mode: NoticeMode | None = None,
    ) -> None:
        self._allowed("not_accept")
        notice = self._screening_notice(notice_issued_on, notice_mode)
        self.trigger_event(ev.NotAccepted, reason_code=reason_code, **notice)

    @checked
    def divert(
        self,
        *,
        pathway: Pathway,
        institution: str,
        notice_issued_on: date | None = None,
        notice_mode: NoticeMode | None = None,
    ) -> None:
        """Route the matter to its legal pathway, before acceptance or during handling (R7)."""
        self._allowed("divert")
        notice = self._screening_notice(notice_issued_on, notice_mode)
        self.trigger_event(ev.Diverted, pathway=pathway, institution=institution, **notice)

    @checked
    def transfer(
        self, *, authority: str, notice_issued_on: date | None = None, notice_mode: NoticeMode | None = None
    ) -> None:
        self._allowed("transfer")
        notice = self._screening_notice(notice_issued_on, notice_mode)
        self.trigger_event(ev.Transferred, authority=authority, **notice)

    # ---- handling -----------------------------------------------------------------------

    @checked
    def assign(
        self, *, unit_code: str, leader_id: str, officer_id: str | None = None, report_by: date | None = None
    ) -> None:
        self._allowed("assign")
        _check_report_by(report_by)
        self.trigger_event(
            ev.Assigned, unit_code=unit_code, leader_id=leader_id, officer_id=officer_id, report_by=report_by
        )

    @checked
    def reassign(
        self, *, unit_code: str, leader_id: str, officer_id: str | None = None, report_by: date | None = None
    ) -> None:
        self._allowed("reassign")
        if (unit_code, leader_id, officer_id) == (self.unit_code, self.leader_id, self.officer_id):
            raise InvalidInput("the case is already held by that unit, leader and officer", field="leader_id")
        _check_report_by(report_by)
        self.trigger_event(
            ev.Reassigned,
            unit_code=unit_code,
            leader_id=leader_id,
            officer_id=officer_id,
            report_by=report_by,
        )

    @checked
    def instruct(self, *, leader_id: str, text: str) -> None:
        self._allowed("instruct")
        self.trigger_event(ev.Instructed, leader_id=leader_id, text=text)

    @checked
    def supervise(self, *, supervisor_id: str, reply_by: date, text: str) -> None:
        self._allowed("supervise")
        if reply_by < local_date(current_context().effective_occurred_at()):
            raise InvalidInput("reply_by is before the letter is issued", field="reply_by")
        self.trigger_event(ev.SupervisionIssued, supervisor_id=supervisor_id, reply_by=reply_by, text=text)

    @checked
    def answer_supervision(self, *, supervision_version: int | None, reply: str) -> None:
        self._allowed("answer_supervision")
        if supervision_version is None and self.open_supervisions:
            supervision_version = self.open_supervisions[0]
        rules.SUPERVISION_REPLY_NAMES_OPEN_LETTER.check(supervision_version in self.open_supervisions)
        self.trigger_event(ev.SupervisionAnswered, supervision_version=supervision_version, reply=reply)

    @checked
    def record_progress(self, *, step: ProgressStep, note: str | None = None) -> None:
        self._allowed("record_progress")
        self.trigger_event(ev.ProgressRecorded, step=step, note=note)

    @checked
    def record_mediation(self, *, outcome: MediationOutcome, document_sha256: str | None = None) -> None:
        self._allowed("record_mediation")
        _check_sha256(document_sha256, "document_sha256")
        self.trigger_event(ev.MediationRecorded, outcome=outcome, document_sha256=document_sha256)

    @checked
    def extend(self, *, days: int, approved_by: str, petitioner_notified_on: date) -> None:
        self._allowed("extend")
        rules.HANDLING_PERIOD_ONLY_FOR_ITS_MATTERS.check(has_handling_period(self.kind), kind=self._kind())
        rules.ONE_EXTENSION_PER_PERIOD.check(self.extension_period != self.handling_period)
        # 第三十四条 lets a unit extend a period that still runs. Granted after the 60 days, an
        # extension would move the due date back over days already overdue and count a late
        # answer as on time: the lateness stays on the record instead.
        granted_on, due = local_date(current_context().effective_occurred_at()), self._handling_due()
        rules.EXTENSION_BEFORE_DUE.check(
            granted_on <= due, granted_on=granted_on.isoformat(), due_on=due.isoformat()
        )
        rules.EXTENSION_AT_MOST_30_DAYS.check(
            1 <= days <= min(MAX_EXTENSION_DAYS, self.policy.max_extension_days), days=days
        )
        rules.EXTENSION_NEEDS_APPROVER_AND_REASON.check(
            bool(approved_by.strip()) and bool((current_context().reason or "").strip())
        )
        check_answers(
            "petitioner_notified_on", petitioner_notified_on, granted_on, "the extension was granted"
        )
        self.trigger_event(
            ev.ExtensionGranted,
            days=days,
            approved_by=approved_by,
            petitioner_notified_on=petitioner_notified_on,
        )

    def _handling_due(self) -> date:
        """The last day of the current handling period without extension, as the handling clock
        counts it (domain/clocks.py): from the acceptance, or from the latest reopening."""
        started = self.reopened_at if self.handling_period > 1 else self.accepted_at
        assert started is not None, "a case in handling was accepted"
        return self.policy.add_days(local_date(started), self.policy.handling_days)

    @checked
    def answer(
        self, *, outcome: AnswerOutcome, delivered_on: date, document_sha256: str | None = None
    ) -> None:
        self._not_sealed("answer")
        if self.status in (S.REGISTERED, S.ACCEPTED):
            rules.ANSWER_NEEDS_ACCEPTANCE_AND_ASSIGNMENT.broken(case_status=self.status.value)
        self._allowed("answer")
        _check_sha256(document_sha256, "document_sha256")
        assert self.registered_at is not None
        check_answers("delivered_on", delivered_on, local_date(self.registered_at), "the case was registered")
        self.trigger_event(
            ev.Answered, outcome=outcome, delivered_on=delivered_on, document_sha256=document_sha256
        )

    @checked
    def record_return_visit(
        self, *, satisfaction: Satisfaction, signed: bool, method: ContactMethod, comment: str | None = None
    ) -> None:
        self._not_sealed("record_return_visit")
        if self.answer_outcome is None:
            rules.RETURN_VISIT_NEEDS_ANSWER.broken(case_status=self.status.value)
        self._allowed("record_return_visit")
        # 第二十一条: a self-service rating is the petitioner's own word, never entered for him,
        # and the public principal records nothing else.
        rules.SELF_SERVICE_RATING_ONLY_BY_PETITIONER.check(
            (method is ContactMethod.SELF_SERVICE) == (current_context().actor == PUBLIC_ACTOR),
            method=method.value,
        )
        self.trigger_event(
            ev.ReturnVisitRecorded,
            satisfaction=satisfaction,
            signed=signed,
            method=method,
            answer_sha256=self.answer_document,
            comment=comment,
        )

    # ---- review and re-review -----------------------------------------------------------

    @checked
    def request_review(
        self,
        *,
        requested_on: date,
        received_on: date | None = None,
        deciding_unit: str | None = None,
        referred_upward: bool = False,
    ) -> None:
        """Record a review request (复查). The resolver (case_commands) names the deciding level:
        the unit above the answering unit, or referred upward when that is outside the tree."""
        self._not_sealed("request_review")
        self._appeal_chain_applies()
        if self.answer_delivered_on is None:
            rules.REVIEW_NEEDS_ANSWER.broken(case_status=self.status.value)
        self._allowed("request_review")
        rules.ONE_REVIEW_PER_ANSWER.check(self.review_answer_version != self.answer_version)
        assert self.answer_delivered_on is not None
        check_answers("requested_on", requested_on, self.answer_delivered_on, "the decision was delivered")
        last_day = self.policy.add_days(self.answer_delivered_on, self.policy.review_window_days)
        rules.REVIEW_WITHIN_WINDOW.check(requested_on <= last_day, last_day=last_day.isoformat())
        self.trigger_event(
            ev.ReviewRequested,
            requested_on=requested_on,
            **_request_receipt(requested_on, received_on, deciding_unit, referred_upward),
        )

    @checked
    def decide_review(
        self,
        *,
        reviewing_unit: str,
        decision: ReviewDecision,
        delivered_on: date,
        decided_outside: bool = False,
        document_sha256: str | None = None,
    ) -> None:
        self._allowed("decide_review")
        level = (rules.REVIEW_BY_LEVEL_ABOVE, self.review_deciding_unit, self.review_referred_upward)
        fields = _decision(self.review_requested_on, delivered_on, level, reviewing_unit, decided_outside,
                           document_sha256)  # fmt: skip
        self.trigger_event(ev.ReviewDecided, decision=decision, **fields)

    @checked
    def request_re_review(
        self,
        *,
        requested_on: date,
        received_on: date | None = None,
        deciding_unit: str | None = None,
        referred_upward: bool = False,
    ) -> None:
        self._not_sealed("request_re_review")
        self._appeal_chain_applies()
        if self.review_delivered_on is None:
            rules.RE_REVIEW_NEEDS_REVIEW_DECISION.broken(case_status=self.status.value)
        self._allowed("request_re_review")
        rules.ONE_REVIEW_PER_ANSWER.check(self.re_review_requested_on is None)
        assert self.review_delivered_on is not None
        check_answers("requested_on", requested_on, self.review_delivered_on, "the decision was delivered")
        last_day = self.policy.add_days(self.review_delivered_on, self.policy.re_review_window_days)
        rules.RE_REVIEW_WITHIN_WINDOW.check(requested_on <= last_day, last_day=last_day.isoformat())
        self.trigger_event(
            ev.ReReviewRequested,
            requested_on=requested_on,
            **_request_receipt(requested_on, received_on, deciding_unit, referred_upward),
        )

    @checked
    def hold_hearing(self, *, started_on: date, ended_on: date) -> None:
        """听证: in re-review (its days pause that clock, 第三十六条), or during the handling of a
        complex complaint-request matter (第三十一条第六项; the handling clock does not pause)."""
        self._allowed("hold_hearing")
        rules.HEARING_DATES_IN_ORDER.check(started_on <= ended_on)
        if self.status is S.IN_HANDLING:
            rules.HEARING_DURING_HANDLING_ONLY_ART_31_6.check(
                self.kind in HEARING_IN_HANDLING_KINDS, kind=self._kind()
            )
            assert self.accepted_at is not None
            earliest, what = local_date(self.accepted_at), "the case was accepted"
        else:
            assert self.re_review_requested_on is not None
            earliest, what = self.re_review_requested_on, "the re-review was requested"
        if started_on < earliest:
            raise InvalidInput(f"a hearing cannot start before {what}", field="started_on")
        self.trigger_event(ev.HearingHeld, started_on=started_on, ended_on=ended_on)

    @checked
    def decide_re_review(
        self,
        *,
        reviewing_unit: str,
        decision: ReviewDecision,
        delivered_on: date,
        decided_outside: bool = False,
        document_sha256: str | None = None,
    ) -> None:
        """Decide the re-review; the matter is then terminated (第三十六条)."""
        self._allowed("decide_re_review")
        level = (rules.RE_REVIEW_BY_LEVEL_ABOVE, self.re_review_deciding_unit, self.re_review_referred_upward)
        fields = _decision(self.re_review_requested_on, delivered_on, level, reviewing_unit, decided_outside,
                           document_sha256)  # fmt: skip
        self.trigger_event(ev.ReReviewDecided, decision=decision, **fields)
        self.trigger_event(ev.Terminated, basis=TerminationBasis.RE_REVIEW_DECIDED)

    # ---- appeal chain (R3, R4) ------------------------------------------------------------

    def _kind(self) -> str | None:
        return None if self.kind is None else self.kind.value

    def _appeal_chain_applies(self) -> None:
        rules.APPEAL_ONLY_FOR_COMPLAINT_REQUESTS.check(has_appeal_chain(self.kind), kind=self._kind())

    def open_appeal_window(self, today: date) -> tuple[str, date] | None:
        """The petitioner's request window still open on `today` (name, last day), if any: a
        review window on an answer not yet put to review, a re-review window on a review decision
        not yet put to re-review. A terminated matter has none (第三十六条)."""
        if not has_appeal_chain(self.kind) or self.termination_basis is not None:
            return None
        p = self.policy
        windows = []
        if self.answer_delivered_on is not None and self.review_answer_version != self.answer_version:
            last = p.add_days(self.answer_delivered_on, p.review_window_days)
            windows.append(("review_request_window", last))
        if self.review_delivered_on is not None and self.re_review_requested_on is None:
            last = p.add_days(self.review_delivered_on, p.re_review_window_days)
            windows.append(("re_review_request_window", last))
        return next(((name, last) for name, last in windows if today <= last), None)

    # ---- closing ------------------------------------------------------------------------

    @checked
    def close(self, *, closure_type: ClosureType, escalation_in_force: bool = False) -> None:
        """`escalation_in_force`: the jurisdiction's local escalation policy is in force today
        (its resolver reads the adoptions; a case alone cannot know)."""
        self._allowed("close")
        if self.status is S.ANSWERED:
            rules.CLOSURE_NEEDS_RETURN_VISIT.check(self.return_visit_in_period)
        self._escalated_matter_satisfied(escalation_in_force)
        if closure_type is ClosureType.MEDIATED:
            rules.MEDIATED_CLOSURE_NEEDS_AGREEMENT.check(
                self.mediation_outcome in (MediationOutcome.AGREEMENT, MediationOutcome.SETTLEMENT)
            )
        self.trigger_event(ev.Closed, closure_type=closure_type)

    def reopen(self) -> None:
        self._allowed("reopen")
        if not (current_context().reason or "").strip():
            raise InvalidInput("a reopening (回流) states its reason", field="reason")
        self.trigger_event(ev.Reopened)

    @checked
    def terminate(self, *, basis: TerminationBasis) -> None:
        self._allowed("terminate")
        today = local_date(current_context().effective_occurred_at())
        if basis is TerminationBasis.NO_REVIEW_IN_TIME:
            if self.review_delivered_on is not None:  # reviewed (and perhaps closed since)
                window_end = self.policy.add_days(self.review_delivered_on, self.policy.re_review_window_days)
            else:
                assert self.answer_delivered_on is not None
                window_end = self.policy.add_days(self.answer_delivered_on, self.policy.review_window_days)
            rules.TERMINATION_BASIS_HOLDS.check(today > window_end, window_ends=window_end.isoformat())
        elif basis is TerminationBasis.MEDIATION_AGREEMENT:
            rules.TERMINATION_BASIS_HOLDS.check(self.mediation_outcome is MediationOutcome.AGREEMENT)
        else:
            rules.TERMINATION_BASIS_HOLDS.broken(detail="re_review_decided comes with the re-review decision")
        self.trigger_event(ev.Terminated, basis=basis)

    def _escalated_matter_satisfied(self, escalation_in_force: bool) -> None:
        """Under the local escalation policy a matter assigned 3 or more times closes only when
        the petitioner's latest return visit is satisfied or basically satisfied."""
        if escalation_in_force and self.assignment_count >= ESCALATION_ASSIGNMENTS:
            rules.ESCALATED_MATTER_CLOSES_WHEN_SATISFIED.check(
                self.satisfaction in (Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED),
                assignments=self.assignment_count,
                satisfaction=None if self.satisfaction is None else self.satisfaction.value,
            )

    @checked
    def record_implementation(self, *, done_on: date, note: str | None = None) -> None:
        """落实: the supported answer was carried out (第三十三条: 支持信访请求意见的，应当督促执行)."""
        self._allowed("record_implementation")
        rules.IMPLEMENTATION_NEEDS_SUPPORT_ANSWER.check(
            self.answer_outcome is AnswerOutcome.SUPPORT,
            answer_outcome=None if self.answer_outcome is None else self.answer_outcome.value,
        )
        rules.IMPLEMENTATION_RECORDED_ONCE.check(self.implemented_answer_version != self.answer_version)
        assert self.answer_delivered_on is not None
        check_answers("done_on", done_on, self.answer_delivered_on, "the answer was delivered")
        self.trigger_event(ev.ImplementationRecorded, done_on=done_on, note=note)

    @checked
    def archive(self, *, dossier: tuple[DossierItem, ...], escalation_in_force: bool = False) -> None:
        if self.status is S.ARCHIVED:
            rules.NOTHING_AFTER_ARCHIVE.broken()
        if self.status in (S.UNDER_REVIEW, S.UNDER_RE_REVIEW):  # a request is pending (R3)
            rules.ARCHIVE_AFTER_APPEAL_RIGHTS.broken(case_status=self.status.value)
        rules.CLOSED_BEFORE_ARCHIVE.check(
            self.status in ALLOWED_FROM["archive"], case_status=self.status.value
        )
        today = local_date(current_context().effective_occurred_at())
        if (window := self.open_appeal_window(today)) is not None:
            rules.ARCHIVE_AFTER_APPEAL_RIGHTS.broken(window=window[0], open_until=window[1].isoformat())
        if self.status is S.CLOSED:  # closed before the local escalation policy came in force
            self._escalated_matter_satisfied(escalation_in_force)
        missing = sorted(set(DossierItem) - set(dossier))
        rules.DOSSIER_COMPLETE.check(not missing, missing=[m.value for m in missing])
        self.trigger_event(ev.Archived, dossier=tuple(sorted(set(dossier))))

    # ---- at any point before archive ----------------------------------------------------

    @checked
    def designate_backlog(self, *, campaign: str, designated_by: str) -> None:
        self._allowed("designate_backlog")
        if campaign in self.backlog_campaigns:
            raise InvalidInput("the case is already on that backlog campaign", field="campaign")
        self.trigger_event(ev.BacklogDesignated, campaign=campaign, designated_by=designated_by)

    @checked
    def clear_backlog(
        self, *, campaign: str | None, approved_by: str, basis: ClearanceBasis, cleared_by: str
    ) -> None:
        """销号: strike the case off a campaign it is on (the only one if none is named)."""
        self._allowed("clear_backlog")
        pending = [c for c in self.backlog_campaigns if c not in self.backlog_cleared]
        if campaign is None and len(pending) > 1:
            raise InvalidInput("the case is on several campaigns: name one", field="campaign_id")
        target = campaign if campaign is not None else (pending[0] if pending else None)
        rules.BACKLOG_CLEARED_ONLY_IF_DESIGNATED.check(target in pending, field="campaign_id")
        if self.status in OPEN_STATUSES:
            rules.OPEN_BACKLOG_CASE_CLEARED_ONLY_ON_DESISTANCE.check(
                basis is ClearanceBasis.PETITIONER_DESISTED, field="basis", case_status=self.status.value
            )
        else:
            rules.BACKLOG_CLEARANCE_BASIS_TRUE.check(_basis_holds(self, basis), field="basis",
                                                     case_status=self.status.value)  # fmt: skip
        self.trigger_event(
            ev.BacklogCleared, campaign=target, approved_by=approved_by, basis=basis, cleared_by=cleared_by
        )

    @checked
    def link_repeat(self, *, earlier_case_id: UUID, earlier_terminated: bool) -> None:
        self._allowed("link_repeat")
        if earlier_case_id == self.id:
            raise InvalidInput("a case cannot repeat itself", field="earlier_case_id")
        if earlier_case_id in self.repeat_of:
            raise InvalidInput("that link is already recorded", field="earlier_case_id")
        self.trigger_event(
            ev.RepeatLinked, earlier_case_id=earlier_case_id, earlier_terminated=earlier_terminated
        )

    @checked
    def record_accountability(
        self,
        *,
        measure: Measure,
        basis: str,
        decided_by: str,
        target_leader_id: str | None = None,
        target_unit_code: str | None = None,
        rectify_by: date | None = None,
    ) -> None:
        self._allowed("record_accountability")
        if not (target_leader_id or target_unit_code):
            raise InvalidInput("name the leader or the unit held to account", field="target_leader_id")
        ordered = measure is Measure.ORDERED_RECTIFICATION
        rules.RECTIFICATION_NEEDS_DEADLINE.check(ordered == (rectify_by is not None), field="rectify_by")
        if rectify_by is not None and rectify_by < local_date(current_context().effective_occurred_at()):
            raise InvalidInput("rectify_by is before the order is given", field="rectify_by")
        extra = {"rectify_by": rectify_by} if ordered else {}
        self.trigger_event(
            ev.AccountabilityRecorded,
            measure=measure,
            basis=basis,
            decided_by=decided_by,
            target_leader_id=target_leader_id,
            target_unit_code=target_unit_code,
            **extra,
        )

    @checked
    def add_note(self, *, text: str) -> None:
        self._allowed("add_note")
        self.trigger_event(ev.NoteAdded, text=text)

    @checked
    def attach_document(self, *, file_name: str, media_type: str, sha256: str) -> None:
        self._allowed("attach_document")
        _check_sha256(sha256, "sha256")
        self.trigger_event(ev.DocumentAttached, file_name=file_name, media_type=media_type, sha256=sha256)

    @checked
    def correct(
        self, *, target_version: int, target_type: str, field: str, old_value: Any, new_value: Any
    ) -> None:
        """Record a correction of an earlier entry; the earlier event itself is never touched."""
        self._allowed("correct")
        rules.CORRECTION_NEEDS_REASON.check(bool((current_context().reason or "").strip()))
        rules.CORRECTION_CHANGES_VALUE.check(old_value != new_value)
        for name, value in (("old_value", old_value), ("new_value", new_value)):
            _check_json_scalar(name, value)
        check_corrected(target_type, field, new_value)
        self.trigger_event(
            ev.Corrected,
            target_version=target_version,
            target_type=target_type,
            field=field,
            old_value=old_value,
            new_value=new_value,
        )

    @checked
    def record_personal_data_view(self, *, purpose: str) -> None:
        self.trigger_event(ev.PersonalDataViewed, purpose=purpose)

    # ---- notices, completion reports, objections, diversion outcomes (issue 18) ----------

    def _screening_notice(self, issued_on: date | None, mode: NoticeMode | None) -> dict[str, Any]:
        """R5: the notice given with a screening outcome, or that it is still owed (then the
        screening clock keeps running after the decision until `record_notice`)."""
        decided_on = local_date(current_context().effective_occurred_at())
        if issued_on is None and mode is None:
            return {"notice_pending": True}
        mode = mode or NoticeMode.WRITTEN
        if mode is NoticeMode.ADDRESS_UNCLEAR:
            if issued_on is not None:
                raise InvalidInput(
                    "no notice is issued when the petitioner's name or address is unclear",
                    field="notice_issued_on",
                )
            return {"notice_mode": mode}
        if mode is NoticeMode.ON_THE_SPOT:
            issued_on = issued_on or decided_on
        if issued_on is None:
            raise InvalidInput("a written notice needs the day it was issued", field="notice_issued_on")
        self._check_notice_day(issued_on, mode, decided_on, "notice_issued_on")
        return {"notice_issued_on": issued_on, "notice_mode": mode}

    def _check_notice_day(self, day: date, mode: NoticeMode, decided_on: date, field: str) -> None:
        assert self.registered_at is not None
        today = latest_day()
        rules.NOTICE_DATED_WITHIN_THE_MATTER.check(
            local_date(self.registered_at) <= day <= today, field=field, issued_on=day.isoformat()
        )
        if day < decided_on:  # R12: a notice is not dated before what it answers
            raise InvalidInput(f"{field} is before the outcome it notifies", field=field)
        if mode is NoticeMode.ON_THE_SPOT and day != decided_on:
            raise InvalidInput("a notice given on the spot is dated the day of the outcome", field=field)

    @checked
    def record_notice(self, *, issued_on: date, notice_mode: NoticeMode) -> None:
        """The notice of the latest screening outcome, issued after it (第二十二条、第二十三条)."""
        self._allowed("record_notice")
        rules.NOTICE_FOLLOWS_A_DECISION_WITHOUT_ONE.check(self.notice_pending, case_status=self.status.value)
        assert self.screening_decided_at is not None
        self._check_notice_day(issued_on, notice_mode, local_date(self.screening_decided_at), "issued_on")
        self.trigger_event(ev.NoticeIssued, issued_on=issued_on, notice_mode=notice_mode)

    @checked
    def report_completion(self, *, text: str, document_sha256: str | None = None) -> None:
        """The holding unit's 办结报告 to the side that assigned it (第二十二条第三项)."""
        self._allowed("report_completion")
        _check_sha256(document_sha256, "document_sha256")
        self.trigger_event(ev.CompletionReported, text=text, document_sha256=document_sha256)

    def object_to_assignment(self) -> None:
        """The assigned unit says the matter is not its own, within 5 working days (第二十三条)."""
        self._allowed("object_to_assignment")
        rules.ONE_OBJECTION_PER_ASSIGNMENT.check(self.objected_assignment_version != self.assignment_version)
        rules.OBJECTION_STATES_REASONS.check(bool((current_context().reason or "").strip()), field="reason")
        assert self.assigned_at is not None
        days = self.policy.assignment_objection_working_days
        last_day = self.policy.add_days(local_date(self.assigned_at), days, working=True)
        objected_on = local_date(current_context().effective_occurred_at())
        rules.OBJECTION_WITHIN_5_WORKING_DAYS.check(objected_on <= last_day, last_day=last_day.isoformat())
        self.trigger_event(ev.AssignmentObjected)

    @checked
    def decide_objection(self, *, upheld: bool) -> None:
        """Upheld, the case comes back (交还) to be assigned again; rejected, it stays."""
        self._allowed("decide_objection")
        rules.OBJECTION_DECISION_NEEDS_OBJECTION.check(self.objection_pending)
        self.trigger_event(ev.ObjectionDecided, upheld=upheld)

    @checked
    def record_diversion_outcome(self, *, outcome: DiversionOutcome, on: date) -> None:
        """Taken up by the institution, or returned (回流): then screening starts again (R7)."""
        self._allowed("record_diversion_outcome")
        rules.DIVERSION_OUTCOME_ONCE.check(self.diversion_outcome is None)
        assert self.screened_at is not None
        check_answers("on", on, local_date(self.screened_at), "the matter was diverted")
        self.trigger_event(ev.DiversionOutcomeRecorded, outcome=outcome, on=on)

    def reissue_query_code(self, *, query_code_hash: str) -> None:
        """A new query code for a petitioner who lost his (the old one stops working)."""
        self._allowed("reissue_query_code")
        self.trigger_event(ev.QueryCodeReissued, query_code_hash=query_code_hash)

    # ---- state helpers used by events ---------------------------------------------------

    def apply_correction(self, event: ev.Corrected) -> None:
        self.corrections.setdefault(str(event.target_version), {})[event.field] = event.new_value
        effect = correction_effect(self, event)
        if effect is not None:
            attribute, value = effect
            setattr(self, attribute, value)

    @property
    def is_late_entry(self) -> bool:
        assert self.registered_at is not None
        return self.created_on - self.registered_at > timedelta(hours=self.policy.late_entry_hours)

    # ---- guards -------------------------------------------------------------------------

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        # Runs only when a command triggers a new event, never on replay.
        occurred_at = kwargs.get("occurred_at") or current_context().effective_occurred_at()
        check_occurred_at(occurred_at)
        assert self.registered_at is not None and self.last_transition_at is not None
        floor = self.last_transition_at if event_class in TRANSITIONS else self.registered_at
        if event_class is not ev.PersonalDataViewed:
            rules.CHRONOLOGY.check(occurred_at >= floor, not_before=floor.isoformat())
        super().trigger_event(event_class, **kwargs)

    def _not_sealed(self, command: str) -> None:
        if self.status is S.ARCHIVED:
            rules.NOTHING_AFTER_ARCHIVE.broken(command=command)

    def _allowed(self, command: str) -> None:
        self._not_sealed(command)
        if self.status not in ALLOWED_FROM[command]:
            raise TransitionNotAllowed(
                f"{command} is not allowed when the case is {self.status.value}",
                command=command,
                case_status=self.status.value,
                allowed_from=sorted(s.value for s in ALLOWED_FROM[command]),
            )


def _check_report_by(report_by: date | None) -> None:
    """A 办结报告 deadline lies after the assignment that sets it (第二十二条第三项)."""
    if report_by is not None and report_by < local_date(current_context().effective_occurred_at()):
        raise InvalidInput("report_by is before the assignment", field="report_by")


def _request_receipt(
    requested_on: date, received_on: date | None, deciding_unit: str | None, referred_upward: bool
) -> dict[str, Any]:
    """The receipt fields of a review or re-review request: the decision clock counts from the
    day the deciding unit received it (收到复查/复核请求之日起), by default the request date."""
    received = received_on or requested_on
    check_answers("received_on", received, requested_on, "the request was made")
    return {"received_on": received, "deciding_unit": deciding_unit, "referred_upward": referred_upward}


def _decision(
    requested_on: date | None,
    delivered_on: date,
    level: tuple[rules.Rule, str | None, bool],
    reviewing_unit: str,
    decided_outside: bool,
    document_sha256: str | None,
) -> dict[str, Any]:
    """The checks a review and a re-review decision share; the decision event's fields.

    R3: the decision comes from the level its request named (`level`: the rule, the deciding
    unit, referred upward). A request recorded before the levels were (neither named nor
    referred) is decided as it was then, by the actor's unit."""
    assert requested_on is not None
    what = f"the request it decides ({requested_on.isoformat()})"
    check_answers("delivered_on", delivered_on, requested_on, what)
    _check_sha256(document_sha256, "document_sha256")
    rule, deciding_unit, referred_upward = level
    if decided_outside:
        rules.OUTSIDE_DECISION_ENTERED_AT_TOP.check(
            referred_upward and document_sha256 is not None, field="decided_outside"
        )
    elif referred_upward:
        rule.broken(deciding_level="outside this jurisdiction (referred upward)", field="decided_outside")
    elif deciding_unit is not None:
        rule.check(reviewing_unit == deciding_unit, deciding_unit=deciding_unit, acting_unit=reviewing_unit)
    return {
        "reviewing_unit": reviewing_unit,
        "delivered_on": delivered_on,
        "decided_outside": decided_outside,
        "document_sha256": document_sha256,
    }




def _check_json_scalar(name: str, value: Any) -> None:
    """A corrected value is stored as plain JSON: text, a whole number, true/false or null."""
    if value is None or isinstance(value, (str, bool)):
        return
    if isinstance(value, int) and abs(value) <= MAX_JSON_INT:
        return
    raise InvalidInput(f"{name} must be text, a whole number up to 2^53, true/false or null", field=name)
