"""Clock policies over HTTP (DOMAIN.md R8, API.md "Additions"): GET and POST /api/v1/policies,
registration without a policy version, and the National Day 复核 window. On both stores."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from tests.api.helpers import (
    CST,
    DrivenCase,
    World,
    assert_problem,
    drive,
    iso,
    world_fixture,  # noqa: F401 - the `world` fixture
)

# A 复查 decision delivered Wed 3 Sep 2025: 30 days end Fri 3 Oct, inside the National Day
# holiday (1-8 Oct 2025); Thu 9 Oct is the first working day after it.
FIRST_WORKING_DAY = date(2025, 10, 9)


def adopt(world: World, version: str, effective_from: str, who: str = "admin") -> Any:
    return world.client(who).post(
        "/api/v1/policies", json={"policy_version": version, "effective_from": effective_from}
    )


def policies(world: World, who: str = "registrar") -> dict[str, Any]:
    response = world.client(who).get("/api/v1/policies")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def reviewed_on_3_september_2025(world: World) -> DrivenCase:
    """Registered at 08:00 and driven, an hour a step, to a 复查 decision delivered that day."""
    return drive(world, "reviewed", start=datetime(2025, 9, 3, 8, tzinfo=CST))


def request_re_review(world: World, case: DrivenCase, on: date) -> Any:
    moment = datetime(on.year, on.month, on.day, 10, tzinfo=CST)
    body = {"requested_on": on.isoformat(), "occurred_at": iso(moment)}
    return world.command("registrar", case.case_id, "re-review-request", body)


def test_the_policies_list_the_versions_with_their_rules_and_no_adoption_yet(world: World) -> None:
    body = policies(world)
    assert (body["default"], body["in_force"], body["adoptions"]) == ("2022-calendar", "2022-calendar", [])
    versions = {v["version"]: v for v in body["versions"]}
    assert set(versions) == {"2022-calendar", "2022-calendar-2", "2022-calendar-fast-track", "2022-working"}
    new = versions["2022-calendar-2"]
    assert (new["day_counting"], new["last_day_on_rest_day"], new["default"]) == (
        "calendar",
        "next_working_day",
        False,
    )
    assert (new["review_window_days"], new["re_review_window_days"], new["handling_days"]) == (30, 30, 60)
    assert new["assignment_objection_working_days"] == 5
    assert "民法典第二百零三条" in new["description"]
    assert versions["2022-calendar"]["last_day_on_rest_day"] == "stands"
    assert versions["2022-calendar"]["default"] is True


def test_an_administrator_adopts_a_version_and_every_role_sees_it(world: World) -> None:
    response = adopt(world, "2022-calendar-2", "2025-06-01")
    assert response.status_code == 201, response.text
    answer = response.json()
    assert (answer["policy_version"], answer["effective_from"]) == ("2022-calendar-2", "2025-06-01")
    assert answer["position"] > 0
    for who in ("registrar", "officer", "inspector"):
        body = policies(world, who)
        assert body["in_force"] == "2022-calendar-2"
        [adoption] = body["adoptions"]
        assert (adoption["policy_version"], adoption["effective_from"]) == ("2022-calendar-2", "2025-06-01")
        assert adoption["adopted_by"] == "admin"  # the token's user, never a body field


def test_only_the_administrator_adopts(world: World) -> None:
    for who in ("registrar", "supervisor", "inspector", "officer", "leader"):
        assert_problem(adopt(world, "2022-calendar-2", "2025-06-01", who), 403, "forbidden")
    assert policies(world)["adoptions"] == []


def test_an_unknown_version_or_a_malformed_date_is_refused(world: World) -> None:
    problem = assert_problem(adopt(world, "2031-lunar", "2025-06-01"), 422, "validation_failed")
    assert problem["field"] == "policy_version" and "2022-calendar-2" in problem["known"]
    assert_problem(adopt(world, "2022-calendar-2", "2025-06-31"), 422, "validation_failed")
    assert_problem(adopt(world, "2022-calendar-2", "next month"), 422, "validation_failed")
    response = world.client("admin").post("/api/v1/policies", json={"policy_version": "2022-calendar-2"})
    assert_problem(response, 422, "validation_failed")
    assert policies(world)["adoptions"] == []


def test_the_registrar_cannot_pick_a_policy_for_a_case(world: World) -> None:
    position = world.position()
    response = world.client("registrar").post(
        "/api/v1/cases", json=world.registration(policy_version="2022-working")
    )
    problem = assert_problem(response, 422, "validation_failed")
    assert [e["field"] for e in problem["errors"]] == ["policy_version"]
    assert world.position() == position  # nothing written


def test_a_case_takes_the_version_in_force_on_the_china_day_it_arose(world: World) -> None:
    assert adopt(world, "2022-calendar-2", "2025-06-01").status_code == 201
    before = world.register(occurred_at="2025-05-31T23:30:00+08:00")
    on = world.register(occurred_at="2025-06-01T00:10:00+08:00")  # 31 May in UTC
    assert world.case(before)["policy_version"] == "2022-calendar"
    assert world.case(on)["policy_version"] == "2022-calendar-2"


def test_a_re_review_request_after_the_national_day_holiday_is_in_time_only_under_the_new_version(
    world: World,
) -> None:
    old = reviewed_on_3_september_2025(world)  # no adoption yet: the default 2022-calendar
    assert adopt(world, "2022-calendar-2", "2025-01-01").status_code == 201
    new = reviewed_on_3_september_2025(world)
    assert (world.case(old.case_id)["policy_version"], world.case(new.case_id)["policy_version"]) == (
        "2022-calendar",
        "2022-calendar-2",
    )
    # The old case's window still ends on 3 Oct: the adoption did not move its deadline.
    refused = assert_problem(request_re_review(world, old, FIRST_WORKING_DAY), 409, "deadline_passed")
    assert (refused["last_day"], refused["article"]) == ("2025-10-03", "第三十六条")
    accepted = request_re_review(world, new, FIRST_WORKING_DAY)
    assert accepted.status_code == 200, accepted.text
    assert world.case(new.case_id)["status"] == "under_re_review"
