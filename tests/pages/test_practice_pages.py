"""The monthly 领导接访 table and a campaign's board (积案销号) in a real browser (issue 21):
Chinese, names not codes, and only what the reader may see."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.api.helpers import World, drive, iso, today, world_fixture  # noqa: F401 - the `world` fixture
from tests.api.practices import open_campaign, record_reception
from tests.api.test_practices import assign_to_town_a, at_reception, fresh_json
from tests.pages.conftest import screenshot
from tests.pages.scene import log_in

pytestmark = pytest.mark.browser
NewContext = Callable[[], BrowserContext]


@pytest.mark.parametrize(
    "store_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_the_monthly_reception_table_and_a_campaign_board(world: World, new_context: NewContext) -> None:
    w = world
    reception = record_reception(w, place="甲镇综治中心接待室")
    accepted = at_reception(w, reception, subject="村道占地补偿")
    assign_to_town_a(w, accepted)
    at_reception(w, reception, subject="养殖场异味扰民")
    record_reception(
        w, leader_id=w.leader_county, kind="joint", unit_codes=[w.town_a, w.town_b], place="县联合接访大厅"
    )
    campaign = open_campaign(
        w, name="2026年积案化解专项行动", due_on=(today() - timedelta(days=1)).isoformat()
    )
    closed, open_ = drive(w, "closed", subject="宅基地纠纷"), drive(w, "in_handling", subject="拖欠工资")
    for c in (closed, open_):
        w.ok("supervisor", c.case_id, "backlog", {"campaign_id": campaign, "occurred_at": iso(c.later())})
    w.ok("supervisor", closed.case_id, "backlog-clear",
         {"approved_by_leader_id": w.leader_a, "basis": "closed", "occurred_at": iso(closed.later(2))})  # fmt: skip
    fresh_json(w, "/api/v1/cases", "inspector")  # the views have every write
    base = w.server.url

    page = log_in(new_context(), base, w.tokens["supervisor"])
    page.goto(f"{base}/receptions")
    expect(page.locator("h1")).to_contain_text("领导接访情况表")
    table = page.locator("#reception-table")
    expect(table.locator("thead")).to_contain_text("接待来访（件）")
    day_row = table.locator("tbody tr", has_text="甲镇综治中心接待室")
    expect(day_row.locator("td")).to_have_text(
        ["2", "甲镇镇长", today().isoformat(), "甲镇综治中心接待室", "领导接访日", "2", "1", "0"]
    )
    expect(table.locator("tbody tr", has_text="县联合接访大厅")).to_contain_text("联合接访（甲镇、乙镇）")
    expect(table.locator("tfoot")).to_contain_text("合计（2 次）")
    expect(page.locator("body")).not_to_contain_text(w.leader_a)  # names, not codes
    screenshot(page, "supervisor-receptions")
    page.goto(f"{base}/receptions?month=2020-01")
    expect(page.locator("#reception-table td.empty")).to_have_count(1)
    page.goto(f"{base}/caseloads")
    expect(page.locator("#caseload-table")).to_contain_text("接访（次）")

    page.goto(f"{base}/campaigns/{campaign}")
    expect(page.locator("h1")).to_have_text("2026年积案化解专项行动")
    expect(page.locator("body")).to_contain_text("已过截止日")
    board = page.locator("#campaign-board tbody tr", has_text="甲镇镇长")
    expect(board.locator("td")).to_have_text(["甲镇镇长", "2", "1", "1", "1"])
    cases = page.locator("#campaign-cases")
    expect(cases.locator("tr", has_text="宅基地纠纷")).to_contain_text("已销号")
    expect(cases.locator("tr", has_text="拖欠工资")).to_contain_text("未销号")
    screenshot(page, "supervisor-campaign-board")
    page.goto(f"{base}/campaigns/no-such")
    expect(page.locator("h1")).to_have_text("未找到")

    # the next township's officer: the reception table and the board show none of town A's cases
    other = log_in(new_context(), base, w.tokens["officer_b"])
    other.goto(f"{base}/receptions")
    expect(other.locator("#reception-table td.empty")).to_have_count(1)
    other.goto(f"{base}/campaigns/{campaign}")
    expect(other.locator("#campaign-board td.empty")).to_have_count(1)
    expect(other.locator("body")).not_to_contain_text("宅基地纠纷")
    expect(other.locator("body")).not_to_contain_text("拖欠工资")

    # the case list filters first petitions (初信初访)
    page.goto(f"{base}/cases?first_petition=1")
    expect(page.locator("table.grid tbody .badge", has_text="初信初访").first).to_be_visible()
    page.goto(f"{base}/cases?first_petition=0")
    expect(page.locator("table.grid tbody td.empty")).to_have_count(1)
