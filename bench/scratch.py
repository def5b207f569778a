"""Scratch stores for a benchmark run: a fresh PostgreSQL database (dropped afterwards)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


def admin_url(url: str | None = None) -> str:
    return url or os.environ.get("XINFANG_BENCH_POSTGRES_URL") or DEFAULT_POSTGRES


@contextmanager
def scratch_database(
    url: str | None = None, prefix: str = "xinfang_bench", template: str | None = None
) -> Iterator[str]:
    """A new database on the server of `url`, empty or a copy of the database `template`; yields
    its URL, drops it at the end."""
    admin = admin_url(url)
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template is not None:
        create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(create)
    parts = urlsplit(admin)
    try:
        yield urlunsplit((parts.scheme, parts.netloc, "/" + name, "", ""))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
