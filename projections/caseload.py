"""Leader caseload (包案领导): counts per leader over the case status view, now or as of a time.

No tables of its own: it reads `case_status` (now) or `case_history` (as of an instant), so a
case counts for the leader who held it at the time asked, and a reassigned case moves.

- open: the case is in an open status; overdue: one of its office deadlines had run out by
  the local date asked (`next_due` before that day);
- backlog: the case is on a backlog campaign (积案);
- answered, closed: answered / closed within the period (all time if no period);
- avg_handling_days: calendar days accepted → answered, over the cases answered in the period;
- satisfaction_rate: (satisfied + basically satisfied) ÷ cases whose latest return visit fell in
  the period, using each case's latest result; null when there is none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.vocabulary import OPEN_STATUSES
from projections.case_queries import At, source
from projections.database import Tx
from projections.sqltypes import db_date

_OPEN = ", ".join(f"'{s.value}'" for s in sorted(OPEN_STATUSES))


@dataclass(frozen=True)
class Period:
    start: date | None = None  # inclusive local dates
    end: date | None = None

    def within(self, tx: Tx, column: str) -> tuple[str, list[Any]]:
        """A condition that `column` (a local date) is set and inside the period."""
        parts, params = [f"{column} IS NOT NULL"], []
        if self.start is not None:
            parts.append(f"{column} >= ?")
            params.append(db_date(tx.postgres, self.start))
        if self.end is not None:
            parts.append(f"{column} <= ?")
            params.append(db_date(tx.postgres, self.end))
        return " AND ".join(parts), params


def _count(condition: str) -> str:
    return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"


def caseloads(
    tx: Tx,
    at: At,
    where: str,
    params: list[Any],
    *,
    today: date,
    period: Period,
    limit: int,
    after: str | None,
) -> list[dict[str, Any]]:
    """One row per leader holding a case matching `where`, by leader id, after `after`."""
    table, when, when_params = source(tx, at)
    answered, answered_p = period.within(tx, "answered_on")
    closed, closed_p = period.within(tx, "closed_on")
    visited, visited_p = period.within(tx, "visited_on")
    select = [
        _count(f"status IN ({_OPEN})"),
        _count("next_due < ?"),
        _count(answered),
        _count(closed),
        _count("backlog"),
        f"AVG(CASE WHEN {answered} THEN handling_days END)",
        _count(f"{visited} AND satisfaction IS NOT NULL AND satisfied"),
        _count(f"{visited} AND satisfaction IS NOT NULL"),
    ]
    select_params = [db_date(tx.postgres, today), *answered_p, *closed_p, *answered_p, *visited_p, *visited_p]
    keyset, key_params = ("leader_id > ?", [after]) if after is not None else ("1=1", [])
    tx.execute(
        f"SELECT leader_id, {', '.join(select)} FROM {table} "
        f"WHERE {when} AND leader_id IS NOT NULL AND ({where}) AND {keyset} "
        "GROUP BY leader_id ORDER BY leader_id LIMIT ?",
        [*select_params, *when_params, *params, *key_params, limit],
    )
    return [_row(r) for r in tx.fetchall()]


def _row(r: tuple[Any, ...]) -> dict[str, Any]:
    leader_id, open_, overdue, answered, closed, backlog, avg_days, satisfied, visits = r
    return {
        "leader_id": leader_id,
        "open": int(open_ or 0),
        "overdue": int(overdue or 0),
        "answered": int(answered or 0),
        "closed": int(closed or 0),
        "backlog": int(backlog or 0),
        "avg_handling_days": None if avg_days is None else round(float(avg_days), 1),
        "satisfaction_rate": round(int(satisfied) / int(visits), 4) if visits else None,
    }


def empty(leader_id: str) -> dict[str, Any]:
    return {
        "leader_id": leader_id, "open": 0, "overdue": 0, "answered": 0, "closed": 0, "backlog": 0,
        "avg_handling_days": None, "satisfaction_rate": None,
    }  # fmt: skip
