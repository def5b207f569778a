"""A pooled PostgreSQL connection is checked before use without a round trip to the server.

The library's pre-ping (`POSTGRES_PRE_PING`) sends an empty query on every checkout, and a
command checks a connection out three or four times (its user's version, the case's newer
events, the group's transaction): under the note load of issue 23 that was a round trip, a
server wake-up and a GIL hand-off each time, for nothing on a healthy connection.

What the ping was for — a connection the server has ended (a restart, pg_terminate_backend,
an idle timeout) must not be handed to a request — is seen on the socket instead: an idle
connection has nothing to read unless the server has closed it or sent its dying FATAL
message. Such a connection is closed here, so the pool discards it and hands out another. A
connection lost without a word (a network partition) is found by its first statement, as it
would have been by the ping; the recorders' retries and the group commit's retry handle that.
"""

from __future__ import annotations

import select
from typing import Any

import psycopg


def closed_by_server(conn: psycopg.Connection[Any]) -> bool:
    """Whether an idle connection is closed, broken, or has anything waiting to be read."""
    if conn.closed or conn.broken:
        return True
    try:
        readable, _, _ = select.select([conn.fileno()], [], [], 0)
    except (OSError, ValueError, psycopg.Error):
        return True
    return bool(readable)


def check_without_round_trip(conn: psycopg.Connection[Any]) -> None:
    """A psycopg_pool `check`: raise (after closing it, so the pool drops it) for a dead connection."""
    if closed_by_server(conn):
        conn.close()
        raise psycopg.OperationalError("the server closed this pooled connection")


def install(recorder: Any) -> None:
    """Use the check on the recorder's pool (PostgreSQL recorders only; others have no pool).

    The library builds its pool with either the ping or no check at all, so the check is set on
    the pool it built (psycopg_pool keeps the `check` argument as `_check` and calls it on every
    checkout)."""
    pool = getattr(getattr(recorder, "datastore", None), "pool", None)
    if pool is not None and hasattr(pool, "_check"):
        pool._check = check_without_round_trip
