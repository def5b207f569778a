"""Group commit for the PostgreSQL ledger: concurrent writers share one transaction.

Every write takes the events table's EXCLUSIVE lock and pays one WAL flush at commit; under
concurrent commands most of a command's time is that wait (bench/RESULTS.md, profile). Here
the first writer to arrive becomes the leader: it takes every write queued so far, appends
them in one transaction (under the same table lock, so positions still follow commit order)
and commits once. Each write runs inside its own savepoint, so one that breaks a key (a lost
version race, a reused idempotency key) is rolled back alone and gets its own IntegrityError,
exactly as it would have on its own; the others commit. Writes that arrive while a leader
commits form the next group.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from eventsourcing.persistence import DataError, IntegrityError, PersistenceError, StoredEvent
from psycopg.sql import SQL

from domain.persistence import PostgresLedgerRecorder

MAX_GROUP = 256  # writes per transaction: bounds one transaction's lock time and size


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
        insert = SQL(
            "INSERT INTO {} (originator_id, originator_version, topic, state) "
            "VALUES (%s, %s, %s, %s) RETURNING notification_id"
        ).format(self._table())
        try:
            with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
                self._lock_table(curs)
                self._notify_channel(curs)
                for write in batch:
                    try:
                        with conn.transaction():  # a savepoint: a failing write leaves the rest
                            self._insert_events(curs, write.events, **write.options)
                            ids = []
                            for e in write.events:
                                curs.execute(
                                    insert, (e.originator_id, e.originator_version, e.topic, e.state)
                                )
                                row = curs.fetchone()
                                assert row is not None
                                ids.append(int(row["notification_id"]))
                            write.ids = ids
                    except (psycopg.IntegrityError, psycopg.DataError) as exc:
                        # This write's own fault (a lost version race, a reused idempotency key):
                        # rolled back to its savepoint, the others go on. Any other driver error
                        # (a lost connection, a server going down) breaks the shared transaction:
                        # it propagates, `get_connection` maps it to the library's class (an
                        # OperationalError is a 503 to the client) and every write of the group fails.
                        write.error = _translated(exc)
            self.transactions += 1
        except BaseException as exc:  # the shared transaction failed: nothing of it was kept
            for write in batch:
                write.ids, write.error = None, write.error or exc
        finally:
            for write in batch:
                write.done = True


def _translated(exc: psycopg.IntegrityError | psycopg.DataError) -> PersistenceError:
    """The library's exception for a write's own driver error, as its recorder raises them."""
    if isinstance(exc, psycopg.IntegrityError):
        return IntegrityError(str(exc))
    return DataError(str(exc))


def _result(write: _Write) -> Sequence[int] | None:
    if write.error is not None:
        raise write.error
    return write.ids
