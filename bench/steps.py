"""One measured step in a process of its own, so its peak RSS is its own:
`python -m bench.steps decode|rebuild|rebuild-one|verify URL` prints {"seconds", "events", "peak_rss_mb"};
`python -m bench.steps disk URL` prints {"views_bytes", "events_bytes", "tables"} (PostgreSQL).

- decode:  fetch + decode every event of the notification log, no view work (the baseline)
- rebuild: every view from position 0, as a fresh deployment builds them: `xinfang project
  --jobs N`, one runner process per core, each over a group of views (projections/engine/parallel.py);
  its peak RSS is that of all those processes together
- rebuild-one: the same with one runner process over every view (`xinfang project`)
- verify:  re-derive every chain and every signed checkpoint root (a checkpoint is signed first)
- disk:    every registered view's tables on disk (heap, indexes, TOAST) against the events table
"""

from __future__ import annotations

import os
import resource
import sys
import time
from datetime import UTC, datetime
from typing import Any

import orjson

from api.bootstrap import open_ledger
from domain.application import LedgerApplication
from domain.ledger_tree import iter_rows, ledger_head
from projections.engine.runner import MAX_BATCH

BATCH = MAX_BATCH  # the baseline reads the log in the batches a rebuild grows to


def decode_all(ledger: LedgerApplication, head: int) -> int:
    from projections.engine.feed import decode

    count = 0
    for row in iter_rows(ledger.reads, 1, head, BATCH):
        decode(ledger, row)
        count += 1
    return count


# The runner processes of a rebuild: one per core, as the README deploys `xinfang project`.
REBUILD_JOBS = os.cpu_count() or 1


def rebuild_one(ledger: LedgerApplication, head: int) -> int:
    from api.bootstrap import build_runner

    runner = build_runner(ledger)  # its own batch sizes: a catch-up grows them to MAX_BATCH
    try:
        reached = runner.catch_up()
    finally:
        runner.close()
    assert all(p == head for p in reached.values()), reached
    return head


def rebuild_in_processes(ledger: LedgerApplication, head: int) -> tuple[int, float]:
    """(events, the runner processes' peak RSS added up, in MB)."""
    from projections.engine.parallel import catch_up_in_processes

    groups = catch_up_in_processes(ledger.store, REBUILD_JOBS)
    reached = {view: p for group in groups for view, p in group.positions.items()}
    assert reached and all(p == head for p in reached.values()), reached
    return head, sum(group.peak_rss_mb for group in groups)


def sign_checkpoint(ledger: LedgerApplication) -> dict[str, bytes]:
    from nacl.signing import SigningKey

    from domain.checkpoints import key_id
    from domain.ledger_tree import make_checkpoint

    key = SigningKey.generate()
    make_checkpoint(ledger.recorder, ledger.reads, key, datetime.now(UTC))
    public = bytes(key.verify_key)
    return {key_id(public): public}


def verify_all(ledger: LedgerApplication, head: int, trusted: dict[str, bytes]) -> int:
    from domain.checkpoint_store import CheckpointStore
    from domain.verify import verify_ledger

    report = verify_ledger(ledger.reads, head, CheckpointStore(ledger.recorder).by_size(), trusted)
    assert report.ok and report.checkpoints_checked >= 1, report.as_dict()
    return report.events_checked


def disk_sizes(ledger: LedgerApplication) -> dict[str, Any]:
    """Bytes on disk of each registered view's tables and of the events table (PostgreSQL's
    pg_total_relation_size: heap, indexes and TOAST, dead rows included as they lie)."""
    from projections.registry import VIEW_CLASSES

    store = ledger.store
    tables = [t for view in VIEW_CLASSES for t in view.tables]
    sizes: dict[str, int] = {}
    recorder: Any = ledger.recorder  # PostgreSQL's: its datastore's cursor
    with recorder.datastore.transaction(commit=False) as c:
        for table in [*tables, store.events_table]:
            c.execute("SELECT pg_total_relation_size(to_regclass(%s)) AS size", (f"{store.schema}.{table}",))
            sizes[table] = int(c.fetchone()["size"] or 0)  # 0: a table this schema lacks
    events = sizes.pop(store.events_table)
    return {"views_bytes": sum(sizes.values()), "events_bytes": events, "tables": sizes}


def run(step: str, url: str) -> dict[str, Any]:
    ledger = open_ledger(url)
    if step == "disk":
        try:
            return disk_sizes(ledger)
        finally:
            ledger.close()
    head = ledger_head(ledger.recorder)
    trusted = sign_checkpoint(ledger) if step == "verify" else {}
    start = time.perf_counter()
    children_mb = 0.0
    if step == "decode":
        events = decode_all(ledger, head)
    elif step == "rebuild":
        events, children_mb = rebuild_in_processes(ledger, head)
    elif step == "rebuild-one":
        events = rebuild_one(ledger, head)
    elif step == "verify":
        events = verify_all(ledger, head, trusted)
    else:
        raise SystemExit(f"unknown step {step!r}")
    seconds = time.perf_counter() - start
    ledger.close()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # Linux: kilobytes
    return {"seconds": seconds, "events": events, "peak_rss_mb": peak_kb / 1024 + children_mb}


if __name__ == "__main__":
    sys.stdout.write(orjson.dumps(run(sys.argv[1], sys.argv[2])).decode() + "\n")
