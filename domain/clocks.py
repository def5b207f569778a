"""Statutory clocks (DOMAIN.md, "Statutory clocks"), computed from a case's events.

Pure: no I/O, no wall clock. The caller passes the events known at `at` (a replay passes a
prefix). Clocks run on the effective events: each correction's new value stands in for the
recorded one. The first day of a period is not counted (`Policy.add_days`).

Start and stop days:
- the office's own deadlines (screening, handling, review and re-review decision, fast track,
  supervision reply) stop on the local date of the event that meets them (`occurred_at`):
  art. 34-36 count to when the office concludes or gives its opinion;
- the petitioner's windows (review, re-review request) start on the day the written answer
  was delivered (收到书面答复之日起, art. 35, 36) and stop on the stated request date;
- screening stops on the day the written notice of the outcome was issued (R5, art. 22, 23),
  not on the decision: an outcome recorded without its notice leaves the clock running until
  the notice is recorded. Outcomes recorded before R5 carry no notice fields and stop it on
  the decision day, as they always did. A matter returned from its legal pathway (回流, R7)
  starts screening again on the day it came back;
- the 办结报告 deadline of an assignment (art. 22(3)) runs to its `report_by` date and stops
  on the completion report; a new holder (reassignment, 交还, diversion) ends the old one;
- the objection window (art. 23) is the assigned unit's option: it stops on the objection and
  is never overdue.
- 落实 (issue 21): a `support` answer starts the implementation clock on its delivery day,
  for the policy's `implementation_days`; it stops on the recorded `done_on`. A reopening
  (回流) drops an obligation not yet met: that answer is no longer the case's answer.
- the review and re-review decision clocks start on the day the request was received
  (收到复查/复核请求之日起, art. 35, 36; R3), the request date when none was recorded.

Which clocks a case has depends on its kind (R4, domain/process.py): only a complaint request
has the handling period and the review windows; a suggestion is replied to, and an accusation
follows its handling body's own rules.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from domain import case_events as ev
from domain.corrections import is_correctable, typed_value
from domain.policy import Policy, default_policy_version, get_policy, local_date
from domain.process import has_appeal_chain, has_handling_period
from domain.vocabulary import AnswerOutcome, DiversionOutcome, Kind, ProgressStep

ClockState = Literal["running", "met", "overdue", "met_late", "window_open", "window_closed"]

ART_22_23, ART_23, ART_34 = "第二十二条、第二十三条", "第二十三条", "第三十四条"
# Periods that are someone's option (the petitioner's request windows, the assigned unit's
# objection window), never "overdue"; every other clock is a deadline the office must meet.
WINDOW_CLOCKS = frozenset({"assignment_objection", "review_request_window", "re_review_request_window"})
ART_35, ART_36, ART_40 = "第三十五条", "第三十六条", "第四十条"
ART_22_3 = "第二十二条第三项"
ART_33 = "第三十三条"


@dataclass(frozen=True)
class Clock:
    name: str
    article: str | None
    started_on: date
    due_on: date
    stopped_on: date | None
    state: ClockState
    days_remaining: int | None = None
    days_overdue: int = 0
    paused_days: int = 0
    extension_days: int = 0
    provisional: bool = False
    ref: int | None = None  # the version of the event that started it (a letter, a period)


@dataclass
class _Span:
    """A clock while the events are scanned: what is known before `at` is applied."""

    name: str
    article: str | None
    started_on: date
    days: int = 0
    fixed_due: date | None = None  # a supervision letter names its own reply-by date
    working: bool | None = None  # None: the policy's day counting
    window: bool = False  # the petitioner's option, never "overdue"
    stopped_on: date | None = None
    extension_days: int = 0
    hearing_days: set[date] = field(default_factory=set)
    ref: int | None = None
    due_memo: tuple[tuple[int, int, str], date] | None = None  # see _due


def effective_events(events: Sequence[ev.CaseEvent]) -> list[ev.CaseEvent]:
    """The events with every correction applied to its target (a later correction wins)."""
    result = list(events)
    index = {e.originator_version: i for i, e in enumerate(result)}
    for event in events:
        if not isinstance(event, ev.Corrected) or event.target_version not in index:
            continue
        i = index[event.target_version]
        target = result[i]
        # The command does not check these; a correction naming a fact that may not be
        # corrected (or a field the target lacks) must not move a statutory clock.
        if not is_correctable(type(target).__name__, event.field):
            continue
        value = typed_value(type(target), event.field, event.new_value)
        result[i] = dataclasses.replace(target, **{event.field: value})
    return result


class _Scan:
    """One pass over the effective events; each handler starts or stops spans."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.spans: list[_Span] = []
        self.live: dict[str, _Span] = {}  # the span each stop event would stop, by key
        self.kind: Kind | None = None  # from the registration (R4)

    def start(self, span: _Span, key: str | None = None) -> None:
        if span.window:
            # A window restarted by a new assignment or answer replaces the old one.
            self.spans = [s for s in self.spans if s.name != span.name]
        self.spans.append(span)
        self.live[key or span.name] = span

    def stop(self, key: str, day: date) -> None:
        span = self.live.pop(key, None)
        if span is not None:
            span.stopped_on = day

    def run(self, events: Sequence[ev.CaseEvent]) -> list[_Span]:
        for e in events:
            day, v = local_date(e.occurred_at), e.originator_version
            if isinstance(e, ev.Registered):
                self.kind = e.kind
                self.start(_Span("screening", ART_22_23, day, self.policy.screening_days, ref=v))
            elif isinstance(e, ev.Accepted | ev.NotAccepted | ev.Diverted | ev.Transferred):
                self.screened(e, day, v)
            elif isinstance(e, ev.Assigned):  # also Reassigned
                self.assigned(e, day, v)
            elif isinstance(e, _PROCESS_EVENTS):
                self.process(e, day, v)
            elif isinstance(e, ev.SupervisionIssued):
                letter = _Span("supervision_reply", ART_40, day, fixed_due=e.reply_by, ref=v)
                self.start(letter, f"letter {v}")
            elif isinstance(e, ev.SupervisionAnswered):
                self.stop(f"letter {e.supervision_version}", day)
            elif isinstance(e, ev.ExtensionGranted) and "handling" in self.live:
                self.live["handling"].extension_days += e.days
            elif isinstance(e, ev.ProgressRecorded):
                self.stop(f"fast_track_{_FAST_TRACK_STEPS.get(e.step, '')}", day)
            elif isinstance(e, ev.Reopened):
                self.reopened(day, v)
            else:
                self.review(e, day, v)
        return self.spans

    # ---- notices, reports, objections, diversion (issue 18: R5, R6, R7) ----------------

    def screened(
        self, e: ev.Accepted | ev.NotAccepted | ev.Diverted | ev.Transferred, day: date, v: int
    ) -> None:
        if not e.notice_pending:  # owed: runs on until the notice (NoticeIssued)
            self.stop("screening", e.notice_issued_on or day)
        if isinstance(e, ev.Accepted):
            self.accepted(day, v)
        elif isinstance(e, ev.Diverted):
            self.diverted(day)

    def assigned(self, e: ev.Assigned, day: date, v: int) -> None:
        days = self.policy.assignment_objection_working_days
        self.start(_Span("assignment_objection", ART_23, day, days, working=True, window=True, ref=v))
        self.stop("completion_report", day)  # the earlier holder's report is no longer owed
        if e.report_by is not None:
            self.start(_Span("completion_report", ART_22_3, day, fixed_due=e.report_by, ref=v))

    def diverted(self, day: date) -> None:
        """Diverted during handling (R7): the matter leaves the petition process."""
        for name in (
            "handling",
            "fast_track_meet",
            "fast_track_facts",
            "fast_track_answer",
            "completion_report",
        ):
            self.stop(name, day)
        if (window := self.live.pop("assignment_objection", None)) is not None:
            self.spans.remove(window)

    def process(self, e: ev.CaseEvent, day: date, v: int) -> None:
        if isinstance(e, ev.NoticeIssued):
            self.stop("screening", e.issued_on)
        elif isinstance(e, ev.ImplementationRecorded):
            self.stop("implementation", e.done_on)
        elif isinstance(e, ev.CompletionReported):
            self.stop("completion_report", day)
        elif isinstance(e, ev.AssignmentObjected):
            self.stop("assignment_objection", day)
        elif isinstance(e, ev.ObjectionDecided) and e.upheld:
            self.stop("completion_report", day)  # 交还: the case comes back to be assigned again
        elif isinstance(e, ev.DiversionOutcomeRecorded) and e.outcome is DiversionOutcome.RETURNED:
            self.stop("screening", e.on)  # a notice still owed for the diversion is moot now
            self.start(_Span("screening", ART_22_23, e.on, self.policy.screening_days, ref=v))

    def accepted(self, day: date, v: int) -> None:
        if not has_handling_period(self.kind):
            return
        self.start(_Span("handling", ART_34, day, self.policy.handling_days, ref=v))
        if (fast := self.policy.fast_track) is not None:
            self.start(_Span("fast_track_meet", None, day, fast.meet_days, ref=v))
            self.start(_Span("fast_track_facts", None, day, fast.facts_days, ref=v))
            self.start(_Span("fast_track_answer", None, day, fast.answer_days, ref=v))

    def reopened(self, day: date, v: int) -> None:
        # 回流: the old answer is no longer the case's answer, so an unused review window
        # goes with it; handling starts afresh (extensions then count for the new period).
        for name in ("review_request_window", "implementation"):
            if (old := self.live.pop(name, None)) is not None:
                self.spans.remove(old)
        if not has_handling_period(self.kind):
            return
        self.start(_Span("handling", ART_34, day, self.policy.handling_days, ref=v))

    def review(self, e: ev.CaseEvent, day: date, v: int) -> None:
        """The answer and the review / re-review chain (art. 35, 36)."""
        p = self.policy
        if isinstance(e, ev.Answered):
            self.stop("handling", day)
            self.stop("fast_track_answer", day)
            if e.outcome is AnswerOutcome.SUPPORT:
                days = p.implementation_days
                self.start(_Span("implementation", ART_33, e.delivered_on, days, ref=v))
            if has_appeal_chain(self.kind):
                days = p.review_window_days
                self.start(_Span("review_request_window", ART_35, e.delivered_on, days, window=True, ref=v))
        elif isinstance(e, ev.ReviewRequested):
            self.stop("review_request_window", e.requested_on)
            days = p.review_decision_days
            self.start(_Span("review_decision", ART_35, e.received_on or e.requested_on, days, ref=v))
        elif isinstance(e, ev.ReviewDecided):
            self.stop("review_decision", day)
            days = p.re_review_window_days
            self.start(_Span("re_review_request_window", ART_36, e.delivered_on, days, window=True, ref=v))
        elif isinstance(e, ev.ReReviewRequested):
            self.stop("re_review_request_window", e.requested_on)
            days = p.re_review_decision_days
            self.start(_Span("re_review_decision", ART_36, e.received_on or e.requested_on, days, ref=v))
        elif isinstance(e, ev.HearingHeld) and "re_review_decision" in self.live:
            length = (e.ended_on - e.started_on).days + 1
            hearing = {e.started_on + timedelta(days=n) for n in range(max(length, 0))}
            self.live["re_review_decision"].hearing_days |= hearing
        elif isinstance(e, ev.ReReviewDecided):
            self.stop("re_review_decision", day)
        elif isinstance(e, ev.Terminated):
            # 终结: the matter is final, so no request window is left open on it.
            for name in ("review_request_window", "re_review_request_window"):
                if (unused := self.live.pop(name, None)) is not None:
                    self.spans.remove(unused)


