"""History rows against a replay oracle, on random histories with late entries and corrections.

Oracles, independent of the view's own replay:
- known_at T: the ledger's own reconstruction at the last version recorded at or before T;
- as_of T: the effective events with occurred_at <= T, renumbered and replayed through the
  library's `mutate` (which checks every version), clocks from `domain.clocks`.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import case_events as ev
from domain.application import LedgerApplication
from domain.case import Case
from domain.clocks import effective_events
from domain.errors import DomainError
from domain.policy import local_date
from domain.vocabulary import AnswerOutcome
from projections.case_status.history import OCCURRED, RECORDED
from projections.case_status.queries import At
from projections.case_status.rows import running_clocks
from projections.case_status.view import CaseStatusView
from tests.factories import long_ago, perform, registered_case, rid
from tests.views.feed import feed
from tests.views.helpers import row

STEPS = (
    "accept", "assign", "reassign", "backlog", "note", "answer", "correct_category", "correct_subject",
    "correct_accepted",
)  # fmt: skip
FIELDS = ("status", "unit_code", "leader_id", "category", "backlog", "version", "next_due")


def _step(case: Any, name: str, hours: int, seen: dict[str, int]) -> None:
    """One command `hours` after the last transition (or after registration for side events)."""
    assert case.last_transition_at is not None and case.registered_at is not None
    at = case.last_transition_at + timedelta(hours=hours)
    side = case.registered_at + timedelta(hours=hours)  # may lie before later transitions: out of order
    if name == "accept":
        perform(case, "accept", at=at, accepting_unit="U1", notice_issued_on=local_date(at))
        seen["accepted"] = case.version
    elif name in ("assign", "reassign"):
        perform(case, name, at=at, unit_code=rid("unit-"), leader_id=rid("leader-"))
    elif name == "backlog":
        perform(case, "designate_backlog", at=side, campaign=rid("c-"), designated_by="s")
    elif name == "note":
        perform(case, "add_note", at=side, text="n")
    elif name == "answer":
        perform(case, "answer", at=at, outcome=AnswerOutcome.EXPLAIN, delivered_on=at.date())
    elif name == "correct_category":
        perform(case, "correct", at=side, reason="r", target_version=1, target_type="Registered",
                field="category", old_value=case.category, new_value=rid("cat-"))  # fmt: skip
    elif name == "correct_subject":  # a registration's column the history holds as NULL while current
        perform(case, "correct", at=side, reason="r", target_version=1, target_type="Registered",
                field="subject", old_value=case.subject, new_value=rid("subject-"))  # fmt: skip
    elif name == "correct_accepted" and "accepted" in seen:
        accepted = seen["accepted"]
        moved = (case.registered_at + timedelta(minutes=hours)).isoformat()
        perform(case, "correct", at=side, reason="r", target_version=accepted, target_type="Accepted",
                field="occurred_at", old_value=case.accepted_at.isoformat(), new_value=moved)  # fmt: skip


def _as_of_oracle(events: list[ev.CaseEvent], t: datetime) -> dict[str, Any] | None:
    happened = [e for e in effective_events(events) if not isinstance(e, ev.Corrected) and e.occurred_at <= t]
    if not happened or not isinstance(happened[0], ev.Registered):
        return None
    case: Any = None
    for i, e in enumerate(happened, 1):
        case = dataclasses.replace(e, originator_version=i).mutate(case)
    clocks = running_clocks(happened)
    return {
        "status": case.status.value, "unit_code": case.unit_code, "leader_id": case.leader_id,
        "category": case.category, "backlog": bool(case.backlog_campaigns),
        "version": happened[-1].originator_version, "next_due": min((c.due_on for c in clocks), default=None),
    }  # fmt: skip


def _known_at_oracle(ledger: LedgerApplication, case_id: Any, t: datetime) -> dict[str, Any] | None:
    known = [r.version for r in ledger.reads.aggregate_rows(case_id) if r.recorded_at <= t]
    if not known:
        return None
    case = ledger.get_case(case_id, version=max(known))
    clocks = running_clocks(ledger.case_events(case_id, lte=max(known)))
    return {
        "status": case.status.value, "unit_code": case.unit_code, "leader_id": case.leader_id,
        "category": case.category, "backlog": bool(case.backlog_campaigns), "version": case.version,
        "next_due": min((c.due_on for c in clocks), default=None),
    }  # fmt: skip


def _view(ledger: LedgerApplication, case_id: Any, at: At) -> dict[str, Any] | None:
    r = row(ledger, case_id, at)
    return None if r is None else {k: r[k] for k in FIELDS}


def play_history(
    ledger: LedgerApplication, view: CaseStatusView, steps: list[tuple[str, int, bool]], batch_size: int = 50
) -> Case:
    """Drive one case through random steps, saving (and feeding the view) where a step says so:
    separate saves give the recorded timeline several instants. Returns the case, saved and fed."""
    case = registered_case(at=long_ago())
    seen: dict[str, int] = {}
    for name, hours, save_now in steps:
        try:
            _step(case, name, hours, seen)
        except DomainError:
            continue  # not allowed in this state: a random history skips it
        if save_now:
            ledger.save(case)
            feed(ledger, view, batch_size=batch_size)
    ledger.save(case)
    feed(ledger, view, batch_size=batch_size)
    return case


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(st.tuples(st.sampled_from(STEPS), st.integers(1, 72), st.booleans()), max_size=8),
    probes=st.lists(st.integers(-30, 3000), min_size=3, max_size=8),
)
def test_history_rows_equal_the_replay_oracles(
    ledger: LedgerApplication, steps: list[tuple[str, int, bool]], probes: list[int]
) -> None:
    case = play_history(ledger, CaseStatusView(ledger), steps)
    events = ledger.case_events(case.id)
    rows = ledger.reads.aggregate_rows(case.id)
    assert case.registered_at is not None
    occurred = sorted({e.occurred_at for e in effective_events(events)})
    instants = [case.registered_at + timedelta(hours=p) for p in probes]
    instants += [t + d for t in occurred for d in (timedelta(0), timedelta(microseconds=-1))]
    for t in instants:
        assert _view(ledger, case.id, At(OCCURRED, t)) == _as_of_oracle(events, t), t
    for r in rows:
        for t in (r.recorded_at, r.recorded_at - timedelta(microseconds=1)):
            assert _view(ledger, case.id, At(RECORDED, t)) == _known_at_oracle(ledger, case.id, t), t
    now = row(ledger, case.id)
    assert now is not None and now["version"] == case.version
