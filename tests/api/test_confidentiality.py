"""Accusations (第三十条, DOMAIN.md R1): for the accused side the case does not exist.
Personal data (id number, phone) is masked unless an allowed role unmasks it with a purpose,
and every unmasked read is itself a ledger entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote
from uuid import uuid4

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

NAME = "举报人甲"
ID_NUMBER = "110101198001011234"
PHONE = "13912345678"
CONTENT = f"{NAME}举报乙镇镇长违规发放补贴，身份证{ID_NUMBER}，电话{PHONE}。"
SECRETS = (NAME, ID_NUMBER, PHONE, quote(NAME), "举报乙镇镇长违规发放补贴")


@dataclass
class Accusation:
    case_id: str
    version: int


def _accusation(w: World, received_unit: str | None = None) -> Accusation:
    petitioner = {"name": NAME, "id_number": ID_NUMBER, "phone": PHONE, "address": "乙镇某村"}
    c = drive(
        w,
        "in_handling",
        kind="accusation",
        petitioners=[petitioner],
        content=CONTENT,
        accused_unit=w.town_b,
        accused_leader=w.leader_b,
        received_unit=received_unit or w.county,
    )
    # a correction of the content, so the timeline also holds old and new content values
    w.ok(
        "registrar",
        c.case_id,
        "corrections",
        {"target_version": 1, "field": "content", "new_value": CONTENT + "补充。", "reason": "补充材料"},
    )
    return Accusation(c.case_id, c.version + 1)


def _assert_no_secret(response: httpx.Response) -> None:
    raw = response.text + str(response.headers)
    for secret in SECRETS:
        assert secret not in raw, (secret, response.status_code, raw[:500])


def _everything(w: World, who: str, case_id: str) -> list[httpx.Response]:
    """Every response this user can obtain about the case."""
    client = w.client(who)
    base = f"/api/v1/cases/{case_id}"
    return [
        client.get(base),
        client.get(f"{base}?version=1"),
        client.get(f"{base}?version=2"),
        client.get(f"{base}/timeline"),
        client.get(f"{base}?unmask=true&purpose=check"),
        client.get(f"{base}/timeline?unmask=true&purpose=check"),
        client.get(f"{base}?unmask=true"),
        client.get(f"{base}?version=99"),
        client.post(f"{base}/notes", json={"text": "x", "bogus": NAME}),
        client.post(f"{base}/corrections", json={"target_version": 1, "field": "content", "new_value": "x"}),
        client.post(
            f"{base}/corrections",
            json={"target_version": 1, "field": "petitioners", "new_value": "x", "reason": "r"},
        ),
        client.post(f"{base}/notes", json={"text": "x"}, headers={"If-Match": "1"}),
    ]


def listed(w: World, who: str, path: str) -> str:
    """A listing's text once the views hold every write so far (so an absence means something)."""
    joiner = "&" if "?" in path else "?"
    response = w.client(who).get(f"{path}{joiner}min_position={w.position()}")
    assert response.status_code == 200, response.text
    return response.text


def _unknown_case_answer(w: World, who: str, path: str, method: str = "get", **kwargs: Any) -> Any:
    """What this user gets for the same request on a case id that does not exist."""
    response = getattr(w.client(who), method)(path.replace("{case}", str(uuid4())), **kwargs)
    body = response.json()
    body.pop("case_id", None)
    return response.status_code, body


