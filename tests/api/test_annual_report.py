"""GET /api/v1/reports/annual (第四十一条), on both stores: the sections and their numbers in the PDF's
text and the workbook, the same figures as GET /api/v1/figures, and a supervisor's subtree only."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any

from openpyxl import load_workbook
from pypdf import PdfReader

from tests.api.helpers import CST, World, assert_problem, drive, world_fixture

__all__ = ["world_fixture"]

PATH = "/api/v1/reports/annual"
SECTIONS = ("总体情况", "按信访类型", "按信访形式", "关键指标", "反映的主要领域", "被投诉较多的单位",
            "转送、交办和督办", "建议及其采纳")  # fmt: skip


def a_year_of_cases(world: World) -> int:
    """Three cases early in last year (two held by town A, one accusation against town B), one by letter."""
    year = datetime.now(CST).year - 1
    start = datetime(year, 3, 2, 8, 30, tzinfo=CST)
    drive(world, "closed", start=start)
    drive(world, "in_handling", start=start + timedelta(days=1), channel="letter", category="labour")
    accusation = drive(world, "accepted", start=start + timedelta(days=2), kind="accusation",
                       accused_unit=world.town_b)  # fmt: skip
    supervise = {"reply_by": (start + timedelta(days=20)).date().isoformat(), "text": "请按期办理",
                 "occurred_at": (start + timedelta(days=1, hours=5)).isoformat()}  # fmt: skip
    cases = world.client("supervisor").get("/api/v1/cases", params={"min_position": world.position()}).json()
    held = next(c for c in cases["items"] if c["status"] == "in_handling")
    world.ok("supervisor", held["case_id"], "supervise", supervise)
    assert accusation.case_id
    return year


def report(world: World, who: str, **params: Any) -> Any:
    params = {"min_position": world.position(), **params}
    return world.client(who).get(PATH, params=params)


def test_the_pdf_names_every_section_with_its_numbers_in_chinese(world: World) -> None:
    year = a_year_of_cases(world)
    response = report(world, "supervisor", year=year, unit=world.county)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    text = "".join(page.extract_text() for page in pages).replace("\x00", "")
    compact = text.replace(" ", "").replace("\n", "")
    assert f"某县{year}年度信访工作报告" in compact and "第四十一条" in compact
    for section in SECTIONS:
        assert section in compact, section
    assert "登记信访事项3" in compact and "投诉请求2" in compact and "检举控告1" in compact
    assert "来访2" in compact and "来信1" in compact and "劳动社保1" in compact
    assert "甲镇" in compact and "乙镇" in compact  # the holding unit; the accused unit
    assert "督办1" in compact and "提出建议0" in compact
    for code in ("complaint_request", "accusation", "visit", "land", "closure_rate"):
        assert code not in text


def test_the_workbook_numbers_match_the_figures_api(world: World) -> None:
    year = a_year_of_cases(world)
    response = report(world, "supervisor", year=year, unit=world.county, format="xlsx")
    assert response.status_code == 200, response.text
    book = load_workbook(io.BytesIO(response.content))
    overview = {r[0]: r[1] for r in book["总体情况"].iter_rows(min_row=2, values_only=True)}
    assert (overview["登记信访事项"], overview["受理"], overview["答复"], overview["办结"]) == (3, 3, 1, 1)
    figures = (
        world.client("supervisor")
        .get("/api/v1/figures", params={"from": f"{year}-01-01", "to": f"{year}-12-31", "unit": world.county})
        .json()["figures"]
    )
    rows = {r[0]: r for r in book["关键指标"].iter_rows(min_row=2, values_only=True)}
    for name, label in (("closure_rate", "办结率"), ("on_time_closure_rate", "按期办结率"),
                        ("satisfaction_rate", "满意率")):  # fmt: skip
        assert (rows[label][2], rows[label][3]) == (figures[name]["numerator"], figures[name]["denominator"])
    assert figures["closure_rate"]["denominator"] == 3
    work = {r[0]: r[1] for r in book["转送、交办和督办"].iter_rows(min_row=2, values_only=True)}
    assert work["交办（含改派）"] == 2 and work["督办"] == 1 and work["转送"] == 0
    recommendations = [r for r in book["建议及其采纳"].iter_rows(min_row=2, values_only=True)]
    assert recommendations[0][:2] == ("提出建议", 0) and ("已采纳", 0) in [r[:2] for r in recommendations]


def test_a_supervisor_reports_only_on_his_subtree_and_counts_as_the_figures_do(world: World) -> None:
    year = a_year_of_cases(world)
    world.add_user("supervisor_a", "supervisor", world.town_a)
    assert_problem(report(world, "supervisor_a", year=year, unit=world.county), 403, "forbidden")
    assert_problem(report(world, "supervisor_a", year=year, unit=world.town_b), 403, "forbidden")
    assert_problem(report(world, "officer", year=year), 403, "forbidden")
    assert_problem(report(world, "supervisor", year=year, unit="no-such-unit"), 404, "not_found")
    own = report(world, "supervisor_a", year=year, format="xlsx")
    assert own.status_code == 200, own.text
    overview = {
        r[0]: r[1] for r in load_workbook(io.BytesIO(own.content))["总体情况"].iter_rows(values_only=True)
    }
    assert overview["登记信访事项"] == 2  # the two held by town A; the county's accusation is not held there


def test_an_accused_unit_does_not_learn_of_an_accusation_against_itself(world: World) -> None:
    year = datetime.now(CST).year - 1
    start = datetime(year, 5, 6, 8, 30, tzinfo=CST)
    drive(
        world,
        "accepted",
        start=start,
        kind="accusation",
        accused_unit=world.town_b,
        received_unit=world.town_b,
    )
    drive(
        world, "registered", start=start + timedelta(days=1), received_unit=world.town_b, subject="乙镇收到的"
    )
    world.add_user("supervisor_b", "supervisor", world.town_b)
    own = report(world, "supervisor_b", year=year, format="xlsx")
    assert own.status_code == 200, own.text
    book = load_workbook(io.BytesIO(own.content))
    overview = {r[0]: r[1] for r in book["总体情况"].iter_rows(values_only=True)}
    assert overview["登记信访事项"] == 2  # counted, as the figures count it (R1)
    assert accused_rows(book) == []  # but not named against the unit reading the report
    county = report(world, "supervisor", year=year, unit=world.county, format="xlsx")
    assert accused_rows(load_workbook(io.BytesIO(county.content))) == [("乙镇", world.town_b, 1)]


def accused_rows(book: Any) -> list[tuple[Any, ...]]:
    rows = book["被检举控告较多的单位"].iter_rows(min_row=2, values_only=True)
    return [r for r in rows if not str(r[0]).startswith("说明")]


def test_the_recommendations_of_the_year_to_the_subtree_are_counted_with_their_adoption(world: World) -> None:
    """第四十条 recommendations issued this year to units in the subtree, by kind, and adopted."""
    issued = []
    for kind, target in (("improve", world.town_a), ("policy", world.town_a), ("policy", world.town_b)):
        body = {"kind": kind, "target_unit_code": target, "text": "建议规范受理登记"}
        response = world.client("supervisor").post("/api/v1/recommendations", json=body)
        assert response.status_code == 201, response.text
        issued.append(response.json()["recommendation_id"])
    adopted = world.client("leader").post(
        f"/api/v1/recommendations/{issued[0]}/feedback", json={"adopted": True, "text": "已采纳，正在整改"}
    )
    assert adopted.status_code in (200, 201), adopted.text
    year = datetime.now(CST).year
    book = load_workbook(
        io.BytesIO(report(world, "supervisor", year=year, unit=world.county, format="xlsx").content)
    )
    counts = {
        r[0]: r[1] for r in book["建议及其采纳"].iter_rows(min_row=2, values_only=True) if r[1] is not None
    }
    assert counts == {"提出建议": 3, "其中：改进工作建议": 1, "其中：完善政策建议": 2, "已采纳": 1}
    town_a = load_workbook(
        io.BytesIO(report(world, "supervisor", year=year, unit=world.town_a, format="xlsx").content)
    )
    counts = {
        r[0]: r[1] for r in town_a["建议及其采纳"].iter_rows(min_row=2, values_only=True) if r[1] is not None
    }
    assert counts["提出建议"] == 2  # town B's recommendation is outside town A's subtree
    last_year = load_workbook(
        io.BytesIO(report(world, "supervisor", year=year - 1, unit=world.county, format="xlsx").content)
    )
    counts = {
        r[0]: r[1]
        for r in last_year["建议及其采纳"].iter_rows(min_row=2, values_only=True)
        if r[1] is not None
    }
    assert counts["提出建议"] == 0
