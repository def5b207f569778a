"""Helpers for the integrity tests: a small ledger, and an attacker with direct database access.

The attacker bypasses the append-only triggers the way a database superuser could: on
PostgreSQL `ALTER TABLE ... DISABLE TRIGGER ALL` (then re-enabled), on SQLite `DROP TRIGGER`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import orjson
import psycopg
from psycopg import sql

from domain.application import LedgerApplication
from domain.integrity import canonical_json, hash_stored
from domain.persistence import LedgerRow
from domain.store import parse_database_url
from domain.values import Actor, Petitioner
from domain.verify import VerifyReport, verify_stored
from domain.vocabulary import Channel, Kind

ADMIN = Actor("admin", "admin", None)
REGISTRAR = Actor("reg", "registrar", "county")
T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)


def register(ledger: LedgerApplication, notes: int = 3) -> UUID:
    """A case with 1 + ``notes`` events."""
    from domain.context import command_context

    fields: dict[str, Any] = {
        "channel": Channel.LETTER, "kind": Kind.COMPLAINT_REQUEST,
        "petitioners": (Petitioner("张三", "110101199001011234", "13800000000", "示范县"),),
        "headcount": 1, "subject": "征地补偿", "content": "补偿款未足额发放", "category": "land",
        "region_code": "110101", "received_unit": "county",
    }  # fmt: skip
    with command_context(actor=REGISTRAR, occurred_at=T0):
        case_id = ledger.register_case(**fields).case_id
    for n in range(notes):
        with command_context(actor=REGISTRAR, occurred_at=T0 + timedelta(hours=n + 1)):
            ledger.execute(case_id, "notes", {"text": f"note {n}"})
    return case_id


def populate(ledger: LedgerApplication, cases: int = 3) -> list[UUID]:
    from domain.context import command_context

    with command_context(actor=ADMIN):
        ledger.create_unit(code="county", name="县信访局", parent_code=None)
    return [register(ledger) for _ in range(cases)]


def verify(ledger: LedgerApplication, trusted: dict[str, bytes]) -> VerifyReport:
    return verify_stored(ledger.recorder, trusted)


def all_rows(ledger: LedgerApplication) -> list[LedgerRow]:
    return ledger.reads.rows_between(1, 10**12, 10**6)


def edited_state(state: bytes, **changes: Any) -> bytes:
    data = orjson.loads(state)
    # The stored bytes are canonical JSON, so re-encoding an unchanged state is byte-identical.
    assert canonical_json(data) == state
    data.update(changes)
    return canonical_json(data)


def rechained(rows: list[LedgerRow], version: int, **changes: Any) -> list[tuple[int, bytes]]:
    """One aggregate's rows with event ``version`` edited and every later prev_hash recomputed."""
    out: list[tuple[int, bytes]] = []
    previous: str | None = None
    for row in rows:
        state = row.state
        if row.version == version:
            state = edited_state(state, **changes)
        elif previous is not None:
            state = edited_state(state, prev_hash=previous)
        if row.version >= version:
            out.append((row.version, state))
            previous = hash_stored(row.originator_id, row.version, row.topic, state)
    return out


class Attacker:
    """Direct writes to a store's events table, with its append-only triggers out of the way."""

    def __init__(self, store_url: str) -> None:
        self.store = parse_database_url(store_url)

    @contextmanager
    def _sqlite(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.store.sqlite_path, isolation_level=None)
        try:
            for trigger in ("stored_events_no_update", "stored_events_no_delete"):
                conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
            conn.execute("BEGIN")
            yield conn
            conn.execute("COMMIT")
        finally:
            conn.close()

    @contextmanager
    def _postgres(self) -> Iterator[psycopg.Connection[Any]]:
        table = sql.SQL("{}.xinfang_events").format(sql.Identifier(self.store.schema))
        with psycopg.connect(self.store.plain_url, autocommit=True) as conn:
            conn.execute(sql.SQL("ALTER TABLE {} DISABLE TRIGGER ALL").format(table))
            try:
                with conn.transaction():
                    yield conn
            finally:
                conn.execute(sql.SQL("ALTER TABLE {} ENABLE TRIGGER ALL").format(table))

    def _run(self, statements: list[tuple[str, tuple[Any, ...]]]) -> None:
        """Statements in PostgreSQL style: {events}, {pos}, %s; ids given as UUID."""
        if self.store.kind == "sqlite":
            with self._sqlite() as conn:
                for text, params in statements:
                    query = text.format(events="stored_events", pos="rowid").replace("%s", "?")
                    conn.execute(query, tuple(p.hex if isinstance(p, UUID) else p for p in params))
            return
        with self._postgres() as conn:
            events = sql.SQL("{}.xinfang_events").format(sql.Identifier(self.store.schema)).as_string(conn)
            for text, params in statements:
                conn.execute(text.format(events=events, pos="notification_id").encode(), params)

    def set_state(self, originator_id: UUID, version: int, state: bytes) -> None:
        self.set_states(originator_id, [(version, state)])

    def set_states(self, originator_id: UUID, states: list[tuple[int, bytes]]) -> None:
        self._run(
            [
                ("UPDATE {events} SET state=%s WHERE originator_id=%s AND originator_version=%s",
                 (state, originator_id, version))
                for version, state in states
            ]
        )  # fmt: skip

    def delete(self, originator_id: UUID, version: int) -> None:
        self._run(
            [
                (
                    "DELETE FROM {events} WHERE originator_id=%s AND originator_version=%s",
                    (originator_id, version),
                )
            ]
        )

    def add_checkpoint_head(
        self, checkpoint_id: int, originator_id: UUID, version: int, head_hash: str
    ) -> None:
        """A row slipped into a checkpoint's stored heads (the table is append-only, not signed)."""
        table = (
            "checkpoint_heads" if self.store.kind == "sqlite" else f'"{self.store.schema}".checkpoint_heads'
        )
        key: Any = str(originator_id) if self.store.kind == "sqlite" else originator_id
        self._run(
            [(f"INSERT INTO {table} (checkpoint_id, originator_id, version, head_hash) VALUES (%s,%s,%s,%s)",
              (checkpoint_id, key, version, head_hash))]
        )  # fmt: skip

    def swap_positions(self, a: int, b: int) -> None:
        parking = -1  # the position column is unique: move one row aside first
        self._run(
            [
                ("UPDATE {events} SET {pos}=%s WHERE {pos}=%s", (parking, a)),
                ("UPDATE {events} SET {pos}=%s WHERE {pos}=%s", (a, b)),
                ("UPDATE {events} SET {pos}=%s WHERE {pos}=%s", (b, parking)),
            ]
        )