def test_for_the_accused_side_the_case_does_not_exist(world: World) -> None:
    """第三十条 (R1): the accused unit's officer, the accused leader's login, an officer of a
    village below the accused unit, and the accused unit's own supervisor get, for every read and
    command, exactly what they get for a case id that does not exist."""
    village_b = f"VB{uuid4().hex[:8]}"
    ok = world.client("admin").post(
        "/api/v1/units", json={"code": village_b, "name": "乙村", "parent_code": world.town_b}
    )
    assert ok.status_code == 201, ok.text
    world.add_user("officer_vb", "officer", village_b)
    world.add_user("supervisor_b", "supervisor", world.town_b)
    a = _accusation(world)
    probes = [
        ("get", "/api/v1/cases/{case}", {}),
        ("get", "/api/v1/cases/{case}?version=1", {}),
        ("get", "/api/v1/cases/{case}/timeline", {}),
        ("get", "/api/v1/cases/{case}/replay", {}),
        ("get", "/api/v1/cases/{case}/delays", {}),
        ("get", "/api/v1/cases/{case}/evidence", {}),
        ("get", "/api/v1/cases/{case}?unmask=true&purpose=check", {}),
        ("post", "/api/v1/cases/{case}/notes", {"json": {"text": "已电话联系举报人"}}),
        (
            "post",
            "/api/v1/cases/{case}/answer",
            {"json": {"outcome": "reject", "delivered_on": today().isoformat()}},
        ),
        ("post", "/api/v1/cases/{case}/progress", {"json": {"step": "met_petitioner", "note": "x"}}),
    ]
    position = world.position()
    for who in ("officer_b", "leader_b", "officer_vb", "supervisor_b"):
        for method, path, kwargs in probes:
            response = getattr(world.client(who), method)(path.replace("{case}", a.case_id), **kwargs)
            _assert_no_secret(response)
            body = response.json()
            assert body.pop("case_id", a.case_id) == a.case_id
            assert (response.status_code, body) == _unknown_case_answer(world, who, path, method, **kwargs), (
                who,
                path,
            )
    assert world.position() == position  # nothing was written, not even a record of a refused read
    # and none of them finds it in a listing, a search or the overdue list
    for who in ("officer_b", "leader_b", "officer_vb", "supervisor_b"):
        for path in (
            "/api/v1/cases",
            f"/api/v1/cases?q={quote('举报')}",
            "/api/v1/overdue",
            "/api/v1/cases?kind=accusation",
            f"/api/v1/cases?unit={world.town_a}",
        ):
            assert a.case_id not in listed(world, who, path), (who, path)
    assert a.case_id in listed(world, "inspector", "/api/v1/cases")


def test_an_accusation_naming_only_a_leader_bars_every_unit_he_has_held_a_post_in_since(world: World) -> None:
    """The accused side of a leader: his logins, the units of every post he held since the matter
    arose (and their subtrees), but not a unit he had left before it arose."""
    admin = world.client("admin")
    long_ago = datetime.now(CST) - timedelta(days=600)
    # leader_v was in the village (below town A) long ago, then in town B before the matter arose
    moved = admin.post(
        f"/api/v1/leaders/{world.leader_v}/posts",
        json={"unit_code": world.town_b, "post": "副镇长", "occurred_at": iso(long_ago)},
    )
    assert moved.status_code == 201, moved.text
    world.add_user("officer_v", "officer", world.village)
    world.add_user("leader_v", "leader", world.village, world.leader_v)
    c = drive(
        world,
        "in_handling",
        kind="accusation",
        petitioners=[{"name": NAME}],
        content=CONTENT,
        accused_leader=world.leader_v,
    )
    assert world.client("officer_b").get(f"/api/v1/cases/{c.case_id}").status_code == 404  # his unit now
    assert world.client("leader_v").get(f"/api/v1/cases/{c.case_id}").status_code == 404  # his login
    village = world.client("officer_v").get(f"/api/v1/cases/{c.case_id}")
    assert village.status_code in (200, 404)  # (the village holds no case: out of scope either way)
    # the holding town A is not on his side: he left the village (below it) before the matter arose
    assert world.client("officer").get(f"/api/v1/cases/{c.case_id}").status_code == 200
    # ... until he takes a post in town A: town A's officer then no longer sees the case
    back = admin.post(
        f"/api/v1/leaders/{world.leader_v}/posts", json={"unit_code": world.town_a, "post": "镇长"}
    )
    assert back.status_code == 201, back.text
    assert_problem(world.client("officer").get(f"/api/v1/cases/{c.case_id}"), 404, "case_not_found")
    assert c.case_id not in listed(world, "officer", "/api/v1/cases")
    assert c.case_id in listed(world, "supervisor", "/api/v1/cases")  # the county is not his side
    assert world.client("inspector").get(f"/api/v1/cases/{c.case_id}").status_code == 200


