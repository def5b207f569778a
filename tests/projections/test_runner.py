"""The runner applies every event to every view exactly once, across faults, crashes and restarts."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from domain.application import LedgerApplication
from projections.engine.database import Tx, ViewDatabase
from projections.engine.feed import ledger_position
from projections.engine.rebuild import check_view
from projections.engine.runner import ViewRunner
from projections.engine.view import ViewEvent
from tests.projections.views import (
    CountingView,
    PoisonedView,
    Status,
    expected_counts,
    table_rows,
    write_cases,
)

ROOT = Path(__file__).resolve().parents[2]


class Injected(RuntimeError):
    pass


def fail_at(point: str, batch: int):  # type: ignore[no-untyped-def]
    def fault(at: str, view: str, number: int) -> None:
        if at == point and number == batch:
            raise Injected(f"{point} of batch {batch}")

    return fault


def assert_exact(ledger: LedgerApplication, db: ViewDatabase, view: CountingView | None = None) -> None:
    """The view equals the oracle and a from-scratch rebuild."""
    view = view or CountingView(ledger)
    assert table_rows(db, view.tables[0]) == expected_counts(ledger)
    report = check_view(ledger, db, view)
    assert not report.drifted, report


def test_catch_up_applies_every_event_once_and_records_the_position(
    ledger: LedgerApplication, db: ViewDatabase
) -> None:
    top = write_cases(ledger, 5)
    runner = ViewRunner(ledger, db, [CountingView(ledger)], batch_size=7)
    assert runner.catch_up() == {"test_counts": top}
    assert runner.catch_up() == {"test_counts": top}  # nothing new: nothing applied twice
    assert_exact(ledger, db)
    status = runner.positions()["test_counts"]
    assert (status.position, status.lag, status.error) == (top, 0, None)
    write_cases(ledger, 2)
    assert runner.positions()["test_counts"].lag > 0
    runner.catch_up()
    assert_exact(ledger, db)
    runner.close()


def test_a_view_reset_to_position_zero_is_replayed_into_empty_tables(
    ledger: LedgerApplication, db: ViewDatabase
) -> None:
    """What a migration does to make a view derive again: it sets the position to 0 and leaves the
    rows; the runner empties the view's tables before replaying, so nothing counts twice."""
    write_cases(ledger, 4)
    runner = ViewRunner(ledger, db, [CountingView(ledger)], batch_size=5)
    runner.catch_up()
    runner.close()
    with db.transaction() as tx:
        tx.execute("UPDATE view_positions SET position = 0 WHERE view = ?", ("test_counts",))
    assert table_rows(db, "tv_counts")  # the rows a migration left behind

    restarted = ViewRunner(ledger, db, [CountingView(ledger)], batch_size=5)
    restarted.catch_up()
    assert_exact(ledger, db)
    restarted.close()


def test_catch_up_until_stops_at_that_position(ledger: LedgerApplication, db: ViewDatabase) -> None:
    middle = write_cases(ledger, 3)
    write_cases(ledger, 3)
    runner = ViewRunner(ledger, db, [CountingView(ledger)], batch_size=4)
    assert runner.catch_up(until=middle)["test_counts"] == middle
    assert table_rows(db, "tv_counts") == expected_counts(ledger, middle)
    runner.catch_up()
    assert_exact(ledger, db)
    runner.close()


@pytest.mark.parametrize("point", ["applied", "positioned"])
def test_a_fault_before_commit_leaves_nothing_and_a_restart_applies_the_batch_once(
    ledger: LedgerApplication, db: ViewDatabase, point: str
) -> None:
    write_cases(ledger, 4, [Status.CLOSED])
    batch = 5
    # Fixed-size batches (no catch-up growth), so "batch 3" is events 11-15.
    runner = ViewRunner(
        ledger, db, [CountingView(ledger)], batch_size=batch, max_batch_size=batch, fault=fail_at(point, 3)
    )
    with pytest.raises(Injected):
        runner.catch_up()
    runner.close()
    # Two batches committed, the third rolled back: rows and position stand after batch 2.
    assert runner.positions()["test_counts"].position == 2 * batch
    assert table_rows(db, "tv_counts") == expected_counts(ledger, 2 * batch)
    restarted = ViewRunner(ledger, db, [CountingView(ledger)], batch_size=batch)
    restarted.catch_up()
    restarted.close()
    assert_exact(ledger, db)


