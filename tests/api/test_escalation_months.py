"""`month=YYYY-MM` on the concentrated-supervision list (issue 21), over HTTP on both stores: an
earlier month's list as of that month's end, on the timeline of what happened (a return visit
made on the month's last day and entered later counts); the reader's access as for this month's
list (never the accused side); a month that is no month, lies ahead or before 1990 refused, naming
`month`, and this month's list unchanged without it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from tests.api.helpers import (
    CST,
    DrivenCase,
    World,
    assert_problem,
    iso,
    today,
    world_fixture,  # noqa: F401 - the `world` fixture
)
from tests.api.test_practices_http import escalated, put_escalation_in_force


def months_back(n: int) -> date:
    """The first day of the month `n` months before this one."""
    first = today().replace(day=1)
    for _ in range(n):
        first = (first - timedelta(days=1)).replace(day=1)
    return first


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), CST)


def escalation_month(w: World, who: str, month: str | None = None) -> dict[str, Any]:
    params = {"min_position": str(w.position())} | ({"month": month} if month else {})
    response = w.client(who).get("/api/v1/escalations", params=params)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def ids(answer: dict[str, Any]) -> set[str]:
    return {i["case_id"] for i in answer["items"]}


def satisfied_and_closed(w: World, c: DrivenCase, when: datetime) -> None:
    w.ok("officer", c.case_id, "return-visit",
         {"satisfaction": "satisfied", "signed": True, "method": "visit", "occurred_at": iso(when)})  # fmt: skip
    w.ok("officer", c.case_id, "close",
         {"closure_type": "resolved", "occurred_at": iso(when + timedelta(hours=1))})  # fmt: skip


def test_an_earlier_months_list_is_as_of_its_end_with_late_entries_counted(world: World) -> None:
    two_back, last = months_back(2), months_back(1)
    put_escalation_in_force(world)
    early = escalated(world, subject="长期未结的征地补偿")  # escalated 300 days ago, still open
    settled = escalated(world, subject="已化解的拆迁安置")  # escalated 300 days ago ...
    satisfied_and_closed(world, settled, at(last + timedelta(days=1), 10))  # ... settled last month
    # the unsatisfied visit on the last day of the month before last, entered only now
    late = escalated(world, start=at(last - timedelta(days=1), 8), subject="月末回访不满意")
    newer = escalated(world, start=at(last, 8), subject="上月初新交办")  # arose last month
    month2, month1 = two_back.strftime("%Y-%m"), last.strftime("%Y-%m")

    before_last = escalation_month(world, "supervisor", month2)
    assert (before_last["month"], before_last["policy_in_force"]) == (month2, True)
    assert ids(before_last) == {early.case_id, settled.case_id, late.case_id}
    item = next(i for i in before_last["items"] if i["case_id"] == settled.case_id)
    assert (item["status"], item["satisfaction"], item["assignments"]) == ("answered", "unsatisfied", 3)
    assert ids(escalation_month(world, "supervisor", month1)) == {early.case_id, late.case_id, newer.case_id}
    now = escalation_month(world, "supervisor")
    assert now["month"] == today().strftime("%Y-%m")
    assert ids(now) == {early.case_id, late.case_id, newer.case_id}
    assert escalation_month(world, "supervisor", now["month"]) == now  # this month: as it stands now
    # town A's officer sees his town's matters in any month; the next township none of them
    assert ids(escalation_month(world, "officer", month2)) == ids(before_last)
    assert escalation_month(world, "officer_b", month2)["items"] == []
    # before the policy was in force there was no list
    assert escalation_month(world, "supervisor", "2019-12") == {
        "month": "2019-12",
        "policy_in_force": False,
        "items": [],
    }


def test_an_earlier_months_list_hides_an_accusation_from_its_accused_side(world: World) -> None:
    put_escalation_in_force(world)
    month = months_back(1).strftime("%Y-%m")
    a = escalated(world, kind="accusation", accused_unit=world.town_b, received_unit=world.town_b)
    world.add_user("supervisor_b", "supervisor", world.town_b)  # in scope by the receiving unit
    assert a.case_id in ids(escalation_month(world, "supervisor", month))
    assert a.case_id in ids(escalation_month(world, "inspector", month))
    for who in ("supervisor_b", "officer_b", "leader_b"):
        assert a.case_id not in ids(escalation_month(world, who, month)), who
    assert_problem(
        world.client("admin").get("/api/v1/escalations", params={"month": month}), 403, "forbidden"
    )


GARBAGE = ("garbage", "2026-13", "2026-00", "2026-1", "26-11", "2026-11-01", "2026-W45", "１９９９-01", "",
           "1989-12", "0001-01")  # fmt: skip


def test_a_month_that_is_no_month_lies_ahead_or_before_1990_is_refused_naming_month(world: World) -> None:
    put_escalation_in_force(world)
    position = world.position()
    ahead = (today().replace(day=28) + timedelta(days=5)).strftime("%Y-%m")
    for month in (*GARBAGE, ahead):
        response = world.client("supervisor").get("/api/v1/escalations", params={"month": month})
        problem = assert_problem(response, 422, "validation_failed")
        assert [e["field"] for e in problem["errors"]] == ["month"], (month, problem)
    assert world.position() == position
    assert escalation_month(world, "supervisor", "1990-01")["items"] == []  # the earliest plausible month
