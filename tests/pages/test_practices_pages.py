"""The practices of issue 21 in a real browser: the concentrated-supervision list, the
recommendations and their feedback, an overdue implementation and the new measures, each shown
in Chinese to whom may see it and to nobody else."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.api.helpers import World, today, world_fixture  # noqa: F401 - the `world` fixture
from tests.api.test_practices_http import escalated, feedback, put_escalation_in_force, recommend, supported
from tests.pages.conftest import screenshot
from tests.pages.scene import log_in

pytestmark = pytest.mark.browser
NewContext = Callable[[], BrowserContext]


@pytest.mark.parametrize("store_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_practice_pages_show_each_practice_to_its_readers_only(world: World, new_context: NewContext) -> None:
    base = world.server.url
    matter = escalated(world)
    late = supported(world)
    world.ok("inspector", matter.case_id, "accountability",
             {"target_unit_code": world.town_a, "measure": "ordered_rectification", "basis": "推诿拖延",
              "rectify_by": (today() + timedelta(days=30)).isoformat()})  # fmt: skip
    answered = recommend(world, "improve", text="建议规范受理告知")
    recommend(world, "policy", text="建议完善征地补偿政策")
    assert feedback(world, "leader", answered, {"adopted": False, "text": "已有规范，暂不采纳"}).status_code == 200
    position = world.position()
    assert world.client("inspector").get(f"/api/v1/cases?min_position={position}").status_code == 200
    assert world.client("inspector").get(f"/api/v1/recommendations?min_position={position}").status_code == 200

    supervisor = log_in(new_context(), base, world.tokens["supervisor"])
    supervisor.goto(f"{base}/escalations")
    expect(supervisor.locator("#escalation-off")).to_be_visible()  # off by default
    expect(supervisor.locator("#escalation-table tbody td.empty")).to_have_count(1)
    put_escalation_in_force(world)
    supervisor.goto(f"{base}/escalations")
    row = supervisor.locator("#escalation-table tbody tr", has_text="宅基地纠纷")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("甲镇")  # names, not codes
    expect(row).to_contain_text("不满意")
    expect(row.locator("td").nth(4)).to_have_text("3")
    screenshot(supervisor, "supervisor-escalations")

    supervisor.goto(f"{base}/recommendations")
    table = supervisor.locator("#recommendation-table")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tr", has_text="建议完善征地补偿政策")).to_contain_text("待反馈")
    expect(table.locator("tr", has_text="建议规范受理告知")).to_contain_text("未采纳")
    expect(table.locator("tr", has_text="建议规范受理告知")).to_contain_text("已有规范，暂不采纳")
    expect(table).to_contain_text("甲镇")
    screenshot(supervisor, "supervisor-recommendations")

    supervisor.goto(f"{base}/overdue")
    overdue_row = supervisor.locator("tr", has=supervisor.locator(f"a[href='/cases/{late.case_id}/timeline']"))
    expect(overdue_row).to_contain_text("落实期限")
    supervisor.goto(f"{base}/accountability")
    expect(supervisor.locator("#accountability-table")).to_contain_text("责令限期整改")
    expect(supervisor.locator("#accountability-table")).to_contain_text((today() + timedelta(days=30)).isoformat())

    # the next township: no escalated matter of town A, no recommendation to town A
    other = log_in(new_context(), base, world.tokens["officer_b"])
    other.goto(f"{base}/escalations")
    expect(other.locator("#escalation-table tbody td.empty")).to_have_count(1)
    other.goto(f"{base}/recommendations")
    expect(other.locator("#recommendation-table tbody td.empty")).to_have_count(1)
    expect(other.locator("body")).not_to_contain_text("建议完善征地补偿政策")
    # town A's leader reads what was recommended to his unit
    leader = log_in(new_context(), base, world.tokens["leader"])
    leader.goto(f"{base}/recommendations")
    expect(leader.locator("#recommendation-table tbody tr")).to_have_count(2)
    assert leader.evaluate("document.documentElement.scrollWidth") <= 1366
