"""Group commit for the PostgreSQL ledger: concurrent writers share one transaction.

Every write takes the events table's EXCLUSIVE lock and pays one WAL flush at commit; under
concurrent commands most of a command's time is that wait (bench/RESULTS.md, profile). Here
the first writer to arrive becomes the leader: it takes every write queued so far, appends
them in one transaction (under the same table lock, so positions still follow commit order)
and commits once. A write that would break a key (a lost version race, a reused idempotency
key) is found by one look at the table before anything is inserted, and gets its own
IntegrityError, exactly as it would have on its own; the others go in with one INSERT, so the
lock is held for a fixed handful of statements whatever the group's size (a statement per write
held it while the leader's thread waited for the GIL behind the requests: bench/RESULTS.md).
Should that INSERT still fail (a value the column refuses), the group's writes are retried one
by one, each in a savepoint of its own, and only the faulty one fails. Writes that arrive while
a leader commits form the next group.

The group's transaction is one call of a server-side function (migration 0037): lock, NOTIFY,
the key checks and both INSERTs in one statement, so the lock is held for the server's work and
the commit's flush, never across a round trip or the leader's Python (issue 23, bench/RESULTS.md).
The steps above, sent one by one from here, remain for a group whose one call failed on a value
or a key (nothing of it stored) and for the retry after a dropped connection.

A group whose connection drops (a server restart, pg_terminate_backend) is retried once on a new
connection before its writes fail with the 503 error. The commit may have succeeded with only
its acknowledgement lost, so the retry first looks, under the table lock, for each write's
events: a write whose events are all stored byte for byte was committed by the first try and is
answered with their positions, never written again; the others go in as usual.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import (
    DataError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    PersistenceError,
    StoredEvent,
)
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composable, Identifier

from domain.persistence import IdempotencyRecord, PostgresLedgerRecorder, record_params

MAX_GROUP = 256  # writes per transaction: bounds one transaction's lock time and size
# A dropped connection, as the driver raises it and as the library's get_connection maps it.
DROPPED = (psycopg.OperationalError, psycopg.InterfaceError, OperationalError, InterfaceError)


@dataclass
class _Write:
    events: Sequence[StoredEvent]
    options: dict[str, Any]
    ids: list[int] | None = None
    error: BaseException | None = None
    done: bool = False


@dataclass
class _Queue:
    cond: threading.Condition = field(default_factory=threading.Condition)
    waiting: list[_Write] = field(default_factory=list)
    leading: bool = False


class GroupCommitLedgerRecorder(PostgresLedgerRecorder):
    """The ledger's PostgreSQL recorder, writing concurrent inserts in shared transactions."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._group = _Queue()
        self.transactions = 0  # shared transactions committed (fewer than writes when grouped)
        self.groups_one_by_one = 0  # groups whose one INSERT failed and went write by write
        self.groups_retried = 0  # groups tried again after a dropped connection
        self.groups_in_steps = 0  # transactions sent statement by statement, not in one call
        # Each statement composed once: psycopg turns a composed `SQL(...).format(...)` into
        # bytes on every execute, quoting each identifier through libpq, which cost more than
        # the rest of the group's Python work (issue 23, bench/RESULTS.md). The names are fixed
        # for the recorder's life, so the bytes are too.
        self._composed: dict[str, bytes] = {}

    def _statement(self, curs: Cursor[DictRow], name: str, compose: Callable[[], Composable]) -> bytes:
        found = self._composed.get(name)
        if found is None:
            found = self._composed[name] = compose().as_bytes(curs)
        return found

    def _notify_channel(self, curs: Cursor[DictRow]) -> None:
        curs.execute(
            self._statement(curs, "notify", lambda: SQL("NOTIFY {0}").format(Identifier(self.channel_name)))
        )

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        write = _Write(stored_events, kwargs)
        group = self._group
        with group.cond:
            group.waiting.append(write)
        while True:
            with group.cond:
                while not write.done and group.leading:
                    group.cond.wait()
                if write.done:
                    return _result(write)
                group.leading = True  # this thread commits the next group (its own write is queued)
                batch, group.waiting = group.waiting[:MAX_GROUP], group.waiting[MAX_GROUP:]
            try:
                self._commit_group(batch)
            finally:
                with group.cond:
                    group.leading = False
                    group.cond.notify_all()

    def _commit_group(self, batch: list[_Write]) -> None:
        try:
            try:
                self._attempt(batch, retry=False)
            except DROPPED:
                self.groups_retried += 1
                self._attempt(batch, retry=True)
            self.transactions += 1
        except BaseException as exc:  # the shared transaction failed: nothing of it was kept
            for write in batch:
                write.ids, write.error = None, write.error or exc
        finally:
            for write in batch:
                write.done = True

    def _attempt(self, batch: list[_Write], *, retry: bool) -> None:
        """One transaction for the group; on a retry, first answer the writes a lost commit kept.

        The first try is one call of the server-side function (migration 0037): lock, NOTIFY,
        key checks and inserts in one statement, so the table lock is never held across a round
        trip. A retry after a dropped connection, and a group whose one call fails on a value or
        a key (nothing of it stored), go step by step from here, each write in a savepoint.
        """
        for write in batch:  # what an earlier try decided went with its transaction
            write.ids, write.error = None, None
        if not retry:
            with self.datastore.get_connection() as conn, conn.cursor() as curs:
                try:
                    self._append_in_one_call(conn, curs, batch)
                    return
                except (psycopg.IntegrityError, psycopg.DataError):
                    for write in batch:
                        write.ids, write.error = None, None
        self._attempt_in_steps(batch, retry=retry)

    def _append_in_one_call(
        self, conn: psycopg.Connection[DictRow], curs: Cursor[DictRow], batch: list[_Write]
    ) -> None:
        """The group in one statement (its own transaction: the connection is in autocommit)."""
        event_writes, ids, versions, topics, states = [], [], [], [], []
        for n, write in enumerate(batch):
            for e in write.events:
                event_writes.append(n)
                ids.append(e.originator_id)
                versions.append(e.originator_version)
                topics.append(e.topic)
                states.append(e.state)
        key_writes: list[int] = []
        records: list[tuple[Any, ...]] = []
        for n, write in enumerate(batch):
            record = _record(write)
            if record is not None:
                key_writes.append(n)
                records.append(record_params(record, UUID))
        columns: list[list[Any]] = [list(c) for c in zip(*records, strict=True)] if records else [[]] * 6
        statement = self._statement(curs, "append", lambda: SQL(
            "SELECT write_index, notification, event_id, event_version FROM {}.xinfang_append("
            "%s, %s::integer[], %s::uuid[], %s::bigint[], %s::text[], %s::bytea[], %s::integer[], %s::text[],"
            " %s::text[], %s::text[], %s::uuid[], %s::bigint[], %s::bytea[])"
        ).format(Identifier(self.datastore.schema)))  # fmt: skip
        curs.execute(
            statement,
            (
                f"{self.datastore.lock_timeout}s",
                event_writes,
                ids,
                versions,
                topics,
                states,
                key_writes,
                *columns,
            ),
            prepare=True,
        )
        refused: set[int] = set()
        positions: dict[tuple[Any, Any], int] = {}
        for row in curs.fetchall():
            if row["write_index"] is not None:
                refused.add(row["write_index"])
            else:
                positions[(row["event_id"], row["event_version"])] = int(row["notification"])
        for n, write in enumerate(batch):
            if n in refused:
                write.error = IntegrityError("duplicate key: taken by an earlier write")
            else:
                write.ids = [positions[(e.originator_id, e.originator_version)] for e in write.events]

    def _attempt_in_steps(self, batch: list[_Write], *, retry: bool) -> None:
        """The group's transaction statement by statement, from the client."""
        self.groups_in_steps += 1
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            self._lock_table(curs)
            self._notify_channel(curs)
            pending = self._not_yet_stored(curs, batch) if retry else batch
            fresh = self._refuse_taken(curs, pending)
            try:
                with conn.transaction():  # a savepoint: if the one statement fails, go one by one
                    self._insert_together(curs, fresh)
            except (psycopg.IntegrityError, psycopg.DataError):
                self.groups_one_by_one += 1
                for write in fresh:
                    self._insert_alone(conn, curs, write)

    def _not_yet_stored(self, curs: Cursor[DictRow], batch: list[_Write]) -> list[_Write]:
        """The writes still to do; each one whose events are all stored as sent gets their positions.

        An event's stored bytes carry its time, request id and previous hash, so the same bytes
        under the same (id, version) are this write's own, committed by the try whose answer was lost.
        """
        keys = [(e.originator_id, e.originator_version) for w in batch for e in w.events]
        if not keys:
            return batch
        ids, versions = zip(*keys, strict=True)
        statement = self._statement(curs, "stored", lambda: SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state FROM {} "
            "WHERE (originator_id, originator_version) IN "
            "(SELECT * FROM unnest(%s::uuid[], %s::bigint[]))"
        ).format(self._table()))  # fmt: skip
        curs.execute(statement, (list(ids), list(versions)))
        stored = {
            (r["originator_id"], r["originator_version"]): (
                r["topic"],
                bytes(r["state"]),
                r["notification_id"],
            )
            for r in curs.fetchall()
        }
        pending = []
        for write in batch:
            found = [stored.get((e.originator_id, e.originator_version)) for e in write.events]
            if write.events and all(
                f is not None and (f[0], f[1]) == (e.topic, bytes(e.state))
                for f, e in zip(found, write.events, strict=True)
            ):
                write.ids = [int(f[2]) for f in found if f is not None]
            else:
                pending.append(write)
        return pending

    def _refuse_taken(self, curs: Cursor[DictRow], batch: list[_Write]) -> list[_Write]:
        """The writes whose keys are free; the others get the IntegrityError of a lost race.

        Under the table lock no other transaction can take a key before this one commits, so
        one look at the table, and at the writes ahead in the same group, is exact: a version
        taken by another writer (the usual lost race), an idempotency key already used.
        """
        claims = [_claims(write) for write in batch]
        events = {key for event_keys, _ in claims for key in event_keys}
        records = {record_key for _, record_key in claims if record_key is not None}
        taken = self._present(
            curs, self._table, ("originator_id", "uuid", "originator_version", "bigint"), events
        ) | self._present(
            curs, lambda: SQL("{}.idempotency_keys").format(Identifier(self.datastore.schema)),
            ("scope", "text", "key", "text"), records,
        )  # fmt: skip
        fresh: list[_Write] = []
        for write, (event_keys, record_key) in zip(batch, claims, strict=True):
            mine: set[tuple[Any, Any]] = set(event_keys) if record_key is None else {*event_keys, record_key}
            if mine & taken:
                write.error = IntegrityError("duplicate key: taken by an earlier write")
            else:
                fresh.append(write)
            taken |= mine  # a later write of this group asking for the same key lost the race
        return fresh

    def _present(
        self,
        curs: Cursor[DictRow],
        table: Callable[[], Composable],
        columns: tuple[str, str, str, str],
        keys: set[tuple[Any, Any]],
    ) -> set[tuple[Any, Any]]:
        """Which of these two-column keys (names and types: a, type, b, type) the table holds."""
        if not keys:
            return set()
        a, a_type, b, b_type = columns
        firsts, seconds = zip(*keys, strict=True)
        statement = self._statement(curs, f"present {columns}", lambda: SQL(
            "SELECT {a}, {b} FROM {table} WHERE ({a}, {b}) IN (SELECT * FROM unnest(%s::{at}[], %s::{bt}[]))"
        ).format(a=Identifier(a), b=Identifier(b), table=table(), at=SQL(a_type), bt=SQL(b_type)))  # fmt: skip
        curs.execute(statement, (list(firsts), list(seconds)))
        return {(r[a], r[b]) for r in curs.fetchall()}

    def _insert_together(self, curs: Cursor[DictRow], writes: list[_Write]) -> None:
        """Every write's events in one INSERT and their idempotency records in another."""
        events = [e for w in writes for e in w.events]
        positions: dict[tuple[Any, Any], int] = {}
        if events:
            curs.execute(
                self._statement(curs, "insert events", lambda: SQL(
                    "INSERT INTO {} (originator_id, originator_version, topic, state)"
                    " SELECT * FROM unnest(%s::uuid[], %s::bigint[], %s::text[], %s::bytea[])"
                    " RETURNING notification_id, originator_id, originator_version"
                ).format(self._table())),
                (
                    [e.originator_id for e in events], [e.originator_version for e in events],
                    [e.topic for e in events], [e.state for e in events],
                ),
            )  # fmt: skip
            positions = {
                (r["originator_id"], r["originator_version"]): int(r["notification_id"]) for r in curs
            }
        records = [r for r in map(_record, writes) if r is not None]
        if records:
            columns = list(zip(*(record_params(r, UUID) for r in records), strict=True))
            curs.execute(
                self._statement(curs, "insert keys", lambda: SQL(
                    "INSERT INTO {}.idempotency_keys (scope, key, request_hash, case_id, version, response)"
                    " SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::uuid[], %s::bigint[],"
                    " %s::bytea[])"
                ).format(Identifier(self.datastore.schema))),
                [list(c) for c in columns],
            )  # fmt: skip
        for write in writes:
            write.ids = [positions[(e.originator_id, e.originator_version)] for e in write.events]

    def _insert_alone(self, conn: psycopg.Connection[DictRow], curs: Cursor[DictRow], write: _Write) -> None:
        """One write in a savepoint of its own: if it breaks a key or a type, it alone fails."""
        insert = SQL(
            "INSERT INTO {} (originator_id, originator_version, topic, state) "
            "VALUES (%s, %s, %s, %s) RETURNING notification_id"
        ).format(self._table())
        try:
            with conn.transaction():
                self._insert_events(curs, write.events, **write.options)
                ids = []
                for e in write.events:
                    curs.execute(insert, (e.originator_id, e.originator_version, e.topic, e.state))
                    row = curs.fetchone()
                    assert row is not None
                    ids.append(int(row["notification_id"]))
                write.ids = ids
        except (psycopg.IntegrityError, psycopg.DataError) as exc:
            # This write's own fault: rolled back to its savepoint, the others go on. Any other
            # driver error (a lost connection, a server going down) breaks the shared transaction:
            # it propagates, `get_connection` maps it to the library's class (an OperationalError
            # is a 503 to the client) and every write of the group fails.
            write.error = _translated(exc)


def _claims(write: _Write) -> tuple[list[tuple[Any, Any]], tuple[str, str] | None]:
    """The keys a write takes: its events' (id, version) and its idempotency (scope, key)."""
    record = _record(write)
    event_keys = [(e.originator_id, e.originator_version) for e in write.events]
    return event_keys, None if record is None else (record.scope, record.key)


def _record(write: _Write) -> IdempotencyRecord | None:
    record: IdempotencyRecord | None = write.options.get("idempotency")
    return record


def _translated(exc: psycopg.IntegrityError | psycopg.DataError) -> PersistenceError:
    """The library's exception for a write's own driver error, as its recorder raises them."""
    if isinstance(exc, psycopg.IntegrityError):
        return IntegrityError(str(exc))
    return DataError(str(exc))


def _result(write: _Write) -> Sequence[int] | None:
    if write.error is not None:
        raise write.error
    return write.ids
