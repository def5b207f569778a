"""Leader caseload (包案领导): counts per leader over the case status view, now or as of a time.

No tables of its own: it reads `caseload_now` (now, all time: the current rows' counts kept per
leader, so the read does not grow with the cases a leader ever held), `case_status` (now, for a
period), `case_history` (as of an instant, for a period) or `caseload_rollup` (as of an instant,
all time: the same sums kept per leader, so the read does not grow with the ledger), so a case
counts for the leader who held it at the time asked, and a reassigned case moves.

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
from datetime import date, datetime
from typing import Any

from domain.policy import local_date
from domain.vocabulary import OPEN_STATUSES
from projections.case_status.caseload_now import counts_now
from projections.case_status.caseload_rollup import MEASURES, counts_at
from projections.case_status.queries import At, source
from projections.engine.database import Tx
from projections.engine.sqltypes import db_date

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
    """One row per leader holding a case matching `where`, by leader id, after `after`.

    `where` may name leader_id, unit_path and received_path (the reader's scope and filters).
    As of an instant, over all time and judged on that instant's own day, the counts come from
    the rollup (projections/case_status/caseload_rollup.py), which keeps just those columns; otherwise from
    the states themselves. Both give the same rows (tests/views/test_caseload_rollup.py).
    """
    page = Page(where, params, after, limit)
    if at.instant is not None and period == Period() and today == local_date(at.instant):
        assert at.timeline is not None
        return from_rollup(tx, at.timeline, at.instant, page)
    if at.instant is None and period == Period():
        return from_now(tx, page, today=today)
    return from_states(tx, at, page, today=today, period=period)


@dataclass(frozen=True)
class Page:
    """The reader's condition (`where`, `params`) and one keyset page of leaders."""

    where: str
    params: list[Any]
    after: str | None
    limit: int

    def keyset(self) -> tuple[str, list[Any]]:
        return ("leader_id > ?", [self.after]) if self.after is not None else ("1=1", [])


def from_states(tx: Tx, at: At, page: Page, *, today: date, period: Period) -> list[dict[str, Any]]:
    """The caseloads counted over each case's state at `at` (one row read per case)."""
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
    keyset, key_params = page.keyset()
    tx.execute(
        f"SELECT leader_id, {', '.join(select)} FROM {table} "
        f"WHERE {when} AND leader_id IS NOT NULL AND ({page.where}) AND {keyset} "
        "GROUP BY leader_id ORDER BY leader_id LIMIT ?",
        [*select_params, *when_params, *page.params, *key_params, page.limit],
    )
    return [_row(r) for r in tx.fetchall()]


def from_rollup(tx: Tx, timeline: str, instant: datetime, page: Page) -> list[dict[str, Any]]:
    """The caseloads at `instant` over all time, summed from the rollup's buckets."""
    buckets, bucket_params = counts_at(tx, timeline, instant)
    keyset, key_params = page.keyset()
    measures = MEASURES[1:]  # all but `present`, which only says a leader holds a case
    tx.execute(
        f"SELECT leader_id, {', '.join(f'SUM({m})' for m in measures)} FROM {buckets} "
        f"AND ({page.where}) AND {keyset} GROUP BY leader_id HAVING SUM(present) > 0 ORDER BY leader_id LIMIT ?",
        [*bucket_params, *page.params, *key_params, page.limit],
    )
    rows = []
    for leader_id, *counts, handling_sum, handled, satisfied, visits in tx.fetchall():
        avg = int(handling_sum) / int(handled) if handled else None
        rows.append(_row((leader_id, *counts, avg, satisfied, visits)))
    return rows


def from_now(tx: Tx, page: Page, *, today: date) -> list[dict[str, Any]]:
    """The caseloads now over all time, summed from the current counts (projections/case_status/caseload_now.py)."""
    keyset, key_params = page.keyset()
    rows = []
    for leader_id, *counts, handling_sum, handled, satisfied, visits in counts_now(
        tx, page.where, page.params, keyset, key_params, today=today, limit=page.limit
    ):
        avg = int(handling_sum) / int(handled) if handled else None
        rows.append(_row((leader_id, *counts, avg, satisfied, visits)))
    return rows


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