def test_the_registering_user_on_the_accused_side_may_only_finish_screening(world: World) -> None:
    world.add_user("registrar_b", "registrar", world.town_b)
    world.add_user("registrar_b2", "registrar", world.town_b)
    case_id = world.register(
        "registrar_b",
        kind="accusation",
        petitioners=[{"name": NAME}],
        content=CONTENT,
        received_unit=world.town_b,
        accused_unit=world.town_b,
    )
    mine = world.client("registrar_b").get(f"/api/v1/cases/{case_id}")
    assert mine.status_code == 200 and NAME in mine.text  # he typed it; he keeps reading it
    assert case_id in listed(world, "registrar_b", "/api/v1/cases")
    assert world.client("registrar_b2").get(f"/api/v1/cases/{case_id}").status_code == 404
    assert case_id not in listed(world, "registrar_b2", "/api/v1/cases")
    refused = world.command(
        "registrar_b",
        case_id,
        "not-accept",
        {"reason_code": "out_of_remit", "notice_issued_on": today().isoformat()},
    )
    body = assert_problem(refused, 403, "forbidden")
    assert body["rule"] == "accused_side_registrar_only_screens" and body["article"] == "第三十条"
    assert_problem(world.command("registrar_b", case_id, "notes", {"text": "x"}), 403, "forbidden")
    world.ok(
        "registrar_b", case_id, "divert", {"pathway": "discipline_inspection", "institution": "县纪委监委"}
    )
    assert world.case(case_id)["status"] == "diverted"


def test_a_conflict_names_no_case_the_caller_may_not_see(world: World) -> None:
    world.add_user("registrar_a", "registrar", world.town_a)
    ref = f"EXT-{uuid4().hex[:8]}"
    first = world.register(external_ref=ref)
    again = world.client("registrar").post("/api/v1/cases", json=world.registration(external_ref=ref))
    assert assert_problem(again, 409, "duplicate_external_ref")["case_id"] == first
    elsewhere = world.client("registrar_a").post(
        "/api/v1/cases", json=world.registration(external_ref=ref, received_unit=world.town_a)
    )
    body = assert_problem(elsewhere, 409, "duplicate_external_ref")
    assert "case_id" not in body and first not in elsewhere.text


def test_a_repeat_link_to_a_case_the_registrar_may_not_see_is_404(world: World) -> None:
    world.add_user("registrar_a", "registrar", world.town_a)
    hidden = world.register()  # received by the county: outside town A's registrar's scope
    mine = world.register("registrar_a", received_unit=world.town_a)
    response = world.command("registrar_a", mine, "link-repeat", {"earlier_case_id": hidden})
    assert_problem(response, 404, "case_not_found")


def test_the_holding_officer_sees_the_name_but_masked_personal_data(world: World) -> None:
    a = _accusation(world)
    response = world.client("officer").get(f"/api/v1/cases/{a.case_id}")
    assert response.status_code == 200, response.text
    [petitioner] = response.json()["petitioners"]
    assert petitioner["name"] == NAME
    assert petitioner["id_number"] != ID_NUMBER and petitioner["id_number"].startswith(ID_NUMBER[:6])
    assert petitioner["id_number"].endswith(ID_NUMBER[-4:]) and "*" in petitioner["id_number"]
    assert petitioner["phone"] == PHONE[:3] + "****" + PHONE[-4:]
    assert response.json()["content"].startswith(NAME)
    timeline = world.client("officer").get(f"/api/v1/cases/{a.case_id}/timeline")
    text = timeline.text.replace(CONTENT, "")  # free text is not masked; the petitioner fields are
    assert ID_NUMBER not in text and PHONE not in text and NAME in text


