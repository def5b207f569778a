"""Two ledger applications (two API processes) writing notes on the same case at once.

The write path of issue 23 (statements composed once, pooled connections checked on the
socket, posts read only when needed) keeps every promise under contention: versions 1..N with
no gap and no duplicate, one hash chain that verifies, and an Idempotency-Key answered with its
first result from either process."""

from __future__ import annotations

import threading
from uuid import UUID

from domain.application import CommandResult, Idempotency, LedgerApplication
from domain.context import command_context
from tests.integrity.support import REGISTRAR, populate, verify

THREADS_PER_PROCESS = 3
NOTES_PER_THREAD = 4


def _write(app: LedgerApplication, case_id: UUID, who: str, results: list[CommandResult]) -> None:
    for n in range(NOTES_PER_THREAD):
        key = Idempotency.for_request("reg", f"{who}-{n}", "POST", f"/cases/{case_id}/notes", {"n": n})
        with command_context(actor=REGISTRAR):
            results.append(app.execute(case_id, "notes", {"text": f"{who} {n}"}, idempotency=key))


def test_two_processes_on_one_case_keep_versions_chain_and_idempotency(ledger: LedgerApplication) -> None:
    [case_id] = populate(ledger, cases=1)
    start = ledger.get_case(case_id).version
    other = LedgerApplication(ledger.store)
    try:
        results: list[CommandResult] = []
        threads = [
            threading.Thread(target=_write, args=(app, case_id, f"p{p}t{t}", results))
            for p, app in enumerate((ledger, other))
            for t in range(THREADS_PER_PROCESS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        total = 2 * THREADS_PER_PROCESS * NOTES_PER_THREAD
        assert sorted(r.version for r in results) == list(range(start + 1, start + total + 1))
        rows = ledger.reads.aggregate_rows(case_id)
        assert [r.version for r in rows] == list(range(1, start + total + 1))
        assert len({r.position for r in rows}) == len(rows)
        report = verify(ledger, {})
        assert report.ok, report.as_dict()

        first = {(r.version, r.position) for r in results}
        again: list[CommandResult] = []
        _write(other, case_id, "p0t0", again)  # the keys of a thread of the first process
        assert all(r.replayed for r in again)
        assert {(r.version, r.position) for r in again} <= first
        assert ledger.get_case(case_id).version == start + total
    finally:
        other.close()
