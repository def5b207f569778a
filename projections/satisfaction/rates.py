"""Reading the satisfaction view: counts and rates by leader, unit, category or month, and pages of records.

满意率 = (satisfied + basically satisfied) ÷ return visits; null, not 0, when there are no visits.
Callers pass the WHERE clause (reader scope and filters, `?` placeholders) over the view's columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from projections.case_status.context import keyset_after
from projections.engine.database import Tx
from projections.satisfaction.view import CONTEXT, RECORDS

GROUP_COLUMNS: dict[str, str] = {
    "leader": "leader_id",
    "unit": "unit_code",
    "category": "category",
    "month": "month",
}
COUNTS = (
    "COUNT(*), "
    "COALESCE(SUM(CASE WHEN satisfaction = 'satisfied' THEN 1 ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN satisfaction = 'basically_satisfied' THEN 1 ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN satisfaction = 'unsatisfied' THEN 1 ELSE 0 END), 0)"
)
RECORD_COLUMNS = (
    "case_id", "version", "position", "occurred_at", "month", "satisfaction", "signed", "method",
    "comment", "leader_id", "unit_code", "category", "kind",
)  # fmt: skip
MAX_FILLED_MONTHS = 240


@dataclass(frozen=True)
class Counts:
    visits: int = 0
    satisfied: int = 0
    basically_satisfied: int = 0
    unsatisfied: int = 0

    def rate(self) -> dict[str, Any]:
        numerator = self.satisfied + self.basically_satisfied
        value = None if self.visits == 0 else numerator / self.visits
        return {"value": value, "numerator": numerator, "denominator": self.visits}

    def as_dict(self) -> dict[str, Any]:
        return {
            "visits": self.visits, "satisfied": self.satisfied,
            "basically_satisfied": self.basically_satisfied, "unsatisfied": self.unsatisfied,
            "rate": self.rate(),
        }  # fmt: skip


def _counts(row: Sequence[Any]) -> Counts:
    return Counts(*(int(v) for v in row))


def total(tx: Tx, where: str, params: Sequence[Any]) -> Counts:
    tx.execute(f"SELECT {COUNTS} FROM {tx.table(RECORDS)} WHERE {where}", params)
    row = tx.fetchone()
    return Counts() if row is None else _counts(row)


def group_counts(tx: Tx, group_by: str, where: str, params: Sequence[Any]) -> dict[str, Counts]:
    column = GROUP_COLUMNS[group_by]
    tx.execute(
        f"SELECT {column}, {COUNTS} FROM {tx.table(RECORDS)} WHERE {where} AND {column} IS NOT NULL "
        f"GROUP BY {column}",
        params,
    )
    return {str(key): _counts(rest) for key, *rest in tx.fetchall()}


def held_keys(tx: Tx, group_by: str, where: str, params: Sequence[Any]) -> set[str]:
    """Leaders, units or categories of the cases in scope now, so one with no visits shows as a
    zero group (rate null) rather than vanishing. `where` must not name period columns."""
    column = GROUP_COLUMNS[group_by]
    if group_by == "month":
        return set()
    tx.execute(
        f"SELECT DISTINCT {column} FROM {tx.table(CONTEXT)} WHERE {where} AND {column} IS NOT NULL", params
    )
    return {str(key) for (key,) in tx.fetchall()}


def months_between(first: str, last: str) -> list[str]:
    """Every month from `first` to `last` ("YYYY-MM"), inclusive; empty if reversed."""
    year, month = int(first[:4]), int(first[5:7])
    out: list[str] = []
    while f"{year:04d}-{month:02d}" <= last and len(out) < MAX_FILLED_MONTHS:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def records_page(
    tx: Tx, where: str, params: Sequence[Any], *, limit: int, after: tuple[str, int] | None
) -> list[dict[str, Any]]:
    """Newest first (occurred_at, then position); `after` is the last row of the previous page."""
    keyset, keyset_params = keyset_after(after)
    tx.execute(
        f"SELECT {', '.join(RECORD_COLUMNS)} FROM {tx.table(RECORDS)} WHERE {where} AND {keyset} "
        "ORDER BY occurred_at DESC, position DESC LIMIT ?",
        (*params, *keyset_params, limit),
    )
    return [{**dict(zip(RECORD_COLUMNS, row, strict=True)), "signed": bool(row[6])} for row in tx.fetchall()]
