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
"""

from __future__ import annotations

from projections.engine.database import Tx

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


def analyze(tx: Tx, tables: tuple[str, ...]) -> None:
    """Refresh the planner's statistics for `tables` (PostgreSQL; a no-op on SQLite)."""
    if not tx.postgres:
        return
    for table in tables:
        tx.execute(f"ANALYZE {tx.table(table)}")
