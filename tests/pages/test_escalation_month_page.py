"""Picking the month of the concentrated-supervision list on its page (issue 21): an earlier
month's list as of its end, a month that is no month refused in Chinese beside the control, and
the next township seeing none of town A's matters in any month."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.api.helpers import World, world_fixture  # noqa: F401 - the `world` fixture
from tests.api.test_escalation_months import at, months_back
from tests.api.test_practices_http import escalated, put_escalation_in_force
from tests.pages.conftest import screenshot
from tests.pages.scene import log_in

pytestmark = pytest.mark.browser
NewContext = Callable[[], BrowserContext]


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_the_supervisor_picks_last_months_list_to_print(world: World, new_context: NewContext) -> None:
    base = world.server.url
    put_escalation_in_force(world)
    last = months_back(1)
    late = escalated(world, start=at(last - timedelta(days=1), 8), subject="月末回访不满意")
    assert world.client("inspector").get(f"/api/v1/cases?min_position={world.position()}").status_code == 200
    month = (last - timedelta(days=1)).strftime("%Y-%m")

    supervisor = log_in(new_context(), base, world.tokens["supervisor"])
    supervisor.goto(f"{base}/escalations")
    control = supervisor.locator("#escalation-month input[name=month]")
    control.fill(month)
    supervisor.locator("#escalation-month button[type=submit]").click()
    expect(supervisor.locator("#escalation-past")).to_contain_text(f"{month} 月集中督办清单（截至该月末")
    row = supervisor.locator("#escalation-table tbody tr", has_text="月末回访不满意")
    expect(row).to_have_count(1)
    expect(row.locator(f"a[href='/cases/{late.case_id}/timeline']")).to_have_count(1)
    expect(supervisor.locator("#escalation-month input[name=month]")).to_have_value(month)
    screenshot(supervisor, "supervisor-escalations-last-month")

    supervisor.locator("#escalation-month input[name=month]").fill("2026-13")
    supervisor.locator("#escalation-month button[type=submit]").click()
    expect(supervisor.locator("#escalation-month-refused")).to_contain_text("月份“2026-13”有误")
    expect(supervisor.locator("#escalation-month input[name=month]")).to_have_value("2026-13")
    # no list for a month that is no month: not an empty table that reads as "nothing that month"
    expect(supervisor.locator("#escalation-table")).to_have_count(0)

    other = log_in(new_context(), base, world.tokens["officer_b"])
    other.goto(f"{base}/escalations?month={month}")
    expect(other.locator("#escalation-table tbody td.empty")).to_have_count(1)
    expect(other.locator("body")).not_to_contain_text("月末回访不满意")