CRASHING_RUNNER = textwrap.dedent(
    """
    import os, sys
    from domain.application import LedgerApplication
    from domain.store import parse_database_url
    from projections.engine.database import ViewDatabase
    from projections.engine.runner import ViewRunner
    from tests.projections.views import CountingView

    url, point, batch, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])

    def fault(at, view, number):
        if at == point and number == batch:
            os._exit(137)  # no clean-up, no rollback: the process is simply gone

    ledger = LedgerApplication(parse_database_url(url))
    ViewRunner(
        ledger, ViewDatabase(ledger.store), [CountingView(ledger)], batch_size=size, max_batch_size=size,
        fault=fault,
    ).catch_up()
    """
)


@pytest.mark.parametrize(
    ("point", "committed_batches"), [("applied", 1), ("positioned", 1), ("committed", 2)]
)
def test_a_killed_runner_restarts_to_the_same_view_as_a_rebuild(
    store_url: str, ledger: LedgerApplication, db: ViewDatabase, point: str, committed_batches: int
) -> None:
    write_cases(ledger, 3, [Status.CLOSED])
    size = 4
    done = subprocess.run(
        [sys.executable, "-c", CRASHING_RUNNER, store_url, point, "2", str(size)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 137, done.stderr
    runner = ViewRunner(ledger, db, [CountingView(ledger)], batch_size=size)
    assert runner.positions()["test_counts"].position == committed_batches * size
    assert table_rows(db, "tv_counts") == expected_counts(ledger, committed_batches * size)
    runner.catch_up()
    runner.close()
    assert_exact(ledger, db)


def test_a_poison_event_stops_only_its_view_just_before_it(
    ledger: LedgerApplication, db: ViewDatabase, caplog: pytest.LogCaptureFixture
) -> None:
    write_cases(ledger, 1, [Status.ANSWERED])
    before = write_cases(ledger, 1, [Status.ANSWERED])
    write_cases(ledger, 2, [Status.CLOSED])
    closed = next(
        r.position for r in ledger.reads.rows_between(1, 10**6, 10**6) if r.topic.endswith(":Closed")
    )
    runner = ViewRunner(ledger, db, [CountingView(ledger), PoisonedView(ledger)], batch_size=50)
    with caplog.at_level("ERROR", logger="xinfang.views"):
        reached = runner.catch_up()
    assert reached["test_counts"] == write_cases(ledger, 0)
    assert reached["test_poisoned"] == closed - 1 > before
    status = runner.positions()["test_poisoned"]
    assert status.stopped and status.position == closed - 1 and status.error_position == closed
    assert status.error is not None and "cannot apply Closed" in status.error
    assert any("test_poisoned" in r.getMessage() and str(closed) in r.getMessage() for r in caplog.records)
    # Events before the poison one are applied; nothing after it, and it is never skipped.
    assert table_rows(db, "tp_counts") == expected_counts(ledger, closed - 1)
    write_cases(ledger, 1)
    runner.catch_up()
    assert runner.positions()["test_poisoned"].position == closed - 1
    assert_exact(ledger, db)
    runner.close()


def test_a_restarted_runner_retries_a_stopped_view_and_clears_the_error_once_past_it(
    ledger: LedgerApplication, db: ViewDatabase
) -> None:
    write_cases(ledger, 2, [Status.CLOSED])
    runner = ViewRunner(ledger, db, [PoisonedView(ledger)])
    runner.catch_up()
    runner.close()
    assert runner.positions()["test_poisoned"].stopped

    class Fixed(PoisonedView):
        poison = frozenset()

    fixed = ViewRunner(ledger, db, [Fixed(ledger)])
    fixed.catch_up()
    fixed.close()
    status = fixed.positions()["test_poisoned"]
    assert not status.stopped and status.lag == 0
    assert table_rows(db, "tp_counts") == expected_counts(ledger)


def test_wait_for_returns_once_views_reach_a_position(ledger: LedgerApplication, db: ViewDatabase) -> None:
    top = write_cases(ledger, 2)
    runner = ViewRunner(ledger, db, [CountingView(ledger)])
    assert not runner.wait_for(top, 0.05)
    runner.start()
    try:
        assert runner.wait_for(top, 10)
        later = write_cases(ledger, 1)
        assert runner.wait_for(later, 10)  # woken by LISTEN/NOTIFY or the poll
    finally:
        runner.stop()
    assert_exact(ledger, db)


def test_two_runners_never_count_an_event_twice(ledger: LedgerApplication, db: ViewDatabase) -> None:
    import threading

    write_cases(ledger, 4)
    runners = [
        ViewRunner(ledger, db, [CountingView(ledger)], batch_size=3, lock_retry_seconds=0.1) for _ in range(2)
    ]
    stop = threading.Event()
    threads = [threading.Thread(target=r.run_forever, args=(stop,)) for r in runners]
    for t in threads:
        t.start()
    try:
        for _ in range(4):
            write_cases(ledger, 2)
        top = write_cases(ledger, 0)
        assert runners[0].wait_for(top, 20)
        if db.postgres:
            # One holds the view's advisory lock; the other never applies it.
            assert sorted(len(r.owned) for r in runners) == [0, 1]
    finally:
        stop.set()
        for t in threads:
            t.join(10)
    assert_exact(ledger, db)


@pytest.mark.postgres
@pytest.mark.parametrize("store_url", ["postgres"], indirect=True)  # advisory locks are PostgreSQL's
def test_a_standby_runner_takes_over_when_the_active_one_goes(
    ledger: LedgerApplication, db: ViewDatabase
) -> None:
    assert db.postgres
    write_cases(ledger, 2)
    active = ViewRunner(ledger, db, [CountingView(ledger)], lock_retry_seconds=0.0)
    standby = ViewRunner(ledger, db, [CountingView(ledger)], lock_retry_seconds=0.0)
    active.catch_up()
    later = write_cases(ledger, 2)
    assert standby.catch_up() == {} and standby.owned == frozenset()
    active.close()  # its session ends: the lock is free
    assert standby.catch_up() == {"test_counts": later}
    standby.close()
    assert_exact(ledger, db)


class BatchSizes(CountingView):
    """Counts as CountingView does, and notes the size of every batch it is given."""

    def __init__(self, ledger: LedgerApplication) -> None:
        super().__init__(ledger)
        self.sizes: list[int] = []

    def apply(self, tx: Tx, batch: list[ViewEvent]) -> None:
        self.sizes.append(len(batch))
        super().apply(tx, batch)


def test_a_long_catch_up_takes_ever_larger_batches_and_still_applies_each_event_once(
    ledger: LedgerApplication, db: ViewDatabase
) -> None:
    write_cases(ledger, 6, [Status.CLOSED])
    view = BatchSizes(ledger)
    runner = ViewRunner(ledger, db, [view], batch_size=2, max_batch_size=8)
    runner.catch_up()
    head = ledger_position(ledger)
    # Full batches double (2, 4, 8) and stay at the cap; the last takes what is left.
    grown = [2, 4] + [8] * ((head - 6) // 8)
    assert view.sizes == grown + ([head - sum(grown)] if head > sum(grown) else [])
    # A view that has caught up starts small again: a live write is one small batch.
    write_cases(ledger, 1, [Status.REGISTERED])
    view.sizes.clear()
    runner.catch_up()
    runner.close()
    assert view.sizes == [ledger_position(ledger) - head] and view.sizes[0] <= 2
    assert_exact(ledger, db)
