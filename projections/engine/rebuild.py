"""Rebuild a view from position 0 while the live one keeps serving, and check views for drift.

THE CONTRACT A VIEW MUST FOLLOW (so that rebuild and check-views work without knowing it):

1. `tables` names every table the view writes, each created by a migration (with a PRIMARY KEY,
   so drift can say which rows differ). No other table is written by the view.
2. `apply` refers to its tables by their bare names (`INSERT INTO case_status ...`), never
   schema-qualified (`public.case_status`, `main.case_status`). A rebuild creates TEMP tables of
   the same names and definitions on its own connection; unqualified names resolve to temp
   tables first on both stores (PostgreSQL's pg_temp, SQLite's temp schema), so the unchanged
   SQL writes the scratch copy while every other connection still reads the live tables.
3. `apply` writes only through the `tx` it is given: no commit, no other connection, no DDL on
   its tables. It may read its own tables through `tx` (it then sees the copy being built), but
   not another view's tables (they may stand at another position). It may use TEMP scratch
   tables of names no view table has (`CREATE TEMP TABLE IF NOT EXISTS`), if it leaves them
   empty: they belong to the connection, so a rebuild's scratch never meets the live runner's.
4. The rows are a function of the events alone (position, recorded_at, typed event) and of
   ledger reference data that never changes its answer (e.g. unit paths): no `now()`, no
   random values, no serial/identity columns, no column defaults that differ per run, no
   floating-point sums (use integers or numeric). Otherwise a rebuild differs from the live view
   and `check-views` reports drift.
5. A fresh instance `ViewClass(ledger)` must be able to start at position 0: any in-memory
   cache is only a cache of what the ledger says.
6. No triggers or generated columns on view tables (the switch copies rows with INSERT ... SELECT *).

The switch copies the rebuilt rows into the live tables in one transaction (DELETE, then
INSERT ... SELECT from the temp copy) and sets the view's position, rather than dropping and
renaming: the live tables keep the names, indexes, constraints and grants their migrations
gave them, it works the same on both stores, and readers see the old rows until the commit.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from psycopg import sql as pgsql

from domain.application import LedgerApplication
from projections.engine.database import Tx, ViewDatabase
from projections.engine.feed import fetch, ledger_position
from projections.engine.gc_pace import fewer_collections
from projections.engine.positions import ensure_rows, now_sql
from projections.engine.runner import MAX_BATCH
from projections.engine.view import View, ViewEvent

Progress = Callable[[int, int], None]  # (position done, position total)


class RebuildError(Exception):
    """The view cannot be rebuilt (an event it cannot apply); the live view is untouched."""

    def __init__(self, view: str, position: int, error: str) -> None:
        super().__init__(f"view {view} cannot apply the event at ledger position {position}: {error}")
        self.view, self.position, self.error = view, position, error


@dataclass(frozen=True)
class RowDiff:
    """One table's difference between the live view and a rebuild (rows as tuples of columns)."""

    table: str
    columns: tuple[str, ...]
    missing: list[tuple[Any, ...]] = field(default_factory=list)  # in the rebuild, not live
    extra: list[tuple[Any, ...]] = field(default_factory=list)  # live, not in the rebuild
    different: list[tuple[tuple[Any, ...], tuple[Any, ...]]] = field(default_factory=list)  # (live, rebuilt)

    @property
    def drifted(self) -> bool:
        return bool(self.missing or self.extra or self.different)


@dataclass(frozen=True)
class DriftReport:
    view: str
    position: int
    tables: list[RowDiff]

    @property
    def drifted(self) -> bool:
        return any(t.drifted for t in self.tables)


