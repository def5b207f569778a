"""SQL pieces the figures' scans and cells share, and the one count that depends on the day asked:
cases whose 案结事了 is still pending (DOMAIN.md R11).

A case is settled only once the 90 days after its closure have passed; until then it is
`pending`. That turns on `today`, so neither a figures_cases row nor a cell can hold it. The
cases it concerns were closed in the last 90 days (few, and found through the closed_on index),
so both the scans of projections/figures/query.py and the cells of projections/figures/cells_query.py
count them here at query time and subtract them from the settled-so-far count they keep.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from projections.engine.database import Tx
from projections.engine.sqltypes import like_escape
from projections.figures.facts import SETTLE_DAYS
from projections.figures.measures import SETTLED
from projections.figures.view import CAMPAIGN_MARK, day_param

Scope = tuple[str, tuple[Any, ...]]
# Still inside the 90 days on `today` (the closure day + 90 is not yet past); two parameters:
# the earliest closure day that can still be pending (for the index) and today.
PENDING = f"f.closed_on >= ? AND {SETTLED} AND f.settle_by >= ?"


@dataclass
class Sql:
    """SQL text and its `?` parameters, built in order."""

    parts: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, text: str, *params: Any) -> Sql:
        self.parts.append(text)
        self.params.extend(params)
        return self

    @property
    def text(self) -> str:
        return " ".join(self.parts)


def pending_params(tx: Tx, today: date) -> tuple[Any, Any]:
    """The parameters of PENDING for the day the figures are asked for."""
    return day_param(tx, today - timedelta(days=SETTLE_DAYS)), day_param(tx, today)


def in_period(q: Sql, tx: Tx, column: str, start: date | None, end: date | None) -> Sql:
    q.add(f"({column} IS NOT NULL")
    if start is not None:
        q.add(f"AND {column} >= ?", day_param(tx, start))
    if end is not None:
        q.add(f"AND {column} <= ?", day_param(tx, end))
    return q.add(")")


def case_filters(q: Sql, scope: Scope, category: str | None, campaign: str | None) -> Sql:
    """The reader scope, category and campaign, over alias `f`."""
    q.add(f"({scope[0]})", *scope[1])
    if category is not None:
        q.add("AND f.category = ?", category)
    if campaign is not None:
        framed = CAMPAIGN_MARK + like_escape(campaign) + CAMPAIGN_MARK
        q.add("AND f.campaigns LIKE ? ESCAPE '\\'", "%" + framed + "%")
    return q


def month_of(tx: Tx, column: str) -> str:
    """The "YYYY-MM" of a date column (PostgreSQL `date`; SQLite ISO text)."""
    return f"to_char({column}, 'YYYY-MM')" if tx.postgres else f"substr({column}, 1, 7)"


def pending_by_month(
    tx: Tx, start: date | None, end: date | None, scope: Scope, category: str | None,
    campaign: str | None, *, today: date,
) -> dict[str, int]:  # fmt: skip
    """ "YYYY-MM" of registration -> the cases registered in [start, end] still pending on `today`."""
    q = Sql().add(f"SELECT {month_of(tx, 'f.registered_on')}, COUNT(*) FROM {tx.table('figures_cases')} f")
    q.add(f"WHERE {PENDING} AND", *pending_params(tx, today))
    in_period(q, tx, "f.registered_on", start, end).add("AND")
    case_filters(q, scope, category, campaign).add("GROUP BY 1")
    return {str(r[0]): int(r[1]) for r in tx.execute(q.text, q.params).fetchall()}
