"""GET /api/v1/cases, /overdue and the caseloads over HTTP, on both stores, per role."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from api.settings import Settings
from projections.case_status.view import CaseStatusView
from tests.api.helpers import CST, World, build_world, drive, iso
from tests.conftest import ADMIN_TOKEN, LiveServer
from tests.factories import steady_morning
from tests.views.feed import feed


@pytest.fixture(name="world")
def world_fixture(store_url: str) -> Iterator[World]:
    # Views fed by hand (tests/views/feed.py), so each test knows exactly what was applied.
    settings = Settings(database_url=store_url, admin_token=ADMIN_TOKEN, run_views=False)
    with LiveServer(settings) as server:
        w = build_world(server)
        yield w
        w.close()


def fed(world: World) -> None:
    feed(world.server.ledger, CaseStatusView(world.server.ledger))


def get(world: World, who: str, path: str, **params: Any) -> dict[str, Any]:
    response = world.client(who).get(path, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def ids(body: dict[str, Any]) -> set[str]:
    return {i["case_id"] for i in body["items"]}


def test_pages_cover_every_row_once_and_filters_narrow(world: World) -> None:
    cases = [drive(world, stage, start=datetime.now(CST) - timedelta(days=300 - n))
             for n, stage in enumerate(("registered", "in_handling", "in_handling", "closed", "answered"))]  # fmt: skip
    fed(world)
    seen: list[str] = []
    cursor = None
    while True:
        body = get(world, "inspector", "/api/v1/cases", limit=2, **({"cursor": cursor} if cursor else {}))
        seen += [i["case_id"] for i in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [c.case_id for c in reversed(cases)]  # newest registration first, no repeats
    handling = get(world, "inspector", "/api/v1/cases", status="in_handling")
    assert ids(handling) == {cases[1].case_id, cases[2].case_id}
    assert ids(get(world, "inspector", "/api/v1/cases", status=["closed", "answered"])) == {
        cases[3].case_id, cases[4].case_id}  # fmt: skip
    assert ids(get(world, "inspector", "/api/v1/cases", leader=world.leader_a, unit=world.county)) == {
        c.case_id for c in cases[1:]}  # fmt: skip
    first_day = cases[0].at.date().isoformat()
    assert ids(get(world, "inspector", "/api/v1/cases", registered_to=first_day)) == {cases[0].case_id}
    row = handling["items"][0]
    assert "content" not in row and "petitioners" not in row
    assert row["next_deadline"]["clock"] == "handling" and row["overdue"] is True


def test_overdue_lists_the_longest_overdue_first_with_the_clock_and_article(world: World) -> None:
    start = datetime.now(CST) - timedelta(days=300)
    screening = drive(world, "registered", start=start)  # due 15 days after registration
    handling = drive(world, "in_handling", start=start)  # due 60 days after acceptance
    drive(world, "closed", start=start)  # nothing running
    fed(world)
    items = get(world, "supervisor", "/api/v1/overdue")["items"]
    assert [i["case_id"] for i in items] == [screening.case_id, handling.case_id]
    first, second = items
    assert first["next_deadline"] == {"clock": "screening", "article": "第二十二条、第二十三条",
                                      "due_on": (start + timedelta(days=15)).date().isoformat()}  # fmt: skip
    assert (
        second["next_deadline"]["clock"] == "handling" and second["next_deadline"]["article"] == "第三十四条"
    )
    today = datetime.now(CST).date()
    assert first["days_overdue"] == (today - (start + timedelta(days=15)).date()).days
    assert ids(get(world, "inspector", "/api/v1/cases", overdue="true")) == {
        screening.case_id,
        handling.case_id,
    }


def test_a_town_b_reader_never_sees_town_a_rows_or_counts(world: World) -> None:
    held = drive(world, "in_handling")
    fed(world)
    assert ids(get(world, "officer", "/api/v1/cases")) == {held.case_id}
    assert get(world, "officer_b", "/api/v1/cases")["items"] == []
    assert get(world, "officer_b", "/api/v1/overdue")["items"] == []
    assert get(world, "leader_b", "/api/v1/caseloads")["items"] == []
    zero = get(world, "officer_b", f"/api/v1/leaders/{world.leader_a}/caseload")
    assert (zero["open"], zero["overdue"]) == (0, 0)
    own = get(world, "leader", f"/api/v1/leaders/{world.leader_a}/caseload")
    assert (own["open"], own["overdue"], own["answered"], own["closed"]) == (1, 1, 0, 0)
    response = world.client("admin").get("/api/v1/cases")
    assert response.status_code == 403


def test_an_accusation_is_in_no_listing_or_search_of_its_accused_side(world: World) -> None:
    # A county supervisor whose login is the accused leader's: in scope (the county received the
    # case), and on its accused side (第三十条): no listing, filter or search shows it to him.
    world.add_user("accused_supervisor", "supervisor", world.county, world.leader_b)
    case = drive(
        world, "in_handling", kind="accusation", accused_leader=world.leader_b, subject="举报乙镇领导违规"
    )
    other = drive(world, "in_handling", subject="违规建房")
    fed(world)
    for who in ("accused_supervisor", "officer_b", "leader_b"):
        for params in ({}, {"q": "违规"}, {"q": "举报"}, {"status": "in_handling"}, {"unit": world.town_a}):
            assert case.case_id not in ids(get(world, who, "/api/v1/cases", **params)), (who, params)
        assert case.case_id not in ids(get(world, who, "/api/v1/overdue"))
    assert ids(get(world, "accused_supervisor", "/api/v1/cases")) == {other.case_id}
    assert ids(get(world, "supervisor", "/api/v1/cases", q="违规")) == {case.case_id, other.case_id}
    assert ids(get(world, "inspector", "/api/v1/cases", q="违规")) == {case.case_id, other.case_id}
    assert ids(get(world, "officer", "/api/v1/cases", q="乙镇领导")) == {case.case_id}


def test_caseload_follows_the_leader_holding_the_case_at_the_time_asked(world: World) -> None:
    case = drive(world, "in_handling")
    moved = case.later(24)
    world.ok("supervisor", case.case_id, "reassign",
             {"unit_code": world.town_b, "leader_id": world.leader_b, "occurred_at": iso(moved)})  # fmt: skip
    fed(world)
    before = get(world, "inspector", "/api/v1/caseloads", as_of=iso(moved - timedelta(hours=1)))["items"]
    after = get(world, "inspector", "/api/v1/caseloads", as_of=iso(moved))["items"]
    now = get(world, "inspector", "/api/v1/caseloads")["items"]
    assert [(r["leader_id"], r["open"]) for r in before] == [(world.leader_a, 1)]
    assert [(r["leader_id"], r["open"]) for r in after] == [(world.leader_b, 1)] == [
        (r["leader_id"], r["open"]) for r in now]  # fmt: skip
    # As the ledger knew it an hour before the reassignment was recorded: still nothing (late entry).
    known = get(world, "inspector", "/api/v1/caseloads", known_at=iso(moved))["items"]
    assert known == []
    # As of the day after the assignment, no deadline had run out yet.
    assert before[0]["overdue"] == 0 and now[0]["overdue"] == 1


def test_caseload_answered_closed_handling_days_and_satisfaction(world: World) -> None:
    start = steady_morning(datetime.now(CST) - timedelta(days=300))  # answered the day it was accepted
    drive(world, "closed", start=start)
    drive(world, "answered", start=start)
    drive(world, "in_handling", start=start)
    fed(world)
    row = get(world, "inspector", f"/api/v1/leaders/{world.leader_a}/caseload")
    # "answered" is still an open status (the return visit and closure are to come).
    assert row == {"leader_id": world.leader_a, "open": 2, "overdue": 1, "answered": 2, "closed": 1,
                   "backlog": 0, "avg_handling_days": 0.0, "satisfaction_rate": 1.0,
                   "receptions": 0, "reception_cases": 0}  # fmt: skip
    later = (datetime.now(CST) - timedelta(days=10)).date().isoformat()
    empty = get(world, "inspector", f"/api/v1/leaders/{world.leader_a}/caseload", **{"from": later})
    assert (empty["answered"], empty["closed"], empty["satisfaction_rate"]) == (0, 0, None)


def test_bad_time_and_cursor_are_422(world: World) -> None:
    client = world.client("inspector")
    assert client.get("/api/v1/cases", params={"as_of": "2024-01-01T00:00:00"}).status_code == 422
    both = {"as_of": "2024-01-01T00:00:00+08:00", "known_at": "2024-01-01T00:00:00+08:00"}
    assert client.get("/api/v1/cases", params=both).status_code == 422
    assert client.get("/api/v1/cases", params={"cursor": "garbage"}).status_code == 422
    assert client.get("/api/v1/cases", params={"limit": 501}).status_code == 422