class Scratch:
    """TEMP copies of a view's tables on one connection, filled by replaying the ledger."""

    def __init__(
        self,
        ledger: LedgerApplication,
        db: ViewDatabase,
        view: View,
        batch_size: int,
        progress: Progress | None,
    ) -> None:
        self.ledger, self.db, self.view = ledger, db, view
        self.batch_size, self.progress = batch_size, progress
        self.position = 0
        self.conn: Any = None

    def __enter__(self) -> Scratch:
        self.conn = self.db.connect()
        with self.db.transaction(self.conn) as tx:
            for table in self.view.tables:
                for statement in self._copy_statements(tx, table):
                    tx.execute(statement)
        return self

    def __exit__(self, *exc: object) -> None:
        self.conn.close()  # temp tables go with the connection

    def live(self, table: str) -> str:
        if self.db.postgres:
            return pgsql.Identifier(self.db.store.schema, table).as_string(self.conn)
        return f'main."{table}"'

    def temp(self, table: str) -> str:
        return (
            pgsql.Identifier("pg_temp", table).as_string(self.conn) if self.db.postgres else f'temp."{table}"'
        )

    def _copy_statements(self, tx: Tx, table: str) -> list[str]:
        if self.db.postgres:
            return [
                f"CREATE TEMP TABLE {pgsql.Identifier(table).as_string(self.conn)} (LIKE {self.live(table)} INCLUDING ALL)"
            ]
        rows = tx.execute(
            "SELECT type, sql FROM main.sqlite_master WHERE tbl_name=? AND sql IS NOT NULL ORDER BY type='index'",
            (table,),
        ).fetchall()
        if not any(kind == "table" for kind, _ in rows):
            raise LookupError(f"view table {table} does not exist (run the migrations)")
        # sqlite_master keeps each statement normalised ("CREATE TABLE name", "CREATE INDEX name").
        statements = []
        for kind, text in rows:
            if kind == "table":
                statements.append(re.sub(r"^CREATE TABLE ", "CREATE TEMP TABLE ", text, count=1))
            elif kind == "index":
                statements.append(re.sub(r"^CREATE (UNIQUE )?INDEX ", r"CREATE \1INDEX temp.", text, count=1))
        return statements

    def replay(self, until: int, tx: Tx | None = None) -> None:
        """Apply the ledger after `position` up to `until` (in `tx`, or one transaction per batch)."""
        if self.position >= until:
            return
        with fewer_collections():
            self._replay(until, tx)

    def _replay(self, until: int, tx: Tx | None) -> None:
        while self.position < until:
            events, failed = fetch(self.ledger, self.position, until, self.batch_size)
            if events:
                self._apply(events, tx)
                self.position = events[-1].position
                if self.progress is not None:
                    self.progress(self.position, until)
            if failed is not None:
                raise RebuildError(self.view.name, failed.position, str(failed))
            if not events:
                break
        if self.progress is not None:
            self.progress(until, until)

    def _apply(self, events: list[ViewEvent], tx: Tx | None) -> None:
        try:
            if tx is not None:
                self.view.apply(tx, events)
            else:
                with self.db.transaction(self.conn, write=False) as own:
                    self.view.apply(own, events)
        except Exception as exc:
            # An aborted outer transaction allows no retry; otherwise find the event at fault.
            position = events[0].position if tx is not None else self._culprit(events)
            raise RebuildError(self.view.name, position, f"{type(exc).__name__}: {exc}") from exc

    def _culprit(self, events: list[ViewEvent]) -> int:
        """The position of the first event of a failed batch that fails on its own (for the report)."""
        if len(events) == 1:
            return events[0].position
        try:
            # The failed transaction rolled back; apply one event per transaction until one fails.
            for event in events:
                with self.db.transaction(self.conn, write=False) as tx:
                    self.view.apply(tx, [event])
        except Exception:
            return event.position
        return events[0].position

    def lock_live_position(self, tx: Tx) -> int:
        """Hold the view's position row (runners wait on it) and read it."""
        ensure_rows(tx, [self.view.name])
        lock = " FOR UPDATE" if self.db.postgres else ""  # SQLite: BEGIN IMMEDIATE already holds the lock
        row = tx.execute(
            f"SELECT position FROM view_positions WHERE view=?{lock}", (self.view.name,)
        ).fetchone()
        return 0 if row is None else int(row[0])


