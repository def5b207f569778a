"""A case rebuilt from its own events: as of a time, as known at a time, and step by step.

Pure: the caller reads the events (with the database-side time each was recorded) and passes
them in version order. The two timelines are those of `projections.case_status.history`:

- `known_at` T (recorded): the events recorded at or before T, i.e. a version prefix up to the
  first event recorded after T; corrections count from when they were recorded.
- `as_of` T (occurred): the effective events (every correction now on the ledger applied to its
  target, so a corrected `occurred_at` moves its event) with occurred_at <= T, applied in version
  order; a late entry counts from when it happened, not from when it was entered.

Clocks are computed at T from the same events, so a deadline judged "as of" T is judged on T.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from domain import case_events as ev
from domain.case import Case
from domain.clocks import Clock, compute_clocks, effective_events
from domain.corrections import is_correctable, typed_value

# Clock states that are still open after an event: an office deadline or a petitioner's window.
OPEN_CLOCK_STATES = frozenset({"running", "overdue", "window_open"})
# State fields that change with every event, or that a step shows apart from `changes`.
UNCOMPARED = frozenset({"version", "corrections"})


@dataclass(frozen=True)
class Recorded:
    """A case event with the database-side time the ledger recorded it."""

    event: ev.CaseEvent
    recorded_at: datetime


@dataclass(frozen=True)
class Snapshot:
    """The case at an instant or version, the events it was built from, and its clocks then."""

    case: Case
    events: list[ev.CaseEvent]
    clocks: list[Clock]


@dataclass(frozen=True)
class Corrects:
    """What a Corrected event corrects: the target event and field."""

    version: int
    type: str
    field: str


@dataclass
class Step:
    """The case after one event: rendered state, what changed, open clocks, who held it."""

    version: int
    type: str
    occurred_at: datetime
    recorded_at: datetime
    actor: Any
    reason: str | None
    state: dict[str, Any]
    changes: dict[str, tuple[Any, Any]]
    clocks: list[Clock]
    holder: dict[str, str | None]
    corrects: Corrects | None = None


def replay(events: Sequence[ev.CaseEvent]) -> Case | None:
    """A Case from some of its events in version order (gaps allowed); None before registration.

    `mutate` insists on consecutive versions, so only the creating event goes through it; the
    others only assign state (`apply`), which is all a replay does.
    """
    if not events or not isinstance(events[0], ev.Registered):
        return None
    case = cast(Case, events[0].mutate(None))
    for e in events[1:]:
        e.apply(case)
        case._version = e.originator_version  # the version this state is at
    return case


def happened_by(events: Sequence[ev.CaseEvent], at: datetime) -> list[ev.CaseEvent]:
    """The effective events (corrections applied, not themselves) that occurred at or before `at`."""
    return [e for e in effective_events(events) if not isinstance(e, ev.Corrected) and e.occurred_at <= at]


def known_by(logged: Sequence[Recorded], at: datetime) -> list[ev.CaseEvent]:
    """The version prefix recorded at or before `at` (knowledge never goes back in time)."""
    prefix: list[ev.CaseEvent] = []
    for item in logged:
        if item.recorded_at > at:
            break
        prefix.append(item.event)
    return prefix


def as_of(events: Sequence[ev.CaseEvent], at: datetime) -> Snapshot | None:
    """The case in the world at `at`, or None if it had not been registered by then."""
    happened = happened_by(events, at)
    case = replay(happened)
    return None if case is None else Snapshot(case, happened, compute_clocks(happened, at=at))


def known_at(logged: Sequence[Recorded], at: datetime) -> Snapshot | None:
    """The case as the ledger knew it at `at`, or None if nothing was recorded by then."""
    prefix = known_by(logged, at)
    case = replay(prefix)
    return None if case is None else Snapshot(case, prefix, compute_clocks(prefix, at=at))


def open_clocks(clocks: Sequence[Clock]) -> list[Clock]:
    return [c for c in clocks if c.state in OPEN_CLOCK_STATES]


def holder(case: Case) -> dict[str, str | None]:
    return {"unit_code": case.unit_code, "leader_id": case.leader_id, "officer_id": case.officer_id}


def _corrected_value(before: Sequence[ev.CaseEvent], event: ev.Corrected) -> tuple[Any, Any]:
    """(value in force before, value after) of the field a correction names."""
    target = next((e for e in effective_events(before) if e.originator_version == event.target_version), None)
    if target is None or not is_correctable(type(target).__name__, event.field):
        return event.old_value, event.new_value
    after = typed_value(type(target), event.field, event.new_value)
    return getattr(target, event.field, event.old_value), after


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {
        k: (before.get(k), v)
        for k, v in after.items()
        if k not in UNCOMPARED and before.get(k) != v and not (k not in before and v in (None, [], {}, ""))
    }


def steps(logged: Sequence[Recorded], render: Callable[[Case], dict[str, Any]]) -> Iterator[Step]:
    """The case after each event in version order, as `render` shows it to this reader.

    `changes` is the difference of the rendered states (so a reader never sees in a change
    what the state hides); for a Corrected event it is the corrected field of the target event,
    before and after, and `corrects` names that event and field.
    """
    case: Any = None
    previous: dict[str, Any] = {}
    events: list[ev.CaseEvent] = []
    for item in logged:
        e = item.event
        corrects, changes = None, {}
        if isinstance(e, ev.Corrected):
            corrects = Corrects(e.target_version, e.target_type, e.field)
            changes = {e.field: _corrected_value(events, e)}
        events.append(e)
        case = e.mutate(case)
        state = render(case)
        if corrects is None:
            changes = _diff(previous, state)
        previous = state
        yield Step(
            version=e.originator_version,
            type=type(e).__name__,
            occurred_at=e.occurred_at,
            recorded_at=item.recorded_at,
            actor=e.actor,
            reason=e.reason,
            state=state,
            changes=changes,
            clocks=open_clocks(compute_clocks(events, at=e.occurred_at)),
            holder=holder(case),
            corrects=corrects,
        )
