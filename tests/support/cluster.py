"""A throwaway PostgreSQL cluster a test owns outright, so it can stop, restart and kill it.

The shared test server must never be restarted (other tests use it); fault-injection tests
start their own with the distribution's initdb and pg_ctl. initdb refuses to run as root, so as
root the cluster runs as the `postgres` user (or a system user made for the purpose), the way
`./dev` starts its own.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg
import pytest

RUN_AS_USER = "xinfang-pg"


def pg_bin() -> Path | None:
    """The directory holding initdb and pg_ctl (newest distribution install, or PATH)."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    for directory in reversed(candidates):
        if (directory / "initdb").exists():
            return directory
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _run_as() -> list[str]:
    if os.geteuid() != 0:
        return []
    for user in ("postgres", RUN_AS_USER):
        try:
            pwd.getpwnam(user)
            return ["runuser", "-u", user, "--"]
        except KeyError:
            continue
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", RUN_AS_USER], check=True
    )
    return ["runuser", "-u", RUN_AS_USER, "--"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    """initdb'd on creation; `start`, `stop` (fast or immediate: a crash) and `restart`."""

    def __init__(self) -> None:
        directory = pg_bin()
        if directory is None:
            pytest.fail("no PostgreSQL binaries (initdb, pg_ctl): install the postgresql package")
        self.bin = directory
        self.run_as = _run_as()
        self.base = Path(tempfile.mkdtemp(prefix="xinfang-cluster-"))
        self.data = self.base / "data"
        if self.run_as:
            shutil.chown(self.base, user=self.run_as[2])
        self.port = _free_port()
        self._pg("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                 "--locale=C", "--no-sync")  # fmt: skip
        self.start()

    def _pg(self, program: str, *args: str) -> None:
        result = subprocess.run(
            [*self.run_as, str(self.bin / program), *args], check=False, capture_output=True, text=True, timeout=120
        )
        if result.returncode != 0:
            log = self.data / "server.log"
            tail = log.read_text()[-3000:] if log.exists() else ""
            raise RuntimeError(f"{program} failed: {result.stdout}{result.stderr}{tail}")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        # fsync=off is safe here: these tests crash PostgreSQL, never the machine, and the OS keeps
        # what was written. synchronous_commit must stay on: off, a crash loses commits that
        # were already acknowledged (the load test catches exactly that).
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories= "
            "-c fsync=off -c synchronous_commit=on -c full_page_writes=off -c max_connections=200"
        )
        self._pg("pg_ctl", "-D", str(self.data), "-l", str(self.data / "server.log"), "-w", "-t", "60",
                 "-o", options, "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._pg("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def restart(self) -> None:
        self.stop("immediate")  # a crash, not a polite shutdown: clients get no goodbye
        self.start()

    def terminate_backends(self) -> int:
        """pg_terminate_backend on every other client connection; how many were ended."""
        with psycopg.connect(self.url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'"
            ).fetchone()
        return int(row[0]) if row else 0

    def destroy(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self.stop("immediate")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)