def test_unmask_with_purpose_shows_full_data_and_is_recorded(world: World) -> None:
    a = _accusation(world)
    registrar = world.client("registrar")
    position = world.position()
    response = registrar.get(f"/api/v1/cases/{a.case_id}", params={"unmask": "true", "purpose": "核实身份"})
    assert response.status_code == 200, response.text
    [petitioner] = response.json()["petitioners"]
    assert (petitioner["id_number"], petitioner["phone"]) == (ID_NUMBER, PHONE)
    assert world.position() == position + 1
    viewed = world.timeline(a.case_id)["items"][-1]
    assert viewed["type"] == "PersonalDataViewed"
    assert viewed["fields"]["purpose"] == "核实身份"
    timeline = registrar.get(
        f"/api/v1/cases/{a.case_id}/timeline", params={"unmask": "true", "purpose": "复核"}
    )
    assert timeline.status_code == 200
    assert timeline.json()["items"][0]["fields"]["petitioners"][0]["id_number"] == ID_NUMBER
    assert world.timeline(a.case_id)["items"][-1]["fields"]["purpose"] == "复核"


def test_the_personal_data_view_names_its_reader(world: World) -> None:
    a = _accusation(world)
    response = world.client("registrar").get(f"/api/v1/cases/{a.case_id}?unmask=true&purpose=核实身份")
    assert response.status_code == 200, response.text
    viewed = world.timeline(a.case_id)["items"][-1]
    assert viewed["type"] == "PersonalDataViewed"
    assert viewed["actor"]["user_id"] == world.users["registrar"]
    assert viewed["actor"]["role"] == "registrar"


def test_unmask_without_purpose_or_by_a_role_that_may_not_is_403_and_not_recorded(world: World) -> None:
    a = _accusation(world)
    position = world.position()
    base = f"/api/v1/cases/{a.case_id}"
    for who, url in (
        ("registrar", f"{base}?unmask=true"),
        ("registrar", f"{base}?unmask=true&purpose=%20%20"),
        ("officer", f"{base}/timeline?unmask=true"),
        ("supervisor", f"{base}?unmask=true&purpose=核实"),
        ("leader", f"{base}?unmask=true&purpose=核实"),
    ):
        response = world.client(who).get(url)
        assert_problem(response, 403, "forbidden")
        assert ID_NUMBER not in response.text
    assert world.position() == position


def test_non_accusation_cases_are_masked_but_not_redacted_for_town_b(world: World) -> None:
    # Not an accusation: the usual scope applies, and nothing is redacted for readers in scope.
    c = drive(world, "registered", received_unit=world.town_b)
    world.add_user("registrar_b", "registrar", world.town_b)
    response = world.client("registrar_b").get(f"/api/v1/cases/{c.case_id}")
    assert response.status_code == 200
    assert response.json()["petitioners"][0]["name"] == "张三"
    assert "*" in response.json()["petitioners"][0]["id_number"]


def test_no_command_on_an_accusation_succeeds_for_its_accused_side(world: World) -> None:
    """Every case command, with a body that would succeed for its role, as every accused-side user
    of each role: a role that may never issue it gets 403, every other one 404; nothing is written."""
    from api.commands import COMMAND_ROLES
    from tests.api.test_commands import SUCCESS

    world.add_user("registrar_b", "registrar", world.town_b)
    world.add_user("supervisor_b", "supervisor", world.town_b)
    accused = {
        "registrar": "registrar_b",
        "supervisor": "supervisor_b",
        "officer": "officer_b",
        "leader": "leader_b",
    }
    c = drive(world, "in_handling", kind="accusation", accused_unit=world.town_b)
    tried = 0
    for command, spec in sorted(SUCCESS.items()):
        body = spec.body(world, c)  # (a body may write what it refers to: a link-repeat's earlier case)
        position = world.position()
        allowed = {role.value for role in COMMAND_ROLES[command]}
        for role, who in accused.items():
            response = world.command(who, c.case_id, command, body)
            expected = (404, "case_not_found") if role in allowed else (403, "forbidden")
            assert_problem(response, *expected)
            assert world.position() == position, (command, who)
            tried += 1
    assert tried == len(SUCCESS) * len(accused)