def rebuild(
    ledger: LedgerApplication,
    db: ViewDatabase,
    view: View,
    *,
    batch_size: int = MAX_BATCH,
    progress: Progress | None = None,
) -> int:
    """Rebuild `view` (a fresh instance) from position 0 and switch it in; returns its new position."""
    with Scratch(ledger, db, view, batch_size, progress) as scratch:
        scratch.replay(ledger_position(ledger))
        with db.transaction(scratch.conn) as tx:
            live_position = scratch.lock_live_position(tx)
            # The live view may have moved past the rebuild while it ran: catch up first, so the
            # switch never takes the view backwards.
            scratch.replay(live_position, tx)
            for table in view.tables:
                tx.execute(f"DELETE FROM {scratch.live(table)}")
                tx.execute(f"INSERT INTO {scratch.live(table)} SELECT * FROM {scratch.temp(table)}")
            tx.execute(
                f"UPDATE view_positions SET position=?, error=NULL, error_position=NULL, updated_at={now_sql(db)} "
                "WHERE view=?",
                (scratch.position, view.name),
            )
        return scratch.position


def check_view(
    ledger: LedgerApplication,
    db: ViewDatabase,
    view: View,
    *,
    batch_size: int = MAX_BATCH,
    progress: Progress | None = None,
) -> DriftReport:
    """Rebuild `view` into scratch tables up to the live view's position and compare every row."""
    with Scratch(ledger, db, view, batch_size, progress) as scratch:
        with db.transaction(scratch.conn, write=False) as tx:
            start = scratch.lock_live_position(tx) if db.postgres else _position(tx, view.name)
        scratch.replay(start)
        # Compare with the runner held off the view, so the live rows stand at one position.
        with db.transaction(scratch.conn) as tx:
            position = scratch.lock_live_position(tx)
            scratch.replay(position, tx)
            tables = [_diff(tx, scratch, table) for table in view.tables]
            position = max(position, scratch.position)
        return DriftReport(view.name, position, tables)


def _position(tx: Tx, name: str) -> int:
    row = tx.execute("SELECT position FROM view_positions WHERE view=?", (name,)).fetchone()
    return 0 if row is None else int(row[0])


def _columns(tx: Tx, scratch: Scratch, table: str) -> tuple[list[str], list[str]]:
    """(columns in order, primary-key columns) of the live table."""
    if scratch.db.postgres:
        rows = tx.execute(
            # indkey is a 0-based int2vector: shift positions so that 0 means "not in the key".
            "SELECT a.attname, COALESCE(array_position(i.indkey::int2[], a.attnum), -1) + 1 "
            "FROM pg_attribute a LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary "
            "WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
            (scratch.live(table),),
        ).fetchall()
    else:
        rows = [(r[1], r[5]) for r in tx.execute(f'PRAGMA main.table_info("{table}")').fetchall()]
    columns = [str(r[0]) for r in rows]
    key = [str(name) for name, rank in sorted((r for r in rows if r[1]), key=lambda r: r[1])]
    return columns, key


def _diff(tx: Tx, scratch: Scratch, table: str) -> RowDiff:
    columns, key = _columns(tx, scratch, table)
    live, temp = scratch.live(table), scratch.temp(table)
    except_ = "EXCEPT ALL" if scratch.db.postgres else "EXCEPT"
    rebuilt_only = tx.execute(f"SELECT * FROM {temp} {except_} SELECT * FROM {live}").fetchall()
    live_only = tx.execute(f"SELECT * FROM {live} {except_} SELECT * FROM {temp}").fetchall()
    index = [columns.index(k) for k in key]

    def key_of(row: tuple[Any, ...]) -> tuple[Any, ...] | None:
        return tuple(row[i] for i in index) if index else None

    live_by_key = {key_of(r): r for r in live_only if index}
    diff = RowDiff(table, tuple(columns))
    for row in rebuilt_only:
        twin = live_by_key.pop(key_of(row), None) if index else None
        if twin is not None:
            diff.different.append((twin, row))
        else:
            diff.missing.append(row)
    paired = {id(r) for r in live_by_key.values()}
    diff.extra.extend(r for r in live_only if not index or id(r) in paired)
    return diff
