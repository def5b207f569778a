"""The role table (api.commands.COMMAND_ROLES) over HTTP, and the unit scope of reads and writes."""

from __future__ import annotations

import pytest

from api.commands import COMMAND_ROLES
from domain.vocabulary import Role
from tests.api.helpers import (
    World,
    assert_problem,
    drive,
    world_fixture,  # noqa: F401 - the `world` fixture
)
from tests.api.test_commands import SUCCESS

# The world's user for each role ("admin" is the bootstrap administrator).
USER_OF_ROLE = {
    Role.REGISTRAR: "registrar",
    Role.OFFICER: "officer",
    Role.LEADER: "leader",
    Role.SUPERVISOR: "supervisor",
    Role.INSPECTOR: "inspector",
    Role.ADMIN: "admin",
}
CASE_COMMANDS = sorted(c for c in COMMAND_ROLES if c != "register")


@pytest.mark.parametrize("command", CASE_COMMANDS)
def test_roles_not_allowed_get_403_and_write_nothing(world: World, command: str) -> None:
    spec = SUCCESS[command]
    # A case where every role is in unit scope (held by town A), and a body that validates, so
    # the only reason to refuse is the role.
    c = drive(world, "in_handling")
    body = spec.body(world, c)
    version, position = world.version(c.case_id), world.position()
    refused = [role for role in Role if role not in COMMAND_ROLES[command]]
    assert refused or command == "notes"
    for role in refused:
        response = world.command(USER_OF_ROLE[role], c.case_id, command, body)
        problem = assert_problem(response, 403, "forbidden")
        assert problem["role"] == role.value, problem
        assert sorted(problem["allowed_roles"]) == sorted(r.value for r in COMMAND_ROLES[command])
    assert world.version(c.case_id) == version
    assert world.position() == position


def test_register_roles(world: World) -> None:
    position = world.position()
    for role in Role:
        if role in COMMAND_ROLES["register"]:
            continue
        response = world.client(USER_OF_ROLE[role]).post("/api/v1/cases", json=world.registration())
        assert_problem(response, 403, "forbidden")
    assert world.position() == position


def test_officer_of_another_town_can_neither_command_nor_read(world: World) -> None:
    # Outside his scope the case does not exist for him (404, as an unknown id; API.md additions).
    c = drive(world, "in_handling")  # held by town A
    position = world.position()
    officer_b = world.client("officer_b")
    assert_problem(officer_b.get(f"/api/v1/cases/{c.case_id}"), 404, "case_not_found")
    assert_problem(officer_b.get(f"/api/v1/cases/{c.case_id}/timeline"), 404, "case_not_found")
    assert_problem(
        world.command("officer_b", c.case_id, "progress", {"step": "met_petitioner"}), 404, "case_not_found"
    )
    assert_problem(world.command("officer_b", c.case_id, "notes", {"text": "x"}), 404, "case_not_found")
    assert_problem(world.command("leader_b", c.case_id, "notes", {"text": "x"}), 404, "case_not_found")
    assert world.position() == position
    # the holding town's officer and leader can
    assert world.client("officer").get(f"/api/v1/cases/{c.case_id}").status_code == 200
    assert world.client("leader").get(f"/api/v1/cases/{c.case_id}").status_code == 200


def test_officer_of_the_parent_town_reads_a_case_held_by_its_village(world: World) -> None:
    c = drive(world, "in_handling")
    world.ok("supervisor", c.case_id, "reassign", {"unit_code": world.village, "leader_id": world.leader_v})
    assert world.client("officer").get(f"/api/v1/cases/{c.case_id}").status_code == 200
    # the town leader is no longer the holding leader, but town A's subtree still covers the village
    assert world.client("leader").get(f"/api/v1/cases/{c.case_id}").status_code == 200


def test_registered_case_is_outside_every_officer_and_leader_scope(world: World) -> None:
    c = drive(world, "registered")
    for who in ("officer", "leader", "officer_b", "leader_b"):
        assert_problem(world.client(who).get(f"/api/v1/cases/{c.case_id}"), 404, "case_not_found")
    for who in ("registrar", "supervisor", "inspector"):
        assert world.client(who).get(f"/api/v1/cases/{c.case_id}").status_code == 200, who


def test_registrar_of_another_unit_cannot_read_or_accept(world: World) -> None:
    world.add_user("registrar_b", "registrar", world.town_b)
    c = drive(world, "registered")  # received at the county
    position = world.position()
    assert_problem(world.client("registrar_b").get(f"/api/v1/cases/{c.case_id}"), 404, "case_not_found")
    assert_problem(world.command("registrar_b", c.case_id, "accept", {}), 404, "case_not_found")
    assert world.position() == position


def test_inspector_reads_every_case(world: World) -> None:
    cases = [
        drive(world, "registered"),
        drive(world, "in_handling"),
        drive(world, "registered", received_unit=world.town_b),
        drive(world, "registered", received_unit=world.village),
    ]
    for c in cases:
        assert world.client("inspector").get(f"/api/v1/cases/{c.case_id}").status_code == 200
        assert world.client("inspector").get(f"/api/v1/cases/{c.case_id}/timeline").status_code == 200


def test_admin_cannot_read_cases(world: World) -> None:
    c = drive(world, "in_handling")
    admin = world.client("admin")
    assert_problem(admin.get(f"/api/v1/cases/{c.case_id}"), 403, "forbidden")
    assert_problem(admin.get(f"/api/v1/cases/{c.case_id}/timeline"), 403, "forbidden")
    assert_problem(admin.get(f"/api/v1/cases/{c.case_id}?unmask=true&purpose=audit"), 403, "forbidden")


def test_only_admin_creates_users_and_only_admin_or_supervisor_writes_reference_data(world: World) -> None:
    position = world.position()
    for who in ("registrar", "officer", "leader", "supervisor", "inspector"):
        body = {"user_id": f"x-{who}", "name": "x", "role": "officer", "unit_code": world.town_a}
        assert_problem(world.client(who).post("/api/v1/users", json=body), 403, "forbidden")
        assert_problem(world.client(who).get("/api/v1/users"), 403, "forbidden")
    for who in ("registrar", "officer", "leader", "inspector"):
        unit = {"code": f"U-{who}", "name": "x", "parent_code": world.county}
        assert_problem(world.client(who).post("/api/v1/units", json=unit), 403, "forbidden")
        leader = {"leader_id": f"l-{who}", "name": "x", "unit_code": world.county, "post": "x"}
        assert_problem(world.client(who).post("/api/v1/leaders", json=leader), 403, "forbidden")
    assert world.position() == position
    response = world.client("supervisor").post(
        "/api/v1/units", json={"code": f"S{world.county}", "name": "新村", "parent_code": world.town_b}
    )
    assert response.status_code == 201, response.text
