"""The aggregate cache's own rules, on stand-in aggregates: private copies, fast-forward, LRU."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

from domain.aggregate_cache import AggregateCache


@dataclass
class Counter:
    id: UUID
    version: int = 1
    seen: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Step:
    """A stand-in event: applying it takes the counter to its version."""

    version: int

    def mutate(self, aggregate: Counter) -> Counter:
        aggregate.version = self.version
        aggregate.seen.append(self.version)
        return aggregate


class Store:
    """Events by aggregate; counts the reads after a version the cache asks for."""

    def __init__(self) -> None:
        self.events: dict[UUID, list[Step]] = {}
        self.reads = 0

    def newer(self, aggregate_id: UUID, version: int) -> list[Step]:
        self.reads += 1
        return [e for e in self.events.get(aggregate_id, []) if e.version > version]

    def reconstruct(self, aggregate_id: UUID) -> Any:
        def run() -> Counter:
            counter = Counter(aggregate_id, version=0)
            for event in self.events[aggregate_id]:
                counter = event.mutate(counter)
            return counter

        return run


def _store_with(*ids: UUID, versions: int = 1) -> Store:
    store = Store()
    for i in ids:
        store.events[i] = [Step(v) for v in range(1, versions + 1)]
    return store


def test_a_hit_is_fast_forwarded_by_the_events_recorded_since() -> None:
    case = uuid4()
    store = _store_with(case, versions=2)
    cache = AggregateCache(10, store.newer)
    assert cache.get(case, store.reconstruct(case)).version == 2
    store.events[case] += [Step(3), Step(4)]  # written elsewhere meanwhile
    loaded = cache.get(case, lambda: (_ for _ in ()).throw(AssertionError("a hit must not reconstruct")))
    assert (loaded.version, loaded.seen) == (4, [1, 2, 3, 4])
    assert (cache.hits, cache.misses, store.reads) == (1, 1, 1)


def test_every_load_is_a_private_copy_that_a_command_may_change_or_abandon() -> None:
    case = uuid4()
    store = _store_with(case, versions=3)
    cache = AggregateCache(10, store.newer)
    first = cache.get(case, store.reconstruct(case))
    first.version, first.seen = 99, ["abandoned"]  # a command that then lost its save
    again = cache.get(case, store.reconstruct(case))
    assert (again.version, again.seen) == (3, [1, 2, 3])
    assert again is not first


def test_an_older_version_never_replaces_a_newer_one() -> None:
    case = uuid4()
    store = _store_with(case)
    cache = AggregateCache(10, store.newer)
    cache.put(Counter(case, version=5, seen=[5]))
    cache.put(Counter(case, version=4, seen=[4]))  # a slower thread's earlier state
    assert cache.get(case, store.reconstruct(case)).seen == [5]


def test_the_least_recently_used_entry_goes_first() -> None:
    a, b, c = uuid4(), uuid4(), uuid4()
    store = _store_with(a, b, c)
    cache = AggregateCache(2, store.newer)
    cache.get(a, store.reconstruct(a))
    cache.get(b, store.reconstruct(b))
    cache.get(a, store.reconstruct(a))  # a is now the most recent
    cache.get(c, store.reconstruct(c))  # evicts b
    assert len(cache) == 2
    cache.get(a, store.reconstruct(a))
    cache.get(b, store.reconstruct(b))
    assert (cache.hits, cache.misses) == (2, 4)  # a twice hit; b reconstructed again
