"""Accusations (第三十条): the petitioner and the content never reach the accused unit or leader.
Personal data (id number, phone) is masked unless an allowed role unmasks it with a purpose,
and every unmasked read is itself a ledger entry."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import httpx

from tests.api.helpers import (
    World,
    assert_problem,
    drive,
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


def test_the_accused_units_officer_and_the_accused_leaders_user_see_nothing(world: World) -> None:
    a = _accusation(world)
    for who in ("officer_b", "leader_b"):
        for response in _everything(world, who, a.case_id):
            assert response.status_code in (403, 404, 409, 422), response.text
            _assert_no_secret(response)
        assert_problem(world.client(who).get(f"/api/v1/cases/{a.case_id}"), 403, "forbidden")


def test_an_accused_reader_in_scope_gets_the_case_redacted(world: World) -> None:
    # A county supervisor is in scope (the case was received at the county) and is the accused leader.
    world.add_user("accused_supervisor", "supervisor", world.county, world.leader_b)
    a = _accusation(world)
    responses = _everything(world, "accused_supervisor", a.case_id)
    for response in responses:
        _assert_no_secret(response)
    case, case_v1, _v2, timeline, unmask_case, unmask_timeline, no_purpose = responses[:7]
    assert case.status_code == 200, case.text
    assert case.json()["petitioners"] == "【已屏蔽】" and case.json()["content"] == "【已屏蔽】"
    assert case.json()["subject"] and case.json()["status"] == "in_handling"
    assert case_v1.status_code == 200 and case_v1.json()["content"] == "【已屏蔽】"
    assert timeline.status_code == 200, timeline.text
    assert timeline.json()["chain_ok"] is True
    correction = timeline.json()["items"][-1]
    assert correction["type"] == "Corrected"
    assert correction["fields"]["old_value"] == correction["fields"]["new_value"] == "【已屏蔽】"
    for response in (unmask_case, unmask_timeline, no_purpose):
        assert_problem(response, 403, "forbidden")
    assert "PersonalDataViewed" not in {e["type"] for e in world.timeline(a.case_id)["items"]}


def test_an_accused_registrar_of_the_receiving_unit_cannot_unmask(world: World) -> None:
    # Received at town B (the accused unit): town B's registrar is in scope, and an accused party.
    world.add_user("registrar_b", "registrar", world.town_b)
    a = _accusation(world, received_unit=world.town_b)
    for response in _everything(world, "registrar_b", a.case_id):
        _assert_no_secret(response)
    client = world.client("registrar_b")
    case = client.get(f"/api/v1/cases/{a.case_id}")
    assert case.status_code == 200 and case.json()["petitioners"] == "【已屏蔽】"
    assert_problem(client.get(f"/api/v1/cases/{a.case_id}?unmask=true&purpose=核实"), 403, "forbidden")


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
