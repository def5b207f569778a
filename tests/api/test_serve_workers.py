"""`xinfang serve --workers N`: N API processes on one port; the views and the checkpoint
schedule run once, in the supervising process, and every answer is the same ledger's."""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, cast

import httpx
import psutil
import pytest

from tests.api.helpers import build_world
from tests.conftest import ADMIN_TOKEN, LiveServer

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 2


class ServedProcess:
    """`xinfang serve --workers N` in a process of its own, driven over HTTP like LiveServer."""

    def __init__(self, env: dict[str, str], workers: int) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        command = [sys.executable, "-c", "from api.cli import main; main()", "serve",
                   "--port", str(self.port), "--workers", str(workers)]  # fmt: skip
        self.proc = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, token: str | None = ADMIN_TOKEN) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)

    def wait_until_up(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                output = self.proc.stdout.read().decode() if self.proc.stdout else ""
                pytest.fail(f"the service exited with {self.proc.returncode}:\n{output[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        pytest.fail(f"the service did not answer within {seconds} s")

    def workers(self) -> list[psutil.Process]:
        """The API processes uvicorn spawned (not its resource tracker)."""
        children = psutil.Process(self.proc.pid).children(recursive=True)
        return [c for c in children if "spawn_main" in " ".join(c.cmdline())]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def served(postgres_database: str, tmp_path: Path) -> Iterator[ServedProcess]:
    key_file = tmp_path / "signing.key"
    key_file.write_text(secrets.token_bytes(32).hex())
    key_file.chmod(0o600)
    env = {
        "XINFANG_DATABASE_URL": f"{postgres_database}?schema=w_{secrets.token_hex(6)}",
        "XINFANG_ADMIN_TOKEN": ADMIN_TOKEN,
        "XINFANG_SIGNING_KEY_FILE": str(key_file),
        "XINFANG_CHECKPOINT_INTERVAL_SECONDS": "0.5",
    }
    server = ServedProcess(env, WORKERS)
    try:
        server.wait_until_up()
        yield server
    finally:
        server.stop()


@pytest.mark.postgres
def test_workers_serve_one_ledger_with_views_and_checkpoints_kept_once(served: ServedProcess) -> None:
    assert len(served.workers()) == WORKERS
    world = build_world(cast(LiveServer, served))
    cases = [world.register() for _ in range(4)]
    for case_id in cases:
        world.ok("registrar", case_id, "accept")

    def note(n: int) -> dict[str, Any]:
        # Fresh connections: each lands on whichever worker accepts it.
        with served.client(world.tokens["registrar"]) as http:
            response = http.post(f"/api/v1/cases/{cases[n % len(cases)]}/notes", json={"text": f"记录 {n}"})
        assert response.status_code == 200, response.text
        return cast(dict[str, Any], response.json())

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(note, range(40)))
    # Every case's versions are contiguous: the workers wrote to one ledger, none lost or doubled.
    for case_id in cases:
        mine = sorted(r["version"] for r in results if r["case_id"] == case_id)
        assert mine == list(range(3, 3 + len(mine)))
        assert world.version(case_id) == 2 + len(mine)
    # The supervisor's runner keeps the views: a read-your-writes query sees every case.
    head = max(r["position"] for r in results)
    listed = world.client("inspector").get("/api/v1/cases", params={"min_position": head, "limit": 50})
    assert listed.status_code == 200, listed.text
    assert {c["case_id"] for c in listed.json()["items"]} >= set(cases)
    # ...and its schedule signs the ledger: a checkpoint up to the last write above.
    deadline, items = time.monotonic() + 20, []
    while time.monotonic() < deadline:
        items = world.client("admin").get("/api/v1/ledger/checkpoints").json()["items"]
        if items and items[0]["position"] >= head:
            break
        time.sleep(0.2)
    assert items and items[0]["position"] >= head, items
    assert len({c["size"] for c in items}) == len(items)  # never two checkpoints of one ledger size


@pytest.mark.postgres
def test_a_page_session_works_on_every_worker(served: ServedProcess) -> None:
    """The finding: with `serve --workers 2`, 0 of 20 page loads after login answered 200."""
    assert len(served.workers()) == WORKERS
    world = build_world(cast(LiveServer, served))
    answered = []
    for _ in range(10):  # each login and page load on fresh connections: any worker may answer
        with httpx.Client(base_url=served.url, timeout=30) as form:
            page = form.get("/login")
            csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
            assert csrf, page.text[:300]
            cookies = dict(form.cookies)
        with httpx.Client(base_url=served.url, timeout=30, cookies=cookies) as login:
            response = login.post("/login", data={"token": world.tokens["supervisor"], "csrf": csrf.group(1)})
            assert response.status_code == 303, response.text[:300]
            session = dict(login.cookies)
        for _ in range(2):
            with httpx.Client(base_url=served.url, timeout=30, cookies=session) as reader:
                answered.append(reader.get("/cases").status_code)
    assert answered == [200] * 20


def test_workers_need_postgresql(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from api.cli import main; main()", "serve", "--workers", "2"],
        check=False,
        cwd=ROOT,
        env={**os.environ, "XINFANG_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--workers above 1 needs PostgreSQL" in done.stdout
    assert not (tmp_path / "x.db").exists()  # refused before anything was created


@pytest.mark.parametrize("workers", [1, WORKERS])
def test_the_server_log_keeps_no_query_string(workers: int, postgres_database: str, tmp_path: Path) -> None:
    """A search for a petitioner's name is a query string; uvicorn's access log would print it
    where anyone with a shell on the host reads it. The log keeps the method, path and status."""
    database = (
        f"sqlite:///{tmp_path / 'log.db'}"
        if workers == 1
        else f"{postgres_database}?schema=l_{secrets.token_hex(6)}"
    )
    server = ServedProcess({"XINFANG_DATABASE_URL": database, "XINFANG_ADMIN_TOKEN": ADMIN_TOKEN,
                            "XINFANG_CHECKPOINT_INTERVAL_SECONDS": "0"}, workers)  # fmt: skip
    try:
        server.wait_until_up()
        with server.client() as http:
            searched = http.get(
                "/api/v1/cases", params={"q": "王五", "unmask": "true", "purpose": "核实举报人"}
            )
        assert searched.status_code < 500, searched.text
    finally:
        server.stop()
    log = server.proc.stdout.read().decode() if server.proc.stdout else ""
    assert '"GET /api/v1/cases HTTP/1.1"' in log, log[-2000:]  # the request is logged ...
    for secret in ("王五", "%E7%8E%8B%E4%BA%94", "核实举报人", "q=", "purpose"):
        assert secret not in log, (secret, log[-2000:])  # ... without what it asked for
