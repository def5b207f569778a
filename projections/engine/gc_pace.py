"""Fewer cyclic garbage collections while views apply batches.

A batch allocates hundreds of thousands of short-lived objects (decoded events, row dicts,
replayed aggregates), few of them in reference cycles, and reference counting frees them. At
CPython's default threshold (a young collection every 700 net allocations) a rebuild spends a
large share of its time in collections that find little; with a young collection every 50,000
allocations and each older generation after 20 of the one below, far fewer run, at the same
peak RSS (bench/RESULTS.md#garbage-collection-during-a-rebuild). The threshold belongs to the
process, so it is raised while a catch-up runs and put back after; overlapping catch-ups (a
rebuild beside the live runner) share one raise.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

CATCH_UP_THRESHOLD = (50_000, 20, 20)


class _Pace:
    """The process's one raise: made by the first block in, undone by the last one out."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._saved: tuple[int, int, int] | None = None

    def enter(self) -> None:
        with self._lock:
            if self._depth == 0:
                saved = self._saved = gc.get_threshold()
                raised = (max(mine, theirs) for mine, theirs in zip(CATCH_UP_THRESHOLD, saved, strict=True))
                gc.set_threshold(*raised)
            self._depth += 1

    def leave(self) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0 and self._saved is not None:
                gc.set_threshold(*self._saved)
                self._saved = None


_PACE = _Pace()


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect garbage less often inside the block (never more often than the process did)."""
    _PACE.enter()
    try:
        yield
    finally:
        _PACE.leave()
