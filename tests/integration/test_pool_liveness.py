"""Pooled connections are checked on the socket, not by a ping (domain/pool_liveness.py).

A connection the server has ended is never handed to a caller, even to a read that has no retry
of its own; a healthy one is handed out again and again, never reopened."""

from __future__ import annotations

import time
from typing import Any

import psycopg
import pytest

from domain.application import LedgerApplication
from domain.context import command_context
from tests.integrity.support import REGISTRAR, populate

pytestmark = pytest.mark.postgres


def _pool(ledger: LedgerApplication) -> Any:
    return ledger.recorder.datastore.pool  # type: ignore[attr-defined]


def _backend_pids(ledger: LedgerApplication) -> set[int]:
    """The backends of every connection the pool holds now (each checked out once, then back)."""
    pool = _pool(ledger)
    pool.wait()
    held = [pool.getconn() for _ in range(pool.get_stats()["pool_size"])]
    try:
        return {conn.info.backend_pid for conn in held}
    finally:
        for conn in held:
            pool.putconn(conn)


def _terminate(ledger: LedgerApplication, pids: set[int]) -> None:
    with psycopg.connect(ledger.store.conninfo(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", (list(pids),))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            row = admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s::int[])", (list(pids),)
            ).fetchone()
            if row is not None and row[0] == 0:
                return
            time.sleep(0.05)
    pytest.fail("the backends did not end")


def test_connections_the_server_ended_are_never_handed_out(postgres_ledger: LedgerApplication) -> None:
    ledger = postgres_ledger
    [case_id] = populate(ledger, cases=1)
    before = _backend_pids(ledger)
    # Two of them, as an idle timeout or an operator ends some: psycopg_pool waits a second, then
    # two, between connections that fail their check, whichever check it is (its own ping too),
    # so a pool whose every connection died takes longer than the 3 s we allow a checkout.
    ended = set(sorted(before)[:2])
    _terminate(ledger, ended)
    for _ in range(len(before) + 2):  # every dead connection comes up once; `_rows` has no retry
        assert [r.version for r in ledger.reads.aggregate_rows(case_id)] == [1, 2, 3, 4]
    with command_context(actor=REGISTRAR):
        result = ledger.execute(case_id, "notes", {"text": "after the restart"})
    assert result.version == 5
    assert not (_backend_pids(ledger) & ended)


def test_a_healthy_connection_is_handed_out_again(postgres_ledger: LedgerApplication) -> None:
    ledger = postgres_ledger
    [case_id] = populate(ledger, cases=1)
    before = _backend_pids(ledger)
    for n in range(30):
        ledger.reads.aggregate_rows(case_id)
        with command_context(actor=REGISTRAR):
            ledger.execute(case_id, "notes", {"text": f"note {n}"})
    assert _backend_pids(ledger) == before  # no connection was judged dead and reopened


def test_without_the_check_the_pool_hands_out_a_dead_connection(postgres_ledger: LedgerApplication) -> None:
    """What the check is for: the library's pool, left without one, fails the next read."""
    ledger = postgres_ledger
    [case_id] = populate(ledger, cases=1)
    _pool(ledger)._check = None
    _terminate(ledger, _backend_pids(ledger))
    with pytest.raises(Exception):  # noqa: B017 - the driver's error, wrapped or not
        ledger.reads.aggregate_rows(case_id)
