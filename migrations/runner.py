"""Apply the numbered SQL files in ``migrations/postgres`` or ``migrations/sqlite`` in order.

Each applied file is recorded in ``schema_migrations`` with the SHA-256 of its text, so running
again applies nothing, and a file edited after it was applied is refused (write a new file
instead). On PostgreSQL the run holds an advisory lock, so concurrent migrators are safe; on
SQLite the run holds the database's write lock (``BEGIN IMMEDIATE``).

PostgreSQL files may use ``{schema}``: it is replaced by the quoted schema identifier.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from dataclasses import dataclass
from importlib import resources
from urllib.parse import unquote, urlsplit

import psycopg
from psycopg import sql

__all__ = ["Migration", "MigrationError", "load_migrations", "migrate"]

SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
FILE_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
# pg_advisory_lock(int4, int4): a fixed class id ("xinf") and the schema name's hash.
ADVISORY_LOCK_CLASS = 0x78696E66


class MigrationError(RuntimeError):
    """A migration cannot be applied safely."""


@dataclass(frozen=True)
class Migration:
    version: str  # the file name without ".sql", e.g. "0001_ledger"
    sql: str
    checksum: str


def load_migrations(dialect: str) -> list[Migration]:
    """The migration files shipped for ``dialect`` ("postgres" or "sqlite"), in order."""
    if dialect not in ("postgres", "sqlite"):
        msg = f"unknown migration dialect: {dialect!r}"
        raise ValueError(msg)
    folder = resources.files("migrations").joinpath(dialect)
    found: list[Migration] = []
    numbers: set[str] = set()
    for entry in folder.iterdir():
        if not entry.name.endswith(".sql"):
            continue
        match = FILE_NAME.match(entry.name)
        if match is None:
            msg = f"badly named migration file {dialect}/{entry.name} (want NNNN_name.sql)"
            raise MigrationError(msg)
        if match.group(1) in numbers:
            msg = f"two {dialect} migrations are numbered {match.group(1)}"
            raise MigrationError(msg)
        numbers.add(match.group(1))
        data = entry.read_bytes()
        found.append(
            Migration(
                version=entry.name.removesuffix(".sql"),
                sql=data.decode("utf-8"),
                checksum=hashlib.sha256(data).hexdigest(),
            )
        )
    return sorted(found, key=lambda m: m.version)


def migrate(database_url: str, *, schema: str | None = None) -> list[str]:
    """Apply pending migrations to ``database_url``; return the versions applied, in order.

    ``database_url`` is ``sqlite:///path.db`` or ``postgresql://user@host:port/db``.
    ``schema`` (PostgreSQL only, default ``public``) is created if missing and holds every
    object, including ``schema_migrations``.
    """
    scheme = urlsplit(database_url).scheme.lower()
    if scheme == "sqlite":
        if schema is not None:
            msg = "schema is only meaningful for PostgreSQL"
            raise ValueError(msg)
        return _migrate_sqlite(_sqlite_path(database_url))
    if scheme in ("postgresql", "postgres"):
        return _migrate_postgres(database_url, schema or "public")
    msg = f"unsupported database URL scheme: {scheme!r} (want sqlite:// or postgresql://)"
    raise ValueError(msg)


def _pending(migrations: list[Migration], applied: dict[str, str]) -> list[Migration]:
    for migration in migrations:
        recorded = applied.get(migration.version)
        if recorded is not None and recorded != migration.checksum:
            msg = (
                f"migration {migration.version} was changed after it was applied "
                f"(database checksum {recorded}, file {migration.checksum}); "
                "never edit an applied migration, add a new one"
            )
            raise MigrationError(msg)
    return [m for m in migrations if m.version not in applied]


# --- PostgreSQL -------------------------------------------------------------------------------


def _migrate_postgres(database_url: str, schema: str) -> list[str]:
    if not SCHEMA_NAME.match(schema):
        msg = f"invalid schema name {schema!r}: want {SCHEMA_NAME.pattern}"
        raise ValueError(msg)
    migrations = load_migrations("postgres")
    applied_now: list[str] = []
    with psycopg.connect(database_url, autocommit=True) as conn:
        ident = sql.Identifier(schema)
        quoted = ident.as_string(conn)
        conn.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", (ADVISORY_LOCK_CLASS, schema))
        try:
            with conn.transaction():
                conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(ident))
                conn.execute(
                    sql.SQL(
                        "CREATE TABLE IF NOT EXISTS {}.schema_migrations ("
                        " version text PRIMARY KEY,"
                        " checksum text NOT NULL,"
                        " applied_at timestamptz NOT NULL DEFAULT clock_timestamp())"
                    ).format(ident)
                )
            rows = conn.execute(
                sql.SQL("SELECT version, checksum FROM {}.schema_migrations").format(ident)
            ).fetchall()
            applied = {str(version): str(checksum) for version, checksum in rows}
            for migration in _pending(migrations, applied):
                with conn.transaction():
                    # No parameters: psycopg sends the file as one simple query, so it may
                    # hold many statements, and "%" needs no escaping.
                    conn.execute(migration.sql.replace("{schema}", quoted).encode("utf-8"))
                    conn.execute(
                        sql.SQL(
                            "INSERT INTO {}.schema_migrations (version, checksum) VALUES (%s, %s)"
                        ).format(ident),
                        (migration.version, migration.checksum),
                    )
                applied_now.append(migration.version)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))", (ADVISORY_LOCK_CLASS, schema))
    return applied_now


# --- SQLite -----------------------------------------------------------------------------------


def _sqlite_path(database_url: str) -> str:
    prefix = "sqlite:///"
    if not database_url.startswith(prefix) or len(database_url) == len(prefix):
        msg = f"bad SQLite URL {database_url!r}: want sqlite:///relative.db or sqlite:////abs.db"
        raise ValueError(msg)
    return unquote(database_url[len(prefix) :].split("?", 1)[0])


def _split_sqlite_script(script: str) -> list[str]:
    """Split a script into complete statements (trigger bodies hold semicolons)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statement = buffer.strip()
            if _strip_sql_comments(statement):
                statements.append(statement)
            buffer = ""
    if _strip_sql_comments(buffer):
        msg = f"incomplete SQL statement at end of migration: {buffer.strip()[:80]!r}"
        raise MigrationError(msg)
    return statements


def _strip_sql_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.strip().startswith("--")).strip()


def _migrate_sqlite(path: str) -> list[str]:
    migrations = load_migrations("sqlite")
    applied_now: list[str] = []
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        if path != ":memory:" and not path.startswith("file::memory:"):
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()
            if mode is None or str(mode[0]).lower() != "wal":
                msg = f"could not switch {path} to WAL mode (got {mode!r})"
                raise MigrationError(msg)
        conn.execute("BEGIN IMMEDIATE")  # the write lock: one migrator at a time
        try:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version TEXT PRIMARY KEY,"
                " checksum TEXT NOT NULL,"
                " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))"
            )
            rows = conn.execute("SELECT version, checksum FROM schema_migrations").fetchall()
            applied = {str(version): str(checksum) for version, checksum in rows}
            for migration in _pending(migrations, applied):
                for statement in _split_sqlite_script(migration.sql):
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_migrations (version, checksum) VALUES (?, ?)",
                    (migration.version, migration.checksum),
                )
                applied_now.append(migration.version)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.close()
    return applied_now
