"""`?format=xlsx` on the list queries, on both stores: every row, Chinese headers and names, the
reader's scope, no personal data the JSON does not show, and free text never a formula."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timedelta
from typing import Any

import httpx
from openpyxl import load_workbook

from api.ledger_template import template_headers
from tests.api.helpers import CST, World, drive, world_fixture
from tests.factories import id_number

__all__ = ["world_fixture"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
INJECTED = '=HYPERLINK("http://evil.example/x","点此")'


def export(world: World, who: str, path: str, **params: Any) -> httpx.Response:
    params = {"format": "xlsx", "min_position": world.position(), **params}
    response = world.client(who).get(path, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX
    return response


def sheet_rows(response: httpx.Response, sheet: int = 0) -> list[list[Any]]:
    book = load_workbook(io.BytesIO(response.content))
    return [list(r) for r in book.worksheets[sheet].iter_rows(values_only=True)]


def as_dicts(rows: list[list[Any]]) -> list[dict[str, Any]]:
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def all_text(response: httpx.Response) -> str:
    with zipfile.ZipFile(io.BytesIO(response.content)) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xml"))


def held_by_town_b(world: World, **registration: Any) -> str:
    case = drive(world, "accepted", **registration)
    body = {"unit_code": world.town_b, "leader_id": world.leader_b, "officer_id": world.users["officer_b"],
            "occurred_at": case.later().isoformat()}  # fmt: skip
    world.ok("supervisor", case.case_id, "assign", body)
    return case.case_id


def test_the_case_list_exports_every_page_with_chinese_headers_names_and_beijing_times(world: World) -> None:
    start = datetime.now(CST).replace(microsecond=0) - timedelta(days=200)
    cases = [drive(world, stage, start=start + timedelta(days=n))
             for n, stage in enumerate(("registered", "in_handling", "closed"))]  # fmt: skip
    response = export(world, "inspector", "/api/v1/cases", limit=2)  # read two at a time: all three come
    rows = sheet_rows(response)
    assert rows[0][: len(template_headers())] == template_headers()
    assert all(isinstance(h, str) and h and not h.isascii() for h in rows[0])  # every header is Chinese
    by_id = {r["案件编号"]: r for r in as_dicts(rows)}
    assert set(by_id) == {c.case_id for c in cases}
    closed = by_id[cases[2].case_id]
    assert closed["状态"] == "已办结" and closed["渠道"] == "来访" and closed["类型"] == "投诉请求"
    assert (
        closed["类别"] == "国土资源" and closed["答复意见"] == "解释说明" and closed["办结方式"] == "答复办结"
    )
    assert (closed["承办单位"], closed["承办单位代码"]) == ("甲镇", world.town_a)
    assert (closed["包案领导"], closed["包案领导编号"]) == ("甲镇镇长", world.leader_a)
    assert (closed["登记单位"], closed["登记单位代码"]) == ("某县", world.county)
    assert closed["承办人"] == "officer" and closed["承办人编号"] == world.users["officer"]
    # Beijing time to the minute, as the office's clock reads it
    registered = start + timedelta(days=2)
    assert closed["登记时间"] == registered.astimezone(CST).replace(tzinfo=None, second=0)
    assert by_id[cases[0].case_id]["状态"] == "已登记"


def test_a_township_export_lacks_the_other_townships_cases(world: World) -> None:
    ours = drive(world, "in_handling").case_id
    theirs = held_by_town_b(world)
    mine = {r["案件编号"] for r in as_dicts(sheet_rows(export(world, "officer", "/api/v1/cases")))}
    assert ours in mine and theirs not in mine
    other = {r["案件编号"] for r in as_dicts(sheet_rows(export(world, "officer_b", "/api/v1/cases")))}
    assert theirs in other and ours not in other
    assert theirs not in all_text(export(world, "officer", "/api/v1/overdue"))


def test_no_id_number_or_phone_and_free_text_is_never_a_formula(world: World) -> None:
    person = {"name": "李四", "id_number": id_number(), "phone": "13912345678", "address": "幸福路2号"}
    case = drive(world, "answered", subject=INJECTED, petitioners=[person])
    visit = {"satisfaction": "unsatisfied", "signed": False, "method": "phone", "comment": "+cmd|' /C calc'!A0",
             "occurred_at": case.later().isoformat()}  # fmt: skip
    world.ok("officer", case.case_id, "return-visit", visit)
    listing = export(world, "inspector", "/api/v1/cases")
    visits = export(world, "inspector", "/api/v1/satisfaction")
    for response in (listing, visits):
        text = all_text(response)
        assert person["id_number"] not in text and person["phone"] not in text and "李四" not in text
        assert "<f>" not in text  # no formula anywhere in the file
    book = load_workbook(io.BytesIO(listing.content))
    subject = next(c for row in book.active.iter_rows() for c in row if c.value == INJECTED)
    assert subject.data_type == "s" and subject.quotePrefix
    comment = next(c for row in load_workbook(io.BytesIO(visits.content)).active.iter_rows()
                   for c in row if c.value == "+cmd|' /C calc'!A0")  # fmt: skip
    assert comment.data_type == "s"
    assert as_dicts(sheet_rows(visits))[0]["满意度"] == "不满意"


def test_every_other_list_exports_in_chinese(world: World) -> None:
    case = drive(world, "closed")
    body = {"target_leader_id": world.leader_a, "measure": "interview", "basis": "@SUM(1)拖延办理",
            "occurred_at": case.later().isoformat()}  # fmt: skip
    world.ok("inspector", case.case_id, "accountability", body)
    loads = as_dicts(sheet_rows(export(world, "supervisor", "/api/v1/caseloads", limit=1)))
    assert {(r["包案领导"], r["包案领导编号"]) for r in loads} == {("甲镇镇长", world.leader_a)}
    grouped = as_dicts(sheet_rows(export(world, "supervisor", "/api/v1/satisfaction", group_by="unit")))
    assert (
        grouped[0]["承办单位"] == "甲镇"
        and grouped[0]["代码"] == world.town_a
        and grouped[-1]["承办单位"] == "合计"
    )
    measures = as_dicts(sheet_rows(export(world, "inspector", "/api/v1/accountability", limit=1)))
    assert [(m["问责方式"], m["被问责领导"], m["问责依据"]) for m in measures] == [
        ("约谈", "甲镇镇长", body["basis"])
    ]
    figures = export(world, "supervisor", "/api/v1/figures")
    as_json = world.client("supervisor").get("/api/v1/figures").json()["figures"]
    named = {r["指标"]: r for r in as_dicts(sheet_rows(figures))}
    assert named["办结率"]["分子"] == as_json["closure_rate"]["numerator"]
    assert named["办结率"]["分母"] == as_json["closure_rate"]["denominator"] >= 1
    units = as_dicts(sheet_rows(export(world, "inspector", "/api/v1/units")))
    assert {
        "单位": "甲村",
        "单位代码": world.village,
        "上级单位": "甲镇",
        "上级单位代码": world.town_a,
        "层级": 3,
    } in units
    leaders = as_dicts(sheet_rows(export(world, "inspector", "/api/v1/leaders")))
    assert any(
        r["领导"] == "乙镇镇长" and r["单位"] == "乙镇" and r["单位代码"] == world.town_b for r in leaders
    )
    users = as_dicts(sheet_rows(export(world, "admin", "/api/v1/users")))
    assert any(
        r["用户编号"] == world.users["officer"] and r["角色"] == "承办人" and r["单位"] == "甲镇"
        for r in users
    )


def test_an_export_obeys_the_role_as_the_json_does(world: World) -> None:
    response = world.client("officer").get("/api/v1/users", params={"format": "xlsx"})
    assert response.status_code == 403
    response = world.client("officer").get("/api/v1/accountability", params={"format": "xlsx"})
    assert response.status_code == 403


def test_a_timeline_export_masks_as_the_json_does_and_hides_an_unseen_case(world: World) -> None:
    person = {"name": "赵六", "id_number": id_number(), "phone": "13712345678", "address": "和平路3号"}
    case = drive(world, "in_handling", petitioners=[person])
    path = f"/api/v1/cases/{case.case_id}/timeline"
    masked = world.client("registrar").get(path).json()["items"][0]["fields"]["petitioners"][0]
    assert masked["id_number"] != person["id_number"]
    rows = as_dicts(sheet_rows(export(world, "registrar", path)))
    assert [r["事项"] for r in rows] == ["登记", "受理", "交办"]
    registered = rows[0]["内容"]
    assert masked["id_number"] in registered and masked["phone"] in registered and "赵六" in registered
    assert person["id_number"] not in registered and person["phone"] not in registered
    assert "甲镇（" in rows[2]["内容"] and "甲镇镇长" in rows[2]["内容"]
    hidden = world.client("officer_b").get(path, params={"format": "xlsx"})
    assert hidden.status_code == 404 and hidden.json()["code"] == "case_not_found"


def test_the_accused_side_exports_no_row_of_the_accusation(world: World) -> None:
    world.add_user("supervisor_b", "supervisor", world.town_b)
    control = world.register(received_unit=world.town_b, subject="乙镇收到的一件")
    accusation = world.register(received_unit=world.town_b, kind="accusation", accused_unit=world.town_b,
                                subject="举报乙镇")  # fmt: skip
    theirs = all_text(export(world, "supervisor_b", "/api/v1/cases"))
    assert control in theirs and accusation not in theirs and "举报乙镇" not in theirs
    assert accusation in all_text(export(world, "inspector", "/api/v1/cases"))
