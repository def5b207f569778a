"""PostgreSQL helpers for test fixtures: the admin URL, throwaway databases, and the rule that
a PostgreSQL test never skips silently in CI."""

from __future__ import annotations

import os
import secrets
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"

__all__ = [
    "DEFAULT_ADMIN_URL",
    "admin_url",
    "create_database",
    "drop_database",
    "postgres_reachable",
    "require_postgres",
]


def admin_url() -> str:
    """The URL of a database on the test server as a role that may create databases."""
    return os.environ.get("XINFANG_TEST_POSTGRES_URL") or DEFAULT_ADMIN_URL


def _with_database(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, parts.fragment))


def _database_name(url: str) -> str:
    name = urlsplit(url).path.lstrip("/")
    if not name:
        msg = f"no database name in {url!r}"
        raise ValueError(msg)
    return name


def postgres_reachable(url: str | None = None, timeout: int = 3) -> str | None:
    """None if ``url`` (default: admin_url()) accepts a connection, else the error text."""
    try:
        with psycopg.connect(url or admin_url(), connect_timeout=timeout) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return str(exc).strip() or type(exc).__name__
    return None


def require_postgres() -> str:
    """admin_url() if the server answers; otherwise fail (in CI) or skip (locally)."""
    url = admin_url()
    error = postgres_reachable(url)
    if error is None:
        return url
    message = f"PostgreSQL is not reachable at {url}: {error}"
    if os.environ.get("CI") == "true" or os.environ.get("XINFANG_REQUIRE_POSTGRES") == "1":
        pytest.fail(
            f"{message}. PostgreSQL tests must run here (CI=true or XINFANG_REQUIRE_POSTGRES=1); "
            "`./dev test` finds or starts a server and sets XINFANG_TEST_POSTGRES_URL.",
            pytrace=False,
        )
    pytest.skip(f"{message}. Run the tests with `./dev test`, which provides one.")


def create_database(prefix: str = "xinfang_test") -> str:
    """Create a uniquely named, empty database and return its URL."""
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return _with_database(admin_url(), name)


def drop_database(url: str) -> None:
    """Drop the database of ``url`` (after ending its sessions); no error if it is gone."""
    name = _database_name(url)
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
