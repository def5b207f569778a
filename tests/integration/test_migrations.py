"""The migration runner and what 0001 creates, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError as LibraryIntegrityError
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore
from psycopg import sql

from migrations import MigrationError, migrate
from migrations.runner import load_migrations
from tests.support.postgres import create_database, drop_database, require_postgres

LATEST = [m.version for m in load_migrations("postgres")]


def test_both_dialects_ship_the_same_versions() -> None:
    assert LATEST[0] == "0001_ledger"
    assert [m.version for m in load_migrations("sqlite")] == LATEST


# --- SQLite -----------------------------------------------------------------------------------


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ledger.db'}"


def _sqlite(url: str) -> sqlite3.Connection:
    return sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)


def test_sqlite_migrate_applies_once(sqlite_url: str) -> None:
    assert migrate(sqlite_url) == LATEST
    assert migrate(sqlite_url) == []
    conn = _sqlite(sqlite_url)
    rows = conn.execute("SELECT version, checksum FROM schema_migrations").fetchall()
    assert [r[0] for r in rows] == LATEST
    assert all(len(r[1]) == 64 for r in rows)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    # The ledger's own tables (views add theirs in later migrations).
    assert tables >= {
        "stored_events",
        "stored_event_recorded_at",
        "idempotency_keys",
        "schema_migrations",
    }
    # stored_events keeps its rowid (the library's notification id).
    ddl = conn.execute("SELECT sql FROM sqlite_master WHERE name='stored_events'").fetchone()
    assert "WITHOUT ROWID" not in ddl[0].upper()


def test_sqlite_changed_checksum_is_refused(sqlite_url: str) -> None:
    migrate(sqlite_url)
    conn = _sqlite(sqlite_url)
    conn.execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = ?", (LATEST[0],))
    with pytest.raises(MigrationError, match="changed after it was applied"):
        migrate(sqlite_url)


def test_sqlite_stored_events_are_append_only(sqlite_url: str) -> None:
    migrate(sqlite_url)
    conn = _sqlite(sqlite_url)
    case_id = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO stored_events (originator_id, originator_version, topic, state)"
        " VALUES (?, 1, 'topic', x'01')",
        (case_id,),
    )
    select = (
        "SELECT e.rowid, e.*, t.recorded_at FROM stored_events e"
        " JOIN stored_event_recorded_at t ON t.notification_id = e.rowid"
    )
    before = conn.execute(select).fetchall()
    assert len(before) == 1
    assert before[0][0] == 1
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", before[0][5])
    for statement in (
        "UPDATE stored_events SET topic = 'forged'",
        "DELETE FROM stored_events",
        "DELETE FROM stored_events WHERE originator_id = '" + case_id + "'",
        "INSERT OR REPLACE INTO stored_events (originator_id, originator_version, topic, state)"
        " VALUES ('" + case_id + "', 1, 'forged', x'02')",
    ):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(statement)
    for statement in (
        "UPDATE stored_event_recorded_at SET recorded_at = '2000-01-01T00:00:00.000Z'",
        "DELETE FROM stored_event_recorded_at",
    ):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(statement)
    assert conn.execute(select).fetchall() == before


def test_sqlite_idempotency_keys_are_append_only(sqlite_url: str) -> None:
    migrate(sqlite_url)
    conn = _sqlite(sqlite_url)
    conn.execute(
        "INSERT INTO idempotency_keys (scope, key, request_hash, case_id, version, response)"
        " VALUES ('user-1', 'k1', 'h', ?, 3, x'7b7d')",
        (str(uuid.uuid4()),),
    )
    before = conn.execute("SELECT * FROM idempotency_keys").fetchall()
    assert len(before) == 1
    for statement in (
        "UPDATE idempotency_keys SET response = x'00'",
        "DELETE FROM idempotency_keys",
        "INSERT OR REPLACE INTO idempotency_keys (scope, key, request_hash, response)"
        " VALUES ('user-1', 'k1', 'h2', x'00')",
    ):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(statement)
    assert conn.execute("SELECT * FROM idempotency_keys").fetchall() == before


def test_sqlite_library_recorder_works_on_migrated_table(sqlite_url: str) -> None:
    migrate(sqlite_url)
    datastore = SQLiteDatastore(db_name=sqlite_url.removeprefix("sqlite:///"))
    recorder = SQLiteApplicationRecorder(datastore)  # no create_table(): CREATE_TABLE=n
    case_id = uuid.uuid4()
    events = [StoredEvent(case_id, v, "t", b"{}") for v in (1, 2)]
    assert list(recorder.insert_events(events) or []) == [1, 2]
    with pytest.raises(LibraryIntegrityError):
        recorder.insert_events([StoredEvent(case_id, 2, "t", b"{}")])
    notes = recorder.select_notifications(1, 10)
    assert [(n.id, n.originator_version) for n in notes] == [(1, 1), (2, 2)]
    assert [e.originator_version for e in recorder.select_events(case_id)] == [1, 2]
    times = _sqlite(sqlite_url).execute(
        "SELECT notification_id, recorded_at FROM stored_event_recorded_at ORDER BY 1"
    )
    rows = times.fetchall()
    assert [r[0] for r in rows] == [1, 2]
    assert rows[0][1] <= rows[1][1]


# --- PostgreSQL -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    require_postgres()
    url = create_database("xinfang_test_migrations")
    try:
        yield url
    finally:
        drop_database(url)


def _schema_for(test_name: str) -> str:
    cleaned = re.sub(r"[^a-z0-9_]+", "_", test_name.lower())
    return f"t_{cleaned[:40]}_{uuid.uuid4().hex[:8]}"


@pytest.fixture
def pg_schema(request: pytest.FixtureRequest, pg_url: str) -> str:
    """A fresh, migrated schema for one test."""
    schema = _schema_for(request.node.name.removeprefix("test_").lower())
    assert migrate(pg_url, schema=schema) == LATEST
    return schema


def _fetch(url: str, query: sql.Composable | str, params: Any = None) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(query, params).fetchall()  # type: ignore[arg-type]


def test_postgres_migrate_applies_once_in_default_schema(pg_url: str) -> None:
    assert migrate(pg_url) == LATEST
    assert migrate(pg_url) == []
    assert migrate(pg_url, schema="public") == []
    rows = _fetch(pg_url, "SELECT version, length(checksum) FROM public.schema_migrations")
    assert rows == [(v, 64) for v in LATEST]
    tables = {r[0] for r in _fetch(pg_url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert tables >= {"xinfang_events", "idempotency_keys", "schema_migrations"}


def test_postgres_non_default_schema_holds_every_object(pg_url: str) -> None:
    schema = _schema_for("other")
    assert migrate(pg_url, schema=schema) == LATEST
    assert migrate(pg_url, schema=schema) == []
    tables = {
        r[0] for r in _fetch(pg_url, "SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,))
    }
    assert tables >= {"xinfang_events", "idempotency_keys", "schema_migrations"}
    types = _fetch(
        pg_url,
        "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
        " WHERE n.nspname = %s AND t.typname = 'stored_event_uuid'",
        (schema,),
    )
    assert types == [("stored_event_uuid",)]
    index = _fetch(
        pg_url,
        "SELECT indexname FROM pg_indexes WHERE schemaname = %s AND tablename = 'xinfang_events' ORDER BY 1",
        (schema,),
    )
    assert index == [("xinfang_events_notification_id_idx",), ("xinfang_events_pkey",)]


def test_postgres_schema_name_is_validated(pg_url: str) -> None:
    for bad in ('x"; drop table y; --', "Upper", "1abc", "a" * 64, ""):
        with pytest.raises(ValueError, match="schema"):
            migrate(pg_url, schema=bad or "-")


def test_postgres_changed_checksum_is_refused(pg_url: str, pg_schema: str) -> None:
    with psycopg.connect(pg_url) as conn:
        conn.execute(
            sql.SQL("UPDATE {}.schema_migrations SET checksum = 'edited' WHERE version = %s").format(
                sql.Identifier(pg_schema)
            ),
            (LATEST[0],),
        )
    with pytest.raises(MigrationError, match="changed after it was applied"):
        migrate(pg_url, schema=pg_schema)


def _describe_events_table(url: str, schema: str) -> dict[str, Any]:
    table = f"{schema}.xinfang_events"
    return {
        "columns": _fetch(
            url,
            "SELECT column_name, data_type, is_nullable,"
            " replace(coalesce(column_default, ''), %s, 'S.')"
            " FROM information_schema.columns WHERE table_schema = %s"
            " AND table_name = 'xinfang_events' ORDER BY ordinal_position",
            (schema + ".", schema),
        ),
        "indexes": _fetch(
            url,
            "SELECT indexname, replace(indexdef, %s, 'S.') FROM pg_indexes"
            " WHERE schemaname = %s AND tablename = 'xinfang_events' ORDER BY 1",
            (schema + ".", schema),
        ),
        "options": _fetch(url, "SELECT reloptions FROM pg_class WHERE oid = %s::regclass", (table,)),
        "type": _fetch(
            url,
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute"
            " WHERE attrelid = %s::regclass AND attnum > 0 ORDER BY attnum",
            (f"{schema}.stored_event_uuid",),
        ),
    }


def test_postgres_events_table_matches_the_library(pg_url: str, pg_schema: str) -> None:
    library_schema = _schema_for("library")
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(library_schema)))
    info = psycopg.conninfo.conninfo_to_dict(pg_url)
    datastore = PostgresDatastore(
        dbname=str(info["dbname"]),
        host=str(info.get("host", "127.0.0.1")),
        port=str(info.get("port", "5432")),
        user=str(info.get("user", "postgres")),
        password=str(info.get("password", "")),
        schema=library_schema,
    )
    try:
        PostgresApplicationRecorder(datastore, events_table_name="xinfang_events").create_table()
    finally:
        datastore.close()
    ours = _describe_events_table(pg_url, pg_schema)
    theirs = _describe_events_table(pg_url, library_schema)
    recorded_at = ("recorded_at", "timestamp with time zone", "NO", "clock_timestamp()")
    assert ours["columns"] == [*theirs["columns"], recorded_at]
    assert ours["indexes"] == theirs["indexes"]
    assert ours["options"] == theirs["options"]
    assert ours["type"] == theirs["type"]


def _pg_datastore(url: str, schema: str) -> PostgresDatastore:
    info = psycopg.conninfo.conninfo_to_dict(url)
    return PostgresDatastore(
        dbname=str(info["dbname"]),
        host=str(info.get("host", "127.0.0.1")),
        port=str(info.get("port", "5432")),
        user=str(info.get("user", "postgres")),
        password=str(info.get("password", "")),
        schema=schema,
    )


def test_postgres_library_recorder_works_without_create_table(pg_url: str, pg_schema: str) -> None:
    datastore = _pg_datastore(pg_url, pg_schema)
    try:
        recorder = PostgresApplicationRecorder(datastore, events_table_name="xinfang_events")
        case_id = uuid.uuid4()
        events = [StoredEvent(case_id, v, "t", b"{}") for v in (1, 2)]
        assert list(recorder.insert_events(events) or []) == [1, 2]
        with pytest.raises(LibraryIntegrityError):
            recorder.insert_events([StoredEvent(case_id, 2, "t", b"{}")])
        notes = recorder.select_notifications(1, 10)
        assert [(n.id, n.originator_version) for n in notes] == [(1, 1), (2, 2)]
    finally:
        datastore.close()
    rows = _fetch(
        pg_url,
        sql.SQL("SELECT recorded_at FROM {}.xinfang_events ORDER BY notification_id").format(
            sql.Identifier(pg_schema)
        ),
    )
    assert len(rows) == 2
    assert rows[0][0] <= rows[1][0]


@pytest.mark.parametrize(
    ("table", "insert", "statements"),
    [
        (
            "xinfang_events",
            "INSERT INTO {t} (originator_id, originator_version, topic, state)"
            " VALUES (gen_random_uuid(), 1, 'topic', '\\x01')",
            ["UPDATE {t} SET topic = 'forged'", "DELETE FROM {t}", "TRUNCATE {t}"],
        ),
        (
            "idempotency_keys",
            "INSERT INTO {t} (scope, key, request_hash, case_id, version, response)"
            " VALUES ('user-1', 'k1', 'h', gen_random_uuid(), 3, '\\x7b7d')",
            ["UPDATE {t} SET response = '\\x00'", "DELETE FROM {t}", "TRUNCATE {t}"],
        ),
    ],
)
def test_postgres_tables_are_append_only(
    pg_url: str, pg_schema: str, table: str, insert: str, statements: list[str]
) -> None:
    target = sql.Identifier(pg_schema, table)
    select = sql.SQL("SELECT * FROM {t}").format(t=target)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(sql.SQL(insert).format(t=target))
        before = conn.execute(select).fetchall()
        assert len(before) == 1
        for statement in statements:
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                conn.execute(sql.SQL(statement).format(t=target))
        assert conn.execute(select).fetchall() == before


def test_postgres_app_role_may_only_read_and_append(pg_url: str, pg_schema: str) -> None:
    for table in ("xinfang_events", "idempotency_keys"):
        qualified = f"{pg_schema}.{table}"
        privileges = {
            p: _fetch(pg_url, "SELECT has_table_privilege('xinfang_app', %s, %s)", (qualified, p))[0][0]
            for p in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")
        }
        assert privileges == {
            "SELECT": True,
            "INSERT": True,
            "UPDATE": False,
            "DELETE": False,
            # Held only so the library may LOCK TABLE; the trigger refuses any real TRUNCATE.
            "TRUNCATE": True,
        }
    sequence = f"{pg_schema}.xinfang_events_notification_id_seq"
    assert _fetch(pg_url, "SELECT has_sequence_privilege('xinfang_app', %s, 'USAGE')", (sequence,))[0][0]
    assert _fetch(pg_url, "SELECT has_schema_privilege('xinfang_app', %s, 'USAGE')", (pg_schema,))[0][0]
    assert _fetch(pg_url, "SELECT rolcanlogin FROM pg_roles WHERE rolname = 'xinfang_app'") == [(False,)]


def test_postgres_app_role_can_take_the_library_write_lock_but_not_truncate(
    pg_url: str, pg_schema: str
) -> None:
    table = sql.Identifier(pg_schema, "xinfang_events")
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("SET ROLE xinfang_app")
        with conn.transaction():
            conn.execute(sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(table))
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            conn.execute(sql.SQL("TRUNCATE {}").format(table))


def test_postgres_concurrent_migrations_apply_once(pg_url: str) -> None:
    schema = _schema_for("concurrent")
    start = threading.Barrier(4)
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def run() -> None:
        start.wait()
        try:
            results.append(migrate(pg_url, schema=schema))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(results) == [[], [], [], LATEST]
    rows = _fetch(pg_url, sql.SQL("SELECT version FROM {}.schema_migrations").format(sql.Identifier(schema)))
    assert rows == [(v,) for v in LATEST]
