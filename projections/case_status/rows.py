"""One case's state as a view row: the columns shared by `case_status` and `case_history`.

Never holds the petitioners or the content: a listing cannot leak what its rows do not carry
(第三十条). Clocks come from `domain.clocks` on the same events, never re-derived here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson

from domain import case_events as ev
from domain.case import Case
from domain.clocks import Clock, Deadline, compute_clocks, open_deadlines
from domain.policy import local_date
from domain.vocabulary import Satisfaction
from projections.reference_data.units import UnitPaths

# Per-clock due-date columns (only while that clock runs) and the clock names they hold.
DUE_COLUMNS = {
    "screening": "screening_due",
    "handling": "handling_due",
    "review_decision": "review_decision_due",
    "re_review_decision": "re_review_decision_due",
}
TIME_COLUMNS = ("registered_at", "recorded_at", "accepted_at", "answered_at", "closed_at", "visited_at")
DATE_COLUMNS = (
    "registered_on", "answered_on", "closed_on", "visited_on",
    *DUE_COLUMNS.values(), "next_due",
)  # fmt: skip
BOOL_COLUMNS = ("late_entry", "backlog", "satisfied")
COLUMNS = (
    "case_id", "version", "position", "status", "kind", "channel", "category", "subject",
    "received_unit", "received_path", "unit_code", "unit_path", "leader_id", "officer_id",
    "accused_unit", "accused_path", "accused_leader", "policy_version", "registered_by",
    "registered_at", "registered_on", "recorded_at", "accepted_at", "answered_at", "answered_on",
    "closed_at", "closed_on", "handling_days", "visited_on", "satisfaction", "satisfied",
    "closure_type", *DUE_COLUMNS.values(), "next_due", "next_clock", "next_article",
    "late_entry", "backlog", "campaigns", "repeat_of", "answer_outcome", "region_code",
    "visited_at", "visit_method", "reception_id", "campaigns_cleared",
)  # fmt: skip
# The columns whose value is the same in every state of a case, on both timelines: set by its
# registration and never changed by a later event or a correction (domain/corrections.py names
# what may be corrected; `recorded_at` is the case's first event's). `case_history` does not
# repeat them in every row: reads take them from the case's `case_status` row
# (projections/case_status/queries.py).
CONSTANT_COLUMNS = (
    "kind", "received_unit", "policy_version", "registered_by", "recorded_at", "reception_id",
    "accused_unit", "accused_leader",
)  # fmt: skip
# The columns the registration sets and only a correction of it changes (domain/corrections.py),
# never NULL once registered. A history row holds them as NULL where they are the case's current
# values (most rows: few registrations are corrected), and reads take its current row's
# (projections/case_status/queries.py); a batch with a correction of the registration writes the
# case's whole history again (projections/case_status/view.py), so NULL always means "as now".
REGISTERED_COLUMNS = ("channel", "subject", "category", "registered_at", "registered_on")
_SATISFIED = frozenset({Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED})


@dataclass(frozen=True)
class LoggedEvent:
    """A case event with where and when the ledger recorded it."""

    position: int
    recorded_at: datetime
    event: ev.CaseEvent


def running_clocks(events: Sequence[ev.CaseEvent]) -> list[Clock]:
    """Office deadlines not yet met (petitioner windows are options, never overdue)."""
    if not events:
        return []
    # Running vs met does not depend on the instant; any instant will do.
    clocks = compute_clocks(events, at=events[0].occurred_at)
    return [c for c in clocks if c.state in ("running", "overdue")]


def _day(moment: datetime | None) -> date | None:
    return None if moment is None else local_date(moment)


def _last_visit(events: Sequence[ev.CaseEvent]) -> ev.ReturnVisitRecorded | None:
    return next((e for e in reversed(events) if isinstance(e, ev.ReturnVisitRecorded)), None)


def case_row(
    case: Case,
    events: Sequence[ev.CaseEvent],
    *,
    paths: UnitPaths,
    recorded_at: datetime,
    position: int,
    deadlines: Sequence[Deadline] | None = None,
) -> dict[str, Any]:
    """The row of `case`, whose state is `events` applied (they also give its clocks).

    `deadlines`: `open_deadlines(events)` if the caller tracks them (clocks.DeadlineTracker).
    """
    # The open deadlines and their due dates only (what running_clocks gives, without counting
    # days for an instant): derived once per written row, this is most of a rebuild's work.
    running = open_deadlines(events) if deadlines is None else deadlines
    due: dict[str, date | None] = dict.fromkeys(DUE_COLUMNS.values())
    for c in running:
        if c.name in DUE_COLUMNS:
            due[DUE_COLUMNS[c.name]] = c.due_on
    first = min(running, key=lambda c: (c.due_on, c.name), default=None)
    answered_on, accepted_on = _day(case.answered_at), _day(case.accepted_at)
    visit = _last_visit(events)
    handling = (answered_on - accepted_on).days if answered_on and accepted_on else None
    return {
        "case_id": str(case.id),
        "version": case.version,
        "position": position,
        "status": case.status.value,
        "kind": case.kind.value if case.kind else None,
        "channel": case.channel.value if case.channel else None,
        "category": case.category,
        "subject": case.subject,
        "received_unit": case.received_unit,
        "received_path": paths.path(case.received_unit),
        "unit_code": case.unit_code,
        "unit_path": paths.path(case.unit_code),
        "leader_id": case.leader_id,
        "officer_id": case.officer_id,
        "accused_unit": case.accused_unit,
        "accused_path": paths.path(case.accused_unit),
        "accused_leader": case.accused_leader,
        "policy_version": case.policy_version,
        "registered_by": case.registered_by,
        "registered_at": case.registered_at,
        "registered_on": _day(case.registered_at),
        "recorded_at": recorded_at,
        "accepted_at": case.accepted_at,
        "answered_at": case.answered_at,
        "answered_on": answered_on,
        "closed_at": case.closed_at,
        "closed_on": _day(case.closed_at),
        "handling_days": handling,
        "visited_on": _day(visit.occurred_at) if visit else None,
        "satisfaction": case.satisfaction.value if case.satisfaction else None,
        "satisfied": case.satisfaction in _SATISFIED,
        "closure_type": case.closure_type.value if case.closure_type else None,
        **due,
        "next_due": first.due_on if first else None,
        "next_clock": first.name if first else None,
        "next_article": first.article if first else None,
        "late_entry": case.is_late_entry,
        "backlog": bool(case.backlog_campaigns),
        "campaigns": orjson.dumps(list(case.backlog_campaigns)).decode(),
        "repeat_of": orjson.dumps([str(c) for c in case.repeat_of]).decode(),
        # what a 台账 exported from the case list needs to be imported again (issue 22)
        "answer_outcome": case.answer_outcome.value if case.answer_outcome else None,
        "region_code": case.region_code or None,
        "visited_at": visit.occurred_at if visit else None,
        "visit_method": visit.method.value if visit else None,
        "reception_id": case.reception_id,
        "campaigns_cleared": orjson.dumps(list(case.backlog_cleared)).decode(),
    }
