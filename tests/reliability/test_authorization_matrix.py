"""The authorisation matrix, generated from the permission table: every case command and case read,
as every role, from a unit inside and a unit outside the case's scope.

tests/api/test_permissions.py checks that a role the table does not list is refused; this adds the
unit-scope dimension (api.permissions.SCOPE_BY_ROLE) for every command, with an oracle written
here from the table's scope names (not the code under test): a role the table does not list → 403;
a listed role out of scope → 404, as for a case that does not exist (API.md additions); both
write nothing; allowed and in scope → never 403 or 404 (the command may still meet a rule: 409/422).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api.commands import COMMAND_ROLES
from api.permissions import CASE_ROLES, SCOPE_BY_ROLE
from domain.vocabulary import Role
from tests.api.helpers import World, assert_problem, drive, world_fixture
from tests.api.test_commands import SUCCESS
from tests.conftest import ADMIN_TOKEN

__all__ = ["world_fixture"]

# Who may act is decided above the store, the same code on either; SQLite keeps the run short.
pytestmark = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)

# World users by (role, where): "home" units can see a case received by the county and held by
# town A; "away" users sit in town B.
USERS: dict[tuple[Role, str], str] = {
    (Role.REGISTRAR, "home"): "registrar", (Role.REGISTRAR, "away"): "registrar_b",
    (Role.SUPERVISOR, "home"): "supervisor", (Role.SUPERVISOR, "away"): "supervisor_b",
    (Role.OFFICER, "home"): "officer", (Role.OFFICER, "away"): "officer_b",
    (Role.LEADER, "home"): "leader", (Role.LEADER, "away"): "leader_b",
    (Role.INSPECTOR, "home"): "inspector", (Role.INSPECTOR, "away"): "inspector_b",
    (Role.ADMIN, "home"): "admin",
}  # fmt: skip


def _within(w: World, unit: str | None, ancestor: str | None) -> bool:
    parents = {w.town_a: w.county, w.town_b: w.county, w.village: w.town_a, w.county: None}
    while unit is not None and ancestor is not None:
        if unit == ancestor:
            return True
        unit = parents.get(unit)
    return False


def _user_unit(w: World, name: str) -> str | None:
    return {"registrar": w.county, "supervisor": w.county, "inspector": w.county, "officer": w.town_a,
            "leader": w.town_a, "admin": None}.get(name, w.town_b)  # fmt: skip


def _expected_in_scope(w: World, role: Role, name: str, case: dict[str, Any]) -> bool:
    """The oracle: SCOPE_BY_ROLE's named rules, applied to the world's unit tree."""
    unit = _user_unit(w, name)
    received = _within(w, case["received_unit"], unit)
    held = _within(w, case.get("unit_code"), unit)
    scope = SCOPE_BY_ROLE.get(role)
    if scope == "all":
        return True
    if scope == "received":
        return received
    if scope == "held":
        leader = {"leader": w.leader_a, "leader_b": w.leader_b}.get(name)
        return held or (leader is not None and leader == case.get("leader_id"))
    if scope == "received_or_held":
        return received or held
    return False


def _phase_allows(command: str, role: Role, case: dict[str, Any]) -> bool:
    """R7: the registrar diverts before acceptance, the officer or supervisor after it."""
    if command != "divert":
        return True
    if case["status"] == "registered":
        return role is Role.REGISTRAR
    return role in (Role.OFFICER, Role.SUPERVISOR)


def _token(w: World, name: str) -> str:
    return ADMIN_TOKEN if name == "admin" else w.tokens[name]


# A fresh connection per call: a kept-alive one idle past the server's keep-alive timeout can be
# closed under a request (a harness race, not the service's answer).
def _post(w: World, name: str, path: str, body: dict[str, Any]) -> httpx.Response:
    with w.server.client(_token(w, name)) as client:
        return client.post(path, json=body)


def _get(w: World, name: str, path: str) -> httpx.Response:
    with w.server.client(_token(w, name)) as client:
        return client.get(path)


@pytest.fixture
def matrix_world(world: World) -> World:
    world.add_user("registrar_b", "registrar", world.town_b)
    world.add_user("supervisor_b", "supervisor", world.town_b)
    world.add_user("inspector_b", "inspector", world.town_b)
    return world


def test_every_command_as_every_role_in_and_out_of_scope(matrix_world: World) -> None:
    w = matrix_world
    checked = 0
    for command in sorted(c for c in COMMAND_ROLES if c != "register"):
        spec = SUCCESS[command]
        c = drive(w, spec.stage)
        if spec.prepare is not None:
            spec.prepare(w, c)
        body = spec.body(w, c)
        case = w.case(c.case_id)
        # Refusals first, so "nothing written" is checked before any allowed call changes the case.
        in_scope = {
            key: key[0] in COMMAND_ROLES[command] and _expected_in_scope(w, key[0], name, case)
            for key, name in USERS.items()
        }
        expected = {key: seen and _phase_allows(command, key[0], case) for key, seen in in_scope.items()}
        position = w.position()
        refusals_checked = False
        for (role, where), name in sorted(USERS.items(), key=lambda item: expected[item[0]]):
            allowed = expected[(role, where)]
            if allowed and not refusals_checked:  # every refusal so far wrote nothing
                assert w.position() == position, command
                refusals_checked = True
            response = _post(w, name, f"/api/v1/cases/{c.case_id}/{command}", body)
            label = (command, role.value, where, response.status_code, response.text[:300])
            assert response.status_code < 500, label
            if allowed:
                assert response.status_code not in (403, 404), label
            elif in_scope[(role, where)]:  # the role may, in scope, but not in this phase (R7)
                assert assert_problem(response, 403, "forbidden")["rule"] == "diversion_by_the_phase_holder"
            elif role in COMMAND_ROLES[command]:
                assert_problem(response, 404, "case_not_found")
            else:
                assert_problem(response, 403, "forbidden")
            checked += 1
        if not refusals_checked:
            assert w.position() == position, command
    assert checked == len(USERS) * (len(COMMAND_ROLES) - 1)


@pytest.mark.parametrize("stage", ["registered", "in_handling"])
def test_every_case_read_as_every_role_in_and_out_of_scope(matrix_world: World, stage: str) -> None:
    w = matrix_world
    c = drive(w, stage)
    case = w.case(c.case_id)
    reads = ["", "/timeline", "/replay?version=1"]
    for (role, where), name in USERS.items():
        allowed = role in CASE_ROLES and _expected_in_scope(w, role, name, case)
        for suffix in reads:
            response = _get(w, name, f"/api/v1/cases/{c.case_id}{suffix}")
            label = (stage, role.value, where, suffix, response.status_code, response.text[:200])
            if allowed:
                assert response.status_code == 200, label
            elif role in CASE_ROLES:
                assert_problem(response, 404, "case_not_found")
            else:
                assert_problem(response, 403, "forbidden")
