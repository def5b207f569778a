"""Authority from the token and the accused side as rules (DOMAIN.md R1, R2; domain/authority.py):
every named rule there has a request here that breaks it, on both stores, and the request
writes nothing; the same command within the rule succeeds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import uuid4

import httpx

from domain import authority
from domain.rules import Rule
from tests.api.helpers import DrivenCase, World, assert_problem, drive, iso, world_fixture

__all__ = ["world_fixture"]


def _accused_town_b(w: World) -> str:
    return drive(w, "accepted", kind="accusation", accused_unit=w.town_b).case_id


def _village_below_town_b(w: World) -> str:
    code = f"VB{uuid4().hex[:8]}"
    response = w.client("admin").post(
        "/api/v1/units", json={"code": code, "name": "乙村", "parent_code": w.town_b}
    )
    assert response.status_code == 201, response.text
    return code


def _second_leader_of_town_b(w: World) -> str:
    leader_id = f"sec-{uuid4().hex[:8]}"
    body = {"leader_id": leader_id, "name": "乙镇党委书记", "unit_code": w.town_b, "post": "党委书记"}
    assert w.client("admin").post("/api/v1/leaders", json=body).status_code == 201
    return leader_id


def _in_handling(w: World) -> str:
    return drive(w, "in_handling").case_id


def _extend(w: World, case: DrivenCase, leader_id: str, **extra: Any) -> httpx.Response:
    """An extension granted the hour after the case's last step (inside its 60 days)."""
    granted = case.later()
    body = {"days": 10, "approved_by_leader_id": leader_id, "occurred_at": iso(granted),
            "petitioner_notified_on": granted.date().isoformat(), "reason": "需要补充调查", **extra}  # fmt: skip
    return w.command("officer", case.case_id, "extend", body)


# rule name → (setup: whatever the rule needs, returning the request that breaks exactly that
# rule; the expected HTTP status). The setup writes; the breaking request must not.
Request = Callable[[], httpx.Response]
Breaker = Callable[[World], Request]


def _registrar_b_accusation(w: World) -> Request:
    w.add_user("registrar_b", "registrar", w.town_b)
    case_id = w.register("registrar_b", kind="accusation", received_unit=w.town_b, accused_unit=w.town_b)
    return lambda: w.command("registrar_b", case_id, "notes", {"text": "已联系举报人"})


def _registrar_a_for_town_b(w: World) -> Request:
    w.add_user("registrar_a", "registrar", w.town_a)
    return lambda: w.client("registrar_a").post("/api/v1/cases", json=w.registration(received_unit=w.town_b))


def _to_village_below_accused(w: World) -> Request:
    case_id, village = _accused_town_b(w), _village_below_town_b(w)
    return lambda: w.command("supervisor", case_id, "assign", {"unit_code": village, "leader_id": w.leader_b})


def _assign(w: World, body: dict[str, Any]) -> Request:
    case_id = drive(w, "accepted").case_id
    return lambda: w.command("supervisor", case_id, "assign", body)


def _instruct_as_another(w: World) -> Request:
    case_id = _in_handling(w)
    return lambda: w.command(
        "leader", case_id, "instruct", {"leader_id": w.leader_county, "text": "照此办理"}
    )


def _extension_by_town_b(w: World) -> Request:
    case = drive(w, "in_handling")
    return lambda: _extend(w, case, w.leader_b)  # town B's leader, for a case town A holds


BREAKERS: dict[str, tuple[Breaker, int]] = {
    "accusation_not_handed_to_accused_side": (_to_village_below_accused, 422),  # 第三十条: the subtree too
    "accused_side_registrar_only_screens": (_registrar_b_accusation, 403),
    "accused_named_from_reference_data": (
        lambda w: lambda: w.client("registrar").post(
            "/api/v1/cases", json=w.registration(kind="accusation", accused_leader="no-such-leader")),
        422,
    ),
    "registered_within_own_subtree": (_registrar_a_for_town_b, 403),
    "instruction_by_the_logged_in_leader": (_instruct_as_another, 422),
    "extension_approved_by_unit_head": (_extension_by_town_b, 422),
    "assigned_leader_posted_in_unit_or_above": (  # a village's leader for the town above it
        lambda w: _assign(w, {"unit_code": w.town_a, "leader_id": w.leader_v}), 422),
    "assigned_officer_within_unit": (
        lambda w: _assign(w, {"unit_code": w.town_a, "leader_id": w.leader_a, "officer_id": w.users["officer_b"]}),
        422,
    ),
}  # fmt: skip

