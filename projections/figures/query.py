"""The seven key figures over the figures view, for a period, filters and the reader's scope.

What each figure counts is defined in projections/figures/view.py. Every count is restricted by the
caller's reader scope (a boolean SQL expression over the `f` alias of figures_cases), so a
reader never gets a count that includes a case outside their scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from projections.engine.database import Tx
from projections.engine.sqltypes import like_escape
from projections.figures.cells_query import (
    answers_scope,
    cell_counts,
    cell_figures,
    earliest_cell_day,
    summed,
)
from projections.figures.measures import MEASURES, RESOLVED, SETTLED, Figure, Measure, figures_of
from projections.figures.sql import (
    PENDING,
    Scope,
    Sql,
    case_filters,
    in_period,
    month_of,
    pending_by_month,
    pending_params,
)
from projections.figures.view import day_param

FIGURES = (
    "closure_rate",
    "on_time_closure_rate",
    "satisfaction_rate",
    "resolution_rate",
    "settled_rate",
    "repeat_rate",
    "first_contact_resolution_rate",
    "implementation_rate",
)
MAX_MONTHS = 120  # by_month covers at most the last ten years of the period


@dataclass(frozen=True)
class Filters:
    start: date | None = None  # `from`
    end: date | None = None  # `to`
    unit_path: str | None = None  # "/county/town/": the subtree
    leader: str | None = None
    category: str | None = None
    campaign: str | None = None


def _holding(q: Sql, tx: Tx, f: Filters, on_day: str | None = None) -> Sql:
    """`AND EXISTS` a holding by the filtered unit subtree / leader: at some time in the period,
    or (`on_day`, a column) on that day. Nothing without a unit or leader filter."""
    if f.unit_path is None and f.leader is None:
        return q
    q.add(f"AND EXISTS (SELECT 1 FROM {tx.table('figures_holdings')} h WHERE h.case_id = f.case_id")
    if f.unit_path is not None:
        q.add("AND h.unit_path LIKE ? ESCAPE '\\'", like_escape(f.unit_path) + "%")
    if f.leader is not None:
        q.add("AND h.leader_id = ?", f.leader)
    if on_day is not None:
        q.add(f"AND h.held_from <= {on_day} AND (h.held_until IS NULL OR h.held_until > {on_day})")
    else:
        if f.end is not None:
            q.add("AND h.held_from <= ?", day_param(tx, f.end))
        if f.start is not None:
            q.add("AND (h.held_until IS NULL OR h.held_until > ?)", day_param(tx, f.start))
    return q.add(")")


def _count(q: Sql, tx: Tx, f: Filters, column: str, extra: str = "", held_on: str | None = None,
           params: tuple[Any, ...] = ()) -> Sql:  # fmt: skip
    q.add("SUM(CASE WHEN")
    in_period(q, tx, column, f.start, f.end).add(extra, *params)
    if held_on is not None:
        _holding(q, tx, f, held_on)
    return q.add("THEN 1 ELSE 0 END)")


def _case_counts(tx: Tx, f: Filters, scope: Scope, today: date) -> list[int]:
    q = Sql().add("SELECT")
    _count(q, tx, f, "f.accepted_on").add(",")
    _count(q, tx, f, "f.accepted_on", "AND f.closed_on IS NOT NULL").add(",")
    # a closure counts for the unit / leader holding the case on the day it was closed
    _count(q, tx, f, "f.closed_on", held_on="f.closed_on").add(",")
    _count(q, tx, f, "f.closed_on", "AND f.on_time = 1", held_on="f.closed_on").add(",")
    _count(q, tx, f, "f.registered_on").add(",")
    _count(q, tx, f, "f.registered_on", f"AND {RESOLVED}").add(",")
    _count(q, tx, f, "f.registered_on", f"AND {SETTLED}").add(",")
    _count(q, tx, f, "f.registered_on", "AND f.repeat_count > 0").add(",")
    _count(q, tx, f, "f.registered_on", "AND f.first_petition = 1").add(",")  # 初信初访
    _count(q, tx, f, "f.registered_on", f"AND f.first_petition = 1 AND {RESOLVED}").add(",")
    _count(q, tx, f, "f.registered_on", f"AND {PENDING}", params=pending_params(tx, today)).add(",")
    _count(q, tx, f, "f.supported_on").add(",")  # 落实
    _count(q, tx, f, "f.supported_on", "AND f.implemented = 1")
    q.add(f"FROM {tx.table('figures_cases')} f WHERE")
    _holding(case_filters(q, scope, f.category, f.campaign), tx, f).add("AND (")
    in_period(q, tx, "f.registered_on", f.start, f.end).add("OR")
    in_period(q, tx, "f.accepted_on", f.start, f.end).add("OR")
    in_period(q, tx, "f.supported_on", f.start, f.end).add("OR")
    in_period(q, tx, "f.closed_on", f.start, f.end).add(")")
    row = tx.execute(q.text, q.params).fetchone()
    return [int(v or 0) for v in (row or ())] or [0] * 11


def _visit_counts(tx: Tx, f: Filters, scope: Scope) -> tuple[int, int]:
    q = Sql().add(
        "SELECT COUNT(*), SUM(CASE WHEN v.satisfaction IN ('satisfied', 'basically_satisfied') "
        f"THEN 1 ELSE 0 END) FROM {tx.table('figures_visits')} v "
        f"JOIN {tx.table('figures_cases')} f ON f.case_id = v.case_id WHERE"
    )
    in_period(q, tx, "v.visited_on", f.start, f.end).add("AND")
    # a visit counts for the unit / leader holding the case on the day of the visit
    _holding(case_filters(q, scope, f.category, f.campaign), tx, f, "v.visited_on")
    row = tx.execute(q.text, q.params).fetchone() or (0, 0)
    return int(row[0] or 0), int(row[1] or 0)


def key_figures(tx: Tx, f: Filters, scope: Scope, *, today: date) -> dict[str, Figure]:
    """The key figures, each with its numerator and denominator, as they stand on `today`."""
    (accepted, accepted_closed, closed, on_time, cases, resolved, settled, repeated, first, first_resolved,
     pending, supported, implemented) = _case_counts(tx, f, scope, today)  # fmt: skip
    visits, satisfied = _visit_counts(tx, f, scope)
    return {
        "closure_rate": Figure(accepted_closed, accepted),
        "on_time_closure_rate": Figure(on_time, closed),
        "satisfaction_rate": Figure(satisfied, visits),
        "resolution_rate": Figure(resolved, cases),
        "settled_rate": Figure(settled - pending, cases, pending),
        "repeat_rate": Figure(repeated, cases),
        "first_contact_resolution_rate": Figure(first_resolved, first),
        "implementation_rate": Figure(implemented, supported),
    }


def month_spans(start: date, end: date) -> list[tuple[date, date]]:
    """Each calendar month overlapping [start, end], clipped to it; the last MAX_MONTHS."""
    spans: list[tuple[date, date]] = []
    first = start.replace(day=1)
    while first <= end:
        following = (first + timedelta(days=32)).replace(day=1)
        spans.append((max(first, start), min(following - timedelta(days=1), end)))
        first = following
    return spans[-MAX_MONTHS:]


def earliest_day(tx: Tx, scope: Scope) -> date | None:
    """The first registration day among the cases this reader may see (where by_month starts
    when the period has no `from`)."""
    q = Sql().add(f"SELECT MIN(f.registered_on) FROM {tx.table('figures_cases')} f WHERE")
    q.add(f"({scope[0]})", *scope[1])
    row = tx.execute(q.text, q.params).fetchone()
    if row is None or row[0] is None:
        return None
    value = row[0]
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def figures_report(tx: Tx, f: Filters, scope: Scope, *, today: date) -> dict[str, Any]:
    """The figures for the whole period, and for each month in it (for the dashboard chart)."""
    # Without a filter on holdings or campaigns, and for a scope of units, the pre-aggregated
    # cells answer (a call reads cells, not every case of the period: projections/figures/cells.py).
    cells = f.unit_path is None and f.leader is None and f.campaign is None and answers_scope(scope)
    start = f.start or (earliest_cell_day(tx, scope) if cells else earliest_day(tx, scope))
    end = f.end or today
    months = [] if start is None or start > end else month_spans(start, end)
    chart = cell_counts(tx, months[0][0], months[-1][1], scope, f.category) if cells and months else None
    chart_pending = (
        pending_by_month(tx, months[0][0], months[-1][1], scope, f.category, None, today=today)
        if chart is not None
        else {}
    )
    if chart is not None and (months[0][0], months[-1][1]) == (f.start, f.end):
        # the chart's months are the period: one read for both
        whole = figures_of(summed(chart), sum(chart_pending.values()))
    elif cells:
        whole = cell_figures(tx, f.start, f.end, scope, f.category, today=today)
    else:
        whole = key_figures(tx, f, scope, today=today)
    report: dict[str, Any] = {"figures": {name: fig.as_dict() for name, fig in whole.items()}}
    if f.unit_path is None and f.leader is None and months:
        # Without a holding filter a month's figures depend only on which month each date falls
        # in: one GROUP BY over the cells, or (campaign) four over the cases, give every month
        # at once (one query pair a month scanned the view 2 x 120 times for a ten-year chart).
        by_month = (
            {key: figures_of(counts, chart_pending.get(key, 0)) for key, counts in chart.items()}
            if chart is not None
            else monthly_figures(tx, f, scope, months[0][0], months[-1][1], today=today)
        )
        empty = figures_of({})
        report["by_month"] = [
            {
                "month": first.strftime("%Y-%m"),
                "from": first.isoformat(),
                "to": last.isoformat(),
                "figures": {
                    name: fig.as_dict() for name, fig in by_month.get(first.strftime("%Y-%m"), empty).items()
                },
            }
            for first, last in months
        ]
        return report
    report["by_month"] = [
        {
            "month": first.strftime("%Y-%m"),
            "from": first.isoformat(),
            "to": last.isoformat(),
            "figures": {
                name: fig.as_dict()
                for name, fig in key_figures(
                    tx,
                    Filters(first, last, f.unit_path, f.leader, f.category, f.campaign),
                    scope,
                    today=today,
                ).items()
            },
        }
        for first, last in months
    ]
    return report


def _grouped(tx: Tx, f: Filters, scope: Scope, measure: Measure,
             start: date, end: date) -> dict[str, list[int]]:  # fmt: skip
    """month -> [COUNT(*), *sums] over the measure's rows whose date is in [start, end]."""
    q = Sql().add(f"SELECT {month_of(tx, measure.column)}, COUNT(*)")
    for condition in measure.sums:
        q.add(f", SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)")
    q.add(measure.source.format(cases=tx.table("figures_cases"), visits=tx.table("figures_visits"))).add(
        "WHERE"
    )
    in_period(q, tx, measure.column, start, end).add("AND")
    case_filters(q, scope, f.category, f.campaign).add("GROUP BY 1")
    return {str(r[0]): [int(v or 0) for v in r[1:]] for r in tx.execute(q.text, q.params).fetchall()}


def monthly_figures(
    tx: Tx, f: Filters, scope: Scope, start: date, end: date, *, today: date
) -> dict[str, dict[str, Figure]]:
    """ "YYYY-MM" -> the seven figures of that month (its days within [start, end]), for filters
    without a unit or leader: the same counts as key_figures month by month."""
    grouped = {m.kind: _grouped(tx, f, scope, m, start, end) for m in MEASURES}
    pending = pending_by_month(tx, start, end, scope, f.category, f.campaign, today=today)
    out: dict[str, dict[str, Figure]] = {}
    for first, _ in month_spans(start, end):
        key = first.strftime("%Y-%m")
        counts = {kind: by_month.get(key, [0] * 4) for kind, by_month in grouped.items()}
        out[key] = figures_of(counts, pending.get(key, 0))
    return out
