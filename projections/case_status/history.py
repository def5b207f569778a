"""A case's states on both timelines, as rows valid over [valid_from, valid_to).

- recorded (`known_at`): the state after every event recorded at or before T, i.e. the
  ledger's own replay of a version prefix; it changes when an event is recorded.
- occurred (`as_of`): the state in the world at T, i.e. the effective events (corrections
  applied, so a corrected `occurred_at` moves its event) with occurred_at <= T, applied in
  version order; it changes when something happened, so a late entry counts from then.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Any

from eventsourcing.domain import Aggregate

from domain import case_events as ev
from domain.clocks import Deadline, DeadlineTracker, effective_events
from projections.case_status.rows import LoggedEvent, case_row
from projections.engine.sqltypes import FAR_FUTURE
from projections.reference_data.units import UnitPaths

RECORDED, OCCURRED = "recorded", "occurred"
Interval = tuple[datetime, datetime, dict[str, Any]]


class Replayed:
    """A case replayed through some of its events in version order, with its open deadlines
    tracked as it goes (clocks.DeadlineTracker): advancing it by one event costs that event.

    Only the registration goes through `mutate` (the ledger's own checks and chain hash were
    done when the events were stored and are `verify`'s work); the others only assign state,
    as `domain.replay.replay` does. Without a registration first there is no case (None).
    """

    def __init__(self) -> None:
        self.case: Any = None
        self.tracker = DeadlineTracker()
        self.deadlines: list[Deadline] = []
        self._derived = False  # whether `deadlines` are those after the last event

    @property
    def events(self) -> list[ev.CaseEvent]:
        return self.tracker.events

    def _apply(self, e: ev.CaseEvent) -> None:
        if self.case is not None:
            e.apply(self.case)
            self.case._version = e.originator_version  # the version this state is at
        elif not self.tracker.events and isinstance(e, ev.Registered):
            # The library's construction, without LedgerEvent.mutate's chain hash (see above).
            self.case = Aggregate.Created.mutate(e, None)

    def add(self, e: ev.CaseEvent) -> None:
        """Advance by `e`, deriving the open deadlines after it."""
        self._apply(e)
        self.deadlines = self.tracker.add(e)
        self._derived = True

    def skip(self, e: ev.CaseEvent) -> None:
        """Advance by `e` when no row is wanted after it (deadlines are derived on the next add)."""
        self._apply(e)
        self.tracker.skip(e)
        self._derived = False

    def at_version(self, version: int) -> bool:
        """Whether this is the case after its event `version`, deadlines derived (to resume from)."""
        return self._derived and self.case is not None and self.case.version == version


def _advance(replayed: Replayed | None, happened: list[ev.CaseEvent]) -> Replayed:
    """The case replayed through `happened`, advancing `replayed` when `happened` only adds later
    versions to what it holds (no late entry in between): the usual case, and linear, not quadratic.

    The earlier state's row is already derived, so advancing the same object loses nothing.
    """
    previous = [] if replayed is None else replayed.events
    extends = (
        replayed is not None
        and len(happened) >= len(previous)
        and all(a is b for a, b in zip(previous, happened, strict=False))
    )
    if not extends or replayed is None:
        replayed = Replayed()
        previous = []
    new = happened[len(previous) :]
    for e in new[:-1]:
        replayed.skip(e)
    if new:
        replayed.add(new[-1])
    return replayed


def _intervals(states: list[tuple[datetime, dict[str, Any]]]) -> list[Interval]:
    """Each state valid from its instant to the next one's; empty intervals are dropped."""
    out: list[Interval] = []
    for i, (start, row) in enumerate(states):
        end = states[i + 1][0] if i + 1 < len(states) else FAR_FUTURE
        if start < end:
            out.append((start, end, row))
    return out


@dataclass(frozen=True)
class Tail:
    """The states of one timeline from `since` on; the stored rows before `since` still hold.

    `since` None: the whole timeline (every stored row of the case on it is replaced).
    """

    since: datetime | None
    intervals: list[Interval]
    replayed: Replayed | None = None  # the case after its last event, to resume from
    # The recorded timeline: the row after each event from index `rows_from` of the history on.
    rows_from: int = 0
    rows: tuple[dict[str, Any], ...] = ()


def recorded_states(logged: Sequence[LoggedEvent], paths: UnitPaths) -> list[Interval]:
    """The ledger's knowledge of the case after each recorded event (the last one is current)."""
    return recorded_tail(logged, paths, 0).intervals


def recorded_tail(
    logged: Sequence[LoggedEvent], paths: UnitPaths, first_new: int, resume: Replayed | None = None
) -> Tail:
    """The recorded timeline's rows that events `first_new`.. change: their own, and the row of
    the version before them, whose interval they end (or empty, if recorded at the same instant).

    An earlier version's row keeps its interval (it ends at the next version's instant), so
    neither its state nor its clocks are derived again: a batch costs its own events, not the
    case's whole history. `resume`, the case replayed by an earlier call (`Tail.replayed`), is
    advanced instead of replaying the events before them again, when it stands at the version
    just before them; it is the same case, so its state is that of those events.
    """
    start = max(first_new - 1, 0)
    states: list[tuple[datetime, dict[str, Any]]] = []
    first_recorded = logged[0].recorded_at
    # Knowledge never goes back in time, even if two servers' clocks disagree.
    known = max(x.recorded_at for x in logged[: start + 1])

    def derive(item: LoggedEvent) -> None:
        nonlocal known
        known = max(known, item.recorded_at)
        row = case_row(
            replayed.case, replayed.events, paths=paths, recorded_at=first_recorded,
            position=item.position, deadlines=replayed.deadlines,
        )  # fmt: skip
        states.append((known, row))

    if first_new > 0 and resume is not None and resume.at_version(first_new):
        replayed = resume
        derive(logged[start])  # the version before the new ones: its state is the resumed one
        advance_from = first_new
    else:
        replayed = Replayed()
        for item in logged[:start]:
            replayed.skip(item.event)
        advance_from = start
    for item in logged[advance_from:]:
        replayed.add(item.event)
        derive(item)
    # The version before the new ones was the last: its row (valid to FAR_FUTURE) is stored.
    since = states[0][0] if first_new > 0 else None
    return Tail(since, _intervals(states), replayed, start, tuple(row for _, row in states))


def occurred_as_recorded(logged: Sequence[LoggedEvent], first_new: int, recorded: Tail) -> Tail | None:
    """`occurred_tail`, taken from the recorded tail's rows when the two timelines pass through
    the same states: no correction, and no event happened before an earlier version did. Then
    the state in the world at each instant is the ledger's after the last event of that instant,
    row for row. None when they differ, or the rows needed were derived in an earlier batch.
    """
    events = [x.event for x in logged]
    if any(isinstance(e, ev.Corrected) for e in events):
        return None
    if any(later.occurred_at < earlier.occurred_at for earlier, later in pairwise(events)):
        return None
    last_at = {e.occurred_at: i for i, e in enumerate(events)}  # the last event of each instant
    instants = sorted(last_at)
    since: datetime | None = None
    if first_new > 0:
        earliest_new = events[first_new].occurred_at  # times only go forward
        before = [t for t in instants if t < earliest_new]
        since = before[-1] if before else None
    states: list[tuple[datetime, dict[str, Any]]] = []
    for instant in instants:
        if since is not None and instant < since:
            continue
        i = last_at[instant]
        if i < recorded.rows_from:
            return None
        states.append((instant, recorded.rows[i - recorded.rows_from]))
    return Tail(since, _intervals(states))


def occurred_states(logged: Sequence[LoggedEvent], paths: UnitPaths) -> list[Interval]:
    """The world's state of the case at each instant something (effectively) happened."""
    return occurred_tail(logged, paths, 0).intervals


def occurred_tail(
    logged: Sequence[LoggedEvent], paths: UnitPaths, first_new: int, resume: Replayed | None = None
) -> Tail:
    """The occurred timeline's rows that events `first_new`.. change: every state at or after
    the last earlier instant before the new events' earliest occurred_at (that state's interval
    now ends sooner). A new correction can move any earlier event, so it redoes the whole
    timeline, as does a case whose state at that instant does not exist yet.

    `resume`, the case replayed by an earlier call (`Tail.replayed`), is advanced instead of
    replaying the events that happened by the first instant again, when they are exactly the
    events it holds (the same objects: no late entry or correction came in between).
    """
    all_events = [x.event for x in logged]
    if first_new > 0:
        first_version = all_events[first_new].originator_version
        # A new correction, or an old one naming a version only now recorded, moves old events.
        if any(
            isinstance(e, ev.Corrected) and (i >= first_new or e.target_version >= first_version)
            for i, e in enumerate(all_events)
        ):
            first_new = 0
    effective_all = effective_events(all_events)
    effective = [e for e in effective_all if not isinstance(e, ev.Corrected)]
    position = {x.event.originator_version: x.position for x in logged}
    first_recorded = logged[0].recorded_at
    instants = sorted({e.occurred_at for e in effective})
    since: datetime | None = None
    if first_new > 0:
        earliest_new = min(e.occurred_at for e in effective_all[first_new:])
        before = [t for t in instants if t < earliest_new]
        since = before[-1] if before else None
    states: list[tuple[datetime, dict[str, Any]]] = []
    replayed = resume if first_new > 0 else None
    for instant in instants:
        if since is not None and instant < since:
            continue
        happened = [e for e in effective if e.occurred_at <= instant]
        replayed = _advance(replayed, happened)
        if replayed.case is None:  # a corrected registration can start later than another event
            if since is not None:  # the stored row before it now lasts longer: redo all
                return occurred_tail(logged, paths, 0)
            continue
        last = position[happened[-1].originator_version]
        row = case_row(
            replayed.case, happened, paths=paths, recorded_at=first_recorded, position=last,
            deadlines=replayed.deadlines,
        )  # fmt: skip
        states.append((instant, row))
    return Tail(since, _intervals(states), replayed)
