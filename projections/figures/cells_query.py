"""The key figures summed from the cells (projections/figures/cells.py) instead of the case rows.

Used when no filter needs a case's history: `unit` and `leader` select by who held the case
in the period (figures_holdings) and `campaign` by a case's campaign list, neither of which a
cell keeps, so those calls still scan (projections/figures/query.py); so do readers whose
scope names a leader (answers_scope). The reader's scope is
the same SQL expression over alias `f`: a cell carries exactly the scope columns of every case
in it, so it is counted for a reader only if each of its cases would be.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from projections.engine.database import Tx
from projections.engine.sqltypes import py_date
from projections.figures.measures import Figure, figures_of
from projections.figures.sql import Scope, pending_by_month
from projections.figures.view import day_param

SCOPE_COLUMNS = frozenset({"received_path", "unit_path"})  # the reader-scope columns a cell has
Span = tuple[str, date | None, date | None]  # (grain, first bucket, last bucket), None: open


def answers_scope(scope: Scope) -> bool:
    """Whether cells can count for this reader scope: it reads no column of `f` but the cells'
    unit columns (a leader's scope also names leader_id, which cells do not keep)."""
    return set(re.findall(r"\bf\.(\w+)", scope[0])) <= SCOPE_COLUMNS


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def spans(start: date | None, end: date | None) -> list[Span]:
    """Bucket ranges that cover the days [start, end] (either end open) exactly once: the whole
    months as month cells, the days of a partial first or last month as day cells."""
    one = timedelta(days=1)
    lo = start if start is None or start.day == 1 else _next_month(start)  # first whole month's first day
    hi = end if end is None or _next_month(end) - one == end else end.replace(day=1) - one  # last one's last
    if lo is not None and hi is not None and lo > hi:
        return [("day", start, end)]  # no whole month inside
    out: list[Span] = [("month", lo, hi)]  # a month bucket (its first day) <= hi, a month's end: all inside
    if start is not None and lo is not None and start < lo:
        out.append(("day", start, lo - one))
    if end is not None and hi is not None and hi < end:
        out.append(("day", hi + one, end))
    return out


def _where(
    tx: Tx, start: date | None, end: date | None, scope: Scope, category: str | None
) -> tuple[str, list[Any]]:
    parts, params = [], []
    for grain, first, last in spans(start, end):
        text = "f.grain = ?"
        params.append(grain)
        if first is not None:
            text += " AND f.bucket >= ?"
            params.append(day_param(tx, first))
        if last is not None:
            text += " AND f.bucket <= ?"
            params.append(day_param(tx, last))
        parts.append(f"({text})")
    where = f"({' OR '.join(parts)}) AND ({scope[0]})"
    params.extend(scope[1])
    if category is not None:
        where += " AND f.category = ?"
        params.append(category)
    return where, params


SUMS = "SUM(f.n), SUM(f.n1), SUM(f.n2), SUM(f.n3)"


def cell_figures(
    tx: Tx, start: date | None, end: date | None, scope: Scope, category: str | None, *, today: date
) -> dict[str, Figure]:
    """The seven figures over [start, end] on `today`, as projections/figures_query.key_figures counts them."""
    where, params = _where(tx, start, end, scope, category)
    tx.execute(
        f"SELECT f.kind, {SUMS} FROM {tx.table('figures_cells')} f WHERE {where} GROUP BY f.kind", params
    )
    counts = {str(r[0]): [int(v or 0) for v in r[1:]] for r in tx.fetchall()}
    pending = pending_by_month(tx, start, end, scope, category, None, today=today)
    return figures_of(counts, sum(pending.values()))


Counts = dict[str, list[int]]  # measure kind -> [COUNT(*), *sums]


def cell_counts(tx: Tx, start: date, end: date, scope: Scope, category: str | None) -> dict[str, Counts]:
    """ "YYYY-MM" -> the counts of that month's days within [start, end]."""
    where, params = _where(tx, start, end, scope, category)
    # Grouped by the bucket itself (a few dozen), not a month expression computed for each cell.
    tx.execute(
        f"SELECT f.bucket, f.kind, {SUMS} FROM {tx.table('figures_cells')} f WHERE {where} GROUP BY 1, 2",
        params,
    )
    counts: dict[str, Counts] = {}
    for bucket, kind, *values in tx.fetchall():
        day = py_date(bucket)
        assert day is not None
        by_kind = counts.setdefault(day.strftime("%Y-%m"), {})
        before = by_kind.get(str(kind), [0, 0, 0, 0])
        by_kind[str(kind)] = [a + int(v or 0) for a, v in zip(before, values, strict=True)]
    return counts


def summed(months: dict[str, Counts]) -> Counts:
    """The counts of several months together (each day is in one month: they add up)."""
    total: Counts = {}
    for by_kind in months.values():
        for kind, values in by_kind.items():
            total[kind] = [a + b for a, b in zip(total.get(kind, [0, 0, 0, 0]), values, strict=True)]
    return total


def earliest_cell_day(tx: Tx, scope: Scope) -> date | None:
    """The first registration day among the cases this reader may see."""
    tx.execute(
        f"SELECT MIN(f.bucket) FROM {tx.table('figures_cells')} f "
        f"WHERE f.kind = 'registered' AND f.grain = 'day' AND ({scope[0]})",
        list(scope[1]),
    )
    row = tx.fetchone()
    return None if row is None else py_date(row[0])
