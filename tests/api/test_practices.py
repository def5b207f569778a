"""Practices of the county reports over HTTP, on both stores (issue 21): leaders' receptions
(领导接访) with the cases registered there, first petitions (初信初访) and their resolution rate,
backlog campaigns with 销号 and their boards. Each read is limited like every other: the next
township's colleague and the accused side see none of the cases; garbage writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest

from domain import practices
from domain.rules import Rule
from tests.api.helpers import CST, World, assert_problem, drive, iso, today, world_fixture
from tests.api.practices import open_campaign, reception_body, record_reception
from tests.factories import id_number

__all__ = ["world_fixture"]


def fresh(w: World, path: str, who: str, **params: Any) -> httpx.Response:
    """A read that waits for the views to apply every write so far."""
    return w.client(who).get(path, params={**params, "min_position": w.position()})


def fresh_json(w: World, path: str, who: str, **params: Any) -> dict[str, Any]:
    response = fresh(w, path, who, **params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def now_iso() -> str:
    return iso(datetime.now(CST) - timedelta(seconds=5))


def at_reception(w: World, reception_id: str, who: str = "registrar", **overrides: Any) -> str:
    """A petition registered at the reception (the matter arose that day: today)."""
    return w.register(
        who, reception_id=reception_id, occurred_at=now_iso(), received_unit=w.town_a, **overrides
    )


def assign_to_town_a(w: World, case_id: str) -> None:
    w.ok("registrar", case_id, "accept", {"notice_issued_on": today().isoformat()})
    w.ok("supervisor", case_id, "assign",
         {"unit_code": w.town_a, "leader_id": w.leader_a, "officer_id": w.users["officer"]})  # fmt: skip


def unchanged(w: World, call: Callable[[], httpx.Response], status: int, code: str) -> dict[str, Any]:
    """The call is refused with this status and code, and writes nothing."""
    before = w.position()
    body = assert_problem(call(), status, code)
    assert w.position() == before
    return body


# ---- receptions ----------------------------------------------------------------------------


def test_a_reception_day_lists_its_cases_with_counts_and_links_them(world: World) -> None:
    w = world
    reception = record_reception(w)
    first, second = at_reception(w, reception), at_reception(w, reception)
    assign_to_town_a(w, first)
    elsewhere = w.register()  # not at the reception
    assert w.case(first)["reception_id"] == reception
    items = fresh_json(w, "/api/v1/receptions", "inspector")["items"]
    assert [r["reception_id"] for r in items] == [reception]
    (row,) = items
    assert (row["leader_id"], row["held_on"], row["kind"], row["unit_code"]) == (
        w.leader_a,
        today().isoformat(),
        "leader_day",
        w.town_a,
    )
    assert {c["case_id"] for c in row["cases"]} == {first, second} and elsewhere not in str(row)
    assert row["counts"] == {"received": 2, "accepted": 1, "resolved": 0}
    assert row["recorded_by"] == w.users["supervisor"]
    # the case list filters by reception
    listed = fresh_json(w, "/api/v1/cases", "inspector", reception=reception)["items"]
    assert {c["case_id"] for c in listed} == {first, second}
    # filters: leader, unit (subtree), from/to
    assert fresh_json(w, "/api/v1/receptions", "inspector", leader=w.leader_b)["items"] == []
    assert len(fresh_json(w, "/api/v1/receptions", "inspector", unit=w.county)["items"]) == 1
    assert fresh_json(w, "/api/v1/receptions", "inspector", unit=w.town_b)["items"] == []
    tomorrow = (today() + timedelta(days=1)).isoformat()
    assert fresh_json(w, "/api/v1/receptions", "inspector", **{"from": tomorrow})["items"] == []
    assert len(fresh_json(w, "/api/v1/receptions", "inspector", to=today().isoformat())["items"]) == 1
    # the leader's caseload counts his receptions and the petitions registered there
    caseload = fresh_json(w, f"/api/v1/leaders/{w.leader_a}/caseload", "inspector")
    assert (caseload["receptions"], caseload["reception_cases"]) == (1, 2)
    rows = fresh_json(w, "/api/v1/caseloads", "inspector")["items"]
    assert next(r for r in rows if r["leader_id"] == w.leader_a)["receptions"] == 1


def test_the_next_township_and_the_accused_side_see_none_of_a_receptions_cases(world: World) -> None:
    w = world
    w.add_user("supervisor_a", "supervisor", w.town_a)  # town A's own office: in scope of what it received
    reception = record_reception(w)
    plain = at_reception(w, reception)
    assign_to_town_a(w, plain)
    # an accusation against town A's head, received at the reception (第三十条: town A is its accused side)
    accusation = at_reception(w, reception, kind="accusation", accused_leader=w.leader_a)
    # town B's officer: no town A reception, no case
    assert fresh_json(w, "/api/v1/receptions", "officer_b")["items"] == []
    # town A's supervisor: the reception and its plain case, never the accusation; counts may include it
    (row,) = fresh_json(w, "/api/v1/receptions", "supervisor_a")["items"]
    assert [c["case_id"] for c in row["cases"]] == [plain]
    assert row["counts"]["received"] == 2
    assert_problem(w.client("supervisor_a").get(f"/api/v1/cases/{accusation}"), 404, "case_not_found")
    listed = fresh_json(w, "/api/v1/cases", "supervisor_a", reception=reception)["items"]
    assert [c["case_id"] for c in listed] == [plain]
    # the inspector sees both
    (row,) = fresh_json(w, "/api/v1/receptions", "inspector")["items"]
    assert {c["case_id"] for c in row["cases"]} == {plain, accusation}


def test_who_may_record_a_reception_and_garbage_bodies(world: World) -> None:
    w = world
    reception = reception_body(w)
    for who in ("registrar", "officer", "inspector", "leader"):
        unchanged(
            w, lambda who=who: w.client(who).post("/api/v1/receptions", json=reception), 403, "forbidden"
        )
    for garbage in (
        {}, {**reception, "kind": "party"}, {**reception, "held_on": "yesterday"}, {**reception, "extra": 1},
        {**reception, "place": ""}, {**reception, "leader_id": "x y"}, [reception], {**reception, "unit_codes": "A"},
    ):  # fmt: skip
        unchanged(w, lambda g=garbage: w.client("supervisor").post("/api/v1/receptions", json=g), 422,
                  "validation_failed")  # fmt: skip
    for bad in ({"leader_id": "nobody"}, {"reception_id": "no"}):
        response = w.client("supervisor").post("/api/v1/receptions", json={**reception, **bad})
        assert response.status_code == 422, response.text
    assert fresh_json(w, "/api/v1/receptions", "inspector")["items"] == []
    for who in ("admin",):  # an administrator reads no cases, hence no receptions' cases
        assert_problem(w.client(who).get("/api/v1/receptions"), 403, "forbidden")


# Each rule of domain/practices.py, and the request that breaks exactly it.
Breaker = Callable[[World], Callable[[], httpx.Response]]


def _reception(w: World, who: str = "supervisor", **body: Any) -> Callable[[], httpx.Response]:
    return lambda: w.client(who).post("/api/v1/receptions", json=reception_body(w, **body))


def _supervisor_of_town_b(w: World) -> Callable[[], httpx.Response]:
    w.add_user("supervisor_b", "supervisor", w.town_b)
    return _reception(w, "supervisor_b")


def _registered_on_another_day(w: World) -> Callable[[], httpx.Response]:
    reception = record_reception(w)
    body = w.registration(reception_id=reception, received_unit=w.town_a)  # arose 300 days ago
    return lambda: w.client("registrar").post("/api/v1/cases", json=body)


def _campaign_due_before_start(w: World) -> Callable[[], httpx.Response]:
    body = {
        "campaign_id": f"c-{uuid4().hex[:6]}",
        "name": "专项",
        "starts_on": "2026-03-01",
        "due_on": "2026-02-01",
    }
    return lambda: w.client("supervisor").post("/api/v1/campaigns", json=body)


def _designated_to_unknown(w: World) -> Callable[[], httpx.Response]:
    case_id = drive(w, "in_handling").case_id
    return lambda: w.command("supervisor", case_id, "backlog", {"campaign_id": "no-such"})


def _cleared_by_town_b(w: World) -> Callable[[], httpx.Response]:
    c = drive(w, "closed")
    w.ok("supervisor", c.case_id, "backlog", {"campaign_id": open_campaign(w), "occurred_at": iso(c.later())})
    body = {"approved_by_leader_id": w.leader_b, "basis": "closed", "occurred_at": iso(c.later(2))}
    return lambda: w.command("supervisor", c.case_id, "backlog-clear", body)


def _registrar_assigns_a_plain_case(w: World) -> Callable[[], httpx.Response]:
    case_id = drive(w, "accepted").case_id
    return lambda: w.command("registrar", case_id, "assign", {"unit_code": w.town_a, "leader_id": w.leader_a})


BREAKERS: dict[str, tuple[Breaker, int]] = {
    "registrar_assigns_only_at_a_joint_reception": (_registrar_assigns_a_plain_case, 422),
    "reception_leader_held_a_post_that_day": (
        lambda w: _reception(w, held_on=(today() - timedelta(days=3)).isoformat()), 422),
    "reception_recorded_within_own_jurisdiction": (_supervisor_of_town_b, 422),
    "joint_reception_names_units_present": (lambda w: _reception(w, kind="joint"), 422),
    "registered_at_a_known_reception_on_its_day": (_registered_on_another_day, 422),
    "campaign_due_on_or_after_start": (_campaign_due_before_start, 422),
    "backlog_campaign_known": (_designated_to_unknown, 422),
    "backlog_clearance_approved_by_leader_above": (_cleared_by_town_b, 422),
}  # fmt: skip
ALL_RULES = {r.name: r for r in vars(practices).values() if isinstance(r, Rule)}


def test_every_practice_rule_has_a_breaking_request_here() -> None:
    assert set(BREAKERS) == set(ALL_RULES)


@pytest.mark.parametrize("name", sorted(BREAKERS))
def test_breaking_a_practice_rule_is_refused_with_its_name_and_article_and_writes_nothing(
    world: World, name: str
) -> None:
    setup, status = BREAKERS[name]
    request = setup(world)
    body = unchanged(world, request, status, "rule_violated")
    assert body["rule"] == name
    assert body.get("article") == ALL_RULES[name].article


def test_a_joint_reception_names_the_units_present(world: World) -> None:
    w = world
    reception = record_reception(w, kind="joint", unit_codes=[w.town_a, w.town_b])
    (row,) = fresh_json(w, "/api/v1/receptions", "inspector")["items"]
    assert (row["reception_id"], row["kind"], row["unit_codes"]) == (reception, "joint", [w.town_a, w.town_b])
    response = w.client("supervisor").post(
        "/api/v1/receptions", json=reception_body(w, unit_codes=[w.town_a])
    )
    assert_problem(response, 422, "rule_violated")  # only a joint reception names units


def test_at_a_joint_reception_the_registrar_hands_the_case_at_once_to_a_unit_present(world: World) -> None:
    w = world
    joint = record_reception(w, leader_id=w.leader_county, kind="joint", unit_codes=[w.town_a, w.town_b])
    case_id = at_reception(w, joint)
    w.ok("registrar", case_id, "accept", {"notice_issued_on": today().isoformat()})
    county = {"unit_code": w.county, "leader_id": w.leader_county}  # not at the window
    body = unchanged(w, lambda: w.command("registrar", case_id, "assign", county), 422, "rule_violated")
    assert body["rule"] == "registrar_assigns_only_at_a_joint_reception"
    w.ok("registrar", case_id, "assign", {"unit_code": w.town_a, "leader_id": w.leader_a})
    assert (w.case(case_id)["unit_code"], w.case(case_id)["leader_id"]) == (w.town_a, w.leader_a)
    # R1 still holds at the window: an accusation against town B is never handed to town B
    accusation = at_reception(w, joint, kind="accusation", accused_unit=w.town_b)
    w.ok("registrar", accusation, "accept", {"notice_issued_on": today().isoformat()})
    to_accused = {"unit_code": w.town_b, "leader_id": w.leader_b}
    body = unchanged(
        w, lambda: w.command("registrar", accusation, "assign", to_accused), 422, "rule_violated"
    )
    assert body["rule"] == "accusation_not_handed_to_accused_side"
    # the registrar never reassigns
    unchanged(w, lambda: w.command("registrar", case_id, "reassign", to_accused), 403, "forbidden")


# ---- first petitions -------------------------------------------------------------------------


def test_a_first_petition_is_the_first_case_of_its_identity_and_the_rate_counts_them(world: World) -> None:
    w = world
    person = {"name": "李四", "id_number": id_number(), "phone": "13800000000", "address": "甲村"}
    earlier = drive(w, "visited", petitioners=[person])
    w.ok(
        "officer", earlier.case_id, "close", {"closure_type": "resolved", "occurred_at": iso(earlier.later())}
    )
    again = drive(w, "registered", petitioners=[person], start=earlier.later(3))
    other = drive(w, "registered")
    body = fresh_json(w, "/api/v1/cases", "inspector", limit=10)
    first = {c["case_id"]: c["first_petition"] for c in body["items"]}
    assert first == {earlier.case_id: True, again.case_id: False, other.case_id: True}
    only = fresh_json(w, "/api/v1/cases", "inspector", first_petition="true")["items"]
    assert {c["case_id"] for c in only} == {earlier.case_id, other.case_id}
    not_first = fresh_json(w, "/api/v1/cases", "inspector", first_petition="false")["items"]
    assert [c["case_id"] for c in not_first] == [again.case_id]
    # as of a past time the listing still says which cases are first petitions
    past = fresh_json(w, "/api/v1/cases", "inspector", as_of=iso(datetime.now(CST)), first_petition="false")
    assert [c["case_id"] for c in past["items"]] == [again.case_id]
    # 初信初访化解率: 1 of the 2 first petitions resolved; the same with the scan (campaign filter) path
    figures = fresh_json(w, "/api/v1/figures", "inspector")["figures"]
    assert figures["first_contact_resolution_rate"] == {"value": 0.5, "numerator": 1, "denominator": 2}
    campaign = open_campaign(w)
    for c in (earlier, again, other):
        w.ok("supervisor", c.case_id, "backlog", {"campaign_id": campaign})
    by_campaign = fresh_json(w, "/api/v1/figures", "supervisor", campaign=campaign)["figures"]
    assert by_campaign["first_contact_resolution_rate"] == {"value": 0.5, "numerator": 1, "denominator": 2}
    # the next township counts none of them
    town_b = fresh_json(w, "/api/v1/figures", "officer_b")["figures"]
    assert town_b["first_contact_resolution_rate"]["denominator"] == 0


# ---- campaigns -----------------------------------------------------------------------------


def test_a_campaign_board_per_leader_with_struck_off_open_and_past_due(world: World) -> None:
    w = world
    campaign = open_campaign(w, due_on=(today() - timedelta(days=1)).isoformat())  # due yesterday
    closed, open_, unassigned = drive(w, "closed"), drive(w, "in_handling"), drive(w, "accepted")
    for c in (closed, open_, unassigned):
        w.ok("supervisor", c.case_id, "backlog", {"campaign_id": campaign, "occurred_at": iso(c.later())})
    # 销号 of an open case: refused unless the petitioner has undertaken to stop (息诉罢访)
    refused = w.command("supervisor", open_.case_id, "backlog-clear",
                        {"approved_by_leader_id": w.leader_a, "basis": "closed"})  # fmt: skip
    assert assert_problem(refused, 409, "transition_not_allowed")["rule"] == (
        "open_backlog_case_cleared_only_on_desistance"
    )
    w.ok("supervisor", closed.case_id, "backlog-clear",
         {"approved_by_leader_id": w.leader_county, "basis": "closed", "occurred_at": iso(closed.later(2))})  # fmt: skip
    board = fresh_json(w, f"/api/v1/campaigns/{campaign}", "supervisor")
    assert (board["campaign_id"], board["name"], board["due_on"]) == (
        campaign,
        "积案化解专项行动",
        (today() - timedelta(days=1)).isoformat(),
    )
    assert board["leaders"] == [
        {"leader_id": w.leader_a, "designated": 2, "struck_off": 1, "open": 1, "past_due": 1},
        {"leader_id": None, "designated": 1, "struck_off": 0, "open": 1, "past_due": 1},
    ]
    assert {c["case_id"]: c["struck_off"] for c in board["cases"]} == {
        closed.case_id: True,
        open_.case_id: False,
        unassigned.case_id: False,
    }
    timeline = w.timeline(closed.case_id)["items"][-1]
    assert (timeline["type"], timeline["fields"]["approved_by"], timeline["fields"]["basis"]) == (
        "BacklogCleared",
        w.leader_county,
        "closed",
    )
    listed = {c["case_id"]: c for c in fresh_json(w, "/api/v1/cases", "inspector")["items"]}
    assert listed[closed.case_id]["backlog_cleared"] == [campaign]
    # the petitioner's written undertaking strikes off an open case
    w.ok("supervisor", open_.case_id, "backlog-clear",
         {"approved_by_leader_id": w.leader_a, "basis": "petitioner_desisted", "reason": "已签息诉罢访承诺书"})  # fmt: skip
    board = fresh_json(w, f"/api/v1/campaigns/{campaign}", "supervisor")
    assert board["leaders"][0] == {"leader_id": w.leader_a, "designated": 2, "struck_off": 2, "open": 0,
                                   "past_due": 0}  # fmt: skip
    # figures by campaign
    figures = fresh_json(w, "/api/v1/figures", "inspector", campaign=campaign)["figures"]
    assert figures["resolution_rate"]["denominator"] == 3


def test_a_campaign_board_shows_no_case_to_the_next_township_or_the_accused_side(world: World) -> None:
    w = world
    w.add_user("supervisor_a", "supervisor", w.town_a)
    campaign = open_campaign(w)
    plain = drive(w, "in_handling")
    # an accusation against town A received by town A, handled by town B: town A is its accused side
    accusation = w.register(kind="accusation", received_unit=w.town_a, accused_unit=w.town_a)
    w.ok("registrar", accusation, "accept", {"notice_issued_on": today().isoformat()})
    w.ok("supervisor", accusation, "assign", {"unit_code": w.town_b, "leader_id": w.leader_b})
    w.ok("supervisor", plain.case_id, "backlog", {"campaign_id": campaign, "occurred_at": iso(plain.later())})
    w.ok("supervisor", accusation, "backlog", {"campaign_id": campaign})
    everyone = fresh_json(w, f"/api/v1/campaigns/{campaign}", "inspector")
    assert {c["case_id"] for c in everyone["cases"]} == {plain.case_id, accusation}
    # the next township's officer sees town B's case only, never town A's
    town_b = fresh_json(w, f"/api/v1/campaigns/{campaign}", "officer_b")
    assert [c["case_id"] for c in town_b["cases"]] == [accusation]
    assert [r["leader_id"] for r in town_b["leaders"]] == [w.leader_b]
    # town A's supervisor (the accused side): the plain case only, on the board and in its counts
    accused = fresh_json(w, f"/api/v1/campaigns/{campaign}", "supervisor_a")
    assert [c["case_id"] for c in accused["cases"]] == [plain.case_id]
    assert accused["leaders"] == [{"leader_id": w.leader_a, "designated": 1, "struck_off": 0, "open": 1,
                                   "past_due": 0}]  # fmt: skip
    # for the accused side the case does not exist: its 销号 answers 404 and writes nothing
    body = {"approved_by_leader_id": w.leader_county, "basis": "petitioner_desisted"}
    unchanged(w, lambda: w.command("supervisor_a", accusation, "backlog-clear", body), 404, "case_not_found")
    unchanged(w, lambda: w.command("supervisor_a", accusation, "backlog", {"campaign_id": campaign}), 404,
              "case_not_found")  # fmt: skip
    assert_problem(w.client("supervisor_a").get(f"/api/v1/cases/{accusation}"), 404, "case_not_found")


def test_campaign_refusals_write_nothing(world: World) -> None:
    w = world
    body = {"campaign_id": "jaan-x", "name": "专项", "starts_on": "2026-01-01", "due_on": "2026-06-30"}
    for who in ("registrar", "officer", "inspector", "leader"):
        unchanged(w, lambda who=who: w.client(who).post("/api/v1/campaigns", json=body), 403, "forbidden")
    for garbage in (
        {},
        {**body, "due_on": "soon"},
        {**body, "campaign_id": "有 空格"},
        {**body, "x": 1},
        [body],
    ):
        unchanged(w, lambda g=garbage: w.client("supervisor").post("/api/v1/campaigns", json=g), 422,
                  "validation_failed")  # fmt: skip
    open_campaign(w, campaign_id="jaan-x")
    unchanged(w, lambda: w.client("supervisor").post("/api/v1/campaigns", json=body), 409, "already_exists")
    assert_problem(fresh(w, "/api/v1/campaigns/no-such", "supervisor"), 404, "not_found")
    assert_problem(w.client("admin").get("/api/v1/campaigns/jaan-x"), 403, "forbidden")
    c = drive(w, "in_handling")
    for garbage in ({}, {"campaign_id": ""}, {"campaign": "jaan-x"}):
        unchanged(
            w, lambda g=garbage: w.command("supervisor", c.case_id, "backlog", g), 422, "validation_failed"
        )
    for garbage in ({}, {"approved_by_leader_id": w.leader_a, "basis": "because"}, {"basis": "closed"}):
        unchanged(w, lambda g=garbage: w.command("supervisor", c.case_id, "backlog-clear", g), 422,
                  "validation_failed")  # fmt: skip
