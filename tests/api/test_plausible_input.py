"""Rulings R9 and R12 over HTTP, on both stores: who may sign a collective petition, and which
dates a petition office can plausibly record."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.api.helpers import (
    World,
    assert_problem,
    drive,
    world_fixture,  # noqa: F401 - the `world` fixture
)
from tests.factories import id_number


def signatories(n: int) -> list[dict[str, str]]:
    return [
        {"name": f"联名人{i}", "id_number": id_number(), "phone": "13800138000", "address": "幸福路1号"}
        for i in range(n)
    ]


def refused_naming(response: Any, field: str, rule: str) -> None:
    problem = assert_problem(response, 422, "validation_failed")
    assert problem["rule"] == rule
    assert problem["errors"] == [{"field": field, "message": problem["detail"]}]


def test_a_joint_letter_with_six_signatories_is_registered(world: World) -> None:
    """Art. 20's five representatives are for visits (R9)."""
    body = world.registration(channel="letter", petitioners=signatories(6), headcount=6)
    response = world.client("registrar").post("/api/v1/cases", json=body)
    assert response.status_code == 201, response.text
    case = world.client("registrar").get(f"/api/v1/cases/{response.json()['case_id']}").json()
    assert len(case["petitioners"]) == 6
    visit = world.registration(channel="visit", petitioners=signatories(6), headcount=6)
    problem = assert_problem(
        world.client("registrar").post("/api/v1/cases", json=visit), 422, "rule_violated"
    )
    assert problem["rule"] == "at_most_five_representatives"


def test_a_petition_dated_in_the_year_1_is_refused_naming_occurred_at(world: World) -> None:
    body = world.registration(occurred_at="0001-01-01T09:00:00+08:00")
    response = world.client("registrar").post("/api/v1/cases", json=body)
    refused_naming(response, "occurred_at", "date_not_before_1990")


@pytest.mark.parametrize(
    ("day", "rule"),
    [
        ("0001-01-01", "date_not_before_1990"),
        ("1989-12-31", "date_not_before_1990"),
        ((date.today() + timedelta(days=3)).isoformat(), "date_not_in_future"),
    ],
)
def test_an_implausible_delivery_date_is_refused_naming_it(world: World, day: str, rule: str) -> None:
    case = drive(world, "in_handling")
    response = world.command("officer", case.case_id, "answer", {"outcome": "explain", "delivered_on": day})
    refused_naming(response, "delivered_on", rule)


def test_a_notice_dated_before_the_petition_is_refused(world: World) -> None:
    case = drive(world, "registered")
    before = (case.at.date() - timedelta(days=1)).isoformat()
    body = {
        "reason_code": "out_of_remit",
        "notice_issued_on": before,
        "occurred_at": case.later().isoformat(),
    }
    refused_naming(
        world.command("registrar", case.case_id, "not-accept", body), "notice_issued_on",
        "notice_dated_after_the_petition_and_not_in_future",
    )  # fmt: skip
