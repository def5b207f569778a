"""Idempotency-Key: a repeated command returns its first answer and writes once; keys are per user."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import (
    World,
    assert_problem,
    drive,
    world_fixture,  # noqa: F401 - the `world` fixture
)


def _notes(w: World, case_id: str) -> list[dict[str, Any]]:
    return [e for e in w.timeline(case_id)["items"] if e["type"] == "NoteAdded"]


def test_same_key_same_body_returns_the_first_answer_and_writes_once(world: World) -> None:
    c = drive(world, "registered")
    headers = {"Idempotency-Key": "note-1"}
    first = world.command("registrar", c.case_id, "notes", {"text": "一次"}, headers=headers)
    assert first.status_code == 200, first.text
    position = world.position()
    again = world.command("registrar", c.case_id, "notes", {"text": "一次"}, headers=headers)
    assert again.status_code == 200, again.text
    assert again.json() == first.json()
    assert world.position() == position
    assert len(_notes(world, c.case_id)) == 1
    assert world.version(c.case_id) == c.version + 1


def test_same_key_different_body_is_422(world: World) -> None:
    c = drive(world, "registered")
    headers = {"Idempotency-Key": "note-2"}
    assert world.command("registrar", c.case_id, "notes", {"text": "一"}, headers=headers).status_code == 200
    position = world.position()
    response = world.command("registrar", c.case_id, "notes", {"text": "二"}, headers=headers)
    assert_problem(response, 422, "idempotency_key_reused")
    assert world.position() == position
    assert [n["fields"]["text"] for n in _notes(world, c.case_id)] == ["一"]


def test_same_key_on_another_case_is_422(world: World) -> None:
    c1, c2 = drive(world, "registered"), drive(world, "registered")
    headers = {"Idempotency-Key": "shared"}
    assert world.command("registrar", c1.case_id, "notes", {"text": "a"}, headers=headers).status_code == 200
    position = world.position()
    assert_problem(
        world.command("registrar", c2.case_id, "notes", {"text": "a"}, headers=headers),
        422,
        "idempotency_key_reused",
    )
    assert world.position() == position


def test_keys_are_per_user(world: World) -> None:
    c = drive(world, "registered")
    headers = {"Idempotency-Key": "same-key"}
    r1 = world.command("registrar", c.case_id, "notes", {"text": "同"}, headers=headers)
    r2 = world.command("supervisor", c.case_id, "notes", {"text": "同"}, headers=headers)
    assert r1.status_code == r2.status_code == 200, (r1.text, r2.text)
    assert r2.json()["version"] == r1.json()["version"] + 1
    assert r2.json()["position"] > r1.json()["position"]
    notes = _notes(world, c.case_id)
    assert [n["actor"]["user_id"] for n in notes] == [world.users["registrar"], world.users["supervisor"]]


def test_replay_after_later_writes_still_returns_the_first_answer(world: World) -> None:
    c = drive(world, "registered")
    headers = {"Idempotency-Key": "accept-once"}
    first = world.command("registrar", c.case_id, "accept", {}, headers=headers)
    assert first.status_code == 200, first.text
    world.ok("registrar", c.case_id, "notes", {"text": "之后"})
    position = world.position()
    again = world.command("registrar", c.case_id, "accept", {}, headers=headers)
    assert again.status_code == 200, again.text  # not 409: the first answer is returned
    assert again.json() == first.json()
    assert world.position() == position


def test_register_is_idempotent(world: World) -> None:
    body = world.registration()
    headers = {"Idempotency-Key": "register-1"}
    client = world.client("registrar")
    first = client.post("/api/v1/cases", json=body, headers=headers)
    assert first.status_code == 201, first.text
    position = world.position()
    again = client.post("/api/v1/cases", json=body, headers=headers)
    assert again.status_code == 201, again.text
    # the same answer, except the query code: shown once and never stored, a replay cannot show it
    assert first.json()["query_code"] and again.json()["query_code"] is None
    assert {**again.json(), "query_code": None} == {**first.json(), "query_code": None}
    assert world.position() == position
    other = client.post("/api/v1/cases", json={**body, "subject": "另一件"}, headers=headers)
    assert_problem(other, 422, "idempotency_key_reused")
    assert world.position() == position


def test_register_with_same_key_by_another_registrar_writes_its_own_case(world: World) -> None:
    world.add_user("registrar2", "registrar", world.county)
    body = world.registration()
    headers = {"Idempotency-Key": "register-2"}
    r1 = world.client("registrar").post("/api/v1/cases", json=body, headers=headers)
    r2 = world.client("registrar2").post("/api/v1/cases", json=body, headers=headers)
    assert r1.status_code == r2.status_code == 201, (r1.text, r2.text)
    assert r1.json()["case_id"] != r2.json()["case_id"]
