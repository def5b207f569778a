"""Every leader's posts over time, kept in memory and brought up to date before each use.

The accused side of an accusation (DOMAIN.md R1) depends on where the accused leader has held
posts, and a reader's side on which leaders held posts above him: both directions are read on
every case read and listing. The index reads the leader events once, then on each `refresh`
only what was recorded since its last look (one look at the ledger's head, and a scan of the
new positions when there are any), so a post taken in another process counts at once.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Sequence
from typing import Any, Protocol
from uuid import UUID

from domain.reference import LEADER_EVENTS, Leader, Post

PAGE = 1000


class LeaderEventSource(Protocol):
    def ledger_head(self) -> int: ...

    def events_of(self, event_classes: Sequence[type[Any]], *, start: int, stop: int | None) -> list[Any]: ...


class LeaderPostIndex:
    """Posts by leader and by unit, at the ledger position last read."""

    def __init__(self, source: LeaderEventSource) -> None:
        self._source = source
        self._lock = threading.Lock()
        self._position = 0
        self._leaders: dict[UUID, Leader] = {}
        self._by_leader: dict[str, tuple[Post, ...]] = {}
        self._by_unit: dict[str, tuple[Post, ...]] = {}

    def refresh(self) -> None:
        head = self._source.ledger_head()
        if head <= self._position:
            return
        with self._lock:
            if head <= self._position:
                return
            events = self._source.events_of(LEADER_EVENTS, start=self._position + 1, stop=head)
            changed = set()
            for event in events:
                leader = event.mutate(self._leaders.get(event.originator_id))
                self._leaders[event.originator_id] = leader
                changed.add(event.originator_id)
            if changed:
                self._reindex()
            self._position = head

    def _reindex(self) -> None:
        by_leader: dict[str, tuple[Post, ...]] = {}
        by_unit: dict[str, list[Post]] = {}
        for leader in self._leaders.values():
            posts = leader.posts_over_time()
            by_leader[leader.leader_id] = posts
            for post in posts:
                by_unit.setdefault(post.unit_code, []).append(post)
        # Replaced whole, never changed in place: a reader holding the old maps stays consistent.
        self._by_leader = by_leader
        self._by_unit = {unit: tuple(posts) for unit, posts in by_unit.items()}

    def posts_of(self, leader_id: str) -> tuple[Post, ...]:
        self.refresh()
        return self._by_leader.get(leader_id, ())

    def posts_in(self, unit_codes: Collection[str]) -> list[Post]:
        """Every post held (at any time) in one of these units."""
        self.refresh()
        by_unit = self._by_unit
        return [post for unit in unit_codes for post in by_unit.get(unit, ())]
