"""Replay over HTTP on both stores: the case as of a time or as known at a time, step by step,
its delays, and the confidentiality of an accusation in every step."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

import httpx

from tests.api.helpers import (
    CST,
    World,
    assert_problem,
    drive,
    iso,
    today,
    world_fixture,  # noqa: F401 - the `world` fixture
)
from tests.api.test_confidentiality import CONTENT, ID_NUMBER, NAME, PHONE, SECRETS


def get(world: World, path: str, who: str = "inspector", **params: Any) -> dict[str, Any]:
    response = world.client(who).get(path, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def clock(view: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in view["clocks"] if c["name"] == name)


def test_a_late_answer_counts_as_of_when_it_happened_but_not_known_before_it_was_entered(
    world: World,
) -> None:
    c = drive(world, "in_handling")
    world.ok("officer", c.case_id, "notes", {"text": "约谈当事人"})
    time.sleep(0.02)  # the answer is recorded strictly after the note
    answered_at = c.later()  # an hour after the assignment, ~300 days ago: a late entry
    world.ok(
        "officer",
        c.case_id,
        "answer",
        {"outcome": "explain", "delivered_on": c.day, "occurred_at": iso(answered_at)},
    )
    timeline = world.timeline(c.case_id)["items"]
    assert [e["type"] for e in timeline][-2:] == ["NoteAdded", "Answered"]
    note_recorded = timeline[-2]["recorded_at"]
    base = f"/api/v1/cases/{c.case_id}"

    world_view = get(world, base, as_of=iso(answered_at + timedelta(minutes=1)))
    assert (world_view["status"], world_view["version"]) == ("answered", 5)
    assert clock(world_view, "handling")["state"] == "met"
    assert world_view["as_of"] is not None and world_view["known_at"] is None

    known = get(world, base, known_at=note_recorded)
    assert (known["status"], known["version"]) == ("in_handling", 4)
    handling = clock(known, "handling")  # judged on the day of known_at: long past its due date
    accepted_on = (c.at - timedelta(hours=1)).astimezone(CST).date()
    assert (
        handling["state"] == "overdue"
        and handling["due_on"] == (accepted_on + timedelta(days=60)).isoformat()
    )

    before = get(world, base, as_of=iso(answered_at - timedelta(minutes=1)))
    assert (before["status"], before["version"]) == ("in_handling", 3)
    assert get(world, base, known_at=iso(datetime.now(CST)))["status"] == "answered"


def test_before_the_case_existed_is_a_404_problem_on_both_timelines(world: World) -> None:
    c = drive(world, "accepted")
    base = f"/api/v1/cases/{c.case_id}"
    client = world.client("inspector")
    registered = c.at - timedelta(hours=1)
    assert_problem(
        client.get(base, params={"as_of": iso(registered - timedelta(seconds=1))}), 404, "case_not_found"
    )
    recorded = world.timeline(c.case_id)["items"][0]["recorded_at"]
    earlier = datetime.fromisoformat(recorded) - timedelta(seconds=1)
    assert_problem(client.get(base, params={"known_at": earlier.isoformat()}), 404, "case_not_found")
    assert get(world, base, as_of=iso(registered))["status"] == "registered"


def test_version_and_the_choice_of_one_moment(world: World) -> None:
    c = drive(world, "in_handling")
    base = f"/api/v1/cases/{c.case_id}"
    assert get(world, base, version=2)["status"] == "accepted"
    client = world.client("inspector")
    both = client.get(base, params={"version": 2, "as_of": iso(c.at)})
    assert_problem(both, 422, "validation_failed")
    naive = client.get(base, params={"as_of": "2026-01-01T00:00:00"})
    assert_problem(naive, 422, "validation_failed")


def test_replay_shows_each_step_with_changes_corrections_clocks_and_holder(world: World) -> None:
    c = drive(world, "in_handling")
    world.ok("registrar", c.case_id, "corrections",
             {"target_version": 1, "field": "category", "new_value": "housing", "reason": "分类有误"})  # fmt: skip
    steps = get(world, f"/api/v1/cases/{c.case_id}/replay")["steps"]
    assert [s["type"] for s in steps] == ["Registered", "Accepted", "Assigned", "Corrected"]
    assert [s["version"] for s in steps] == [1, 2, 3, 4]
    current = world.case(c.case_id)
    assert steps[-1]["state"].keys() == current.keys() - {"clocks", "as_of", "known_at"}
    registered, accepted, assigned, corrected = steps
    assert registered["actor"]["user_id"] == world.users["registrar"] and registered["recorded_at"]
    assert registered["changes"]["status"] == [None, "registered"]
    assert [(k["name"], k["state"]) for k in registered["clocks"]] == [("screening", "running")]
    assert accepted["changes"]["status"] == ["registered", "accepted"]
    assert [(k["name"], k["article"]) for k in accepted["clocks"]] == [("handling", "第三十四条")]
    assert assigned["holder"] == {
        "unit_code": world.town_a,
        "leader_id": world.leader_a,
        "officer_id": world.users["officer"],
    }
    assert assigned["changes"]["leader_id"] == [None, world.leader_a]
    assert corrected["changes"] == {"category": ["land", "housing"]}
    assert corrected["corrects"] == {"version": 1, "type": "Registered", "field": "category"}
    assert corrected["state"]["category"] == "housing" and accepted["state"]["category"] == "land"


def test_delays_split_at_a_reassignment_and_run_to_today(world: World) -> None:
    c = drive(world, "in_handling")
    accepted_on = (c.at - timedelta(hours=1)).astimezone(CST).date()
    due = accepted_on + timedelta(days=60)
    moved = c.at + timedelta(days=100)
    body = {"unit_code": world.town_b, "leader_id": world.leader_b, "occurred_at": iso(moved)}
    world.ok("supervisor", c.case_id, "reassign", body)
    moved_on = moved.astimezone(CST).date()
    result = get(world, f"/api/v1/cases/{c.case_id}/delays")
    [delay] = result["delays"]
    now = today()
    assert (result["day_counting"], result["total_days"]) == ("calendar", (now - due).days)
    assert (delay["clock"], delay["article"], delay["open"]) == ("handling", "第三十四条", True)
    assert (delay["from"], delay["to"]) == ((due + timedelta(days=1)).isoformat(), now.isoformat())
    assert delay["pieces"] == [
        {"unit_code": world.town_a, "leader_id": world.leader_a, "officer_id": world.users["officer"],
         "from": (due + timedelta(days=1)).isoformat(), "to": moved_on.isoformat(), "days": (moved_on - due).days},
        {"unit_code": world.town_b, "leader_id": world.leader_b, "officer_id": None,
         "from": (moved_on + timedelta(days=1)).isoformat(), "to": now.isoformat(), "days": (now - moved_on).days},
    ]  # fmt: skip


def _accusation(world: World) -> str:
    petitioner = {"name": NAME, "id_number": ID_NUMBER, "phone": PHONE, "address": "乙镇某村"}
    c = drive(world, "in_handling", kind="accusation", petitioners=[petitioner], content=CONTENT,
              accused_unit=world.town_b, accused_leader=world.leader_b)  # fmt: skip
    world.ok("registrar", c.case_id, "corrections",
             {"target_version": 1, "field": "content", "new_value": CONTENT + "补充。", "reason": "补充材料"})  # fmt: skip
    return c.case_id


def _no_secret(response: httpx.Response) -> None:
    for secret in SECRETS:
        assert secret not in response.text, (secret, response.text[:300])


def test_for_the_accused_side_the_replay_and_delays_do_not_exist(world: World) -> None:
    world.add_user("accused_supervisor", "supervisor", world.county, world.leader_b)
    case_id = _accusation(world)
    base = f"/api/v1/cases/{case_id}"
    now = iso(datetime.now(CST))
    for who in ("accused_supervisor", "officer_b", "leader_b"):
        client = world.client(who)
        for response in (client.get(f"{base}/replay"), client.get(f"{base}/delays"),
                         client.get(base, params={"as_of": now}), client.get(base, params={"known_at": now}),
                         client.get(f"{base}/replay", params={"unmask": "true", "purpose": "核实"})):  # fmt: skip
            assert_problem(response, 404, "case_not_found")
            _no_secret(response)
    # the holding officer, not on the accused side, does see the petitioner's name in the replay
    assert NAME in world.client("officer").get(f"{base}/replay").text
