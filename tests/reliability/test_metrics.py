"""GET /metrics: Prometheus text with HTTP status counts, command latency and view positions,
behind the scraper's token or an administrator's or inspector's token."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from api.settings import Settings
from tests.api.helpers import World, assert_problem, build_world, world_fixture
from tests.conftest import ADMIN_TOKEN, LiveServer

__all__ = ["world_fixture"]


def _samples(server: LiveServer) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    with server.client(ADMIN_TOKEN) as admin:
        response = admin.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def test_metrics_count_statuses_time_commands_and_show_each_views_lag(world: World) -> None:
    case_id = world.register()
    world.ok("registrar", case_id, "accept")
    refused = world.command("officer", case_id, "accept")
    assert refused.status_code == 403
    position = world.position()
    with world.server.client(None) as anon:  # read-your-writes: the views reach the position
        assert anon.get(f"/api/v1/cases?min_position={position}").status_code == 401
    samples = _samples(world.server)

    def value(name: str, **labels: str) -> float:
        return samples.get((name, tuple(sorted(labels.items()))), 0.0)

    assert value("xinfang_command_seconds_count", command="register", outcome="2xx") == 1
    assert value("xinfang_command_seconds_count", command="accept", outcome="2xx") == 1
    assert value("xinfang_command_seconds_count", command="accept", outcome="4xx") == 1
    assert value("xinfang_command_seconds_sum", command="register", outcome="2xx") > 0
    route = "/api/v1/cases/{case_id}/accept"
    assert value("xinfang_http_requests_total", method="POST", route=route, status="200") == 1
    assert value("xinfang_http_requests_total", method="POST", route=route, status="403") == 1
    assert value("xinfang_http_requests_total", method="POST", route="/api/v1/cases", status="201") == 1
    assert value("xinfang_store_up") == 1
    views = {dict(labels)["view"] for (name, labels) in samples if name == "xinfang_view_lag_events"}
    assert {"case_status", "satisfaction"} <= views, views
    for view in views:
        assert value("xinfang_view_stopped", view=view) == 0
        assert value("xinfang_view_position", view=view) + value("xinfang_view_lag_events", view=view) >= position


def test_an_unknown_path_is_counted_without_making_a_label_of_it(world: World) -> None:
    with world.server.client(None) as anon:
        assert anon.get("/no/such/path-1234").status_code == 404
    samples = _samples(world.server)
    assert samples[("xinfang_http_requests_total", (("method", "GET"), ("route", "unmatched"), ("status", "404")))] == 1
    assert not any("path-1234" in str(labels) for (_, labels) in samples)


def test_metrics_need_an_administrators_or_inspectors_token_when_no_scraper_token_is_set(world: World) -> None:
    with world.server.client(None) as anon:
        assert_problem(anon.get("/metrics"), 401, "unauthenticated")
    for who in ("officer", "registrar", "supervisor", "leader"):
        assert_problem(world.client(who).get("/metrics"), 403, "forbidden")
    for who in ("inspector", "admin"):
        response = world.client(who).get("/metrics")
        assert response.status_code == 200 and "xinfang_store_up" in response.text


@pytest.fixture
def scraped(store_url: str) -> Iterator[World]:
    settings = Settings(database_url=store_url, admin_token=ADMIN_TOKEN, metrics_token="scrape-me-7f3a")
    with LiveServer(settings) as server:
        world = build_world(server)
        yield world
        world.close()


def test_the_scraper_token_opens_metrics_and_nothing_else(scraped: World) -> None:
    with httpx.Client(base_url=scraped.server.url, headers={"Authorization": "Bearer scrape-me-7f3a"}) as scraper:
        response = scraper.get("/metrics")
        assert response.status_code == 200 and "xinfang_http_requests_total" in response.text
        assert_problem(scraper.get("/api/v1/cases"), 401, "unauthenticated")  # not a user's token
    with httpx.Client(base_url=scraped.server.url) as anon:
        assert_problem(anon.get("/metrics"), 401, "unauthenticated")
        wrong = anon.get("/metrics", headers={"Authorization": "Bearer scrape-me-7f3b"})
        assert_problem(wrong, 401, "unauthenticated")
    assert scraped.client("inspector").get("/metrics").status_code == 200  # users still may
    assert_problem(scraped.client("officer").get("/metrics"), 403, "forbidden")

