"""Views over HTTP: read your writes with min_position, and a stopped view in /readyz."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from fastapi import APIRouter

from api.app import create_app
from api.freshness import MinPosition
from api.settings import Settings
from domain.store import parse_database_url
from projections.engine.database import ViewDatabase
from tests.api.helpers import assert_problem
from tests.conftest import ADMIN_TOKEN, LiveServer
from tests.projections.views import CountingView, PoisonedView, Status, create_tables, table_rows, write_cases


def counts_router(db: ViewDatabase) -> APIRouter:
    router = APIRouter()

    @router.get("/api/v1/test-counts")
    def counts(_: MinPosition) -> dict[str, int]:
        """A query endpoint as the view routers write them."""
        return {str(t): int(n) for t, n in table_rows(db, "tv_counts")}

    return router


class ViewServer(LiveServer):
    """The live server with the test views (tables made first) and a query endpoint over one."""

    def __init__(self, settings: Settings) -> None:  # builds its own app, not LiveServer's
        db = ViewDatabase(parse_database_url(settings.database_url))
        create_tables(db, CountingView, PoisonedView)
        self.settings = settings
        self.app = create_app(settings, view_classes=[CountingView, PoisonedView])
        self.app.include_router(counts_router(db))
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        self.server = uvicorn.Server(
            uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)


@pytest.fixture
def server(store_url: str) -> Iterator[ViewServer]:
    settings = Settings(database_url=store_url, admin_token=ADMIN_TOKEN, view_wait_seconds=0.5)
    with ViewServer(settings) as live:
        yield live


def test_a_query_with_min_position_sees_the_write_that_returned_it(server: ViewServer) -> None:
    with server.client() as client:
        for i in range(5):
            response = client.post(
                "/api/v1/units", json={"code": f"U{i}", "name": "乡镇", "parent_code": None}
            )
            assert response.status_code == 201, response.text
            position = response.json()["position"]
            seen = client.get("/api/v1/test-counts", params={"min_position": position})
            assert seen.status_code == 200, seen.text
            assert seen.json().get("UnitCreated") == i + 1, seen.json()


def test_a_position_the_views_cannot_reach_in_time_is_503_views_behind(server: ViewServer) -> None:
    write_cases(server.ledger, 1, [Status.CLOSED])  # the poisoned view stops at the Closed event
    head = server.ledger.recorder.max_notification_id() or 0
    with server.client() as client:
        started = time.monotonic()
        response = client.get("/api/v1/test-counts", params={"min_position": head})
        assert time.monotonic() - started < 5
        body = assert_problem(response, 503, "views_behind")
        assert body["min_position"] == head and set(body["views"]) == {"test_counts", "test_poisoned"}
        assert_problem(
            client.get("/api/v1/test-counts", params={"min_position": -1}), 422, "validation_failed"
        )


def test_a_position_beyond_the_ledger_head_is_a_prompt_422(server: ViewServer) -> None:
    """No wait could bring a position the ledger has not reached: refused at once, not after the wait."""
    head = server.ledger.recorder.max_notification_id() or 0
    with server.client() as client:
        # 422, not the 503 that ends a wait: the head is read before any waiting.
        body = assert_problem(client.get("/api/v1/test-counts", params={"min_position": 10**9}), 422, "validation_failed")
        assert body["head"] == head and body["errors"][0]["field"] == "min_position"


def _readyz(server: ViewServer) -> Any:
    with server.client(None) as anon:
        return anon.get("/readyz")


def test_readyz_reports_each_view_and_a_stopped_view_makes_it_503(server: ViewServer) -> None:
    write_cases(server.ledger, 1, [Status.ANSWERED])
    deadline = time.monotonic() + 10
    while (body := _readyz(server).json())["views"]["test_counts"]["lag"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert body["ready"] is True and body["views"]["test_poisoned"]["error"] is None
    write_cases(server.ledger, 1, [Status.CLOSED])
    closed = max(
        r.position for r in server.ledger.reads.rows_between(1, 10**6, 10**6) if r.topic.endswith(":Closed")
    )
    while (response := _readyz(server)).status_code == 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["stopped_views"] == ["test_poisoned"]
    poisoned = body["views"]["test_poisoned"]
    assert poisoned["stopped"] and poisoned["error_position"] == closed and poisoned["position"] == closed - 1
    assert "cannot apply Closed" in poisoned["error"]
    assert not body["views"]["test_counts"]["stopped"]
