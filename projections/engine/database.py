"""Connections for the views, on the ledger's own database (SQLite file or PostgreSQL schema).

Views live beside the ledger so that a batch of view rows and the view's tracking position
commit in one transaction. SQL is written once with `?` placeholders; for PostgreSQL they
become `%s`. Writes are set-based: `executemany` over a batch, never a row at a time in Python.
"""

from __future__ import annotations

import sqlite3
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql as pgsql

from domain.store import StoreConfig

Params = Sequence[Any] | dict[str, Any]
# Per PostgreSQL connection: (table, columns) -> the columns' type oids, for binary COPY.
_COLUMN_TYPES: weakref.WeakKeyDictionary[Any, dict[tuple[str, tuple[str, ...]], list[int]]] = (
    weakref.WeakKeyDictionary()
)


class Tx:
    """One open transaction on either store, with a single placeholder style (`?`).

    Views name their tables through `tx.table("case_status")`. A rebuild needs no renaming:
    it shadows the live tables with TEMP tables of the same names (projections/engine/rebuild.py).
    """

    def __init__(self, cursor: Any, *, postgres: bool) -> None:
        self._cursor = cursor
        self.postgres = postgres

    @staticmethod
    def table(name: str) -> str:
        """A view's table, by its bare name (never schema-qualified: see projections/engine/rebuild.py)."""
        return name

    def _sql(self, statement: str) -> str:
        # psycopg reads every `%` as a placeholder: literal ones (LIKE patterns) are doubled first.
        return statement.replace("%", "%%").replace("?", "%s") if self.postgres else statement

    def execute(self, statement: str, params: Params = ()) -> Tx:
        self._cursor.execute(self._sql(statement), params)
        return self

    def executemany(self, statement: str, rows: Sequence[Params]) -> None:
        if rows:
            self._cursor.executemany(self._sql(statement), rows)

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Plain INSERTs of many rows: one COPY stream on PostgreSQL, `executemany` on SQLite."""
        if not rows:
            return
        if not self.postgres:
            marks = ", ".join("?" * len(columns))
            self._cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
            return
        names = pgsql.SQL(", ").join(pgsql.Identifier(c) for c in columns)
        # The bare table name (never schema-qualified): a rebuild's TEMP shadow tables must win.
        # Binary: a third of the text format's time at 20,000 history rows (no text to format
        # in Python, none to parse in the server), once the columns' types are known.
        statement = pgsql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
            pgsql.Identifier(table), names
        )
        types = self._column_types(table, tuple(columns))
        with self._cursor.copy(statement) as copy:
            copy.set_types(types)
            for row in rows:
                copy.write_row(row)

    def _column_types(self, table: str, columns: tuple[str, ...]) -> list[int]:
        """The type oids of `table`'s `columns` (the table the bare name resolves to: a rebuild's
        TEMP copy has its live table's types). Kept per connection: migrations do not run
        under an open view connection."""
        cache = _COLUMN_TYPES.setdefault(self._cursor.connection, {})
        key = (table, columns)
        if key not in cache:
            self._cursor.execute(
                "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attnum > 0",
                (table,),
            )
            found = {name: int(oid) for name, oid in self._cursor.fetchall()}
            missing = [c for c in columns if c not in found]
            if missing:
                raise LookupError(f"table {table} has no columns {missing}")
            cache[key] = [found[c] for c in columns]
        return cache[key]

    def execute_for_keys(self, statement: str, column: str, pg_type: str, keys: Sequence[Any]) -> None:
        """`statement` (a DELETE or UPDATE without its WHERE) for the rows whose `column` is one
        of `keys`: one statement on PostgreSQL (an array parameter of `pg_type`), one per key on
        SQLite (where a statement costs no round trip)."""
        if not keys:
            return
        if self.postgres:
            self.execute(f"{statement} WHERE {column} = ANY(?::{pg_type}[])", (list(keys),))
        else:
            self.executemany(f"{statement} WHERE {column} = ?", [(k,) for k in keys])

    def delete_keys(self, table: str, column: str, pg_type: str, keys: Sequence[Any]) -> None:
        """DELETE the rows whose `column` is one of `keys` (see `execute_for_keys`)."""
        self.execute_for_keys(f"DELETE FROM {table}", column, pg_type, keys)

    def fetchall(self) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self._cursor.fetchall()]

    def fetchone(self) -> tuple[Any, ...] | None:
        row = self._cursor.fetchone()
        return None if row is None else tuple(row)

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)


class ViewDatabase:
    """Opens transactions for view work on the configured store."""

    def __init__(self, store: StoreConfig) -> None:
        self.store = store
        self.postgres = store.kind == "postgres"

    def use_schema(self, pg: psycopg.Connection[Any]) -> None:
        """Point a new PostgreSQL connection at this store's schema (view SQL names bare tables),
        plan every execution of a prepared statement for its own parameters, and compile none.

        psycopg prepares a statement run five times on a connection, and PostgreSQL may then
        keep one generic plan for it: planned while a view's tables were nearly empty (the
        start of a rebuild), it stays a sequential scan as they grow, and every per-case DELETE
        scans the whole table. A custom plan costs a few microseconds to make and follows the
        table's real size.
        """
        pg.execute(pgsql.SQL("SET search_path TO {}").format(pgsql.Identifier(self.store.schema)))
        pg.execute("SET plan_cache_mode = force_custom_plan")
        # View statements run in milliseconds: compiling one with LLVM takes far longer than
        # running it once the planner's estimate passes jit_above_cost
        # (bench/RESULTS.md#jit-compilation-of-view-statements).
        pg.execute("SET jit = off")
        pg.commit()

    def connect(self) -> Any:
        if self.postgres:
            pg = psycopg.connect(self.store.conninfo(), autocommit=False)
            self.use_schema(pg)
            return pg
        conn = sqlite3.connect(
            self.store.sqlite_path, timeout=30, isolation_level=None, check_same_thread=False
        )
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA busy_timeout=30000")
        return conn

    @contextmanager
    def transaction(self, conn: Any | None = None, *, write: bool = True) -> Iterator[Tx]:
        """A transaction on `conn` (or a fresh connection, closed afterwards); commits on success."""
        own = conn is None
        conn = conn or self.connect()
        try:
            if self.postgres:
                with conn.transaction(), conn.cursor() as cursor:
                    yield Tx(cursor, postgres=True)
            else:
                cursor = conn.cursor()
                cursor.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                try:
                    yield Tx(cursor, postgres=False)
                except BaseException:
                    conn.rollback() if conn.in_transaction else None
                    raise
                else:
                    conn.commit()
        finally:
            if own:
                conn.close()