_PROCESS_EVENTS = (
    ev.NoticeIssued, ev.CompletionReported, ev.AssignmentObjected, ev.ObjectionDecided,
    ev.DiversionOutcomeRecorded, ev.ImplementationRecorded,
)  # fmt: skip
_FAST_TRACK_STEPS = {ProgressStep.MET_PETITIONER: "meet", ProgressStep.FACTS_ESTABLISHED: "facts"}


def _due(span: _Span, policy: Policy) -> date:
    if span.fixed_due is not None:
        return span.fixed_due
    # A span's due date moves only with its extension and hearing days (a set that only
    # grows); a view asks for it after every event, so it is kept until either changes.
    key = (span.extension_days, len(span.hearing_days), policy.version)
    if span.due_memo is not None and span.due_memo[0] == key:
        return span.due_memo[1]
    days = span.days + span.extension_days
    due = policy.add_days(span.started_on, days, working=span.working, excluded=frozenset(span.hearing_days))
    span.due_memo = (key, due)
    return due


def _finish(span: _Span, policy: Policy, today: date) -> Clock:
    due = _due(span, policy)
    hearings = frozenset(span.hearing_days)

    def counted(start: date, end: date) -> int:
        return policy.count_days(start, end, working=span.working, excluded=hearings)

    stopped = span.stopped_on
    state: ClockState
    remaining, overdue = None, 0
    if stopped is not None:
        state = "met" if stopped <= due else "met_late"
        overdue = max(counted(due, stopped), 0)
    elif span.window:
        state = "window_open" if today <= due else "window_closed"
        remaining = counted(today, due) if today <= due else None
    elif today > due:
        # Under working days a rest day just past due counts 0: overdue, 0 days so far.
        state, overdue = "overdue", counted(due, today)
    else:
        state, remaining = "running", counted(today, due)
    paused = 0
    if hearings:  # the counted days the hearings took out of the period
        plain = policy.count_days(span.started_on, due, working=span.working)
        paused = plain - counted(span.started_on, due)
    last = max(due, stopped or today)
    return Clock(
        name=span.name,
        article=span.article,
        started_on=span.started_on,
        due_on=due,
        stopped_on=stopped,
        state=state,
        days_remaining=remaining,
        days_overdue=overdue,
        paused_days=paused,
        extension_days=span.extension_days,
        provisional=policy.is_provisional(span.started_on, last, working=span.working),
        ref=span.ref,
    )


