"""Page /q in a real browser at phone width: the petitioner looks his case up and rates the answer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.api.helpers import World, drive, world_fixture  # noqa: F401 - the `world` fixture
from tests.pages.conftest import ARTIFACTS

pytestmark = pytest.mark.browser
SQLITE = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
PHONE = {"width": 375, "height": 740}
SHOTS = Path(os.environ.get("XINFANG_PUBLIC_SHOTS", str(ARTIFACTS)))


def _phone(browser: Browser) -> BrowserContext:
    context = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  is_mobile=True, has_touch=True, device_scale_factor=2)  # fmt: skip
    context.set_default_timeout(30_000)
    return context


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _fits(page: Page) -> None:
    """No sideways scrolling on a 375-wide phone."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _code(world: World, case_id: str) -> str:
    return str(world.ok("registrar", case_id, "query-code-reissue")["query_code"])


@SQLITE
def test_a_petitioner_looks_up_and_rates_on_a_phone(world: World, browser: Browser) -> None:
    c = drive(world, "answered")
    code = _code(world, c.case_id)
    context = _phone(browser)
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    response = page.goto(f"{world.server.url}/q?case={c.case_id}")
    assert response is not None and response.status == 200
    headers = response.headers
    assert "script-src 'self'" in headers["content-security-policy"] and headers["x-frame-options"] == "DENY"
    assert headers["cache-control"] == "no-store"
    expect(page.locator("h1")).to_have_text("信访事项查询与评价")
    expect(page.locator("#case_id")).to_have_value(c.case_id)  # the receipt's link fills the number in
    _fits(page)
    _shot(page, "public-q-form")

    page.fill("#query_code", code.lower().replace("-", ""))
    page.click("button[type=submit]")
    expect(page.locator("dd.status")).to_have_text("已出具处理意见")
    expect(page.locator("dl")).to_contain_text("甲镇")  # the holding unit by name
    expect(page.locator("dl")).to_contain_text(c.day)  # the answer date
    expect(page.locator("ul.clocks")).to_contain_text("申请复查截止（第三十五条）")
    body = page.locator("body").inner_text()
    for hidden in (
        "张三",
        "13800138000",
        "宅基地",
        "甲镇镇长",
        world.users["officer"],
        "in_handling",
        "answered",
    ):
        assert hidden not in body, hidden
    _fits(page)
    _shot(page, "public-q-found")

    page.check("input[name=satisfaction][value=basically_satisfied]")
    page.fill("#comment", "答复清楚，感谢。")
    page.click("form[action='/q/rating'] button[type=submit]")
    expect(page.locator(".done")).to_contain_text("基本满意")
    _fits(page)
    _shot(page, "public-q-rated")
    assert all(url.startswith(world.server.url) for url in requests), requests  # nothing from outside
    last = world.timeline(c.case_id)["items"][-1]
    assert (last["type"], last["fields"]["method"], last["fields"]["comment"]) == (
        "ReturnVisitRecorded", "self_service", "答复清楚，感谢。",
    )  # fmt: skip
    context.close()


@SQLITE
def test_a_wrong_code_on_the_page_is_refused_then_limited(world: World, browser: Browser) -> None:
    c = drive(world, "in_handling")
    code = _code(world, c.case_id)
    context = _phone(browser)
    page = context.new_page()
    page.goto(f"{world.server.url}/q?case={c.case_id}")
    wrong = ("B" if code[0] != "B" else "C") + code[1:]
    for _ in range(5):
        page.fill("#query_code", wrong)
        page.click("button[type=submit]")
        expect(page.locator(".error")).to_contain_text("案件编号或查询码不正确")
    _shot(page, "public-q-wrong")
    page.fill("#query_code", code)
    with page.expect_response(lambda r: r.url.endswith("/q")) as answer:
        page.click("button[type=submit]")
    assert answer.value.status == 429
    expect(page.locator(".error")).to_contain_text("错误次数过多")
    expect(page.locator("dd.status")).to_have_count(0)  # the right code shows nothing while limited
    context.close()
