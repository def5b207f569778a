"""The database goes away and comes back: 503 store_unavailable meanwhile, nothing half-written,
and the same process serves normally again within seconds (no restart)."""

from __future__ import annotations

import time

import httpx
import pytest

from api.settings import Settings
from tests.api.helpers import assert_problem, build_world
from tests.conftest import ADMIN_TOKEN, LiveServer
from tests.reliability.support import assert_chain_verifies, assert_views_equal_a_rebuild, cluster_fixture
from tests.support.cluster import Cluster

__all__ = ["cluster_fixture"]

RECOVERY_SECONDS = 15  # generous for a loaded CI machine; a recovery takes about a second


def _wait_until_ready(anon: httpx.Client) -> float:
    started = time.monotonic()
    while time.monotonic() - started < RECOVERY_SECONDS:
        if anon.get("/readyz").status_code == 200:
            return time.monotonic() - started
        time.sleep(0.1)
    pytest.fail(f"not ready {RECOVERY_SECONDS} s after the database came back")


@pytest.mark.postgres
def test_while_the_database_is_down_every_call_is_503_and_nothing_is_half_written(cluster: Cluster) -> None:
    settings = Settings(
        database_url=cluster.url, admin_token=ADMIN_TOKEN, view_wait_seconds=15, metrics_token="scraper-token"
    )
    with LiveServer(settings) as server, server.client(None) as anon:
        world = build_world(server)
        case_id = world.register()
        version, position = world.version(case_id), world.position()

        cluster.stop("immediate")  # a crash: pooled connections die without a goodbye
        try:
            down = [
                world.command("registrar", case_id, "accept"),
                world.client("registrar").post("/api/v1/cases", json=world.registration()),
                world.client("inspector").get(f"/api/v1/cases/{case_id}"),
            ]
            for response in down:
                assert_problem(response, 503, "store_unavailable")
                assert int(response.headers["retry-after"]) > 0
            ready = anon.get("/readyz")
            assert ready.status_code == 503
            assert ready.json()["ready"] is False
            # The scraper's own token needs no store: the figures are there when they matter most.
            metrics = anon.get("/metrics", headers={"Authorization": "Bearer scraper-token"})
            assert metrics.status_code == 200
            assert "xinfang_store_up 0.0" in metrics.text
        finally:
            cluster.start()

        recovery = _wait_until_ready(anon)
        print(f"\nrecovered {recovery:.2f} s after PostgreSQL came back")
        # Nothing the refused calls tried was written, and the same process now serves normally.
        assert world.position() == position
        assert world.version(case_id) == version
        world.ok("registrar", case_id, "accept")
        assert world.version(case_id) == version + 1
        assert world.register()
        assert_chain_verifies(server.ledger)
        # The views follow too (read-your-writes wait), and equal a rebuild from the ledger.
        caught_up = world.client("inspector").get(f"/api/v1/cases?min_position={world.position()}")
        assert caught_up.status_code == 200, caught_up.text
        assert_views_equal_a_rebuild(server.ledger)
