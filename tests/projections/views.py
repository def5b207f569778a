"""Test views and helpers: views that count events, over tables the tests create with plain SQL."""

from __future__ import annotations

from collections import Counter
from typing import Any, ClassVar

from domain.application import LedgerApplication
from domain.vocabulary import Status
from projections.engine.database import Tx, ViewDatabase
from projections.engine.feed import decode, ledger_position
from projections.engine.view import ViewEvent
from tests.factories import case_in


class CountingView:
    """Events per type, and per aggregate (count, last version, last position): a double-applied or
    skipped event changes a count, an out-of-order one the last version."""

    name: ClassVar[str] = "test_counts"
    prefix: ClassVar[str] = "tv"
    poison: ClassVar[frozenset[str]] = frozenset()  # event types this view "cannot apply"
    tables: ClassVar[tuple[str, ...]] = ("tv_counts", "tv_aggregates")

    def __init__(self, ledger: LedgerApplication) -> None:
        self.ledger = ledger

    def apply(self, tx: Tx, batch: list[ViewEvent]) -> None:
        for event in batch:
            if event.type in self.poison:
                raise ValueError(f"cannot apply {event.type}")
        counts, table = Counter(e.type for e in batch), self.tables[0]
        tx.executemany(
            f"INSERT INTO {table} (type, n) VALUES (?, ?) "
            f"ON CONFLICT (type) DO UPDATE SET n = {table}.n + excluded.n",
            sorted(counts.items()),
        )
        per: dict[str, list[int]] = {}
        for e in batch:
            row = per.setdefault(e.originator_id.hex, [0, 0, 0])
            row[0] += 1
            row[1], row[2] = e.version, e.position
        table = self.tables[1]
        tx.executemany(
            f"INSERT INTO {table} (originator_id, events, last_version, last_position) VALUES (?, ?, ?, ?) "
            f"ON CONFLICT (originator_id) DO UPDATE SET events = {table}.events + excluded.events, "
            "last_version = excluded.last_version, last_position = excluded.last_position",
            [(k, *v) for k, v in sorted(per.items())],
        )


class PoisonedView(CountingView):
    """Stops at the first `Closed` event."""

    name = "test_poisoned"
    poison = frozenset({"Closed"})
    tables = ("tp_counts", "tp_aggregates")


def create_tables(db: ViewDatabase, *views: type[CountingView]) -> None:
    with db.transaction() as tx:
        for view in views or (CountingView,):
            counts, aggregates = view.tables
            tx.execute(f"CREATE TABLE {counts} (type TEXT PRIMARY KEY, n INTEGER NOT NULL)")
            tx.execute(
                f"CREATE TABLE {aggregates} (originator_id TEXT PRIMARY KEY, events INTEGER NOT NULL, "
                "last_version INTEGER NOT NULL, last_position INTEGER NOT NULL)"
            )
            tx.execute(f"CREATE INDEX {aggregates}_position ON {aggregates} (last_position)")


def table_rows(db: ViewDatabase, table: str) -> list[tuple[Any, ...]]:
    with db.transaction(write=False) as tx:
        return sorted(tx.execute(f"SELECT * FROM {table}").fetchall())


def expected_counts(ledger: LedgerApplication, until: int | None = None) -> list[tuple[str, int]]:
    """The oracle: events per type straight from the ledger."""
    top = ledger_position(ledger) if until is None else until
    rows = ledger.reads.rows_between(1, top, top + 1)
    return sorted(Counter(decode(ledger, r).type for r in rows).items())


STATUSES = [
    Status.REGISTERED,
    Status.ACCEPTED,
    Status.IN_HANDLING,
    Status.ANSWERED,
    Status.CLOSED,
    Status.ARCHIVED,
]


def write_cases(ledger: LedgerApplication, count: int, statuses: list[Status] | None = None) -> int:
    """Save `count` cases (given statuses, or the lifecycle in turn); returns the ledger position after
    them. Deterministic on purpose: a random status once left no `Accepted` row for a test to corrupt."""
    cycle = statuses or STATUSES
    for i in range(count):
        status = cycle[i % len(cycle)]
        ledger.save(case_in(status))
    return ledger_position(ledger)
