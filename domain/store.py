"""From a database URL (the operating contract's XINFANG_DATABASE_URL) to eventsourcing's settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from eventsourcing.utils import get_topic

from domain.group_commit import GroupCommitLedgerRecorder
from domain.persistence import SQLiteLedgerRecorder

APPLICATION_NAME = "xinfang"
EVENTS_TABLE_POSTGRES = "xinfang_events"
EVENTS_TABLE_SQLITE = "stored_events"


@dataclass(frozen=True)
class StoreConfig:
    url: str
    kind: str  # "sqlite" | "postgres"
    schema: str = "public"
    sqlite_path: str = ""
    pg_host: str = ""
    pg_port: str = "5432"
    pg_user: str = ""
    pg_password: str = ""
    pg_dbname: str = ""

    @property
    def events_table(self) -> str:
        return EVENTS_TABLE_SQLITE if self.kind == "sqlite" else EVENTS_TABLE_POSTGRES

    @property
    def plain_url(self) -> str:
        """The URL without our own query options (libpq refuses unknown ones such as schema)."""
        return self.url.split("?", 1)[0]

    @property
    def migration_schema(self) -> str | None:
        return self.schema if self.kind == "postgres" else None

    def conninfo(self) -> str:
        """A libpq connection string for direct (non-library) PostgreSQL access."""
        parts = {
            "host": self.pg_host, "port": self.pg_port, "user": self.pg_user,
            "password": self.pg_password, "dbname": self.pg_dbname,
        }  # fmt: skip
        return " ".join(f"{k}='{v}'" for k, v in parts.items() if v)

    def eventsourcing_env(self) -> dict[str, str]:
        if self.kind == "sqlite":
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": self.sqlite_path,
                "SQLITE_LOCK_TIMEOUT": "30",
                "APPLICATION_RECORDER_TOPIC": get_topic(SQLiteLedgerRecorder),
                "CREATE_TABLE": "n",
            }
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": self.pg_dbname,
            "POSTGRES_HOST": self.pg_host,
            "POSTGRES_PORT": self.pg_port,
            "POSTGRES_USER": self.pg_user,
            "POSTGRES_PASSWORD": self.pg_password,
            "POSTGRES_SCHEMA": self.schema,
            "POSTGRES_POOL_SIZE": "10",
            "POSTGRES_MAX_OVERFLOW": "10",
            # Also the pool's wait for a free connection: short, so an outage is a prompt 503.
            "POSTGRES_CONNECT_TIMEOUT": "3",
            "POSTGRES_LOCK_TIMEOUT": "10",
            # No ping on checkout: LedgerApplication checks the socket instead (domain/pool_liveness.py).
            "POSTGRES_PRE_PING": "n",
            "APPLICATION_RECORDER_TOPIC": get_topic(GroupCommitLedgerRecorder),
            "CREATE_TABLE": "n",
        }


def parse_database_url(url: str, *, schema: str | None = None) -> StoreConfig:
    """`sqlite:///path.db` or `postgresql://user:pw@host:port/db[?schema=name]`."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        raw = unquote(url[len("sqlite:///") :]) if url.startswith("sqlite:///") else ""
        if not raw:
            raise ValueError(f"not a SQLite URL with a path: {url!r}")
        return StoreConfig(url=url, kind="sqlite", sqlite_path=str(Path(raw)))
    if parsed.scheme in ("postgresql", "postgres"):
        query = parse_qs(parsed.query)
        return StoreConfig(
            url=url,
            kind="postgres",
            schema=schema or query.get("schema", ["public"])[0],
            pg_host=parsed.hostname or "127.0.0.1",
            pg_port=str(parsed.port or 5432),
            pg_user=unquote(parsed.username or "postgres"),
            pg_password=unquote(parsed.password or ""),
            pg_dbname=(parsed.path or "/").lstrip("/") or "postgres",
        )
    raise ValueError(f"unsupported database URL scheme {parsed.scheme!r} (use sqlite:/// or postgresql://)")
