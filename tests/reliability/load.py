"""A bounded loopback load run with faults injected, and the accounting that proves nothing was lost.

Clients (threads, each with its own HTTP connection) issue a mix of case commands, many on the
same few "hot" cases, each with a unique Idempotency-Key that is also sent as X-Request-ID (the
ledger records the request id on every event, so the ledger itself says which request wrote
what). A client that gets no answer (connection cut) or 503 retries the same request with the
same key, as a real client should. Meanwhile a fault thread terminates PostgreSQL backends,
SIGKILLs the view runner process (`xinfang project`) while it is applying batches and starts a
new one, and crashes and restarts the PostgreSQL server.

Afterwards every request has one final answer, and the ledger is read back: each 2xx request
wrote its events exactly once, each 409 wrote nothing.
"""

from __future__ import annotations

import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import orjson

from domain.application import LedgerApplication
from tests.api.helpers import World
from tests.support.cluster import Cluster

HOT_CASES = 4
RETRY_PAUSE = (0.1, 0.4)
CONFLICT_CODES = frozenset({"version_conflict", "transition_not_allowed"})


@dataclass
class Outcome:
    """The final answer to one logical command (after any retries)."""

    key: str
    op: str
    status: int
    code: str | None
    retries: int
    seconds: float
    result: dict[str, Any] | None = None


@dataclass
class Figures:
    clients: int
    seconds: float
    commands: int = 0
    acknowledged: int = 0
    conflicts: int = 0
    retries: int = 0
    errors_5xx: int = 0
    other: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    lost: int = 0
    duplicated: int = 0
    written_by_conflicts: int = 0
    events: int = 0
    latency_p50_ms: float = 0.0
    latency_p99_ms: float = 0.0

    def lines(self) -> list[str]:
        faults = ", ".join(f"{name} {n}" for name, n in sorted(self.faults.items()))
        return [
            f"clients {self.clients}, load {self.seconds:.0f} s, ledger events checked {self.events}",
            f"commands {self.commands}: acknowledged (2xx) {self.acknowledged}, conflicts (409) "
            f"{self.conflicts}, 5xx {self.errors_5xx}, other {self.other}",
            f"client retries (connection lost or 503) {self.retries}",
            f"faults injected {sum(self.faults.values())}: {faults}",
            f"latency of a command incl. retries: p50 {self.latency_p50_ms:.0f} ms, p99 {self.latency_p99_ms:.0f} ms",
            f"lost {self.lost}, written twice {self.duplicated}, written by a 409 {self.written_by_conflicts}",
        ]


class ViewRunnerProcess:
    """`xinfang project` as a child process: what an office runs beside the API, and what we SIGKILL."""

    def __init__(self, database_url: str, log: Path) -> None:
        self.database_url, self.log = database_url, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "XINFANG_DATABASE_URL": self.database_url}
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-c", "from api.cli import main; main()", "project"],
                stdout=out, stderr=subprocess.STDOUT, env=env,
            )  # fmt: skip

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


