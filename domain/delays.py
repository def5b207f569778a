"""Delay attribution (DOMAIN.md, "Replay for disputed-case review"): who held an overdue case.

Pure: from a case's events and an instant, every interval in which an office deadline was
overdue, split where the case changed hands. The clocks are `domain.clocks` (so an extension
that moves the handling deadline moves the interval with it, and a petitioner's window is never
overdue); days are counted as the clocks count them, the first day not counted:

- an interval covers the days (due, to], `to` being the day the clock stopped or today; its
  `days` equal the clock's `days_overdue` (working days under a working-days policy, hearing
  days left out of a re-review decision);
- the case changes hands on the day of the assignment, reassignment or acceptance
  (its `occurred_at`, corrections applied); that day is the last day of the old holder, as the
  first day of a period is not counted for the new one, so the pieces add up to the interval;
- pieces and intervals with no counted day (a holiday just past due) are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise

from domain import case_events as ev
from domain.clocks import Clock, compute_clocks, effective_events
from domain.policy import Policy, default_policy_version, get_policy, local_date
from domain.vocabulary import DiversionOutcome

OVERDUE_STATES = frozenset({"overdue", "met_late"})


@dataclass(frozen=True)
class Holder:
    """The unit, leader and officer responsible for the case (before assignment: the unit only)."""

    unit_code: str | None
    leader_id: str | None = None
    officer_id: str | None = None


@dataclass(frozen=True)
class Piece:
    """Part of an overdue interval under one holder: days (start - 1, end], `days` counted."""

    holder: Holder
    start: date
    end: date
    days: int


@dataclass(frozen=True)
class Delay:
    """One overdue interval of one clock."""

    clock: str
    article: str | None
    ref: int | None
    due_on: date
    start: date  # the first overdue (counted) day
    end: date  # the day the clock stopped, or today while it is still open
    days: int
    open: bool
    provisional: bool
    pieces: tuple[Piece, ...]


def handovers(events: Sequence[ev.CaseEvent]) -> list[tuple[date, Holder]]:
    """(day, holder from the next day on), in order, from the effective events."""
    changes: list[tuple[date, int, Holder]] = []
    received_unit: str | None = None
    accepting_unit: str | None = None
    for e in effective_events(events):
        day, v = local_date(e.occurred_at), e.originator_version
        if isinstance(e, ev.Registered):
            received_unit = e.received_unit
            changes.append((day, v, Holder(e.received_unit)))
        elif isinstance(e, ev.Accepted):
            accepting_unit = e.accepting_unit
            changes.append((day, v, Holder(e.accepting_unit)))
        elif isinstance(e, ev.Assigned):  # also Reassigned
            changes.append((day, v, Holder(e.unit_code, e.leader_id, e.officer_id)))
        elif isinstance(e, ev.ObjectionDecided) and e.upheld:  # 交还: the assigning side has it
            changes.append((day, v, Holder(accepting_unit)))
        elif isinstance(e, ev.DiversionOutcomeRecorded) and e.outcome is DiversionOutcome.RETURNED:
            changes.append((day, v, Holder(received_unit)))  # 回流: screened again where received
    return [(day, h) for day, _v, h in sorted(changes, key=lambda c: (c[0], c[1]))]


def _holder_after(changes: Sequence[tuple[date, Holder]], day: date) -> Holder:
    """Who held the case on the days after `day`: the last change made on or before it."""
    held = Holder(None)
    for changed_on, h in changes:
        if changed_on > day:
            break
        held = h
    return held


def hearing_days(events: Sequence[ev.CaseEvent]) -> frozenset[date]:
    """Re-review hearing days (a case has at most one re-review, so they all belong to it)."""
    days: set[date] = set()
    for e in effective_events(events):
        if isinstance(e, ev.HearingHeld):
            length = (e.ended_on - e.started_on).days + 1
            days |= {e.started_on + timedelta(days=n) for n in range(max(length, 0))}
    return frozenset(days)


def _pieces(
    policy: Policy, changes: Sequence[tuple[date, Holder]], due: date, end: date, excluded: frozenset[date]
) -> list[Piece]:
    cuts = sorted({d for d, _h in changes if due < d < end})
    bounds = [due, *cuts, end]
    pieces: list[Piece] = []
    for low, high in pairwise(bounds):
        days = policy.count_days(low, high, excluded=excluded)
        if days <= 0:
            continue
        first = policy.day_after(low, excluded=excluded)
        held = _holder_after(changes, low)
        if pieces and pieces[-1].holder == held:  # a handover to the same holder is no handover
            last = pieces.pop()
            pieces.append(Piece(held, last.start, high, last.days + days))
        else:
            pieces.append(Piece(held, first, high, days))
    return pieces


def _delay(clock: Clock, policy: Policy, changes: Sequence[tuple[date, Holder]], today: date,
           hearings: frozenset[date]) -> Delay | None:  # fmt: skip
    end = clock.stopped_on or today
    excluded = hearings if clock.name == "re_review_decision" else frozenset()
    pieces = _pieces(policy, changes, clock.due_on, end, excluded)
    if not pieces:
        return None
    return Delay(
        clock=clock.name,
        article=clock.article,
        ref=clock.ref,
        due_on=clock.due_on,
        start=pieces[0].start,
        end=end,
        days=sum(p.days for p in pieces),
        open=clock.stopped_on is None,
        provisional=clock.provisional,
        pieces=tuple(pieces),
    )


def delays(events: Sequence[ev.CaseEvent], *, at: datetime) -> list[Delay]:
    """Every overdue interval of the case's clocks as of `at`, in the order the clocks started."""
    effective = effective_events(events)
    registered = next((e for e in effective if isinstance(e, ev.Registered)), None)
    policy = get_policy(registered.policy_version if registered else default_policy_version())
    changes, hearings, today = handovers(events), hearing_days(events), local_date(at)
    found = (
        _delay(c, policy, changes, today, hearings)
        for c in compute_clocks(events, at=at)
        if c.state in OVERDUE_STATES
    )
    return [d for d in found if d is not None]
