"""The service in a process of its own, and concurrent HTTP clients timing every request."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import orjson

# (label, method, path, params or json body): what one client sends next.
Request = tuple[str, str, str, dict[str, Any] | None]
NextRequest = Callable[[int, int], Request]  # (client number, request number) → request


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def service(database_url: str, admin_token: str, workers: int = 1) -> Iterator[str]:
    """`xinfang serve --workers N` on a free port (views run in it, in its supervising process
    when N > 1; no scheduled checkpoints); yields its URL."""
    port = _free_port()
    env = {
        **os.environ,
        "XINFANG_DATABASE_URL": database_url,
        "XINFANG_ADMIN_TOKEN": admin_token,
        "XINFANG_CHECKPOINT_INTERVAL_SECONDS": "0",
    }
    command = [sys.executable, "-c", "from api.cli import main; main()", "serve", "--port", str(port),
               "--workers", str(workers)]  # fmt: skip
    with running(command, env, port, "the service", 120) as base:
        yield base


@contextmanager
def running(command: list[str], env: dict[str, str], port: int, what: str, seconds: float) -> Iterator[str]:
    """Start `command` serving on `port`, yield its URL once /healthz answers, stop it after."""
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(proc, base, what, seconds)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass
class LoadResult:
    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    def all_latencies(self) -> list[float]:
        return [x for v in self.latencies.values() for x in v]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class _Client:
    """One keep-alive connection on the standard library's http.client: the load generator shares
    the machine with the service, and httpx cost several times its CPU per request
    (bench/RESULTS.md#the-load-generators-http-client); a lean client leaves the cores to what
    is measured."""

    def __init__(self, base: str, token: str, cookie: str | None = None) -> None:
        url = urlsplit(base)
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 80
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        if cookie:  # a page session, for the pages in the mix (the API reads the bearer token)
            self.headers["Cookie"] = cookie
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def send(self, method: str, path: str, payload: dict[str, Any] | None) -> int:
        """The response's status (read to the end, so the connection can carry the next one);
        599 if the connection broke, after which the next request opens a new one."""
        body = None
        if method == "GET":
            path = f"{path}?{urlencode(payload)}" if payload else path
        elif payload is not None:
            body = orjson.dumps(payload)
        try:
            self.conn.request(method, path, body=body, headers=self.headers)
            response = self.conn.getresponse()
            response.read()
            return response.status
        except (OSError, http.client.HTTPException):
            self.conn.close()
            return 599

    def __enter__(self) -> _Client:
        return self

    def __exit__(self, *_: object) -> None:
        self.conn.close()


def run_load(
    base: str, token: str, clients: int, seconds: float, next_request: NextRequest, cookie: str | None = None
) -> LoadResult:
    """`clients` threads, each sending one request after another for `seconds`; every
    successful request's latency is kept by label, failures are counted by label (a page that
    redirects to the login form counts as failed: 3xx is not an answer here)."""
    result = LoadResult(seconds)
    lock = threading.Lock()
    start_line = threading.Barrier(clients)

    def client(number: int) -> None:
        mine: dict[str, list[float]] = defaultdict(list)
        failed: dict[str, int] = defaultdict(int)
        with _Client(base, token, cookie) as http:
            start_line.wait()
            stop_at, n = time.monotonic() + seconds, 0
            while n == 0 or time.monotonic() < stop_at:  # every client sends at least one
                label, method, path, payload = next_request(number, n)
                n += 1
                began = time.perf_counter()
                status = http.send(method, path, payload)
                elapsed = time.perf_counter() - began
                if status < 300:
                    mine[label].append(elapsed)
                else:
                    failed[f"{label} {status}"] += 1
        with lock:
            for k, v in mine.items():
                result.latencies[k].extend(v)
            for k, c in failed.items():
                result.errors[k] += c

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return result


def wait_healthy(proc: subprocess.Popen[bytes], base: str, what: str, seconds: float) -> None:
    """Wait until `base`/healthz answers 200; say why if the process exits or the time runs out."""
    deadline = time.monotonic() + seconds
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start within {seconds:.0f} s")
        time.sleep(0.2)
