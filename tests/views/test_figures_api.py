"""GET /api/v1/figures over HTTP, on both stores: shape, filters, reader scope and refusals."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from projections.figures.cells import FiguresWithCells
from projections.figures.query import FIGURES
from tests.api.helpers import DrivenCase, World, assert_problem, drive, world_fixture
from tests.api.practices import open_campaign
from tests.views.feed import feed

__all__ = ["world_fixture"]


def fed(world: World) -> None:
    ledger = world.server.ledger
    feed(ledger, FiguresWithCells(ledger))


def get(world: World, who: str, **params: Any) -> dict[str, Any]:
    response = world.client(who).get("/api/v1/figures", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def counts(body: dict[str, Any]) -> dict[str, tuple[int, int]]:
    return {name: (f["numerator"], f["denominator"]) for name, f in body["figures"].items()}


def closed_in_town_b(world: World) -> DrivenCase:
    """Assigned to town A, reassigned to town B a day later, then answered, visited (unsatisfied)
    and closed there on the following days."""
    case = drive(world, "in_handling")
    steps: list[tuple[str, str, dict[str, Any]]] = [
        ("supervisor", "reassign", {"unit_code": world.town_b, "leader_id": world.leader_b}),
        (
            "officer_b",
            "answer",
            {"outcome": "explain", "delivered_on": day_after(case, 2).date().isoformat()},
        ),
        ("officer_b", "return-visit", {"satisfaction": "unsatisfied", "signed": False, "method": "visit"}),
        ("officer_b", "close", {"closure_type": "resolved"}),
    ]
    for n, (who, command, body) in enumerate(steps, start=1):
        world.ok(who, case.case_id, command, {**body, "occurred_at": day_after(case, n).isoformat()})
    return case


CAMPAIGN = "qing-jaan"  # 清积案


def day_after(case: DrivenCase, days: int) -> datetime:
    return case.at + timedelta(days=days)


def scripted(world: World) -> tuple[DrivenCase, DrivenCase, DrivenCase, DrivenCase]:
    """Two cases closed in town A (one labour), one closed in town B, one only registered."""
    a1 = drive(world, "closed")
    a2 = drive(world, "closed", category="labour")
    b = closed_in_town_b(world)
    registered = drive(world, "registered")
    campaign = open_campaign(world, campaign_id=CAMPAIGN)
    world.ok(
        "supervisor", a1.case_id, "backlog", {"campaign_id": campaign, "occurred_at": a1.later(1).isoformat()}
    )
    fed(world)
    return a1, a2, b, registered


def test_figures_with_numerators_denominators_and_months(world: World) -> None:
    a1, *_ = scripted(world)
    start, end = (a1.at - timedelta(days=10)).date(), (a1.at + timedelta(days=10)).date()
    body = get(world, "inspector", **{"from": start.isoformat(), "to": end.isoformat()})
    assert set(body["figures"]) == set(FIGURES)
    assert counts(body) == {
        "closure_rate": (3, 3),
        "on_time_closure_rate": (3, 3),
        "satisfaction_rate": (2, 3),  # town B's visit was unsatisfied
        # drive() closes as answered_only; town B's closed as resolved over an unsatisfied
        # petitioner, which is neither 化解 nor 案结事了 (R11)
        "resolution_rate": (0, 4),
        "settled_rate": (2, 4),
        "repeat_rate": (0, 4),
        # four petitioners, each for the first time; none resolved (初信初访化解率)
        "first_contact_resolution_rate": (0, 4),
        "implementation_rate": (0, 0),  # no answer supported a request
    }
    assert body["figures"]["satisfaction_rate"]["value"] == 2 / 3
    assert body["figures"]["repeat_rate"]["value"] == 0.0
    assert body["filters"] == {"from": start.isoformat(), "to": end.isoformat(), "unit": None,
                               "leader": None, "category": None, "campaign": None}  # fmt: skip
    months = body["by_month"]
    assert [m["month"] for m in months] == sorted({start.strftime("%Y-%m"), end.strftime("%Y-%m")})
    assert months[0]["from"] == start.isoformat() and months[-1]["to"] == end.isoformat()
    for name in FIGURES:
        for part in ("numerator", "denominator"):
            assert sum(m["figures"][name][part] for m in months) == body["figures"][name][part]


def test_a_period_without_cases_answers_null_values(world: World) -> None:
    scripted(world)
    long_ago = date.today() - timedelta(days=3000)
    body = get(
        world,
        "inspector",
        **{"from": long_ago.isoformat(), "to": (long_ago + timedelta(days=40)).isoformat()},
    )
    for name, figure in body["figures"].items():
        pending = {"pending": 0} if name == "settled_rate" else {}
        assert figure == {"value": None, "numerator": 0, "denominator": 0, **pending}
    assert len(body["by_month"]) in (2, 3)
    assert all(f["value"] is None for m in body["by_month"] for f in m["figures"].values())


def test_filters_by_unit_leader_category_and_campaign(world: World) -> None:
    scripted(world)
    assert counts(get(world, "inspector", unit=world.town_b))["closure_rate"] == (1, 1)
    # the town-B case was town A's (leader A's) before its reassignment: it counts for both
    assert counts(get(world, "inspector", unit=world.town_a))["closure_rate"] == (3, 3)
    by_leader_b = counts(get(world, "inspector", leader=world.leader_b))
    assert by_leader_b["closure_rate"] == (1, 1) and by_leader_b["satisfaction_rate"] == (0, 1)
    # leader A did not hold the town-B case when it was visited and closed
    by_leader_a = counts(get(world, "inspector", leader=world.leader_a))
    assert by_leader_a["satisfaction_rate"] == (2, 2) and by_leader_a["on_time_closure_rate"] == (2, 2)
    assert counts(get(world, "inspector", category="labour"))["resolution_rate"] == (0, 1)
    assert counts(get(world, "inspector", campaign=CAMPAIGN))["settled_rate"] == (1, 1)
    # the county's subtree holds every case, the unassigned one through its receiving unit
    assert counts(get(world, "inspector", unit=world.county))["repeat_rate"] == (0, 4)


def test_a_town_b_officer_counts_only_town_b_cases(world: World) -> None:
    scripted(world)
    assert counts(get(world, "officer_b")) == {
        "closure_rate": (1, 1),
        "on_time_closure_rate": (1, 1),
        "satisfaction_rate": (0, 1),
        "resolution_rate": (0, 1),  # closed resolved, but the petitioner is unsatisfied (R11)
        "settled_rate": (0, 1),
        "repeat_rate": (0, 1),
        "first_contact_resolution_rate": (0, 1),
        "implementation_rate": (0, 0),
    }
    # even when asking for town A or the whole county, scope still applies
    assert counts(get(world, "officer_b", unit=world.town_a))["closure_rate"] == (1, 1)
    assert counts(get(world, "officer_b", unit=world.county))["resolution_rate"] == (0, 1)
    town_a = counts(get(world, "officer"))
    assert town_a["closure_rate"] == (2, 2) and town_a["resolution_rate"] == (0, 2)
    assert counts(get(world, "leader_b"))["closure_rate"] == (1, 1)
    # the county registrar's scope is what the county received: all four
    assert counts(get(world, "registrar"))["resolution_rate"] == (0, 4)


def test_refusals(world: World) -> None:
    assert world.server.client(None).get("/api/v1/figures").status_code == 401
    assert_problem(world.client("admin").get("/api/v1/figures"), 403, "forbidden")
    bad = world.client("inspector").get("/api/v1/figures", params={"from": "2024-02-01", "to": "2024-01-01"})
    assert_problem(bad, 422, "validation_failed")
    assert_problem(
        world.client("inspector").get("/api/v1/figures", params={"from": "soon"}), 422, "validation_failed"
    )
    assert world.client("inspector").get("/api/v1/figures", params={"unit": "nowhere"}).status_code == 404


def test_min_position_is_accepted(world: World) -> None:
    scripted(world)
    response = world.client("inspector").get("/api/v1/figures", params={"min_position": world.position()})
    assert response.status_code == 200, response.text
