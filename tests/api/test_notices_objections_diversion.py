"""Issue 18 over HTTP, on both stores: written notices and the screening clock (DOMAIN.md R5),
the 办结报告 deadline, objections to an assignment and 交还 (R6), diversion until the answer and
its outcome (R7). Each test reproduces a finding of the issue; each failed before the change."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.api.helpers import (
    CASE_AGE,
    CST,
    World,
    assert_problem,
    drive,
    iso,
    today,
    world_fixture,  # noqa: F401 - the `world` fixture
)
from tests.factories import steady_morning

ARBITRATION = {"pathway": "arbitration", "institution": "县劳动人事争议仲裁委员会"}


def _start() -> datetime:
    return steady_morning(datetime.now(CST) - CASE_AGE)


def _on(start: datetime, days: int) -> str:
    return (start + timedelta(days=days)).date().isoformat()


def _clock(world: World, case_id: str, name: str) -> dict[str, Any]:
    """The latest clock of that name, as the case read shows it now."""
    clocks = [c for c in world.case(case_id)["clocks"] if c["name"] == name]
    assert clocks, world.case(case_id)["clocks"]
    return clocks[-1]


def _overdue_clocks(world: World, who: str, case_id: str) -> list[str]:
    """The clock each overdue-list row of the case names (the views read their own writes)."""
    params = {"min_position": world.position(), "limit": 500}
    response = world.client(who).get("/api/v1/overdue", params=params)
    assert response.status_code == 200, response.text
    return [r["next_deadline"]["clock"] for r in response.json()["items"] if r["case_id"] == case_id]


def _unchanged(world: World, case_id: str, version: int, position: int) -> None:
    assert (world.version(case_id), world.position()) == (version, position)


def _refused(world: World, who: str, case_id: str, command: str, body: dict[str, Any],
             expected: tuple[int, str, str, str]) -> None:  # fmt: skip
    """Refused with (status, code, rule, article), and nothing written."""
    version, position = world.version(case_id), world.position()
    problem = assert_problem(world.command(who, case_id, command, body), *expected[:2])
    assert (problem["rule"], problem["article"]) == expected[2:]
    _unchanged(world, case_id, version, position)


# ---- R5: notices and the screening clock ----------------------------------------------------


def test_an_acceptance_records_its_notice_and_screening_stops_on_the_notice_day(world: World) -> None:
    start = _start()
    case_id = world.register(occurred_at=iso(start))
    body = {
        "notice_issued_on": _on(start, 20),
        "notice_mode": "written",
        "occurred_at": iso(start + timedelta(days=2)),
    }
    world.ok("registrar", case_id, "accept", body)
    case = world.case(case_id)
    assert (case["notice_issued_on"], case["notice_mode"], case["notice_pending"]) == (
        _on(start, 20), "written", False,
    )  # fmt: skip
    accepted = world.timeline(case_id)["items"][-1]
    assert accepted["type"] == "Accepted"
    assert (accepted["fields"]["notice_issued_on"], accepted["fields"]["notice_mode"]) == (
        _on(start, 20),
        "written",
    )
    screening = _clock(world, case_id, "screening")
    # 15 days from registration; the notice came 5 days late, whatever day the decision was taken
    assert (screening["stopped_on"], screening["state"], screening["days_overdue"]) == (
        _on(start, 20),
        "met_late",
        5,
    )


def test_an_outcome_without_its_notice_keeps_screening_running_until_the_notice(world: World) -> None:
    start = _start()
    case_id = world.register(occurred_at=iso(start))
    world.ok("registrar", case_id, "accept", {"occurred_at": iso(start + timedelta(days=1))})
    assert world.case(case_id)["notice_pending"] is True
    # the owed notice is its own entry, not a correction of the outcome
    fix = {"target_version": 2, "field": "notice_issued_on", "new_value": _on(start, 3), "reason": "补记"}
    assert_problem(world.command("registrar", case_id, "corrections", fix), 422, "validation_failed")
    running = _clock(world, case_id, "screening")
    assert (running["stopped_on"], running["state"]) == (None, "overdue")
    assert _overdue_clocks(world, "registrar", case_id) == ["screening"]
    # the written notice, issued on day 50: the clock stops there, 35 days late
    world.ok("registrar", case_id, "notice", {"issued_on": _on(start, 50), "notice_mode": "written"})
    screening = _clock(world, case_id, "screening")
    assert (screening["stopped_on"], screening["state"], screening["days_overdue"]) == (
        _on(start, 50),
        "met_late",
        35,
    )
    assert _overdue_clocks(world, "registrar", case_id) == ["handling"]  # accepted 300 days ago
    assert world.case(case_id)["notice_pending"] is False
    # a notice is recorded once for its outcome
    again = world.command(
        "registrar", case_id, "notice", {"issued_on": _on(start, 51), "notice_mode": "written"}
    )
    assert (
        assert_problem(again, 409, "transition_not_allowed")["rule"]
        == "notice_follows_an_outcome_without_one"
    )


def test_a_notice_before_the_petition_arose_before_its_outcome_or_in_the_future_is_refused(
    world: World,
) -> None:
    start = _start()
    case_id = world.register(occurred_at=iso(start))
    decided = iso(start + timedelta(days=3))
    version, position = world.version(case_id), world.position()
    for notice_day, rule in (
        (_on(start, -1), "notice_dated_after_the_petition_and_not_in_future"),
        ((today() + timedelta(days=2)).isoformat(), "date_not_in_future"),  # R12's general rule, first
        (_on(start, 1), None),  # after the petition arose, but before the acceptance it notifies
    ):
        body = {"notice_issued_on": notice_day, "occurred_at": decided}
        problem = assert_problem(
            world.command("registrar", case_id, "accept", body), 422, "validation_failed"
        )
        assert problem.get("rule") == rule, problem
        _unchanged(world, case_id, version, position)
    # the later notice is held to the same dates
    world.ok("registrar", case_id, "accept", {"occurred_at": decided})
    version, position = world.version(case_id), world.position()
    future = {"issued_on": (today() + timedelta(days=2)).isoformat(), "notice_mode": "written"}
    problem = assert_problem(world.command("registrar", case_id, "notice", future), 422, "validation_failed")
    assert problem["rule"] == "date_not_in_future"
    _unchanged(world, case_id, version, position)


def test_a_notice_given_on_the_spot_or_none_for_an_unclear_address_stops_screening_that_day(
    world: World,
) -> None:
    start = _start()
    spot, unclear = world.register(occurred_at=iso(start)), world.register(occurred_at=iso(start))
    world.ok("registrar", spot, "transfer", {"authority": "市信访局", "notice_mode": "on_the_spot",
                                             "occurred_at": iso(start + timedelta(days=4))})  # fmt: skip
    body = {
        "reason_code": "anonymous_unclear",
        "notice_mode": "address_unclear",
        "occurred_at": iso(start + timedelta(days=6)),
    }
    world.ok("registrar", unclear, "not-accept", body)
    assert (world.case(spot)["notice_issued_on"], world.case(unclear)["notice_issued_on"]) == (
        _on(start, 4),
        None,
    )
    assert _clock(world, spot, "screening")["stopped_on"] == _on(start, 4)
    assert _clock(world, unclear, "screening")["stopped_on"] == _on(start, 6)
    # no notice is issued when the address is unclear, so none can be dated
    other = world.register(occurred_at=iso(start))
    bad = {**body, "notice_issued_on": _on(start, 6)}
    assert_problem(world.command("registrar", other, "not-accept", bad), 422, "validation_failed")


# ---- 办结报告 (art. 22(3)) -----------------------------------------------------------------


def test_an_assignment_sets_a_report_deadline_the_completion_report_meets(world: World) -> None:
    c = drive(world, "accepted")
    assign = {"unit_code": world.town_a, "leader_id": world.leader_a, "officer_id": world.users["officer"],
              "report_by": _on(c.at, 10), "occurred_at": iso(c.later())}  # fmt: skip
    world.ok("supervisor", c.case_id, "assign", assign)
    report = _clock(world, c.case_id, "completion_report")
    assert (report["article"], report["due_on"], report["state"]) == (
        "第二十二条第三项",
        _on(c.at, 10),
        "overdue",
    )
    assert _overdue_clocks(world, "supervisor", c.case_id) == ["completion_report"]
    body = {"text": "已调查核实并答复", "occurred_at": iso(c.at + timedelta(days=12))}
    world.ok("leader", c.case_id, "completion-report", body)
    report = _clock(world, c.case_id, "completion_report")
    assert (report["stopped_on"], report["state"], report["days_overdue"]) == (_on(c.at, 12), "met_late", 2)
    assert world.case(c.case_id)["completion_reported"] is True
    # the handling deadline (60 days) is what remains overdue now
    assert _overdue_clocks(world, "supervisor", c.case_id) == ["handling"]
    before = {"unit_code": world.town_a, "leader_id": world.leader_a, "report_by": _on(c.at, -1)}
    other = drive(world, "accepted")
    assert_problem(world.command("supervisor", other.case_id, "assign", before), 422, "validation_failed")


# ---- R6: objection to an assignment and 交还 -------------------------------------------------


def test_an_upheld_objection_hands_the_case_back_for_reassignment(world: World) -> None:
    c = drive(world, "in_handling")
    objection = {"reason": "该事项属劳动争议，应由仲裁处理，不属本镇职权", "occurred_at": iso(c.later())}
    world.ok("officer", c.case_id, "objection", objection)
    assert world.case(c.case_id)["objection_pending"] is True
    window = _clock(world, c.case_id, "assignment_objection")
    assert (window["stopped_on"], window["state"]) == (c.day, "met")
    world.ok("supervisor", c.case_id, "objection-decision", {"upheld": True, "occurred_at": iso(c.later(2))})
    case = world.case(c.case_id)
    assert (case["status"], case["unit_code"], case["leader_id"], case["objection_pending"]) == (
        "accepted", None, None, False,
    )  # fmt: skip
    # 交还: the unit no longer holds it, so for its officer the case is gone
    assert_problem(world.client("officer").get(f"/api/v1/cases/{c.case_id}"), 404, "case_not_found")
    again = {"unit_code": world.village, "leader_id": world.leader_v, "occurred_at": iso(c.later(3))}
    world.ok("supervisor", c.case_id, "assign", again)
    assert world.case(c.case_id)["unit_code"] == world.village


def test_a_rejected_objection_keeps_the_case_and_a_late_one_is_refused(world: World) -> None:
    c = drive(world, "in_handling")
    world.ok("leader", c.case_id, "objection", {"reason": "不属本镇职权", "occurred_at": iso(c.later())})
    world.ok("supervisor", c.case_id, "objection-decision", {"upheld": False, "occurred_at": iso(c.later(2))})
    case = world.case(c.case_id)
    assert (case["status"], case["unit_code"], case["objection_pending"]) == (
        "in_handling",
        world.town_a,
        False,
    )
    late = drive(world, "in_handling")
    body = {"reason": "不属本镇职权", "occurred_at": iso(late.at + timedelta(days=20))}  # holidays aside
    rule = (409, "deadline_passed", "assignment_objection_within_5_working_days", "第二十三条")
    _refused(world, "officer", late.case_id, "objection", body, rule)


def test_the_objection_window_that_ran_out_is_closed_never_overdue(world: World) -> None:
    c = drive(world, "in_handling", start=steady_morning(datetime.now(CST) - timedelta(days=20)))
    window = _clock(world, c.case_id, "assignment_objection")
    assert (window["state"], window["days_overdue"]) == ("window_closed", 0)
    assert _overdue_clocks(world, "supervisor", c.case_id) == []  # 20 days in: handling still runs
    replay = world.client("inspector").get(f"/api/v1/cases/{c.case_id}/delays")
    assert replay.status_code == 200, replay.text
    assert "assignment_objection" not in replay.text


# ---- R7: diversion until the answer, and its outcome ----------------------------------------


def test_a_matter_found_in_handling_to_belong_in_arbitration_is_diverted_by_the_holding_officer(
    world: World,
) -> None:
    c = drive(world, "in_handling")
    body = {**ARBITRATION, "notice_issued_on": c.day, "occurred_at": iso(c.later())}
    world.ok("officer", c.case_id, "divert", body)
    case = world.case(c.case_id)
    assert (case["status"], case["diverted_to"]) == ("diverted", ["arbitration", ARBITRATION["institution"]])
    assert _clock(world, c.case_id, "handling")["stopped_on"] == c.day  # it left the petition process
    assert _overdue_clocks(world, "supervisor", c.case_id) == []
    accepted = drive(world, "accepted")
    world.ok("supervisor", accepted.case_id, "divert", {**ARBITRATION, "occurred_at": iso(accepted.later())})
    assert world.case(accepted.case_id)["status"] == "diverted"
    # after acceptance the registrar no longer diverts, and before it only he does
    rule = (403, "forbidden", "diversion_by_the_phase_holder", "第二十八条、第三十一条")
    _refused(world, "registrar", drive(world, "in_handling").case_id, "divert", ARBITRATION, rule)
    _refused(world, "supervisor", drive(world, "registered").case_id, "divert", ARBITRATION, rule)


def test_a_returned_diversion_reopens_screening_from_the_day_it_came_back(world: World) -> None:
    c = drive(world, "in_handling")
    world.ok(
        "officer",
        c.case_id,
        "divert",
        {**ARBITRATION, "notice_issued_on": c.day, "occurred_at": iso(c.later())},
    )
    back = {"outcome": "returned", "on": _on(c.at, 30), "occurred_at": iso(c.at + timedelta(days=30))}
    world.ok("officer", c.case_id, "diversion-outcome", back)
    case = world.case(c.case_id)
    assert (case["status"], case["unit_code"], case["diversion_outcome"]) == ("registered", None, "returned")
    screening = _clock(world, c.case_id, "screening")
    assert (screening["started_on"], screening["due_on"]) == (_on(c.at, 30), _on(c.at, 45))
    assert _overdue_clocks(world, "registrar", c.case_id) == ["screening"]
    accept = {"notice_issued_on": _on(c.at, 31), "occurred_at": iso(c.at + timedelta(days=31))}
    world.ok("registrar", c.case_id, "accept", accept)
    assert _clock(world, c.case_id, "screening")["state"] == "met"
    taken = drive(world, "registered")
    world.ok("registrar", taken.case_id, "divert", {**ARBITRATION, "notice_issued_on": taken.day,
                                                    "occurred_at": iso(taken.later())})  # fmt: skip
    world.ok("registrar", taken.case_id, "diversion-outcome", {"outcome": "taken_up", "on": taken.day})
    assert world.case(taken.case_id)["status"] == "diverted"
    twice = world.command(
        "registrar", taken.case_id, "diversion-outcome", {"outcome": "returned", "on": taken.day}
    )
    assert assert_problem(twice, 409, "transition_not_allowed")["rule"] == "diversion_outcome_recorded_once"
