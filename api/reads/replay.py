"""Disputed-case review: a case replayed event by event, and who held it while it was overdue."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import Request

from api.auth import Principal
from api.reads.cases import case_view, logged_events, readable_case, unmask_if_asked
from domain.application import LedgerApplication
from domain.clocks import Clock
from domain.context import current_context
from domain.delays import Delay, Piece, delays
from domain.policy import local_date
from domain.replay import Step, steps


def _clock(c: Clock) -> dict[str, Any]:
    return {"name": c.name, "article": c.article, "started_on": c.started_on, "due_on": c.due_on,
            "state": c.state, "days_remaining": c.days_remaining, "days_overdue": c.days_overdue,
            "extension_days": c.extension_days, "paused_days": c.paused_days, "ref": c.ref}  # fmt: skip


def _step(s: Step) -> dict[str, Any]:
    changes = {k: list(v) for k, v in s.changes.items()}
    corrects = None if s.corrects is None else vars(s.corrects)
    return {"version": s.version, "type": s.type, "occurred_at": s.occurred_at, "recorded_at": s.recorded_at,
            "actor": s.actor, "reason": s.reason, "state": s.state, "changes": changes, "corrects": corrects,
            "clocks": [_clock(c) for c in s.clocks], "holder": s.holder}  # fmt: skip


def case_replay(
    request: Request, ledger: LedgerApplication, who: Principal, case_id: UUID, *,
    unmask: bool = False, purpose: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """After each event: the case, what changed, the clocks still running and who held the case."""
    readable_case(request, ledger, who, case_id)
    logged = logged_events(ledger, case_id)
    unmasked = unmask_if_asked(request, ledger, who, case_id, unmask, purpose)

    def render(case: Any) -> dict[str, Any]:
        return case_view(case, unmasked=unmasked)

    return {"case_id": str(case_id), "steps": [_step(s) for s in steps(logged, render)]}


def _piece(p: Piece) -> dict[str, Any]:
    return {"unit_code": p.holder.unit_code, "leader_id": p.holder.leader_id, "officer_id": p.holder.officer_id,
            "from": p.start, "to": p.end, "days": p.days}  # fmt: skip


def _delay(d: Delay) -> dict[str, Any]:
    return {"clock": d.clock, "article": d.article, "ref": d.ref, "due_on": d.due_on, "from": d.start,
            "to": d.end, "days": d.days, "open": d.open, "provisional": d.provisional,
            "pieces": [_piece(p) for p in d.pieces]}  # fmt: skip


def case_delays(request: Request, ledger: LedgerApplication, who: Principal, case_id: UUID) -> dict[str, Any]:
    """Every interval in which a clock was overdue, its days, and who held the case in each part."""
    case = readable_case(request, ledger, who, case_id)
    now = current_context().now
    found = delays(ledger.case_events(case_id), at=now)
    return {"case_id": str(case_id), "policy_version": case.policy_version,
            "day_counting": case.policy.day_counting, "today": local_date(now),
            "total_days": sum(d.days for d in found), "delays": [_delay(d) for d in found]}  # fmt: skip