class LoadRun:
    def __init__(self, world: World, cluster: Cluster, runner: ViewRunnerProcess, clients: int, seconds: float):
        self.w, self.cluster, self.runner = world, cluster, runner
        self.clients, self.seconds = clients, seconds
        self.hot = [world.register() for _ in range(HOT_CASES)]
        self.versions = {case_id: 1 for case_id in self.hot}  # last version a client saw
        self.fresh: list[str] = []  # recently registered cases, for racing accepts
        self.lock = threading.Lock()
        self.outcomes: list[Outcome] = []
        self.faults: Counter[str] = Counter()
        self.stop = threading.Event()
        self.token = world.tokens["registrar"]

    # ---- the clients ------------------------------------------------------------------------

    def _request(self, rng: random.Random) -> tuple[str, str, dict[str, Any], dict[str, str]]:
        """One command: (op, path, body, extra headers)."""
        roll = rng.random()
        with self.lock:
            if roll < 0.35:
                return "note", f"/api/v1/cases/{rng.choice(self.hot)}/notes", {"text": f"记录{rng.random()}"}, {}
            if roll < 0.55:
                case_id = rng.choice(self.hot)
                headers = {"If-Match": str(self.versions[case_id])}
                return "note_if_match", f"/api/v1/cases/{case_id}/notes", {"text": "按版本记录"}, headers
            if roll < 0.75 or not self.fresh:
                return "register", "/api/v1/cases", self.w.registration(), {}
            return "accept", f"/api/v1/cases/{rng.choice(self.fresh[-8:])}/accept", {}, {}

    def _issue(self, client: httpx.Client, rng: random.Random) -> Outcome:
        op, path, body, headers = self._request(rng)
        key = str(uuid4())
        headers = {**headers, "Idempotency-Key": key, "X-Request-ID": key}
        started, retries = time.monotonic(), 0
        while True:
            try:
                response = client.post(path, json=body, headers=headers)
            except httpx.TransportError:
                response = None
            if response is not None and response.status_code != 503:
                break
            retries += 1  # the same request, same key: the server must answer it once
            time.sleep(rng.uniform(*RETRY_PAUSE))
        seconds = time.monotonic() - started
        code = None
        result: dict[str, Any] | None = None
        if response.headers.get("content-type", "").startswith("application/problem+json"):
            code = response.json().get("code")
        elif response.is_success:
            result = response.json()
        outcome = Outcome(key, op, response.status_code, code, retries, seconds, result)
        if result is not None:
            with self.lock:
                case_id = str(result["case_id"])
                if op == "register":
                    self.fresh.append(case_id)
                elif case_id in self.versions:
                    self.versions[case_id] = max(self.versions[case_id], int(result["version"]))
        return outcome

    def _client(self, seed: int) -> None:
        rng = random.Random(seed)
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.w.server.url, headers=headers, timeout=60) as client:
            while not self.stop.is_set():
                outcome = self._issue(client, rng)
                with self.lock:
                    self.outcomes.append(outcome)

    # ---- the faults -------------------------------------------------------------------------

    def _inject(self, schedule: list[tuple[float, str]]) -> None:
        started = time.monotonic()
        for at, fault in schedule:
            if self.stop.wait(max(0.0, started + at - time.monotonic())):
                return
            if fault == "terminate_backends":
                self.cluster.terminate_backends()
            elif fault == "kill_view_runner":
                self.runner.kill()  # no chance to finish its batch or release anything
                self.runner.start()
            elif fault == "restart_postgres":
                self.cluster.restart()
            self.faults[fault] += 1

    def schedule(self) -> list[tuple[float, str]]:
        """Faults spread over the run, the cycle repeated for longer runs."""
        cycle = ("terminate_backends", "kill_view_runner", "restart_postgres", "kill_view_runner")
        count = max(len(cycle), int(self.seconds / 2.5))
        step = self.seconds / (count + 1)
        return [(step * (n + 1), cycle[n % len(cycle)]) for n in range(count)]

    def run(self) -> None:
        threads = [threading.Thread(target=self._client, args=(n,), daemon=True) for n in range(self.clients)]
        faults = threading.Thread(target=self._inject, args=(self.schedule(),), daemon=True)
        for thread in (*threads, faults):
            thread.start()
        time.sleep(self.seconds)
        self.stop.set()
        faults.join(120)
        for thread in threads:
            thread.join(180)
        assert not any(t.is_alive() for t in (*threads, faults)), "a client never got a final answer"

    # ---- the accounting ---------------------------------------------------------------------

    def account(self, ledger: LedgerApplication) -> Figures:
        """Read the whole ledger back and match each request's events to its final answer."""
        head = ledger.recorder.max_notification_id() or 0
        rows = ledger.reads.rows_between(1, head, head + 1)
        written: Counter[str] = Counter()
        versions: dict[str, set[tuple[str, int]]] = {}
        for row in rows:
            request_id = orjson.loads(row.state).get("request_id")
            if request_id:
                written[request_id] += 1
                versions.setdefault(request_id, set()).add((str(row.originator_id), row.version))
        figures = Figures(self.clients, self.seconds, faults=self.faults, events=len(rows))
        latencies = sorted(o.seconds for o in self.outcomes)
        figures.commands = len(self.outcomes)
        figures.retries = sum(o.retries for o in self.outcomes)
        if latencies:
            figures.latency_p50_ms = statistics.median(latencies) * 1000
            figures.latency_p99_ms = latencies[int(0.99 * (len(latencies) - 1))] * 1000
        for o in self.outcomes:
            if 200 <= o.status < 300:
                figures.acknowledged += 1
                assert o.result is not None
                mine = versions.get(o.key, set())
                if (str(o.result["case_id"]), int(o.result["version"])) not in mine:
                    figures.lost += 1
                    print(f"LOST: {o} ledger has {sorted(mine)}")
                # Each of these commands writes one event (register: the case's first).
                if written[o.key] > 1:
                    figures.duplicated += 1
            elif o.status == 409:
                figures.conflicts += 1
                if written[o.key]:
                    figures.written_by_conflicts += 1
            elif o.status >= 500:
                figures.errors_5xx += 1
            else:
                figures.other += 1
        return figures
