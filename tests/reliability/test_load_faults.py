"""No acknowledged write lost: 64 concurrent clients, faults injected, then the ledger read back.

The short run is part of the default test command; `-m long` runs a longer one (LOAD_SECONDS).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from api.settings import Settings
from tests.api.helpers import build_world
from tests.conftest import ADMIN_TOKEN, LiveServer
from tests.reliability.load import CONFLICT_CODES, LoadRun, ViewRunnerProcess
from tests.reliability.support import assert_chain_verifies, assert_views_equal_a_rebuild, cluster_fixture
from tests.support.cluster import Cluster

__all__ = ["cluster_fixture"]

CLIENTS = 64


def _views_caught_up(anon: httpx.Client, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready = anon.get("/readyz")
        if ready.status_code == 200 and all(v["lag"] == 0 for v in ready.json()["views"].values()):
            return
        time.sleep(0.2)
    pytest.fail(f"views did not catch up within {timeout} s: {anon.get('/readyz').text}")


def _run(cluster: Cluster, tmp_path: Path, seconds: float) -> None:
    settings = Settings(database_url=cluster.url, admin_token=ADMIN_TOKEN, run_views=False)
    runner = ViewRunnerProcess(cluster.url, tmp_path / "project.log")
    with LiveServer(settings) as server, server.client(None) as anon:
        runner.start()
        try:
            world = build_world(server)
            load = LoadRun(world, cluster, runner, CLIENTS, seconds)
            load.run()
            # The same server process, never restarted, serves again; the new runner catches up.
            after = world.command("registrar", load.hot[0], "notes", {"text": "故障之后"})
            assert after.status_code == 200, after.text
            _views_caught_up(anon)
            figures = load.account(server.ledger)
            print("\n" + "\n".join(figures.lines()))
            statuses = Counter((o.op, o.status, o.code) for o in load.outcomes)
            assert figures.errors_5xx == 0, statuses
            assert figures.other == 0, statuses
            assert {o.code for o in load.outcomes if o.status == 409} <= CONFLICT_CODES, statuses
            assert figures.lost == 0
            assert figures.duplicated == 0
            assert figures.written_by_conflicts == 0
            assert figures.acknowledged > CLIENTS and figures.conflicts > 0, statuses
            assert figures.faults["restart_postgres"] >= 1 and figures.faults["kill_view_runner"] >= 2
            assert figures.faults["terminate_backends"] >= 1
            assert_chain_verifies(server.ledger)
            assert_views_equal_a_rebuild(server.ledger)
            world.close()
        finally:
            runner.stop()


@pytest.mark.postgres
def test_no_acknowledged_write_is_lost_under_load_and_faults(cluster: Cluster, tmp_path: Path) -> None:
    _run(cluster, tmp_path, seconds=12)


@pytest.mark.postgres
@pytest.mark.long
def test_no_acknowledged_write_is_lost_in_a_long_run(cluster: Cluster, tmp_path: Path) -> None:
    _run(cluster, tmp_path, seconds=float(os.environ.get("LOAD_SECONDS", "120")))