def _scanned(events: Sequence[ev.CaseEvent]) -> tuple[Policy, _Scan | None]:
    effective = effective_events(events)
    registered = next((e for e in effective if isinstance(e, ev.Registered)), None)
    if registered is None:  # nothing has started
        return get_policy(default_policy_version()), None
    scan = _Scan(get_policy(registered.policy_version))
    scan.run(effective)
    return scan.policy, scan


def _scan(events: Sequence[ev.CaseEvent]) -> tuple[Policy, list[_Span]]:
    policy, scan = _scanned(events)
    return policy, [] if scan is None else scan.spans


def compute_clocks(events: Sequence[ev.CaseEvent], *, at: datetime) -> list[Clock]:
    """Every clock the case has started, as of the instant `at`, in the order they started."""
    policy, spans = _scan(events)
    today = local_date(at)
    return [_finish(span, policy, today) for span in spans]


@dataclass(frozen=True)
class Deadline:
    """An office deadline not yet met: a clock `compute_clocks` calls running or overdue."""

    name: str
    article: str | None
    due_on: date


def open_deadlines(events: Sequence[ev.CaseEvent]) -> list[Deadline]:
    """The clocks not stopped and not a petitioner's window, in the order they started.

    Running vs overdue depends only on the instant, so this skips `compute_clocks`' counting
    of days for one: a view row needs which deadlines are open and when they fall due.
    """
    policy, spans = _scan(events)
    return _open(policy, spans)


