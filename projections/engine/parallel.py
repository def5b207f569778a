"""Views fed by several processes at once, one group of views each (PostgreSQL).

One Python process keeps one core busy, and a view runner feeding every view spends a fresh
deployment's catch-up (or a rebuild from position 0) on one core while the others idle. Views
are independent of each other — each reads the ledger and writes only its own tables, and its
position row and advisory lock (runner.py) let one process at a time apply its batches — so on
a machine of N cores N runners can each take a group of views of about equal work. Each
process fetches and decodes the ledger for its own group: that costs a tenth of a rebuild, and
sharing decoded events between processes would cost more than decoding them again.

SQLite takes one writer at a time, so there the callers keep one runner.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import resource
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from typing import Any

from domain.application import LedgerApplication
from domain.store import StoreConfig
from projections.engine.database import ViewDatabase
from projections.engine.runner import StopSignal, ViewRunner
from projections.registry import VIEW_CLASSES, classes_named, instantiate

log = logging.getLogger("xinfang.views")

# How much of a rebuild each view takes, in parts (statement timing and pyinstrument over a
# rebuild at 100,000 cases, bench/RESULTS.md): the case status view, with its history on two
# timelines and the caseload rollup, is about as much work as the others together. (The
# reference-data view reads only the few reference events: a part is an upper bound.)
WORK_PARTS = {
    "case_status": 6, "figures": 3, "satisfaction": 1, "accountability": 1, "reference": 1, "recommendations": 1,
}  # fmt: skip
# A group's runner that exits on its own is started again after this long (a crash, a lost
# store); the runner itself retries store trouble (runner.run_forever).
RESTART_SECONDS = 2.0


def view_groups(names: Sequence[str], jobs: int) -> list[list[str]]:
    """`names` in at most `jobs` groups of about equal work, each in the order given.

    The heaviest view goes first into the lightest group (longest processing time first);
    ties keep the given order, so the same views and jobs always give the same groups.
    """
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    count = max(1, min(jobs, len(names)))
    members: list[list[str]] = [[] for _ in range(count)]
    loads = [0] * count
    for name in sorted(names, key=lambda n: -WORK_PARTS.get(n, 1)):
        lightest = loads.index(min(loads))
        members[lightest].append(name)
        loads[lightest] += WORK_PARTS.get(name, 1)
    order = {name: i for i, name in enumerate(names)}
    return [sorted(group, key=order.__getitem__) for group in members if group]


def _runner(ledger: LedgerApplication, store: StoreConfig, names: Sequence[str]) -> ViewRunner:
    return ViewRunner(ledger, ViewDatabase(store), instantiate(ledger, classes_named(names)))


@dataclass(frozen=True)
class GroupResult:
    """What one group's process reached: each view's position, and the process's peak RSS."""

    views: tuple[str, ...]
    positions: dict[str, int]
    peak_rss_mb: float


class GroupFailed(Exception):
    """A group's process failed (not a poison event: that stops its view and is recorded there)."""


def _catch_up_group(store: StoreConfig, names: list[str], until: int | None, results: Any) -> None:
    """A child process: catch the group's views up; put a GroupResult, or the error, on `results`."""
    try:
        ledger = LedgerApplication(store)
        try:
            runner = _runner(ledger, store, names)
            try:
                positions = runner.catch_up(until)
            finally:
                runner.close()
        finally:
            ledger.close()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes
        results.put(GroupResult(tuple(names), positions, peak))
    except BaseException as exc:
        results.put((tuple(names), f"{type(exc).__name__}: {exc}"))
        raise


# spawn, not fork: a child inherits no connection, lock or thread of the parent.
_CONTEXT = multiprocessing.get_context("spawn")


def _spawn(target: Callable[..., None], group: Sequence[str], *args: Any) -> BaseProcess:
    process = _CONTEXT.Process(target=target, args=args, name=f"views:{','.join(group)}")
    process.start()
    return process


def groups_of_registered(store: StoreConfig, jobs: int) -> list[list[str]]:
    """The registered views in the groups `jobs` processes take (SQLite: one process only)."""
    if store.kind != "postgres" and jobs > 1:
        raise ValueError("SQLite takes one writer at a time: its views are fed by one process")
    return view_groups([cls.name for cls in VIEW_CLASSES], jobs)


def catch_up_in_processes(store: StoreConfig, jobs: int, until: int | None = None) -> list[GroupResult]:
    """Catch every registered view up to the ledger's end (or `until`), `jobs` processes at once."""
    groups = groups_of_registered(store, jobs)
    results = _CONTEXT.Queue()
    processes = [_spawn(_catch_up_group, group, store, group, until, results) for group in groups]
    done: list[GroupResult] = []
    failures: dict[tuple[str, ...], str] = {}
    # Read before joining (a child with a result still in its pipe cannot exit), and notice a
    # child that died without a word (killed, out of memory) instead of waiting for it forever.
    while len(done) + len(failures) < len(processes):
        try:
            outcome = results.get(timeout=1.0)
        except queue.Empty:
            if all(p.exitcode is not None for p in processes) and results.empty():
                reported = {r.views for r in done} | set(failures)
                for group, process in zip(groups, processes, strict=True):
                    if tuple(group) not in reported:
                        failures[tuple(group)] = f"exited with {process.exitcode} and no result"
            continue
        if isinstance(outcome, GroupResult):
            done.append(outcome)
        else:
            failures[outcome[0]] = outcome[1]
    for process in processes:
        process.join()
    if failures:
        raise GroupFailed("; ".join(f"views {','.join(names)}: {error}" for names, error in failures.items()))
    return done


def _run_group(store: StoreConfig, names: list[str], stop: StopSignal) -> None:
    """A child process: keep the group's views up to date until the parent sets `stop`."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(processName)s: %(message)s")
    # Ctrl-C reaches the whole process group: the parent alone decides when its children stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    ledger = LedgerApplication(store)
    try:
        _runner(ledger, store, names).run_forever(stop)
    finally:
        ledger.close()


def run_in_processes(store: StoreConfig, jobs: int, stop: StopSignal) -> None:
    """Keep every registered view up to date with `jobs` runner processes until `stop` is set;
    a process that exits on its own is started again."""
    groups = groups_of_registered(store, jobs)
    shared_stop = _CONTEXT.Event()
    running = [_spawn(_run_group, group, store, group, shared_stop) for group in groups]
    try:
        while not stop.wait(RESTART_SECONDS):
            for index, process in enumerate(running):
                if not process.is_alive():
                    log.error(
                        "%s: runner process exited with %s; starting it again", process.name, process.exitcode
                    )
                    running[index] = _spawn(_run_group, groups[index], store, groups[index], shared_stop)
    finally:
        shared_stop.set()
        for process in running:
            process.join(timeout=30)
            if process.is_alive():
                process.terminate()
                process.join()


__all__ = [
    "GroupFailed", "GroupResult", "catch_up_in_processes", "groups_of_registered", "run_in_processes", "view_groups",
]  # fmt: skip