ALL_RULES = {r.name: r for r in vars(authority).values() if isinstance(r, Rule)}


def test_every_authority_rule_has_a_breaking_request_here() -> None:
    assert set(BREAKERS) == set(ALL_RULES)


def test_each_authority_rule_is_refused_by_name_with_its_article_and_writes_nothing(world: World) -> None:
    for name, (setup, status) in sorted(BREAKERS.items()):
        rule = ALL_RULES[name]
        breaking = setup(world)
        position = world.position()
        body = assert_problem(breaking(), status, rule.error.code)
        assert body["rule"] == name, body
        assert body.get("article") == rule.article, body
        assert world.position() == position, name


def test_a_leader_instructs_as_himself_whatever_the_body_says(world: World) -> None:
    case_id = _in_handling(world)
    world.ok("leader", case_id, "instruct", {"text": "依法依规处理"})
    world.ok("leader", case_id, "instruct", {"leader_id": world.leader_a, "text": "再次督促"})
    instructed = [e for e in world.timeline(case_id)["items"] if e["type"] == "Instructed"]
    assert [e["fields"]["leader_id"] for e in instructed] == [world.leader_a, world.leader_a]
    world.add_user("unlinked_leader", "leader", world.town_a)  # a leader's login not linked to a leader
    response = world.command("unlinked_leader", case_id, "instruct", {"text": "x"})
    assert assert_problem(response, 422, "rule_violated")["rule"] == "instruction_by_the_logged_in_leader"


def test_an_extension_is_approved_by_a_leader_of_the_handling_unit_or_above_with_sane_dates(
    world: World,
) -> None:
    case = drive(world, "in_handling")
    for leader_id in ("no-such-leader", world.leader_v):  # unknown; a village below the handling town
        response = _extend(world, case, leader_id)
        assert assert_problem(response, 422, "rule_violated")["rule"] == "extension_approved_by_unit_head"
    # the petitioner cannot have been told before the extension was granted, nor in the future
    for told in ("2020-01-01", "2999-01-01"):
        response = _extend(world, case, world.leader_county, petitioner_notified_on=told)
        assert_problem(response, 422, "validation_failed")
    response = _extend(world, case, world.leader_county)  # a county leader is above the town
    assert response.status_code == 200, response.text
    granted = world.timeline(case.case_id)["items"][-1]
    assert (granted["type"], granted["fields"]["approved_by"]) == ("ExtensionGranted", world.leader_county)


def test_an_assignment_names_a_leader_posted_above_and_an_officer_within(world: World) -> None:
    case_id = drive(world, "accepted").case_id
    body = {"unit_code": world.village, "leader_id": world.leader_a, "officer_id": world.users["officer"]}
    response = world.command("supervisor", case_id, "assign", body)  # town A's officer is above the village
    assert assert_problem(response, 422, "rule_violated")["rule"] == "assigned_officer_within_unit"
    world.add_user("officer_v", "officer", world.village)
    body["officer_id"] = world.users["officer_v"]
    world.ok("supervisor", case_id, "assign", body)


def test_an_accusation_against_a_leader_is_not_handed_to_his_colleagues(world: World) -> None:
    """The finding: a case against a township head was assigned to that township's party secretary."""
    secretary = _second_leader_of_town_b(world)
    case_id = drive(world, "accepted", kind="accusation", accused_leader=world.leader_b).case_id
    for body in (
        {"unit_code": world.town_b, "leader_id": secretary},
        {"unit_code": world.county, "leader_id": secretary},
        {"unit_code": world.town_a, "leader_id": world.leader_a, "officer_id": world.users["officer_b"]},
    ):
        response = world.command("supervisor", case_id, "assign", body)
        problem = assert_problem(response, 422, "rule_violated")
        assert (problem["rule"], problem.get("article")) == (
            "accusation_not_handed_to_accused_side",
            "第三十条",
        ), body
    world.ok("supervisor", case_id, "assign", {"unit_code": world.town_a, "leader_id": world.leader_a})
    # and never handed over later either
    response = world.command(
        "supervisor", case_id, "reassign", {"unit_code": world.town_b, "leader_id": secretary}
    )
    assert assert_problem(response, 422, "rule_violated")["rule"] == "accusation_not_handed_to_accused_side"
