"""The timeline, reference data endpoints and the endpoints that need no token."""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise

import pytest

from api.commands import COMMAND_BODIES
from tests.api.helpers import (
    World,
    assert_problem,
    drive,
    iso,
    uid,
    world_fixture,  # noqa: F401 - the `world` fixture
)

ENTRY_KEYS = {
    "version",
    "type",
    "actor",
    "occurred_at",
    "recorded_at",
    "reason",
    "fields",
    "hash",
    "prev_hash",
    "corrected_by",
    "late_entry",
}


def test_timeline_lists_every_event_with_audit_fields_and_a_sound_chain(world: World) -> None:
    c = drive(world, "closed")
    world.ok("registrar", c.case_id, "notes", {"text": "备注", "reason": "补记"})
    timeline = world.timeline(c.case_id)
    assert timeline["chain_ok"] is True
    items = timeline["items"]
    assert [e["type"] for e in items] == [
        "Registered",
        "Accepted",
        "Assigned",
        "Answered",
        "ReturnVisitRecorded",
        "Closed",
        "NoteAdded",
    ]
    assert [e["version"] for e in items] == list(range(1, len(items) + 1))
    for entry in items:
        assert entry.keys() >= ENTRY_KEYS, entry.keys()
        assert len(entry["hash"]) == 64
        datetime.fromisoformat(entry["occurred_at"])
        datetime.fromisoformat(str(entry["recorded_at"]))
        assert entry["corrected_by"] == []
    for previous, entry in pairwise(items):
        assert entry["prev_hash"] == previous["hash"]
    assert [e["actor"]["user_id"] for e in items[:3]] == [
        world.users["registrar"],
        world.users["registrar"],
        world.users["supervisor"],
    ]
    assert items[0]["actor"]["role"] == "registrar"
    assert items[0]["late_entry"] is True  # occurred 300 days before it was recorded
    assert items[-1]["late_entry"] is False and items[-1]["reason"] == "补记"
    assert items[0]["occurred_at"].startswith(c.at.date().isoformat()[:4])
    assert items[3]["fields"]["outcome"] == "explain"
    positions = [e["position"] for e in items]
    assert positions == sorted(positions)


def test_actor_and_recorded_time_never_come_from_the_body(world: World) -> None:
    c = drive(world, "registered")
    occurred = iso(c.later())
    world.ok("registrar", c.case_id, "notes", {"text": "x", "occurred_at": occurred})
    last = world.timeline(c.case_id)["items"][-1]
    assert last["actor"]["user_id"] == world.users["registrar"]
    assert datetime.fromisoformat(last["occurred_at"]) == datetime.fromisoformat(occurred)
    assert datetime.fromisoformat(str(last["recorded_at"])) > datetime.fromisoformat(occurred)


def test_a_correction_shows_on_its_target_and_both_values_stay(world: World) -> None:
    c = drive(world, "answered")
    answered_version = c.version
    world.ok(
        "officer",
        c.case_id,
        "corrections",
        {
            "target_version": answered_version,
            "field": "outcome",
            "new_value": "support",
            "reason": "录入错误",
        },
    )
    timeline = world.timeline(c.case_id)
    by_version = {e["version"]: e for e in timeline["items"]}
    correction = timeline["items"][-1]
    assert correction["type"] == "Corrected"
    assert by_version[answered_version]["corrected_by"] == [correction["version"]]
    assert by_version[answered_version]["fields"]["outcome"] == "explain"  # the original is untouched
    assert correction["fields"]["old_value"] == "explain" and correction["fields"]["new_value"] == "support"
    assert correction["reason"] == "录入错误"
    assert world.case(c.case_id)["answer_outcome"] == "support"
    assert timeline["chain_ok"] is True


def test_case_as_it_stood_after_event_n(world: World) -> None:
    c = drive(world, "in_handling")
    assert (
        world.client("inspector").get(f"/api/v1/cases/{c.case_id}?version=1").json()["status"] == "registered"
    )
    assert (
        world.client("inspector").get(f"/api/v1/cases/{c.case_id}?version=2").json()["status"] == "accepted"
    )
    assert_problem(world.client("inspector").get(f"/api/v1/cases/{c.case_id}?version=9"), 404, "not_found")


def test_units_form_a_nested_tree(world: World) -> None:
    response = world.client("officer").get("/api/v1/units", params={"min_position": world.position()})
    assert response.status_code == 200
    [county] = [u for u in response.json()["items"] if u["code"] == world.county]
    assert county["parent_code"] is None and county["name"] == "某县"
    towns = {t["code"]: t for t in county["children"]}
    assert set(towns) == {world.town_a, world.town_b}
    assert [v["code"] for v in towns[world.town_a]["children"]] == [world.village]
    assert towns[world.town_b]["children"] == []


