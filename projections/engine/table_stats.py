"""Planner statistics for the view tables (PostgreSQL).

A rebuild or a long catch-up writes most of a view's rows at once. Without fresh statistics
PostgreSQL plans the read queries for empty tables (an as-of caseload's estimate far below the rows
it read: bench/RESULTS.md#planner-statistics-for-the-view-tables), and autovacuum may be off or
minutes behind (it is off on the benchmark server). So the runner ANALYZEs a view's tables itself
once that view has applied ANALYZE_AFTER_EVENTS events since it last did, and a quarter as many
events as the ledger position it last did so at (autovacuum's own rule, a share of the table, with
the position standing for the table's size). Statistics only need to follow a table's growth, so a
rebuild of N events analyzes O(log N) times, not N / 20,000 times: each ANALYZE samples more pages
as the tables grow, and at a fixed interval they took a large share of a big rebuild (same entry).
SQLite plans from its own heuristics and is left alone.

The same clock VACUUMs them (PostgreSQL's `VACUUM (ANALYZE)`): a batch deletes and writes again
the rows it changes (a case's latest history row, its current row, the rollup buckets it adds
to), so a catch-up leaves dead rows behind, and without autovacuum they are never reused: after
a 20,000-case rebuild a fifth of `case_history`, a quarter of `caseload_rollup` and two thirds
of `case_status` were dead rows (bench/RESULTS.md). Vacuumed as they grow, the next batches
write into the space the earlier ones freed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg import sql as pgsql

ANALYZE_AFTER_EVENTS = 20_000
ANALYZE_AFTER_GROWTH = 0.25


class StatisticsClock:
    """Counts events applied per view; says when its tables are due for ANALYZE."""

    def __init__(self, every: int = ANALYZE_AFTER_EVENTS, growth: float = ANALYZE_AFTER_GROWTH) -> None:
        self.every = every
        self.growth = growth
        self._applied: dict[str, int] = {}
        self._analyzed_at: dict[str, int] = {}  # the position of the view's last ANALYZE

    def applied(self, view: str, events: int, position: int) -> bool:
        """Record `events` more applied to `view`, which now stands at `position`; True (and the
        count restarts) when due."""
        total = self._applied.get(view, 0) + events
        if total >= max(self.every, self.growth * self._analyzed_at.get(view, 0)):
            self._applied[view] = 0
            self._analyzed_at[view] = position
            return True
        self._applied[view] = total
        return False


def vacuum_analyze(conn: Any, postgres: bool, tables: Sequence[str]) -> None:
    """Make the dead rows of `tables` reusable space and refresh their statistics (PostgreSQL;
    a no-op on SQLite). VACUUM runs outside a transaction: `conn` must be idle, and is left so."""
    if not postgres:
        return
    names = pgsql.SQL(", ").join(pgsql.Identifier(t) for t in tables)
    conn.autocommit = True
    try:
        conn.execute(pgsql.SQL("VACUUM (ANALYZE) {}").format(names))
    finally:
        conn.autocommit = False
