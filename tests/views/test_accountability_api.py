"""GET /api/v1/accountability over HTTP, on both stores: who may read, filters, pagination."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from projections.accountability.view import AccountabilityView
from tests.api.helpers import DrivenCase, World, assert_problem, drive, world_fixture
from tests.views.feed import feed

__all__ = ["world_fixture"]


def measure(world: World, case: DrivenCase, steps: int, **target: str) -> None:
    body = {
        "measure": "interview",
        "basis": "回访不及时",
        "occurred_at": case.later(steps).isoformat(),
        **target,
    }
    world.ok("inspector", case.case_id, "accountability", body)


def listed(world: World, who: str, **params: Any) -> list[dict[str, Any]]:
    response = world.client(who).get("/api/v1/accountability", params=params)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def fed(world: World) -> None:
    """The view caught up: by the app's own runner once the view is registered, else fed here."""
    server = world.server
    board = server.app.state.view_board
    if AccountabilityView.name in board.names:
        assert board.wait_for(world.position(), 10)
    else:
        feed(server.ledger, AccountabilityView(server.ledger))


@pytest.fixture
def measures(world: World) -> World:
    """Against leader A on one case (day 1), against town B on another (day 2)."""
    first = drive(world, "answered")
    measure(world, first, 1, target_leader_id=world.leader_a)
    second = drive(world, "answered", start=first.at + timedelta(days=1))
    measure(world, second, 1, target_unit_code=world.town_b)
    fed(world)
    return world


def test_the_inspector_reads_every_measure_newest_first(measures: World) -> None:
    items = listed(measures, "inspector", min_position=0)
    assert [(i["target_leader_id"], i["target_unit_code"]) for i in items] == [
        (None, measures.town_b), (measures.leader_a, None),
    ]  # fmt: skip
    assert items[0]["measure"] == "interview" and items[0]["decided_by"] == measures.users["inspector"]


def test_filters_by_target_leader_target_unit_and_period(measures: World) -> None:
    w = measures
    assert [i["target_leader_id"] for i in listed(w, "inspector", leader=w.leader_a)] == [w.leader_a]
    assert [i["target_unit_code"] for i in listed(w, "inspector", unit=w.county)] == [w.town_b]
    assert listed(w, "inspector", unit=w.town_a) == []
    newest = listed(w, "inspector")[0]["occurred_at"][:10]
    assert [i["target_unit_code"] for i in listed(w, "inspector", **{"from": newest})] == [w.town_b]
    assert len(listed(w, "inspector", to=newest)) == 2


def test_pages_follow_on(measures: World) -> None:
    client = measures.client("inspector")
    first = client.get("/api/v1/accountability", params={"limit": 1}).json()
    second = client.get("/api/v1/accountability", params={"limit": 1, "cursor": first["next_cursor"]}).json()
    assert first["items"][0]["target_unit_code"] == measures.town_b
    assert second["items"][0]["target_leader_id"] == measures.leader_a
    assert second["next_cursor"] is None


def test_a_leader_reads_only_the_measures_against_themselves(measures: World) -> None:
    assert [i["target_leader_id"] for i in listed(measures, "leader")] == [measures.leader_a]
    assert listed(measures, "leader_b") == []


def test_a_supervisor_reads_within_their_scope(measures: World) -> None:
    assert len(listed(measures, "supervisor")) == 2  # the county received both cases
    measures.add_user("supervisor_b", "supervisor", measures.town_b)
    assert listed(measures, "supervisor_b") == []


@pytest.mark.parametrize("who", ["registrar", "officer", "officer_b", "admin"])
def test_other_roles_are_refused(world: World, who: str) -> None:
    response = world.client(who).get("/api/v1/accountability")
    assert_problem(response, 403, "forbidden")
