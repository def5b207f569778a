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
from typing import Any

from domain import case_events as ev
from domain.clocks import effective_events
from domain.replay import replay
from projections.case_rows import LoggedEvent, case_row
from projections.sqltypes import FAR_FUTURE
from projections.units import UnitPaths

RECORDED, OCCURRED = "recorded", "occurred"
Interval = tuple[datetime, datetime, dict[str, Any]]


def _advance(case: Any, previous: list[ev.CaseEvent], happened: list[ev.CaseEvent]) -> Any:
    """`replay(happened)`, reusing the case replayed from `previous` when `happened` only adds
    later versions to it (no late entry in between): the usual case, and linear, not quadratic.

    The previous state's row is already derived, so advancing the same object loses nothing.
    """
    extends = (
        case is not None
        and len(happened) >= len(previous)
        and all(a is b for a, b in zip(previous, happened, strict=False))
    )
    if not extends:
        return replay(happened)
    for e in happened[len(previous) :]:
        e.apply(case)
        case._version = e.originator_version  # as replay() does: the version this state is at
    return case


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


def recorded_states(logged: Sequence[LoggedEvent], paths: UnitPaths) -> list[Interval]:
    """The ledger's knowledge of the case after each recorded event (the last one is current)."""
    return recorded_tail(logged, paths, 0).intervals


def recorded_tail(logged: Sequence[LoggedEvent], paths: UnitPaths, first_new: int) -> Tail:
    """The recorded timeline's rows that events `first_new`.. change: their own, and the row of
    the version before them, whose interval they end (or empty, if recorded at the same instant).

    An earlier version's row keeps its interval (it ends at the next version's instant), so
    neither its state nor its clocks are derived again: a batch costs its own events, not the
    case's whole history.
    """
    start = max(first_new - 1, 0)
    states: list[tuple[datetime, dict[str, Any]]] = []
    case: Any = None
    first_recorded = logged[0].recorded_at
    known = first_recorded
    events = [x.event for x in logged]
    for i, item in enumerate(logged):
        case = item.event.mutate(case)
        # Knowledge never goes back in time, even if two servers' clocks disagree.
        known = max(known, item.recorded_at)
        if i >= start:
            row = case_row(
                case, events[: i + 1], paths=paths, recorded_at=first_recorded, position=item.position
            )
            states.append((known, row))
    # The version before the new ones was the last: its row (valid to FAR_FUTURE) is stored.
    return Tail(states[0][0] if first_new > 0 else None, _intervals(states))


def occurred_states(logged: Sequence[LoggedEvent], paths: UnitPaths) -> list[Interval]:
    """The world's state of the case at each instant something (effectively) happened."""
    return occurred_tail(logged, paths, 0).intervals


def occurred_tail(logged: Sequence[LoggedEvent], paths: UnitPaths, first_new: int) -> Tail:
    """The occurred timeline's rows that events `first_new`.. change: every state at or after
    the last earlier instant before the new events' earliest occurred_at (that state's interval
    now ends sooner). A new correction can move any earlier event, so it redoes the whole
    timeline, as does a case whose state at that instant does not exist yet.
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
    case: Any = None
    previous: list[ev.CaseEvent] = []
    for instant in instants:
        if since is not None and instant < since:
            continue
        happened = [e for e in effective if e.occurred_at <= instant]
        case = _advance(case, previous, happened)
        previous = happened
        if case is None:  # a corrected registration can start later than another event
            if since is not None:  # the stored row before it now lasts longer: redo all
                return occurred_tail(logged, paths, 0)
            continue
        last = position[happened[-1].originator_version]
        states.append(
            (instant, case_row(case, happened, paths=paths, recorded_at=first_recorded, position=last))
        )
    return Tail(since, _intervals(states))