def test_unit_with_unknown_parent_and_duplicate_unit_are_refused(world: World) -> None:
    admin = world.client("admin")
    position = world.position()
    assert_problem(
        admin.post("/api/v1/units", json={"code": uid("U"), "name": "x", "parent_code": "NOPE"}),
        404,
        "not_found",
    )
    assert_problem(
        admin.post("/api/v1/units", json={"code": world.town_a, "name": "x"}), 409, "already_exists"
    )
    assert world.position() == position


def test_leaders_are_listed_with_every_post_they_held(world: World) -> None:
    admin = world.client("admin")
    moved = admin.post(f"/api/v1/leaders/{world.leader_v}/posts", json={"unit_code": world.town_b, "post": "副镇长"})
    assert moved.status_code == 201, moved.text
    left = admin.post(f"/api/v1/leaders/{world.leader_b}/leave", json={})
    assert left.status_code == 201, left.text
    response = world.client("inspector").get("/api/v1/leaders", params={"min_position": left.json()["position"]})
    assert response.status_code == 200
    leaders = {leader["leader_id"]: leader for leader in response.json()["items"]}
    assert leaders[world.leader_a]["unit_code"] == world.town_a
    assert leaders[world.leader_a]["name"] == "甲镇镇长"
    assert leaders[world.leader_a]["active"] is True
    assert {world.leader_county, world.leader_a, world.leader_b, world.leader_v} <= leaders.keys()
    v = leaders[world.leader_v]
    assert (v["unit_code"], v["post"]) == (world.town_b, "副镇长")
    assert [(p["unit_code"], p["post"]) for p in v["posts"]] == [(world.village, "镇长"), (world.town_b, "副镇长")]
    assert v["posts"][0]["to"] == v["posts"][1]["from"] and v["posts"][1]["to"] is None
    b = leaders[world.leader_b]
    assert b["active"] is False and b["posts"][0]["to"] is not None
    # the view says what the ledger's aggregates say
    for leader_id in (world.leader_v, world.leader_b):
        posts = world.server.app.state.ledger.get_leader(leader_id).posts_over_time()
        assert [(p.unit_code, p.ended_at is None) for p in posts] == [
            (p["unit_code"], p["to"] is None) for p in leaders[leader_id]["posts"]
        ]


def test_user_token_is_shown_once_and_not_cached(world: World) -> None:
    user_id = uid("clerk-")
    response = world.client("admin").post(
        "/api/v1/users",
        json={"user_id": user_id, "name": "新登记员", "role": "registrar", "unit_code": world.county},
    )
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    token = response.json()["token"]
    assert response.json()["user_id"] == user_id and response.json()["role"] == "registrar"
    # the list is a view: read your write by waiting for the ledger's position (API.md)
    listing = world.client("admin").get("/api/v1/users", params={"min_position": world.position()})
    assert listing.status_code == 200
    assert token not in listing.text
    assert user_id in {u["user_id"] for u in listing.json()["items"]}
    with world.server.client(token) as clerk:  # the token works
        assert clerk.post("/api/v1/cases", json=world.registration()).status_code == 201
    again = world.client("admin").post(
        "/api/v1/users", json={"user_id": user_id, "name": "x", "role": "officer", "unit_code": world.county}
    )
    assert_problem(again, 409, "already_exists")


def test_health_readiness_and_openapi_need_no_token(world: World) -> None:
    with world.server.client(None) as anon:
        assert anon.get("/healthz").json() == {"status": "ok"}
        ready = anon.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["ready"] is True and isinstance(ready.json()["ledger_position"], int)
        openapi = anon.get("/openapi.json")
        assert openapi.status_code == 200
    paths = openapi.json()["paths"]
    assert "post" in paths["/api/v1/cases"]
    for command in COMMAND_BODIES:
        assert "post" in paths[f"/api/v1/cases/{{case_id}}/{command}"], command
    for path in (
        "/api/v1/cases/{case_id}",
        "/api/v1/cases/{case_id}/timeline",
        "/api/v1/units",
        "/api/v1/users",
    ):
        assert path in paths


def test_reference_lists_never_replay_the_ledger(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 19: each list scanned the whole notification log by topic, growing with the ledger;
    they read the reference-data view now."""
    ledger = world.server.app.state.ledger

    def scan(*_: object, **__: object) -> None:
        raise AssertionError("a request replayed the ledger's reference events")

    monkeypatch.setattr(ledger, "rebuild_all", scan)
    monkeypatch.setattr(ledger, "_events_of", scan)
    position = world.position()
    for who, path in (("officer", "/api/v1/units"), ("inspector", "/api/v1/leaders"), ("admin", "/api/v1/users")):
        response = world.client(who).get(path, params={"min_position": position})
        assert response.status_code == 200, response.text
        assert response.json()["items"], path
