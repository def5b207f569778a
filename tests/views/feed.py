"""Feeding a view by hand in tests: through the runner, in batches of a chosen size."""

from __future__ import annotations

from domain.application import LedgerApplication
from projections.engine.database import ViewDatabase
from projections.engine.feed import decode, ledger_position
from projections.engine.runner import ViewRunner
from projections.engine.view import View, ViewEvent


def view_events(ledger: LedgerApplication, start: int, limit: int) -> list[ViewEvent]:
    """The ledger's events from position `start`, decoded as the runner decodes them."""
    rows = ledger.reads.rows_between(start, ledger_position(ledger), limit)
    return [decode(ledger, row) for row in rows]


def feed(ledger: LedgerApplication, view: View, *, batch_size: int = 50) -> int:
    """Apply every event the view has not seen, with the runner's own protocol (so a test may
    feed by hand while a live server's runner works on the same view); returns its position."""
    runner = ViewRunner(ledger, ViewDatabase(ledger.store), [view], batch_size=batch_size)
    try:
        reached = runner.catch_up()
        if view.name in reached:
            return reached[view.name]
        # Another runner (a live server's, on PostgreSQL) holds the view's lock: wait for it.
        end = ledger.recorder.max_notification_id() or 0
        assert runner.wait_for(end, timeout=30), f"view {view.name} did not reach {end}"
        return end
    finally:
        runner.close()
