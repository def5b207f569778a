"""A case's states on both timelines, as rows valid over [valid_from, valid_to).

- recorded (`known_at`): the state after every event recorded at or before T, i.e. the
  ledger's own replay of a version prefix; it changes when an event is recorded.
- occurred (`as_of`): the state in the world at T, i.e. the effective events (corrections
  applied, so a corrected `occurred_at` moves its event) with occurred_at <= T, applied in
  version order; it changes when something happened, so a late entry counts from then.
"""

from __future__ import annotations

from collections.abc import Sequence
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


def _intervals(states: list[tuple[datetime, dict[str, Any]]]) -> list[Interval]:
    """Each state valid from its instant to the next one's; empty intervals are dropped."""
    out: list[Interval] = []
    for i, (start, row) in enumerate(states):
        end = states[i + 1][0] if i + 1 < len(states) else FAR_FUTURE
        if start < end:
            out.append((start, end, row))
    return out


def recorded_states(logged: Sequence[LoggedEvent], paths: UnitPaths) -> list[Interval]:
    """The ledger's knowledge of the case after each recorded event (the last one is current)."""
    states: list[tuple[datetime, dict[str, Any]]] = []
    case: Any = None
    first_recorded = logged[0].recorded_at
    known = first_recorded
    for i, item in enumerate(logged):
        case = item.event.mutate(case)
        # Knowledge never goes back in time, even if two servers' clocks disagree.
        known = max(known, item.recorded_at)
        events = [x.event for x in logged[: i + 1]]
        row = case_row(case, events, paths=paths, recorded_at=first_recorded, position=item.position)
        states.append((known, row))
    return _intervals(states)


def occurred_states(logged: Sequence[LoggedEvent], paths: UnitPaths) -> list[Interval]:
    """The world's state of the case at each instant something (effectively) happened."""
    effective = [e for e in effective_events([x.event for x in logged]) if not isinstance(e, ev.Corrected)]
    position = {x.event.originator_version: x.position for x in logged}
    first_recorded = logged[0].recorded_at
    states: list[tuple[datetime, dict[str, Any]]] = []
    for instant in sorted({e.occurred_at for e in effective}):
        happened = [e for e in effective if e.occurred_at <= instant]
        case = replay(happened)
        if case is None:  # a corrected registration can start later than another event
            continue
        last = position[happened[-1].originator_version]
        states.append(
            (instant, case_row(case, happened, paths=paths, recorded_at=first_recorded, position=last))
        )
    return _intervals(states)
