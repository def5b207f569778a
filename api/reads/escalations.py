"""The month's concentrated-supervision list (集中督办) under the local
escalation policy (domain/escalation.py): matters assigned 3 or more times whose latest return
visit is unsatisfied, among the cases the reader may see (api/access.py; never the accused side).

The case status view narrows the candidates (latest satisfaction unsatisfied, a status still on
the list, in the reader's access); the assignment count comes from each candidate's own state.

`month=YYYY-MM` asks for an earlier month's list, as of the end of that month (its last instant,
Beijing time) on the timeline of what happened (`as_of`), not as the ledger knew it then
(`known_at`). The county office prints last month's list for its concentrated supervision meeting
early in the next month: it needs every matter that by the month's end had been assigned three
times with the petitioner still unsatisfied, including a return visit made on the 30th and
entered on the 2nd (a late entry counts from when it happened, DOMAIN.md). A list as known then
would leave that matter out and only reproduce an earlier printout; `known_at` on the case list
serves that. The policy counts as in force if it was on the month's last day.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from fastapi import Request

from api.access import reader_access
from api.auth import Principal
from api.errors import ProblemError
from api.reads.case_lists import scoped
from api.view_query import view_database
from domain import replay
from domain.application import LedgerApplication
from domain.case import Case
from domain.context import utcnow
from domain.escalation import ON_THE_LIST_STATUSES, is_escalated
from domain.plausible import EARLIEST_DAY
from domain.policy import CHINA_TZ, local_date
from domain.vocabulary import LocalPolicy
from projections.case_status.history import OCCURRED
from projections.case_status.queries import At, select_cases
from projections.engine.database import ViewDatabase

# Candidates read per call: unsatisfied matters still open are a small share of any caseload.
MAX_CANDIDATES = 5000


def _invalid_month(message: str) -> ProblemError:
    return ProblemError(422, "validation_failed", message, errors=[{"field": "month", "message": message}])


def month_asked(month: str | None, today: date) -> date | None:
    """The first day of the month asked, or None for this month (the list as it stands now).
    422 naming `month` for a month that is no month, lies ahead, or before any plausible date."""
    if month is None:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}", month):
            raise ValueError(month)
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        raise _invalid_month("month must be a month, YYYY-MM") from None
    if first < EARLIEST_DAY.replace(day=1):
        raise _invalid_month(f"month must not be before {EARLIEST_DAY:%Y-%m}")
    if first > today.replace(day=1):
        raise _invalid_month("month must not be in the future")
    return None if first == today.replace(day=1) else first


def month_end(first: date) -> datetime:
    """The last instant of the month (Beijing time)."""
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return datetime.combine(last + timedelta(days=1), time(), CHINA_TZ) - timedelta(microseconds=1)


def escalation_list(
    request: Request, ledger: LedgerApplication, who: Principal, month: str | None = None
) -> dict[str, Any]:
    """The month's list and whether the policy was in force (the API and the page share it)."""
    today = local_date(utcnow())
    first = month_asked(month, today)
    at = At() if first is None else At(OCCURRED, month_end(first))
    day = today if at.instant is None else local_date(at.instant)
    in_force = ledger.local_policy_in_force(LocalPolicy.ESCALATION, day)
    answer: dict[str, Any] = {"month": day.strftime("%Y-%m"), "policy_in_force": in_force, "items": []}
    where = scoped(request, who)  # the reader's access first: a reader without it is refused
    if not in_force:
        return answer
    access = reader_access(request, who)
    answer["items"] = escalated_items(
        ledger, view_database(request), at, where.sql, where.params,
        # A past month's row was in the reader's access then; the case must also be his to open now.
        None if at.instant is None else lambda case_id: access.may_see(ledger.get_case(case_id)),
    )  # fmt: skip
    return answer


def escalated_items(
    ledger: LedgerApplication,
    db: ViewDatabase,
    at: At,
    where: str,
    params: Sequence[Any],
    may_open: Callable[[UUID], bool] | None = None,
) -> list[dict[str, Any]]:
    """The matters on the list at `at` among the case rows `where` selects (the reader's access)."""
    statuses = sorted(s.value for s in ON_THE_LIST_STATUSES)
    status_in = f"status IN ({', '.join('?' * len(statuses))})"
    with db.transaction(write=False) as tx:
        rows = select_cases(
            tx, at, f"({where}) AND satisfaction = 'unsatisfied' AND {status_in}", [*params, *statuses],
            order="registered", limit=MAX_CANDIDATES, after=None,
        )  # fmt: skip
    items = []
    for row in rows:
        case_id = UUID(row["case_id"])
        case = _case_then(ledger, case_id, at)
        if case is None or not is_escalated(case) or (may_open is not None and not may_open(case_id)):
            continue
        items.append({
            "case_id": row["case_id"], "subject": row["subject"], "status": case.status.value,
            "unit_code": case.unit_code, "leader_id": case.leader_id, "assignments": case.assignment_count,
            "satisfaction": case.satisfaction.value if case.satisfaction else None,
            "visited_on": row["visited_on"], "registered_on": row["registered_on"],
        })  # fmt: skip
    return items


def _case_then(ledger: LedgerApplication, case_id: UUID, at: At) -> Case | None:
    """The case now, or in the world at the end of the month asked."""
    if at.instant is None:
        return ledger.get_case(case_id)
    snapshot = replay.as_of(ledger.case_events(case_id), at.instant)
    return None if snapshot is None else snapshot.case
