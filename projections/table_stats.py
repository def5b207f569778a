"""Planner statistics for the view tables (PostgreSQL).

A rebuild or a long catch-up writes most of a view's rows at once. Without fresh statistics
PostgreSQL plans the read queries for empty tables (an as-of caseload estimated at 85 rows
read 2,800 through a bitmap scan over 13,000), and autovacuum may be off or minutes behind
(it is off on the benchmark server). So the runner ANALYZEs a view's tables itself once that
view has applied ANALYZE_AFTER_EVENTS events since it last did. SQLite plans from its own
heuristics and is left alone.
"""

from __future__ import annotations

from projections.database import Tx

ANALYZE_AFTER_EVENTS = 20_000


class StatisticsClock:
    """Counts events applied per view; says when its tables are due for ANALYZE."""

    def __init__(self, every: int = ANALYZE_AFTER_EVENTS) -> None:
        self.every = every
        self._applied: dict[str, int] = {}

    def applied(self, view: str, events: int) -> bool:
        """Record `events` more applied to `view`; True (and the count restarts) when due."""
        total = self._applied.get(view, 0) + events
        if total >= self.every:
            self._applied[view] = 0
            return True
        self._applied[view] = total
        return False


def analyze(tx: Tx, tables: tuple[str, ...]) -> None:
    """Refresh the planner's statistics for `tables` (PostgreSQL; a no-op on SQLite)."""
    if not tx.postgres:
        return
    for table in tables:
        tx.execute(f"ANALYZE {tx.table(table)}")
