"""Issue 21 over HTTP on both stores: 落实 and its clock on the overdue list, the local escalation
policy (its list and its closing rule), 第三十九条 measures and 第四十条 recommendations, each with
who may not see or do it (the next township, the accused side, a client sending garbage)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from tests.api.helpers import (
    DrivenCase,
    World,
    assert_problem,
    drive,
    iso,
    today,
    world_fixture,  # noqa: F401 - the `world` fixture
)


def listed(w: World, who: str, path: str) -> list[dict[str, Any]]:
    sep = "&" if "?" in path else "?"
    response = w.client(who).get(f"{path}{sep}min_position={w.position()}")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _ids(items: list[dict[str, Any]], key: str = "case_id") -> list[str]:
    return [str(i[key]) for i in items]


# ---- 落实 -----------------------------------------------------------------------------------


def supported(w: World) -> DrivenCase:
    """Answered in support about 300 days ago: its 30-day implementation period ran out long since."""
    c = drive(w, "in_handling")
    at = c.later()
    w.ok(
        "officer", c.case_id, "answer", {"outcome": "support", "delivered_on": c.day, "occurred_at": iso(at)}
    )
    return DrivenCase(c.case_id, c.version + 1, at, "answered")


def test_an_unmet_implementation_is_on_the_overdue_list_as_its_own_clock_until_recorded(world: World) -> None:
    c = supported(world)
    overdue = {i["case_id"]: i for i in listed(world, "officer", "/api/v1/overdue")}
    assert c.case_id in overdue
    deadline = overdue[c.case_id]["next_deadline"]
    assert (deadline["clock"], deadline["article"]) == ("implementation", "第三十三条")
    assert deadline["due_on"] == (c.at.date() + timedelta(days=30)).isoformat()
    assert overdue[c.case_id]["days_overdue"] > 200
    world.ok(
        "officer", c.case_id, "implementation", {"done_on": (c.at.date() + timedelta(days=20)).isoformat()}
    )
    assert c.case_id not in _ids(listed(world, "officer", "/api/v1/overdue"))
    (clock,) = [k for k in world.case(c.case_id)["clocks"] if k["name"] == "implementation"]
    assert (clock["state"], clock["article"]) == ("met", "第三十三条")


def test_implementation_is_refused_to_the_next_township_the_accused_side_and_garbage(world: World) -> None:
    c = supported(world)
    position, version = world.position(), world.version(c.case_id)
    body = {"done_on": c.day}
    assert_problem(world.command("officer_b", c.case_id, "implementation", body), 404, "case_not_found")
    assert_problem(world.command("registrar", c.case_id, "implementation", body), 403, "forbidden")
    for garbage in (
        {"done_on": "soon"},
        {"done_on": c.day, "petitioner": "张三"},
        {},
        {"done_on": (today() + timedelta(days=3)).isoformat()},  # in the future
        {"done_on": (c.at.date() - timedelta(days=1)).isoformat()},  # before the answer
    ):
        response = world.command("officer", c.case_id, "implementation", garbage)
        assert_problem(response, 422, response.json().get("code", "validation_failed"))
    assert (world.position(), world.version(c.case_id)) == (position, version)
    # the accused side of an accusation answered in support gets 404, as for no case at all
    a = drive(world, "in_handling", kind="accusation", accused_unit=world.town_b, received_unit=world.town_b)
    world.ok(
        "officer",
        a.case_id,
        "answer",
        {"outcome": "support", "delivered_on": a.day, "occurred_at": iso(a.later())},
    )
    world.add_user("supervisor_b", "supervisor", world.town_b)
    assert_problem(
        world.command("leader_b", a.case_id, "implementation", {"done_on": a.day}), 404, "case_not_found"
    )
    assert a.case_id not in _ids(listed(world, "supervisor_b", "/api/v1/overdue"))
    assert a.case_id in _ids(listed(world, "supervisor", "/api/v1/overdue"))


def _figure(w: World, who: str, name: str, **params: str) -> tuple[int, int]:
    query = {"min_position": str(w.position()), **params}
    response = w.client(who).get("/api/v1/figures", params=query)
    assert response.status_code == 200, response.text
    figure = response.json()["figures"][name]
    return figure["numerator"], figure["denominator"]


def test_implementation_rate_counts_support_answers_carried_out(world: World) -> None:
    """落实率: support answers by delivery day; carried out once recorded, late or not."""
    done, pending = supported(world), supported(world)
    drive(world, "answered")  # an answer that explains: not an obligation
    world.ok(
        "officer",
        done.case_id,
        "implementation",
        {"done_on": (done.at.date() + timedelta(days=45)).isoformat()},
    )
    assert _figure(world, "inspector", "implementation_rate") == (1, 2)  # the pre-aggregated cells
    assert _figure(world, "inspector", "implementation_rate", unit=world.town_a) == (1, 2)  # the scan
    assert _figure(world, "officer_b", "implementation_rate") == (0, 0)  # town B's scope holds none
    before = (done.at.date() - timedelta(days=1)).isoformat()
    assert _figure(world, "inspector", "implementation_rate", to=before) == (0, 0)  # delivered after it
    # 回流: the reopened case's supported answer is no longer in force
    world.ok("officer", pending.case_id, "return-visit",
             {"satisfaction": "satisfied", "signed": True, "method": "phone", "occurred_at": iso(pending.later())})  # fmt: skip
    world.ok(
        "officer",
        pending.case_id,
        "close",
        {"closure_type": "resolved", "occurred_at": iso(pending.later(2))},
    )
    world.ok(
        "supervisor",
        pending.case_id,
        "reopen",
        {"reason": "信访人反映未兑现", "occurred_at": iso(pending.later(3))},
    )
    assert _figure(world, "inspector", "implementation_rate") == (1, 1)
    assert "implementation" not in {k["name"] for k in world.case(pending.case_id)["clocks"]}


# ---- the local escalation policy ------------------------------------------------------------


def escalated(w: World, **registration: Any) -> DrivenCase:
    """Assigned three times (town A, the village, town A again), answered, the petitioner unsatisfied."""
    c = drive(w, "in_handling", **registration)
    at = c.at
    steps: list[tuple[str, str, dict[str, Any]]] = [
        ("supervisor", "reassign", {"unit_code": w.village, "leader_id": w.leader_v}),
        (
            "supervisor",
            "reassign",
            {"unit_code": w.town_a, "leader_id": w.leader_a, "officer_id": w.users["officer"]},
        ),
        ("officer", "answer", {"outcome": "explain", "delivered_on": "{day}"}),
        ("officer", "return-visit", {"satisfaction": "unsatisfied", "signed": True, "method": "visit"}),
    ]
    version = c.version
    for who, command, body in steps:
        at = at + timedelta(hours=1)
        filled = {k: (at.date().isoformat() if v == "{day}" else v) for k, v in body.items()}
        version = w.ok(who, c.case_id, command, {**filled, "occurred_at": iso(at)})["version"]
    return DrivenCase(c.case_id, version, at, "visited")


def put_escalation_in_force(w: World, in_force: bool = True) -> None:
    body = {
        "option": "escalation",
        "in_force": in_force,
        "effective_from": "2020-01-01",
        "reason": "县委信访工作制度",
    }
    response = w.client("admin").post("/api/v1/policies/local", json=body)
    assert response.status_code == 201, response.text


def test_off_by_default_the_list_is_empty_and_an_unsatisfied_matter_closes_as_before(world: World) -> None:
    c = escalated(world)
    answer = world.client("supervisor").get("/api/v1/escalations").json()
    assert (answer["policy_in_force"], answer["items"]) == (False, [])
    policies = world.client("officer").get("/api/v1/policies").json()
    assert policies["local_policies_in_force"] == {"escalation": False}
    world.ok("officer", c.case_id, "close", {"closure_type": "answered_only", "occurred_at": iso(c.later())})


def test_under_the_policy_the_month_lists_the_escalated_matter_and_it_closes_only_when_satisfied(
    world: World,
) -> None:
    c = escalated(world)
    plain = drive(world, "visited")  # assigned once: not on the list
    put_escalation_in_force(world)
    answer = world.client("supervisor").get(f"/api/v1/escalations?min_position={world.position()}").json()
    assert answer["policy_in_force"] is True
    assert answer["month"] == today().strftime("%Y-%m")
    assert _ids(answer["items"]) == [c.case_id]
    (item,) = answer["items"]
    assert (item["assignments"], item["satisfaction"], item["unit_code"]) == (3, "unsatisfied", world.town_a)
    assert c.case_id in _ids(listed(world, "officer", "/api/v1/escalations"))
    assert c.case_id not in _ids(listed(world, "officer_b", "/api/v1/escalations"))  # the next township
    assert plain.case_id not in _ids(answer["items"])
    position = world.position()
    refused = world.command(
        "officer", c.case_id, "close", {"closure_type": "answered_only", "occurred_at": iso(c.later())}
    )
    problem = assert_problem(refused, 409, "transition_not_allowed")
    assert problem["rule"] == "escalated_matter_closes_when_satisfied"
    assert "escalation" in problem["article"]
    assert world.position() == position
    world.ok("officer", c.case_id, "return-visit",
             {"satisfaction": "satisfied", "signed": True, "method": "visit", "occurred_at": iso(c.later())})  # fmt: skip
    world.ok("officer", c.case_id, "close", {"closure_type": "resolved", "occurred_at": iso(c.later(2))})
    assert c.case_id not in _ids(listed(world, "supervisor", "/api/v1/escalations"))


def test_the_escalation_list_hides_an_accusation_from_its_accused_side(world: World) -> None:
    a = escalated(world, kind="accusation", accused_unit=world.town_b, received_unit=world.town_b)
    put_escalation_in_force(world)
    world.add_user("supervisor_b", "supervisor", world.town_b)  # in scope by the receiving unit
    assert a.case_id in _ids(listed(world, "supervisor", "/api/v1/escalations"))
    assert a.case_id in _ids(listed(world, "inspector", "/api/v1/escalations"))
    for who in ("supervisor_b", "officer_b", "leader_b"):
        assert a.case_id not in _ids(listed(world, who, "/api/v1/escalations")), who
    assert_problem(world.client("admin").get("/api/v1/escalations"), 403, "forbidden")


def test_only_an_administrator_sets_a_local_policy_and_garbage_writes_nothing(world: World) -> None:
    position = world.position()
    body = {"option": "escalation", "in_force": True, "effective_from": "2020-01-01"}
    assert_problem(world.client("supervisor").post("/api/v1/policies/local", json=body), 403, "forbidden")
    for garbage in (
        {**body, "option": "yongxing"},
        {**body, "in_force": "yes"},
        {**body, "effective_from": "1800-01-01x"},
        {**body, "actor": "admin"},
        {"option": "escalation"},
    ):
        assert_problem(
            world.client("admin").post("/api/v1/policies/local", json=garbage), 422, "validation_failed"
        )
    assert world.position() == position


# ---- 第三十九条 measures -----------------------------------------------------------------------


def test_listed_supervision_and_ordered_rectification_with_its_deadline_are_recorded(world: World) -> None:
    c = drive(world, "in_handling")
    by = (today() + timedelta(days=30)).isoformat()
    world.ok("inspector", c.case_id, "accountability",
             {"target_unit_code": world.town_a, "measure": "listed_supervision", "basis": "逾期未办结，挂牌督办"})  # fmt: skip
    world.ok("inspector", c.case_id, "accountability",
             {"target_unit_code": world.town_a, "measure": "ordered_rectification", "basis": "推诿拖延",
              "rectify_by": by})  # fmt: skip
    items = listed(world, "inspector", "/api/v1/accountability")
    measures = {i["measure"]: i for i in items if i["case_id"] == c.case_id}
    assert set(measures) == {"listed_supervision", "ordered_rectification"}
    assert measures["ordered_rectification"]["rectify_by"] == by
    assert measures["listed_supervision"]["rectify_by"] is None
    position = world.position()
    missing = world.command("inspector", c.case_id, "accountability",
                            {"target_unit_code": world.town_a, "measure": "ordered_rectification", "basis": "x"})  # fmt: skip
    assert assert_problem(missing, 422, "validation_failed")["rule"] == "ordered_rectification_needs_deadline"
    assert world.position() == position


# ---- 第四十条 recommendations ------------------------------------------------------------------


def recommend(
    w: World, kind: str = "improve", target: str | None = None, text: str = "建议规范受理登记"
) -> str:
    body = {"kind": kind, "target_unit_code": target or w.town_a, "text": text}
    response = w.client("supervisor").post("/api/v1/recommendations", json=body)
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["feedback_due"] == (today() + timedelta(days=30)).isoformat()
    return str(answer["recommendation_id"])


def feedback(w: World, who: str, rid: str, body: dict[str, Any]) -> httpx.Response:
    return w.client(who).post(f"/api/v1/recommendations/{rid}/feedback", json=body)


def test_a_recommendation_awaits_the_target_units_written_feedback_and_shows_its_state(world: World) -> None:
    rid = recommend(world, "policy", text="建议完善征地补偿政策")
    (item,) = [i for i in listed(world, "leader", "/api/v1/recommendations") if i["recommendation_id"] == rid]
    assert (item["kind"], item["state"], item["target_unit_code"], item["adopted"]) == (
        "policy", "awaiting", world.town_a, None,
    )  # fmt: skip
    response = feedback(world, "leader", rid, {"adopted": True, "text": "已采纳，已提请县政府修订"})
    assert response.status_code == 200, response.text
    (item,) = [
        i for i in listed(world, "supervisor", "/api/v1/recommendations") if i["recommendation_id"] == rid
    ]
    assert (item["state"], item["adopted"], item["feedback_text"]) == (
        "adopted",
        True,
        "已采纳，已提请县政府修订",
    )
    again = feedback(world, "officer", rid, {"adopted": False, "text": "不采纳"})
    assert assert_problem(again, 409, "transition_not_allowed")["rule"] == "recommendation_feedback_once"
    adopted = listed(world, "inspector", "/api/v1/recommendations?state=adopted")
    assert rid in _ids(adopted, "recommendation_id")
    assert rid not in _ids(
        listed(world, "inspector", "/api/v1/recommendations?state=awaiting"), "recommendation_id"
    )


def test_the_next_township_neither_sees_nor_answers_another_units_recommendation(world: World) -> None:
    rid = recommend(world)
    position = world.position()
    for who in ("officer_b", "leader_b"):
        assert rid not in _ids(listed(world, who, "/api/v1/recommendations"), "recommendation_id")
        assert_problem(feedback(world, who, rid, {"adopted": True, "text": "采纳"}), 404, "not_found")
    # the issuing supervisor reads it but does not answer for the unit
    assert_problem(feedback(world, "supervisor", rid, {"adopted": True, "text": "采纳"}), 403, "forbidden")
    unknown = "00000000-0000-4000-8000-000000000000"
    assert_problem(feedback(world, "leader", unknown, {"adopted": True, "text": "采纳"}), 404, "not_found")
    assert world.position() == position


def test_recommendations_refuse_other_roles_units_outside_the_subtree_and_garbage(world: World) -> None:
    position = world.position()
    body = {"kind": "improve", "target_unit_code": world.town_a, "text": "建议"}
    assert_problem(world.client("officer").post("/api/v1/recommendations", json=body), 403, "forbidden")
    world.add_user("supervisor_b", "supervisor", world.town_b)
    outside = world.client("supervisor_b").post(
        "/api/v1/recommendations", json=body
    )  # town A is not below town B
    assert assert_problem(outside, 422, "rule_violated")["rule"] == "recommendation_target_within_own_subtree"
    unknown = world.client("supervisor").post(
        "/api/v1/recommendations", json={**body, "target_unit_code": "NOWHERE"}
    )
    assert assert_problem(unknown, 422, "rule_violated")["rule"] == "recommendation_target_within_own_subtree"
    for garbage in (
        {**body, "kind": "praise"},
        {**body, "text": ""},
        {**body, "case_id": "00000000-0000-4000-8000-000000000000"},  # a recommendation names no case
        {**body, "petitioners": [{"name": "举报人甲"}]},  # nor a party
        {"kind": "improve"},
    ):
        assert_problem(
            world.client("supervisor").post("/api/v1/recommendations", json=garbage), 422, "validation_failed"
        )
    rid = recommend(world)
    position = world.position()
    for garbage in (
        {"adopted": "yes", "text": "x"},
        {"adopted": True},
        {"adopted": True, "text": "x", "by": "me"},
    ):
        assert_problem(feedback(world, "leader", rid, garbage), 422, "validation_failed")
    assert_problem(world.client("leader").post("/api/v1/recommendations/not-a-uuid/feedback",
                                               json={"adopted": True, "text": "x"}), 422, "validation_failed")  # fmt: skip
    assert world.position() == position


def test_an_accountability_recommendation_does_not_tell_the_target_unit_who_accused_it(world: World) -> None:
    """第三十条: the accused unit receives the recommendation to hold its people to account, and
    nothing in it or about it names the accusation or the accuser."""
    accuser = {
        "name": "举报人甲",
        "id_number": "110101198001011234",
        "phone": "13912345678",
        "address": "乙镇",
    }
    a = drive(world, "in_handling", kind="accusation", accused_unit=world.town_b, petitioners=[accuser],
              content="举报人甲举报乙镇违规发放补贴")  # fmt: skip
    rid = recommend(world, "accountability", target=world.town_b, text="建议对违规发放补贴的有关人员追究责任")
    for who in ("leader_b", "officer_b"):
        response = world.client(who).get(f"/api/v1/recommendations?min_position={world.position()}")
        assert response.status_code == 200
        (item,) = response.json()["items"]
        assert item["recommendation_id"] == rid
        assert not {"case_id", "petitioners", "content", "accused_unit"} & set(item)
        for secret in ("举报人甲", "110101198001011234", "13912345678", a.case_id):
            assert secret not in response.text, (who, secret)
    assert feedback(world, "leader_b", rid, {"adopted": True, "text": "已对有关人员问责"}).status_code == 200