def _open(policy: Policy, spans: Sequence[_Span]) -> list[Deadline]:
    return [
        Deadline(s.name, s.article, _due(s, policy)) for s in spans if s.stopped_on is None and not s.window
    ]


class DeadlineTracker:
    """`open_deadlines` of a growing prefix of one case's events, one event at a time.

    A view derives a row after every event: scanning the whole prefix each time is quadratic in
    the case's length. An event only extends the scan (which starts at the registration, with
    its policy), except a correction, which can move any earlier event, and an event that a
    correction already recorded names (a correction may name a version not yet there): after
    either, the prefix is rescanned. The answer is always `open_deadlines(events)`.
    """

    def __init__(self) -> None:
        self.events: list[ev.CaseEvent] = []
        self._policy = get_policy(default_policy_version())
        self._scan: _Scan | None = None
        self._named = 0  # the highest version a correction names

    def _rescans(self, event: ev.CaseEvent) -> bool:
        if isinstance(event, ev.Corrected):
            self._named = max(self._named, event.target_version)
            return True
        return event.originator_version <= self._named

    def skip(self, event: ev.CaseEvent) -> None:
        """Add an event whose deadlines nobody asks for: the next `add` rescans the prefix."""
        self.events.append(event)
        self._rescans(event)
        self._scan = None

    def add(self, event: ev.CaseEvent) -> list[Deadline]:
        """The open deadlines once `event` (the next version) is added."""
        self.events.append(event)
        if self._rescans(event) or self._scan is None:
            self._policy, self._scan = _scanned(self.events)
        else:
            self._scan.run([event])
        return [] if self._scan is None else _open(self._policy, self._scan.spans)


def overdue_clocks(clocks: Sequence[Clock]) -> list[Clock]:
    """The clocks running past their due date now (met_late ones are history, not overdue)."""
    return [c for c in clocks if c.state == "overdue"]


def due_dates(events: Sequence[ev.CaseEvent]) -> dict[str, date]:
    """The due date of the latest clock of each name (independent of any instant)."""
    policy, spans = _scan(events)
    return {span.name: _due(span, policy) for span in spans}


def latest_clock(events: Sequence[ev.CaseEvent], name: str) -> Clock | None:
    """The latest clock of that name with its own verdict, or None if none started.

    A stopped clock's verdict (`met`, `met_late`) does not depend on the instant, so the key
    figures read it without a wall clock; a clock still running is finished as of its start day.
    """
    policy, spans = _scan(events)
    span = next((s for s in reversed(spans) if s.name == name), None)
    return None if span is None else _finish(span, policy, span.stopped_on or span.started_on)
