"""This month's concentrated-supervision list (集中督办) under the local
escalation policy (domain/escalation.py): matters assigned 3 or more times whose latest return
visit is unsatisfied, among the cases the reader may see (api/access.py; never the accused side).

The case status view narrows the candidates (latest satisfaction unsatisfied, a status still on
the list, in the reader's access); the assignment count comes from each candidate's own state.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import Request

from api.auth import Principal
from api.reads.case_lists import scoped
from api.view_query import view_database
from domain.application import LedgerApplication
from domain.context import utcnow
from domain.escalation import ON_THE_LIST_STATUSES, is_escalated
from domain.policy import local_date
from domain.vocabulary import LocalPolicy
from projections.case_queries import At, select_cases

# Candidates read per call: unsatisfied matters still open are a small share of any caseload.
MAX_CANDIDATES = 5000


def escalation_list(request: Request, ledger: LedgerApplication, who: Principal) -> dict[str, Any]:
    """The month's list and whether the policy is in force today (the API and the page share it)."""
    today = local_date(utcnow())
    in_force = ledger.local_policy_in_force(LocalPolicy.ESCALATION, today)
    month = today.strftime("%Y-%m")
    where = scoped(request, who)
    if not in_force:
        return {"month": month, "policy_in_force": False, "items": []}
    statuses = sorted(s.value for s in ON_THE_LIST_STATUSES)
    where.add("satisfaction = 'unsatisfied'")
    where.add(f"status IN ({', '.join('?' * len(statuses))})", *statuses)
    with view_database(request).transaction(write=False) as tx:
        rows = select_cases(
            tx, At(), where.sql, where.params, order="registered", limit=MAX_CANDIDATES, after=None
        )
    items = []
    for row in rows:
        case = ledger.get_case(UUID(row["case_id"]))
        if not is_escalated(case):
            continue
        items.append({
            "case_id": row["case_id"], "subject": row["subject"], "status": case.status.value,
            "unit_code": case.unit_code, "leader_id": case.leader_id, "assignments": case.assignment_count,
            "satisfaction": case.satisfaction.value if case.satisfaction else None,
            "visited_on": row["visited_on"], "registered_on": row["registered_on"],
        })  # fmt: skip
    return {"month": month, "policy_in_force": True, "items": items}
