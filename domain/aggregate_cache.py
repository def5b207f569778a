"""Recently used aggregates, kept between commands and brought up to date on every load.

A command on a case loads the case from all its events, decoding and hashing each one (the cost:
bench/RESULTS.md#loading-a-case-from-its-events), and most commands come to cases worked on
shortly before. The cache keeps each recently saved or loaded aggregate, and a load takes
it from there and then reads the events after its version (one indexed query that usually
finds none), so the answer is always the store's latest, whatever other threads, processes or
machines wrote meanwhile: the cache saves decoding, never a read.

Entries are pickles, not objects: every load gets a private copy that its command may change
(or abandon, when the save loses a race) without touching the entry, and no two threads ever
share a mutable aggregate. eventsourcing's own cache hands out deep copies made after its
fast-forward lock is released, where another thread may be advancing the same object.
"""

from __future__ import annotations

import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID

# (aggregate id, after this version) → the aggregate's later events, in order
NewerEvents = Callable[[UUID, int], Iterable[Any]]


class AggregateCache:
    def __init__(self, maxsize: int, newer_events: NewerEvents) -> None:
        self.maxsize = maxsize
        self._newer_events = newer_events
        self._entries: OrderedDict[UUID, tuple[int, bytes]] = OrderedDict()  # id → (version, pickle)
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, aggregate_id: UUID, reconstruct: Callable[[], Any]) -> Any:
        """The aggregate at the store's latest version: from its entry, fast-forwarded by the
        events recorded since, or from `reconstruct()` (all its events) if it has none."""
        with self._lock:
            entry = self._entries.get(aggregate_id)
            if entry is not None:
                self._entries.move_to_end(aggregate_id)
                self.hits += 1
            else:
                self.misses += 1
        if entry is None:
            aggregate = reconstruct()
            self.put(aggregate)
            return aggregate
        aggregate = pickle.loads(entry[1])  # noqa: S301 - our own pickle of our own aggregate
        moved = False
        for event in self._newer_events(aggregate_id, entry[0]):
            aggregate = event.mutate(aggregate)
            moved = True
        if moved:
            self.put(aggregate)
        return aggregate

    def put(self, aggregate: Any) -> None:
        """Keep the aggregate as it is now (after a save, or a load). A racing put of an older
        version never replaces a newer one."""
        pickled = pickle.dumps(aggregate, protocol=pickle.HIGHEST_PROTOCOL)
        with self._lock:
            entry = self._entries.get(aggregate.id)
            if entry is not None and entry[0] > aggregate.version:
                return
            self._entries[aggregate.id] = (aggregate.version, pickled)
            self._entries.move_to_end(aggregate.id)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


__all__ = ["AggregateCache"]
