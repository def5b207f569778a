"""What the key figures need to know about one case, derived from its events (pure, no I/O).

Every fact is read from the effective events (each correction's new value stands in for the
recorded one) and dated by `occurred_at` as a China-local day. See projections/figures/view.py for
how the facts are stored and what each figure counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from domain import case_events as ev
from domain.clocks import effective_events, latest_clock
from domain.policy import local_date
from domain.process import has_handling_period
from domain.vocabulary import AnswerOutcome
from projections.case_status.context import releases_holder

# A repeat petition registered within this many days after the final closure unsettles it.
SETTLE_DAYS = 90


@dataclass(frozen=True)
class Holding:
    """A unit (and leader, once assigned) holding the case from `held_from` up to, not including,
    `held_until` (the next holder's first day). Before its first assignment the case is held by
    the unit that received it, with no leader."""

    unit_code: str | None
    leader_id: str | None
    held_from: date
    held_until: date | None


@dataclass(frozen=True)
class Visit:
    visited_on: date
    satisfaction: str


@dataclass(frozen=True)
class CaseFacts:
    case_id: UUID
    registered_on: date
    accepted_on: date | None
    closed_on: date | None  # the final closure; None unless the case is closed now
    closure_type: str | None
    handling_due_on: date | None
    on_time: bool | None  # the handling clock's verdict on the period that was closed
    category: str
    campaigns: tuple[str, ...]
    review_requested: bool
    reopened: int
    received_unit: str
    unit_code: str | None
    leader_id: str | None
    kind: str | None
    accused_unit: str | None
    accused_leader: str | None
    holdings: tuple[Holding, ...]
    visits: tuple[Visit, ...]
    last_satisfaction: str | None  # of the latest return visit (by day, then ledger order)
    repeat_of: tuple[UUID, ...]  # earlier cases this case repeats
    # 落实 (issue 21): the delivery day of the answer in force when it supports the request, and
    # whether its carrying out is recorded (a reopening takes that answer out of force).
    supported_on: date | None = None
    implemented: bool = False

    @property
    def settle_by(self) -> date | None:
        return None if self.closed_on is None else self.closed_on + timedelta(days=SETTLE_DAYS)


class _Facts:
    """Mutable state while one case's effective events are scanned."""

    def __init__(self, registered: ev.Registered) -> None:
        self.registered = registered
        self.accepted_on: date | None = None
        self.closed: tuple[date, str] | None = None
        self.campaigns: list[str] = []
        self.review_requested = False
        self.reopened = 0
        self.handovers: list[tuple[date, str | None, str | None]] = [
            (local_date(registered.occurred_at), registered.received_unit, None)
        ]
        self.assigned = False
        self.visits: list[Visit] = []
        self.repeat_of: list[UUID] = []
        self.supported_on: date | None = None
        self.implemented = False

    def take(self, e: ev.CaseEvent) -> None:
        day = local_date(e.occurred_at)
        if isinstance(e, ev.Accepted):
            self.accepted_on = day
        elif isinstance(e, ev.Assigned):  # also Reassigned
            self.assigned = True
            self.handovers.append((day, e.unit_code, e.leader_id))
        elif isinstance(e, ev.ReturnVisitRecorded):
            self.visits.append(Visit(day, e.satisfaction.value))
        elif releases_holder(e):  # issue 18: 交还 or 回流 hand the case back to where it was received
            self.assigned = False
            self.handovers.append((day, self.registered.received_unit, None))
        elif isinstance(e, ev.ReviewRequested | ev.ReReviewRequested):
            self.review_requested = True
        elif isinstance(e, ev.Closed):
            self.closed = (day, e.closure_type.value)
        elif isinstance(e, ev.Reopened):
            self.closed = None
            self.reopened += 1
            self.supported_on, self.implemented = None, False
        elif isinstance(e, ev.Answered):
            self.supported_on = e.delivered_on if e.outcome is AnswerOutcome.SUPPORT else None
            self.implemented = False
        elif isinstance(e, ev.ImplementationRecorded):
            self.implemented = True
        elif isinstance(e, ev.BacklogDesignated):
            self.campaigns.append(e.campaign)
        elif isinstance(e, ev.RepeatLinked) and e.earlier_case_id not in self.repeat_of:
            self.repeat_of.append(e.earlier_case_id)

    def holdings(self) -> tuple[Holding, ...]:
        """Holdings from the handover day up to, not including, the next one's; a holding
        handed on the day it began held nothing and is left out."""
        spans = sorted(self.handovers, key=lambda h: h[0])  # stable: same-day order is ledger order
        found = []
        for i, (start, unit, leader) in enumerate(spans):
            until = spans[i + 1][0] if i + 1 < len(spans) else None
            if until != start:
                found.append(Holding(unit, leader, start, until))
        return tuple(found)


def _latest(visits: Sequence[Visit]) -> str | None:
    latest: Visit | None = None
    for visit in visits:  # ledger order: a later entry of the same day wins
        if latest is None or visit.visited_on >= latest.visited_on:
            latest = visit
    return None if latest is None else latest.satisfaction


def derive(case_id: UUID, events: Sequence[ev.CaseEvent]) -> CaseFacts | None:
    """The facts of one case from all its events (in version order); None without a registration."""
    effective = effective_events(events)
    registered = next((e for e in effective if isinstance(e, ev.Registered)), None)
    if registered is None:
        return None
    facts = _Facts(registered)
    for e in effective:
        facts.take(e)
    closed_on, closure_type = facts.closed if facts.closed else (None, None)
    # 按期办结 is the answer delivered by the handling due date (R11): the handling clock's own
    # verdict on the period the closure ended, not the closure day against that due date.
    handling = latest_clock(events, "handling") if closed_on is not None else None
    on_time = None if handling is None else handling.state == "met"
    if closed_on is not None and not has_handling_period(registered.kind):
        on_time = True  # a suggestion or accusation has no handling period (R4): never late here
    holdings = facts.holdings()
    current = holdings[-1] if facts.assigned else None
    return CaseFacts(
        case_id=case_id,
        registered_on=local_date(registered.occurred_at),
        accepted_on=facts.accepted_on,
        closed_on=closed_on,
        closure_type=closure_type,
        handling_due_on=None if handling is None else handling.due_on,
        on_time=on_time,
        category=registered.category,
        campaigns=tuple(facts.campaigns),
        review_requested=facts.review_requested,
        reopened=facts.reopened,
        received_unit=registered.received_unit,
        unit_code=current.unit_code if current else None,
        leader_id=current.leader_id if current else None,
        kind=registered.kind.value,
        accused_unit=registered.accused_unit,
        accused_leader=registered.accused_leader,
        holdings=holdings,
        visits=tuple(facts.visits),
        last_satisfaction=_latest(facts.visits),
        repeat_of=tuple(facts.repeat_of),
        supported_on=facts.supported_on,
        implemented=facts.implemented,
    )
