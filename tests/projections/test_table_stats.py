"""After a bulk apply the runner refreshes the planner's statistics of the view's tables
(PostgreSQL), so read queries are planned for the rows the view holds, not for empty tables, and
vacuums them, so the dead rows its batches leave are reused without autovacuum."""

from __future__ import annotations

import time
from itertools import pairwise

import pytest

from domain.application import LedgerApplication
from projections.engine.database import ViewDatabase
from projections.engine.runner import ViewRunner
from projections.engine.table_stats import StatisticsClock
from tests.projections.views import CountingView, write_cases


def test_the_clock_is_due_once_per_threshold() -> None:
    clock = StatisticsClock(every=10, growth=0.5)
    assert [clock.applied("v", 4, 4 * (i + 1)) for i in range(5)] == [False, False, True, False, False]
    assert clock.applied("other", 9, 9) is False  # counted per view
    assert clock.applied("v", 4, 24) is True  # 4 + 4 + 4 left over from the last refresh: 12


def test_the_clock_follows_the_tables_growth() -> None:
    """Due after `every` events, or a share `growth` of the position last analyzed at if that is
    more: the number of ANALYZEs grows with the log of the ledger, not in proportion to it."""
    clock = StatisticsClock(every=10, growth=0.5)
    due = [position for position in range(1, 1001) if clock.applied("v", 1, position)]
    assert due[:3] == [10, 20, 30]  # 10 events, or half of the position: 10 is more until 20
    assert all(b - a == max(10, a // 2 + (a % 2)) for a, b in pairwise(due)), due
    assert due[-3:] == [345, 518, 777] and len(due) == 11  # the next, 1166, is past the end


def _analyzed(db: ViewDatabase, table: str) -> tuple[int, int]:
    """(ANALYZEs, VACUUMs) of `table` so far."""
    with db.transaction(write=False) as tx:
        row = tx.execute(
            "SELECT analyze_count, vacuum_count FROM pg_stat_user_tables "
            "WHERE relname = ? AND schemaname = current_schema()",
            (table,),
        ).fetchone()
    return (0, 0) if row is None else (int(row[0]), int(row[1]))


# PostgreSQL only: SQLite keeps no planner statistics of this kind (table_stats does nothing there).
@pytest.mark.parametrize("store_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_a_bulk_catch_up_vacuums_and_analyzes_the_views_tables(
    store_url: str, ledger: LedgerApplication, db: ViewDatabase
) -> None:
    assert db.postgres
    write_cases(ledger, 5)
    runner = ViewRunner(ledger, db, [CountingView(ledger)], batch_size=4)
    runner._statistics = StatisticsClock(every=6)  # a small threshold instead of 20,000 events
    before = {t: _analyzed(db, t) for t in CountingView.tables}
    runner.catch_up()
    runner.close()
    # statistics counters reach pg_stat views asynchronously: poll briefly
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        after = {t: _analyzed(db, t) for t in CountingView.tables}
        if all(a > b for t in after for a, b in zip(after[t], before[t], strict=True)):
            break
        time.sleep(0.2)
    assert all(a > b for t in after for a, b in zip(after[t], before[t], strict=True)), (before, after)
