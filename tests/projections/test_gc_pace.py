"""Views apply batches with fewer cyclic garbage collections (projections/engine/gc_pace.py), and the
process's own threshold is back once the catch-up is done, even after an error."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from typing import ClassVar

import pytest

from domain.application import LedgerApplication
from projections.engine.database import Tx, ViewDatabase
from projections.engine.gc_pace import CATCH_UP_THRESHOLD, fewer_collections
from projections.engine.runner import ViewRunner
from projections.engine.view import ViewEvent
from tests.projections.views import CountingView, write_cases


@pytest.fixture
def default_threshold() -> Iterator[tuple[int, int, int]]:
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield gc.get_threshold()
    gc.set_threshold(*saved)


def test_the_threshold_is_raised_inside_and_restored_after(default_threshold: tuple[int, int, int]) -> None:
    with fewer_collections():
        assert gc.get_threshold() == CATCH_UP_THRESHOLD
        with fewer_collections():  # nested, or a rebuild beside the live runner
            assert gc.get_threshold() == CATCH_UP_THRESHOLD
        assert gc.get_threshold() == CATCH_UP_THRESHOLD  # the outer block still runs
    assert gc.get_threshold() == default_threshold
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("a batch failed")
    assert gc.get_threshold() == default_threshold


def test_overlapping_threads_share_one_raise(default_threshold: tuple[int, int, int]) -> None:
    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with fewer_collections():
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=other)
    thread.start()
    assert inside.wait(10)
    with fewer_collections():
        pass
    assert gc.get_threshold() == CATCH_UP_THRESHOLD  # the other catch-up is still running
    release.set()
    thread.join(10)
    assert gc.get_threshold() == default_threshold


def test_a_process_that_collects_less_often_already_keeps_its_setting() -> None:
    saved = gc.get_threshold()
    gc.set_threshold(100_000, 50, 50)
    try:
        with fewer_collections():
            assert gc.get_threshold() == (100_000, 50, 50)
    finally:
        gc.set_threshold(*saved)


class ThresholdView(CountingView):
    """Counts events, and notes the collector's threshold each batch was applied under."""

    seen: ClassVar[list[tuple[int, int, int]]] = []

    def apply(self, tx: Tx, batch: list[ViewEvent]) -> None:
        self.seen.append(gc.get_threshold())
        super().apply(tx, batch)


def test_a_catch_up_applies_its_batches_under_the_raised_threshold(
    ledger: LedgerApplication, db: ViewDatabase, default_threshold: tuple[int, int, int]
) -> None:
    write_cases(ledger, 3)
    ThresholdView.seen = []
    runner = ViewRunner(ledger, db, [ThresholdView(ledger)], batch_size=2)
    try:
        runner.catch_up()
    finally:
        runner.close()
    assert len(ThresholdView.seen) > 1 and set(ThresholdView.seen) == {CATCH_UP_THRESHOLD}
    assert gc.get_threshold() == default_threshold
