"""Pooled connections for view reads on PostgreSQL.

A view query used to open a new PostgreSQL connection per request (TCP, authentication,
`SET search_path`): several milliseconds each, and under 16 concurrent readers the
connection set-up dominated the cheap queries. Reads now borrow a connection from a
psycopg_pool pool; writes (the view runner's batches) keep their own connections.

A pooled connection may be dead after a PostgreSQL restart: the pool checks each one as it
is handed out (`check_connection`, one round trip) and replaces a dead one, so the first
read after a restart succeeds. While the server is down the wait for a connection ends in
`PoolTimeout` (a `psycopg.OperationalError`: the API answers 503 store_unavailable).

SQLite keeps a connection per request: opening a file is cheap.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

from domain.store import StoreConfig
from projections.engine.database import Tx, ViewDatabase

# Enough for the server's worker threads to read at once without queueing for a connection;
# idle connections beyond none are closed after IDLE_SECONDS, so an idle service holds few.
MAX_CONNECTIONS = 16
IDLE_SECONDS = 60.0
# How long a read waits for a connection before answering 503 (the server being down).
WAIT_SECONDS = 5.0


class PooledViewDatabase(ViewDatabase):
    """A ViewDatabase whose read-only transactions use pooled connections (PostgreSQL)."""

    def __init__(self, store: StoreConfig, *, max_size: int = MAX_CONNECTIONS) -> None:
        super().__init__(store)
        self._max_size = max_size
        self._pool: ConnectionPool[psycopg.Connection[Any]] | None = None
        self._lock = threading.Lock()

    def _get_pool(self) -> ConnectionPool[psycopg.Connection[Any]]:
        with self._lock:
            if self._pool is None:  # opened on first use: apps that never read views hold no connections
                self._pool = ConnectionPool(
                    self.store.conninfo(),
                    min_size=0,
                    max_size=self._max_size,
                    max_idle=IDLE_SECONDS,
                    timeout=WAIT_SECONDS,
                    check=ConnectionPool.check_connection,
                    configure=self.use_schema,
                    kwargs={"autocommit": False},
                    name="view-reads",
                    open=True,
                )
            return self._pool

    @contextmanager
    def transaction(self, conn: Any | None = None, *, write: bool = True) -> Iterator[Tx]:
        if conn is not None or write or not self.postgres:
            with super().transaction(conn, write=write) as tx:
                yield tx
            return
        with self._get_pool().connection() as pg, pg.transaction(), pg.cursor() as cursor:
            yield Tx(cursor, postgres=True)

    def close(self) -> None:
        """Close the pooled connections (a later read opens a new pool: an app may be restarted)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()
