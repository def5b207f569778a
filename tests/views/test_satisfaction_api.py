"""GET /api/v1/satisfaction over HTTP, on both stores: listing, filters, rates, scope and refusals."""

from __future__ import annotations

from typing import Any

from projections.satisfaction.view import SatisfactionView
from tests.api.helpers import World, assert_problem, drive, world_fixture
from tests.views.feed import feed

__all__ = ["world_fixture"]


def fed(world: World) -> None:
    """The view caught up: by the app's own runner once the view is registered, else fed here."""
    server = world.server
    board = server.app.state.view_board
    if SatisfactionView.name in board.names:
        assert board.wait_for(world.position(), 10)
    else:
        feed(server.ledger, SatisfactionView(server.ledger))


def get(world: World, who: str, **params: Any) -> dict[str, Any]:
    response = world.client(who).get("/api/v1/satisfaction", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def moved_to_town_b(world: World, satisfaction: str) -> str:
    """A case reassigned from town A to town B before its answer, visited by town B's officer."""
    case = drive(world, "in_handling")
    world.ok("supervisor", case.case_id, "reassign", {"unit_code": world.town_b, "leader_id": world.leader_b,
             "occurred_at": case.later(1).isoformat()})  # fmt: skip
    world.ok("officer_b", case.case_id, "answer", {"outcome": "explain", "delivered_on": case.later(2).date().isoformat(),
             "occurred_at": case.later(2).isoformat()})  # fmt: skip
    world.ok("officer_b", case.case_id, "return-visit", {"satisfaction": satisfaction, "signed": False,
             "method": "visit", "comment": "还行", "occurred_at": case.later(3).isoformat()})  # fmt: skip
    return case.case_id


def test_visits_are_listed_newest_first_in_keyset_pages(world: World) -> None:
    cases = [drive(world, "visited").case_id for _ in range(3)]
    fed(world)
    first = get(world, "inspector", limit=2)
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = get(world, "inspector", limit=2, cursor=first["next_cursor"])
    assert len(second["items"]) == 1 and second["next_cursor"] is None
    listed = [i["case_id"] for i in first["items"] + second["items"]]
    assert listed == cases[::-1]  # each case was driven later than the one before
    item = first["items"][0]
    assert item["satisfaction"] == "satisfied" and item["signed"] is True and item["method"] == "phone"
    assert item["leader_id"] == world.leader_a and item["unit_code"] == world.town_a
    assert item["occurred_at"].endswith("+08:00")


def test_a_bad_cursor_is_a_validation_problem(world: World) -> None:
    response = world.client("inspector").get("/api/v1/satisfaction", params={"cursor": "not-a-cursor"})
    assert_problem(response, 422, "validation_failed")


def test_rates_by_leader_count_the_leader_holding_the_case_at_the_visit(world: World) -> None:
    drive(world, "visited")
    drive(world, "visited")
    moved_to_town_b(world, "unsatisfied")
    fed(world)
    body = get(world, "inspector", group_by="leader", min_position=0)
    groups = {g["key"]: g for g in body["groups"]}
    assert groups[world.leader_a]["rate"] == {"value": 1.0, "numerator": 2, "denominator": 2}
    assert groups[world.leader_b]["visits"] == 1 and groups[world.leader_b]["unsatisfied"] == 1
    assert groups[world.leader_b]["rate"]["value"] == 0.0
    assert body["total"]["rate"] == {"value": 2 / 3, "numerator": 2, "denominator": 3}


def test_filters_unit_subtree_leader_category_and_period(world: World) -> None:
    a = drive(world, "visited", category="roads")
    drive(world, "visited", category="labour")
    moved_to_town_b(world, "satisfied")
    fed(world)
    assert len(get(world, "inspector", unit=world.county)["items"]) == 3
    assert len(get(world, "inspector", unit=world.town_b)["items"]) == 1
    assert [i["case_id"] for i in get(world, "inspector", category="roads")["items"]] == [a.case_id]
    assert len(get(world, "inspector", leader=world.leader_a)["items"]) == 2
    day = a.at.date().isoformat()
    assert len(get(world, "inspector", **{"from": day, "to": day})["items"]) == 3
    assert get(world, "inspector", **{"to": "2000-01-01"})["items"] == []


def test_group_by_month_and_category_show_empty_groups_as_null(world: World) -> None:
    case = drive(world, "visited", category="land")
    drive(world, "in_handling", category="traffic")  # held, never visited
    fed(world)
    month = case.at.date().isoformat()[:7]
    body = get(world, "inspector", group_by="month", to=f"{int(month[:4]) + 1}-{month[5:]}-01")
    months = {g["key"]: g for g in body["groups"]}
    assert months[month]["visits"] == 1 and len(months) == 13
    assert all(g["rate"]["value"] is None for k, g in months.items() if k != month)
    categories = {g["key"]: g["rate"] for g in get(world, "inspector", group_by="category")["groups"]}
    assert categories == {"land": {"value": 1.0, "numerator": 1, "denominator": 1},
                          "traffic": {"value": None, "numerator": 0, "denominator": 0}}  # fmt: skip


def test_a_town_b_officer_sees_none_of_town_a_records_or_counts(world: World) -> None:
    drive(world, "visited")
    drive(world, "visited")
    b = moved_to_town_b(world, "basically_satisfied")
    fed(world)
    assert [i["case_id"] for i in get(world, "officer_b")["items"]] == [b]
    groups = get(world, "officer_b", group_by="leader")["groups"]
    assert [(g["key"], g["visits"]) for g in groups] == [(world.leader_b, 1)]
    assert get(world, "officer_b", group_by="unit")["total"]["visits"] == 1
    assert get(world, "officer", group_by="unit")["total"]["visits"] == 2
    assert get(world, "inspector", group_by="unit")["total"]["visits"] == 3


def test_the_accused_side_reads_no_visit_of_the_accusation(world: World) -> None:
    # The county supervisor whose login is the accused leader's is in scope, and on the accused
    # side (第三十条): neither the visit nor its comment nor its count reaches him.
    world.add_user("accused_supervisor", "supervisor", world.county, world.leader_b)
    case = drive(world, "answered", kind="accusation", accused_leader=world.leader_b)
    body = {"satisfaction": "satisfied", "signed": True, "method": "phone", "comment": "举报人说明",
            "occurred_at": case.later().isoformat()}  # fmt: skip
    world.ok("officer", case.case_id, "return-visit", body)
    drive(world, "visited")
    fed(world)
    assert [i["comment"] for i in get(world, "inspector")["items"] if i["case_id"] == case.case_id] == [
        "举报人说明"
    ]
    assert len(get(world, "supervisor")["items"]) == 2
    seen = get(world, "accused_supervisor")
    assert case.case_id not in str(seen) and "举报人说明" not in str(seen) and len(seen["items"]) == 1
    assert get(world, "accused_supervisor", group_by="unit")["total"]["visits"] == 1
    assert get(world, "supervisor", group_by="unit")["total"]["visits"] == 2


def test_roles_without_case_reads_are_refused(world: World) -> None:
    response = world.client("admin").get("/api/v1/satisfaction")
    assert_problem(response, 403, "forbidden")


def test_min_position_must_not_be_negative(world: World) -> None:
    response = world.client("inspector").get("/api/v1/satisfaction", params={"min_position": -1})
    assert_problem(response, 422, "validation_failed")
