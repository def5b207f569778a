"""Malformed, hostile or unauthorised requests: each is a 4xx problem+json and writes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.api.helpers import (
    CST,
    World,
    assert_problem,
    drive,
    iso,
    world_fixture,  # noqa: F401 - the `world` fixture
)

MISSING_CASE = "00000000-0000-4000-8000-000000000000"


class Unchanged:
    """Proves a request wrote nothing: the ledger position and the case version stay put."""

    def __init__(self, w: World, case_id: str | None = None) -> None:
        self.w, self.case_id = w, case_id
        self.position = w.position()
        self.version = w.version(case_id) if case_id else None

    def check(self) -> None:
        assert self.w.position() == self.position
        if self.case_id:
            assert self.w.version(self.case_id) == self.version


def _register_raw(w: World, who: str = "registrar", **kwargs: Any) -> Any:
    return w.client(who).post("/api/v1/cases", **kwargs)


def test_malformed_json_is_422(world: World) -> None:
    c = drive(world, "registered")
    before = Unchanged(world, c.case_id)
    headers = {"content-type": "application/json"}
    assert_problem(_register_raw(world, content=b"{bad", headers=headers), 422, "validation_failed")
    response = world.client("registrar").post(
        f"/api/v1/cases/{c.case_id}/notes", content=b"{bad", headers=headers
    )
    assert_problem(response, 422, "validation_failed")
    before.check()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"unexpected": 1}, "unexpected"),
        ({"channel": "fax"}, "channel"),
        ({"kind": "rumour"}, "kind"),
        ({"subject": "长" * 201}, "subject"),
        ({"content": "x" * 20001}, "content"),
        ({"subject": "bell\x07ring"}, "subject"),
        ({"content": "null\x00byte"}, "content"),
        ({"occurred_at": "2024-03-01T10:00:00"}, "occurred_at"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"region_code": "abc"}, "region_code"),
        ({"actor": "someone-else"}, "actor"),
    ],
    ids=[
        "unknown-field",
        "bad-channel",
        "bad-kind",
        "long-subject",
        "long-content",
        "bell-char",
        "nul-char",
        "no-offset",
        "not-a-time",
        "bad-region",
        "actor-in-body",
    ],
)
def test_bad_registration_is_422_naming_the_field(world: World, change: dict[str, Any], field: str) -> None:
    before = Unchanged(world)
    body = assert_problem(_register_raw(world, json=world.registration(**change)), 422, "validation_failed")
    assert any(e["field"].split(".")[0] == field for e in body["errors"]), body
    before.check()


@pytest.mark.parametrize(
    ("command", "body"),
    [
        ("notes", {"text": "x", "extra": True}),
        ("notes", {"text": "a\x1bb"}),
        ("notes", {"text": ""}),
        ("progress", {"step": "celebrated"}),
        (
            "extend",
            {
                "days": 31,
                "approved_by_leader_id": "L1",
                "petitioner_notified_on": "2024-01-01",
                "reason": "r",
            },
        ),
        (
            "extend",
            {"days": 0, "approved_by_leader_id": "L1", "petitioner_notified_on": "2024-01-01", "reason": "r"},
        ),
        ("answer", {"outcome": "explain", "delivered_on": "01/02/2024"}),
        ("notes", {"text": "x", "occurred_at": "2024-03-01 10:00"}),
        ("notes", {"text": "x", "reason": "r" * 2001}),
    ],
    ids=[
        "unknown-field",
        "escape-char",
        "empty-text",
        "bad-step",
        "31-days",
        "0-days",
        "bad-date",
        "no-offset",
        "long-reason",
    ],
)
def test_bad_command_body_is_422(world: World, command: str, body: dict[str, Any]) -> None:
    c = drive(world, "in_handling")
    before = Unchanged(world, c.case_id)
    assert_problem(world.command("officer", c.case_id, command, body), 422, "validation_failed")
    before.check()


def test_occurred_at_in_the_future_is_refused(world: World) -> None:
    c = drive(world, "registered")
    before = Unchanged(world, c.case_id)
    future = iso(datetime.now(CST) + timedelta(days=1))
    problem = assert_problem(
        _register_raw(world, json=world.registration(occurred_at=future)), 422, "rule_violated"
    )
    assert problem["rule"] == "occurred_at_not_in_future"
    response = world.command("registrar", c.case_id, "notes", {"text": "x", "occurred_at": future})
    assert assert_problem(response, 422, "rule_violated")["rule"] == "occurred_at_not_in_future"
    before.check()


def test_occurred_at_before_the_step_it_follows_is_refused(world: World) -> None:
    c = drive(world, "accepted")
    before = Unchanged(world, c.case_id)
    body = {
        "unit_code": world.town_a,
        "leader_id": world.leader_a,
        "occurred_at": iso(c.at - timedelta(days=1)),
    }
    problem = assert_problem(world.command("supervisor", c.case_id, "assign", body), 422, "rule_violated")
    assert problem["rule"] == "occurred_at_in_order"
    before.check()


def test_command_on_a_missing_case_is_404(world: World) -> None:
    before = Unchanged(world)
    response = world.command("registrar", MISSING_CASE, "notes", {"text": "x"})
    assert_problem(response, 404, "case_not_found")
    assert_problem(world.client("inspector").get(f"/api/v1/cases/{MISSING_CASE}"), 404, "case_not_found")
    assert_problem(
        world.client("inspector").get(f"/api/v1/cases/{MISSING_CASE}/timeline"), 404, "case_not_found"
    )
    before.check()


def test_a_case_id_that_is_not_a_uuid_is_422(world: World) -> None:
    before = Unchanged(world)
    assert_problem(world.command("registrar", "not-a-uuid", "notes", {"text": "x"}), 422, "validation_failed")
    before.check()


def test_stale_if_match_is_409_with_current_version(world: World) -> None:
    c = drive(world, "accepted")
    before = Unchanged(world, c.case_id)
    response = world.command(
        "registrar", c.case_id, "notes", {"text": "x"}, headers={"If-Match": str(c.version - 1)}
    )
    problem = assert_problem(response, 409, "version_conflict")
    assert problem["current_version"] == c.version
    before.check()
    ok = world.command(
        "registrar", c.case_id, "notes", {"text": "x"}, headers={"If-Match": f'W/"{c.version}"'}
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["version"] == c.version + 1


@pytest.mark.parametrize("value", ["abc", "-1", "1.5", ""])
def test_non_numeric_if_match_is_422(world: World, value: str) -> None:
    c = drive(world, "registered")
    before = Unchanged(world, c.case_id)
    response = world.command("registrar", c.case_id, "notes", {"text": "x"}, headers={"If-Match": value})
    assert_problem(response, 422, "validation_failed")
    before.check()


@pytest.mark.parametrize("token", [None, "not-a-real-token"], ids=["no-token", "bad-token"])
def test_unauthenticated_is_401_with_www_authenticate(world: World, token: str | None) -> None:
    c = drive(world, "registered")
    before = Unchanged(world, c.case_id)
    with world.server.client(token) as client:
        for response in (
            client.post("/api/v1/cases", json=world.registration()),
            client.post(f"/api/v1/cases/{c.case_id}/notes", json={"text": "x"}),
            client.get(f"/api/v1/cases/{c.case_id}"),
            client.get("/api/v1/units"),
        ):
            assert_problem(response, 401, "unauthenticated")
            assert response.headers["www-authenticate"].lower().startswith("bearer")
    before.check()


def test_non_bearer_authorization_is_401(world: World) -> None:
    before = Unchanged(world)
    with world.server.client(None) as client:
        response = client.get(
            "/api/v1/units", headers={"Authorization": f"Basic {world.tokens['registrar']}"}
        )
    assert_problem(response, 401, "unauthenticated")
    before.check()


def test_oversize_body_is_413(world: World) -> None:
    c = drive(world, "registered")
    before = Unchanged(world, c.case_id)
    big = {"text": "x" * 1_100_000}
    assert_problem(world.command("registrar", c.case_id, "notes", big), 413, "body_too_large")
    assert_problem(
        _register_raw(world, json=world.registration(content="x" * 1_100_000)), 413, "body_too_large"
    )
    before.check()


def test_oversize_chunked_body_without_content_length_is_413(world: World) -> None:
    c = drive(world, "registered")
    before = Unchanged(world, c.case_id)

    def chunks() -> Any:  # no content-length: the limit is enforced while streaming
        yield b'{"text": "'
        for _ in range(12):
            yield b"y" * 100_000
        yield b'"}'

    response = world.client("registrar").post(
        f"/api/v1/cases/{c.case_id}/notes", content=chunks(), headers={"content-type": "application/json"}
    )
    assert_problem(response, 413, "body_too_large")
    before.check()


def test_wrong_method_and_unknown_path_are_problems(world: World) -> None:
    before = Unchanged(world)
    assert_problem(world.client("registrar").get("/api/v1/no-such-thing"), 404, "not_found")
    assert_problem(world.client("registrar").delete("/api/v1/cases"), 405, "method_not_allowed")
    before.check()


def test_bad_idempotency_key_is_422(world: World) -> None:
    c = drive(world, "registered")
    before = Unchanged(world, c.case_id)
    response = world.command(
        "registrar", c.case_id, "notes", {"text": "x"}, headers={"Idempotency-Key": "k" * 201}
    )
    assert_problem(response, 422, "validation_failed")
    before.check()
