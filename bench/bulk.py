"""Bulk appends of already-encoded events: COPY on PostgreSQL, one executemany transaction on SQLite.

Rows go into the same table the service writes, through no path the service does not allow:
inserts only (the append-only triggers refuse anything else), the notification id from the
table's own sequence / rowid, recorded_at from the database clock. PostgreSQL takes the same
EXCLUSIVE table lock eventsourcing takes, so a concurrent writer cannot interleave positions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from psycopg.sql import SQL, Composed, Identifier

from domain.application import LedgerApplication


def append_rows(ledger: LedgerApplication, events: Sequence[StoredEvent]) -> None:
    """Append the events in order, in one transaction."""
    if not events:
        return
    recorder: Any = ledger.recorder
    if ledger.store.kind == "sqlite":
        rows = [(e.originator_id.hex, e.originator_version, e.topic, e.state) for e in events]  # type: ignore[union-attr]
        with recorder.datastore.transaction(commit=True) as c:
            c.executemany(f"INSERT INTO {ledger.store.events_table} VALUES (?,?,?,?)", rows)
        return
    table = _events_table(ledger)
    with recorder.datastore.transaction(commit=True) as curs:
        curs.execute(SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(table))
        copy_sql = SQL("COPY {} (originator_id, originator_version, topic, state) FROM STDIN (FORMAT BINARY)")
        with curs.copy(copy_sql.format(table)) as copy:
            copy.set_types(["uuid", "int8", "text", "bytea"])
            for e in events:
                copy.write_row((e.originator_id, e.originator_version, e.topic, e.state))


def analyze_ledger(ledger: LedgerApplication) -> None:
    """Planner statistics for the events table after a bulk load, as PostgreSQL advises.

    Without them (autovacuum off, or not yet round) PostgreSQL guesses 2% of the table per case id
    and loads a case's few events with a parallel bitmap scan and JIT compilation instead of an
    index scan, which slowed commands and timelines severely
    (bench/RESULTS.md#the-events-table-without-planner-statistics). One ANALYZE is enough for good:
    the share of distinct case ids is kept as a fraction, so the estimate follows the table's
    growth.
    """
    recorder: Any = ledger.recorder
    if ledger.store.kind == "sqlite":
        with recorder.datastore.transaction(commit=True) as c:
            c.execute(f"ANALYZE {ledger.store.events_table}")
        return
    table = _events_table(ledger)
    with recorder.datastore.transaction(commit=True) as curs:
        curs.execute(SQL("ANALYZE {}").format(table))


def _events_table(ledger: LedgerApplication) -> Composed:
    return SQL("{}.{}").format(Identifier(ledger.store.schema), Identifier(ledger.store.events_table))
