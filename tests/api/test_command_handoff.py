"""Case commands take one hand-off to a worker thread: the token check and the command run
together (issue 23), and still refuse a missing or wrong token with 401 and write nothing."""

from __future__ import annotations

import inspect

from fastapi.routing import APIRoute

from api.auth import authenticate
from api.routers import cases
from tests.api.helpers import (
    World,
    assert_problem,
    drive,
    world_fixture,  # noqa: F401 - the `world` fixture
)


def _calls(dependant: object) -> set[object]:
    found: set[object] = set()
    for sub in getattr(dependant, "dependencies", []):
        found.add(sub.call)
        found |= _calls(sub)
    return found


def test_each_command_route_is_one_coroutine_with_the_token_check_inside() -> None:
    routes = [r for r in cases.router.routes if isinstance(r, APIRoute) and r.path != cases.CASES_PATH]
    assert len(routes) > 20
    for route in routes:
        assert inspect.iscoroutinefunction(route.endpoint), route.path
        assert authenticate not in _calls(route.dependant), (
            route.path
        )  # no `def` dependency: no second hand-off


def test_a_missing_token_is_401_before_the_body_is_judged_and_a_wrong_one_is_401(world: World) -> None:
    c = drive(world, "registered")
    before, version = world.position(), world.version(c.case_id)
    with world.server.client(None) as anonymous:
        response = anonymous.post(f"/api/v1/cases/{c.case_id}/notes", json={"wrong": 1})
        assert_problem(response, 401, "unauthenticated")
    with world.server.client("not-a-real-token") as guesser:
        assert_problem(
            guesser.post(f"/api/v1/cases/{c.case_id}/notes", json={"text": "x"}), 401, "unauthenticated"
        )
        # an invalid body does not put the token check off: 401, not 422 (API.md)
        assert_problem(
            guesser.post(f"/api/v1/cases/{c.case_id}/notes", json={"wrong": 1}), 401, "unauthenticated"
        )
        assert_problem(
            guesser.post(f"/api/v1/cases/{c.case_id}/assign", content=b"{"), 401, "unauthenticated"
        )
    # with a valid token the same body is judged: 422 naming the field
    refused = world.client("registrar").post(f"/api/v1/cases/{c.case_id}/notes", json={"wrong": 1})
    assert_problem(refused, 422, "validation_failed")
    assert world.position() == before and world.version(c.case_id) == version


def test_a_command_runs_as_the_tokens_user(world: World) -> None:
    c = drive(world, "registered")
    world.ok("registrar", c.case_id, "notes", {"text": "一次"})
    last = world.timeline(c.case_id)["items"][-1]
    assert last["actor"]["user_id"] == world.users["registrar"] and last["request_id"]
