"""The write path without HTTP: 32 threads running case commands on one LedgerApplication,
with group commit (the default recorder) and with one transaction per command (the
library's own recorder), to show what group commit itself buys."""

from __future__ import annotations

import threading
import time
from uuid import UUID

from eventsourcing.utils import get_topic

from api.bootstrap import open_ledger
from domain.context import command_context
from domain.persistence import PostgresLedgerRecorder
from domain.values import Actor

SUPERVISOR = Actor("sup-1", "supervisor", "county")


def commands_per_second(
    url: str, case_ids: list[str], seconds: float, *, group_commit: bool, threads: int = 32
) -> float:
    env = {} if group_commit else {"APPLICATION_RECORDER_TOPIC": get_topic(PostgresLedgerRecorder)}
    ledger = open_ledger(url, env={**env, "POSTGRES_POOL_SIZE": "20"})
    done = [0] * threads
    start = threading.Barrier(threads)

    def worker(n: int) -> None:
        start.wait()
        stop_at, i = time.monotonic() + seconds, 0
        while time.monotonic() < stop_at:
            case = UUID(case_ids[(n * 7919 + i * 31) % len(case_ids)])
            with command_context(actor=SUPERVISOR):
                ledger.execute(case, "notes", {"text": f"跟进记录 {n}-{i}"})
            i += 1
        done[n] = i

    workers = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    began = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - began
    ledger.close()
    return sum(done) / elapsed


__all__ = ["commands_per_second"]
