"""Recorders for both stores, and the ledger reads the library does not offer.

The recorders add two things to eventsourcing's: the idempotency record of a command is
inserted in the same transaction as its events (so a retried command can never write
twice, even across a crash), and the events table has a database-side `recorded_at`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
from eventsourcing.utils import retry
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composable, Identifier


@dataclass(frozen=True)
class IdempotencyRecord:
    scope: str
    key: str
    request_hash: str
    case_id: UUID | None
    version: int | None
    response: bytes


@dataclass(frozen=True)
class LedgerRow:
    """One stored event with its ledger position and database-side recorded time."""

    originator_id: UUID
    version: int
    topic: str
    state: bytes
    position: int
    recorded_at: datetime


class LedgerReads(Protocol):
    def aggregate_rows(self, originator_id: UUID, *, lte: int | None = None) -> list[LedgerRow]: ...
    def position_of(self, originator_id: UUID, version: int) -> int | None: ...
    def idempotency_record(self, scope: str, key: str) -> IdempotencyRecord | None: ...
    def rows_between(self, start: int, stop: int, limit: int) -> list[LedgerRow]: ...


def record_params(record: IdempotencyRecord, uuid_as: type[str] | type[UUID]) -> tuple[Any, ...]:
    case_id = None if record.case_id is None else (record.case_id.hex if uuid_as is str else record.case_id)
    return (record.scope, record.key, record.request_hash, case_id, record.version, record.response)


def _sqlite_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


class SQLiteLedgerRecorder(SQLiteApplicationRecorder):
    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        record: IdempotencyRecord | None = kwargs.get("idempotency")
        if record is not None:
            c.execute(
                "INSERT INTO idempotency_keys (scope, key, request_hash, case_id, version, response) "
                "VALUES (?,?,?,?,?,?)",
                record_params(record, str),
            )
        return super()._insert_events(c, stored_events, **kwargs)

    def _rows(self, where: str, params: Sequence[Any]) -> list[LedgerRow]:
        with self.datastore.transaction(commit=False) as c:
            # recorded_at lives in a side table filled by trigger (migrations/sqlite/0001).
            c.execute(
                "SELECT e.rowid AS rowid, originator_id, originator_version, topic, state, recorded_at "
                f"FROM {self.events_table_name} e "
                "JOIN stored_event_recorded_at r ON r.notification_id = e.rowid "
                f"{where}",
                params,
            )
            return [
                LedgerRow(
                    UUID(r["originator_id"]),
                    r["originator_version"],
                    r["topic"],
                    r["state"],
                    r["rowid"],
                    _sqlite_time(r["recorded_at"]),
                )
                for r in c.fetchall()
            ]

    def aggregate_rows(self, originator_id: UUID, *, lte: int | None = None) -> list[LedgerRow]:
        where, params = "WHERE originator_id=?", [originator_id.hex]
        if lte is not None:
            where += " AND originator_version<=?"
            params.append(lte)  # type: ignore[arg-type]
        return self._rows(where + " ORDER BY originator_version", params)

    def rows_between(self, start: int, stop: int, limit: int) -> list[LedgerRow]:
        return self._rows("WHERE e.rowid>=? AND e.rowid<=? ORDER BY e.rowid LIMIT ?", (start, stop, limit))

    def position_of(self, originator_id: UUID, version: int) -> int | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT rowid FROM {self.events_table_name} WHERE originator_id=? AND originator_version=?",
                (originator_id.hex, version),
            )
            row = c.fetchone()
            return None if row is None else int(row[0])

    def idempotency_record(self, scope: str, key: str) -> IdempotencyRecord | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                "SELECT scope, key, request_hash, case_id, version, response FROM idempotency_keys "
                "WHERE scope=? AND key=?",
                (scope, key),
            )
            r = c.fetchone()
        if r is None:
            return None
        case_id = UUID(r["case_id"]) if r["case_id"] else None
        return IdempotencyRecord(
            r["scope"], r["key"], r["request_hash"], case_id, r["version"], bytes(r["response"])
        )


def select_events_statement(base: Composable, gt: bool, lte: bool, desc: bool, limit: bool) -> Composable:
    """eventsourcing 9.5's select_events statement for one combination of its optional clauses,
    built as the library builds it (tests/integration/test_select_statements.py compares the answers)."""
    statement = base
    if gt:
        statement += SQL(" AND originator_version > %s")
    if lte:
        statement += SQL(" AND originator_version <= %s")
    statement += SQL(" ORDER BY originator_version")
    statement += SQL(" DESC") if desc else SQL(" ASC")
    if limit:
        statement += SQL(" LIMIT %s")
    return statement


# One retry, not the library's ten (see _fail_fast).
_RETRY_ONCE = retry((InterfaceError, OperationalError), max_attempts=2, wait=0.2)


def _fail_fast(method: Any) -> Any:
    """The library's recorder method, retried once instead of ten times.

    eventsourcing retries each store call 10 times, each waiting up to the pool timeout for a
    connection: during an outage a request would hang for most of a minute. One retry still
    rides over a connection dropped under it (pg_terminate_backend, a restart); past that the
    caller gets a prompt 503 store_unavailable and retries itself (with its Idempotency-Key).
    """
    return _RETRY_ONCE(method.__wrapped__)


class PostgresLedgerRecorder(PostgresApplicationRecorder):
    insert_events = _fail_fast(PostgresApplicationRecorder.insert_events)
    select_notifications = _fail_fast(PostgresApplicationRecorder.select_notifications)
    max_notification_id = _fail_fast(PostgresApplicationRecorder.max_notification_id)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._select_statements: dict[tuple[bool, bool, bool, bool], bytes] = {}

    @_RETRY_ONCE
    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        """The library's select_events, with each variant of its statement composed once.

        The library composes `SQL(...)` pieces on every call and psycopg turns them into bytes on
        every execute, quoting the schema and table names through libpq. Two of these run on
        every command (the caller's latest user version, the case's newer events: issue 23), so
        the bytes are kept, one per combination of the optional clauses; the text is the library's.
        """
        variant = (gt is not None, lte is not None, desc, limit is not None)
        params: list[Any] = [originator_id]
        if gt is not None:
            params.append(gt)
        if lte is not None:
            params.append(lte)
        if limit is not None:
            params.append(limit)
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            statement = self._select_statements.get(variant)
            if statement is None:
                statement = self._select_statements[variant] = select_events_statement(
                    self.select_events_statement, *variant
                ).as_bytes(curs)
            curs.execute(statement, params, prepare=True)
            return [
                StoredEvent(
                    originator_id=row["originator_id"],
                    originator_version=row["originator_version"],
                    topic=row["topic"],
                    state=bytes(row["state"]),
                )
                for row in curs.fetchall()
            ]

    def _insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        record: IdempotencyRecord | None = kwargs.get("idempotency")
        if record is not None:
            curs.execute(
                SQL(
                    "INSERT INTO {}.idempotency_keys "
                    "(scope, key, request_hash, case_id, version, response) "
                    "VALUES (%s, %s, %s, %s, %s, %s)"
                ).format(Identifier(self.datastore.schema)),
                record_params(record, UUID),
            )
        super()._insert_events(curs, stored_events, **kwargs)

    def _table(self) -> Any:
        return SQL("{}.{}").format(Identifier(self.datastore.schema), Identifier(self.events_table_name))

    def _rows(self, where: Any, params: Sequence[Any]) -> list[LedgerRow]:
        statement = (
            SQL(
                "SELECT notification_id, originator_id, originator_version, topic, state, recorded_at "
                "FROM {} "
            ).format(self._table())
            + where
        )
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, params)
            return [
                LedgerRow(
                    r["originator_id"],
                    r["originator_version"],
                    r["topic"],
                    bytes(r["state"]),
                    r["notification_id"],
                    r["recorded_at"],
                )
                for r in curs.fetchall()
            ]

    def aggregate_rows(self, originator_id: UUID, *, lte: int | None = None) -> list[LedgerRow]:
        if lte is None:
            return self._rows(SQL("WHERE originator_id=%s ORDER BY originator_version"), (originator_id,))
        return self._rows(
            SQL("WHERE originator_id=%s AND originator_version<=%s ORDER BY originator_version"),
            (originator_id, lte),
        )

    def rows_between(self, start: int, stop: int, limit: int) -> list[LedgerRow]:
        return self._rows(
            SQL("WHERE notification_id>=%s AND notification_id<=%s ORDER BY notification_id LIMIT %s"),
            (start, stop, limit),
        )

    def position_of(self, originator_id: UUID, version: int) -> int | None:
        statement = SQL(
            "SELECT notification_id FROM {} WHERE originator_id=%s AND originator_version=%s"
        ).format(self._table())
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, (originator_id, version))
            row = curs.fetchone()
            return None if row is None else int(row["notification_id"])

    def idempotency_record(self, scope: str, key: str) -> IdempotencyRecord | None:
        statement = SQL(
            "SELECT scope, key, request_hash, case_id, version, response FROM {}.idempotency_keys "
            "WHERE scope=%s AND key=%s"
        ).format(Identifier(self.datastore.schema))
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, (scope, key))
            r = curs.fetchone()
        if r is None:
            return None
        return IdempotencyRecord(
            r["scope"], r["key"], r["request_hash"], r["case_id"], r["version"], bytes(r["response"])
        )


def ledger_reads(recorder: ApplicationRecorder) -> LedgerReads:
    if not isinstance(recorder, (SQLiteLedgerRecorder, PostgresLedgerRecorder)):
        raise TypeError(f"unsupported recorder {type(recorder).__name__}")
    return recorder
