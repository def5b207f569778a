"""Where a note's milliseconds go, on both services under the same load (issue 23).

    python -m bench.crud_profile [--seconds 10] [--py-spy DIR]

On a fresh scratch database: the county and 200 cases made over HTTP, then the note load on
`xinfang serve --workers 2` and then on the CRUD peer. For each phase it prints

- CPU milliseconds per command in each process group: the API workers, the supervising process
  (views), the PostgreSQL backends of the phase's database, the load generator (this process);
- what the phase's PostgreSQL backends were doing, sampled from pg_stat_activity every 20 ms
  (wait events, and the statements of the active ones);
- with --py-spy, a flame profile (speedscope JSON) of each service process tree.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psutil  # type: ignore[import-untyped]
import psycopg

from bench.crud_compare import CASES, CLIENTS, fresh_county, note_load, peer_service, wait_for_views
from bench.http_load import LoadResult, percentile, run_load, service
from bench.scratch import scratch_database

ADMIN = "bench-admin-token"


def _cpu(processes: list[psutil.Process]) -> float:
    total = 0.0
    for p in processes:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def _service_processes(port: int) -> tuple[list[psutil.Process], list[psutil.Process]]:
    """(the supervising process, its workers) of the service listening on `port`."""
    me = psutil.Process()
    for child in me.children():
        if str(port) in " ".join(child.cmdline()):
            return [child], child.children(recursive=True)
    raise RuntimeError("service process not found")


def _backends(url: str, dbname: str) -> list[psutil.Process]:
    with psycopg.connect(url, autocommit=True) as conn:
        pids = [r[0] for r in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (dbname,))]  # fmt: skip
    return [psutil.Process(p) for p in pids]


@contextmanager
def _sample_activity(url: str, dbname: str) -> Iterator[Counter[str]]:
    """What the database's other backends are doing, every 20 ms, counted."""
    seen: Counter[str] = Counter()
    stop = threading.Event()

    def sample() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            while not stop.is_set():
                for state, wait, query in conn.execute(
                    "SELECT state, coalesce(wait_event_type || ':' || wait_event, 'cpu'), left(query, 90)"
                    " FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (dbname,)):  # fmt: skip
                    if state == "active":
                        seen[f"active {wait} | {' '.join(query.split())}"] += 1
                    else:
                        seen[f"{state}"] += 1
                time.sleep(0.02)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        stop.set()
        thread.join()


def _phase(name: str, base: str, url: str, dbname: str, token: str, ids: list[str], seconds: float,
           py_spy: str | None) -> None:  # fmt: skip
    port = int(base.rsplit(":", 1)[1])
    supervisor, workers = _service_processes(port)
    # warm up: every worker's caches and pool, as a running service has them
    run_load(base, token, CLIENTS, 2, note_load(ids))
    backends = _backends(url, dbname)
    groups: dict[str, Callable[[], float]] = {
        "API workers": lambda: _cpu(workers),
        "supervisor (views)": lambda: _cpu(supervisor),
        "PostgreSQL backends": lambda: _cpu(backends),
        "load generator": lambda: _cpu([psutil.Process()]),
    }
    spies = []
    if py_spy:
        for p in supervisor + workers:
            out = os.path.join(py_spy, f"{name}-{p.pid}.txt")
            spies.append(subprocess.Popen(
                [os.path.join(os.path.dirname(sys.executable), "py-spy"), "record", "--pid", str(p.pid), "--duration", str(int(seconds)), "--rate", "100",
                 "--format", "raw", "--output", out, "--nonblocking"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))  # fmt: skip
    before = {k: f() for k, f in groups.items()}
    wall = time.perf_counter()
    with _sample_activity(url, dbname) as activity:
        result: LoadResult = run_load(base, token, CLIENTS, seconds, note_load(ids))
    wall = time.perf_counter() - wall
    after = {k: f() for k, f in groups.items()}
    for spy in spies:
        spy.wait()
    n = result.count
    values = result.all_latencies()
    print(f"\n== {name}: {n / seconds:.0f} commands/s, p50 {percentile(values, 0.5) * 1000:.1f} ms, "
          f"p99 {percentile(values, 0.99) * 1000:.1f} ms, errors {dict(result.errors)}")  # fmt: skip
    for k in groups:
        print(f"  CPU {k:22s} {(after[k] - before[k]) / n * 1000:6.2f} ms/command"
              f"  ({(after[k] - before[k]) / wall:.2f} cores)")  # fmt: skip
    total = sum(activity.values())
    print("  PostgreSQL backends (share of samples):")
    for what, count in activity.most_common(14):
        print(f"    {count / total:6.1%}  {what}")


def main(seconds: float, py_spy: str | None, cases: int) -> None:
    from uuid import UUID

    from bench.crud_peer import prepare
    from domain.store import parse_database_url
    from migrations.runner import migrate

    with scratch_database() as url:
        store = parse_database_url(url)
        migrate(store.plain_url, schema=store.migration_schema)
        dbname = url.rsplit("/", 1)[1]
        with service(url, ADMIN, workers=2) as base:
            token, ids = fresh_county(base, ADMIN, cases)
            wait_for_views(base)
            _phase("xinfang", base, url, dbname, token, ids, seconds, py_spy)
        prepare(url, token, [UUID(c) for c in ids])
        with peer_service(url) as base:
            _phase("peer", base, url, dbname, token, ids, seconds, py_spy)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.crud_profile", description=__doc__)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--cases", type=int, default=CASES)
    parser.add_argument("--py-spy", default=None, help="write py-spy raw profiles here")
    args = parser.parse_args()
    main(args.seconds, args.py_spy, args.cases)
